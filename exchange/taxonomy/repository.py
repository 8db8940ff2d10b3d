"""SQL for concepts added to the shipped taxonomy (ESCO imports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from infra.db import Connection
from matching.taxonomy import Concept


async def stored_concepts(conn: Connection) -> list[Concept]:
    rows = await conn.fetch(
        """select id, esco_uri, category, soft_skill, label_nl, label_en, variants
           from competency_concept order by id"""
    )
    return [
        Concept(
            id=r["id"],
            esco_uri=r["esco_uri"],
            category=r["category"],
            soft_skill=r["soft_skill"],
            label_nl=r["label_nl"],
            label_en=r["label_en"],
            variants=tuple(r["variants"]),
        )
        for r in rows
    ]


async def upsert_concepts(conn: Connection, *, concepts: Sequence[Concept], source: str) -> None:
    await conn.executemany(
        """insert into competency_concept (id, esco_uri, category, soft_skill, label_nl, label_en,
                                           variants, source)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (id) do update set esco_uri = excluded.esco_uri,
               category = excluded.category, soft_skill = excluded.soft_skill,
               label_nl = excluded.label_nl, label_en = excluded.label_en,
               variants = excluded.variants, updated_at = now()""",
        [
            (
                c.id,
                c.esco_uri,
                c.category,
                c.soft_skill,
                c.label_nl,
                c.label_en,
                list(c.variants),
                source,
            )
            for c in concepts
        ],
    )


# ---------------------------------------------------------------- the phrase cache


@dataclass(frozen=True, slots=True)
class CachedNormalization:
    concept_id: str | None
    confidence: float  # 0..1


async def cached_normalizations(
    conn: Connection, *, taxonomy_version: str, normalized: Sequence[str]
) -> dict[str, CachedNormalization]:
    """What the cache knows of these normalised texts under this taxonomy version."""
    rows = await conn.fetch(
        """select normalized, concept_id, confidence from phrase_normalization
           where taxonomy_version = $1 and normalized = any($2::text[])""",
        taxonomy_version,
        list(normalized),
    )
    return {
        r["normalized"]: CachedNormalization(r["concept_id"], float(r["confidence"])) for r in rows
    }


async def cache_normalizations(
    conn: Connection, *, taxonomy_version: str, found: Mapping[str, CachedNormalization]
) -> None:
    """Remember these results (a concurrent writer's equal row wins, silently)."""
    await conn.executemany(
        """insert into phrase_normalization
               (normalized, taxonomy_version, concept_id, confidence)
           values ($1, $2, $3, $4) on conflict do nothing""",
        [(n, taxonomy_version, c.concept_id, c.confidence) for n, c in found.items()],
    )
