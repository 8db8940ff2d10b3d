"""The figures of ``bench/quality.py``: nDCG, the per-ranker record, tables, diagnostics."""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from uuid import UUID

from rich import box
from rich.console import Console
from rich.table import Table

from bench.baselines import Ranking
from bench.normalization_accuracy import Sample, concept_set
from bench.quality_data import RankingSet
from matching.types import MatchProfile, MatchVacancy

console = Console(width=132)


# -- the metric ----------------------------------------------------------------------------


def dcg(grades: Sequence[int], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` grades: sum (2^g - 1) / log2(rank + 1)."""
    return sum(((1 << g) - 1) / math.log2(rank + 2) for rank, g in enumerate(grades[:k]))


def ndcg_at_k(ranked: Sequence[int], all_grades: Iterable[int], k: int = 10) -> float:
    """DCG of the ranking's grades over the DCG of the best possible ranking of ``all_grades``.

    ``ranked`` are the grades of the returned profiles in order (fewer than ``k`` is
    fine: missing places gain nothing). 1.0 when nothing relevant exists.
    """
    ideal = dcg(sorted(all_grades, reverse=True), k)
    return dcg(ranked, k) / ideal if ideal > 0 else 1.0


# -- runs and tables ---------------------------------------------------------------------


class RankerRun:
    """One ranker's rankings and timings over all vacancies."""

    def __init__(self, name: str, setup_s: float, note: str = "", *, gate: bool = True) -> None:
        self.name, self.setup_s, self.note, self.gate = name, setup_s, note, gate
        self.rankings: list[list[UUID]] = []
        self.query_s: list[float] = []
        self.ndcgs: list[float] = []  # per vacancy, filled by :func:`evaluate`

    def add(self, ranking: Ranking | list[UUID], seconds: float) -> None:
        self.rankings.append([r[0] if isinstance(r, tuple) else r for r in ranking])
        self.query_s.append(seconds)


def evaluate(run: RankerRun, grades: list[dict[UUID, int]], k: int) -> dict[str, float]:
    ndcgs, found, noise = [], [], []
    for ranking, truth in zip(run.rankings, grades, strict=True):
        got = [truth[pid] for pid in ranking[:k]]
        ndcgs.append(ndcg_at_k(got, truth.values(), k))
        fits = sum(1 for g in truth.values() if g >= 2)
        found.append(sum(1 for g in got if g >= 2) / min(k, fits) if fits else 1.0)
        noise.append(sum(1 for g in got if g == 0))
    run.ndcgs = ndcgs
    return {
        "ndcg": statistics.fmean(ndcgs),
        "min": min(ndcgs),
        "found": statistics.fmean(found),
        "noise": statistics.fmean(noise),
        "p50": statistics.median(run.query_s) * 1000,
    }


def normalisation_table(samples: Sequence[Sample], predicted: dict[str, list[str | None]]) -> Table:
    systems = list(predicted)
    table = Table(
        title="Normalisation accuracy, bench/data/noisy_phrases*.csv", box=box.SIMPLE_HEAD
    )
    table.add_column("noise kind")
    table.add_column("n", justify="right")
    for name in systems:
        table.add_column(name, justify="right")
    groups: dict[str, list[int]] = defaultdict(list)
    second = [s.noise_kind.startswith("holdout2_") for s in samples]
    for i, s in enumerate(samples):
        if not second[i]:
            groups[s.noise_kind].append(i)

    def row(label: str, rows: list[int], bold: bool = False) -> None:
        cells = []
        for name in systems:
            right = sum(
                concept_set(predicted[name][i]) == concept_set(samples[i].concept_id) for i in rows
            )
            cells.append(f"{right / len(rows):.1%}")
        style = "bold" if bold else None
        table.add_row(label, str(len(rows)), *cells, style=style)

    for kind in sorted(groups):
        row(kind, groups[kind])
    table.add_section()
    first = [i for i in range(len(samples)) if not second[i]]
    held = [s.noise_kind.startswith("holdout_") for s in samples]
    row("development rows", [i for i in first if not held[i]], bold=True)
    row("holdout rows", [i for i in first if held[i]], bold=True)
    row("all rows", first, bold=True)
    if any(second):
        row("holdout2 rows (split as stored)", [i for i, h in enumerate(second) if h], bold=True)
    return table


def machine(pg: str) -> str:
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor() or "?",
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.platform()}; {model}; {os.cpu_count()} cores ({usable} usable); "
        f"Python {platform.python_version()}; {pg}; load average {load:.2f}"
    )


def diagnose(
    ranking_set: RankingSet,
    profiles: Sequence[MatchProfile],
    vacancies: Sequence[MatchVacancy],
    grades: list[dict[UUID, int]],
    runs: Sequence[RankerRun],
    args: argparse.Namespace,
) -> None:
    """Where our matcher loses: wrong concepts on either side, missed fits, lost vacancies."""
    ours, others = runs[0], runs[1:]
    by_id = {p.profile_id: p for p in profiles}
    labelled = {p.profile_id: p for p in ranking_set.profiles}
    per_kind: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for p in ranking_set.profiles:
        for ph, comp in zip(p.phrases, by_id[p.profile_id].competencies, strict=True):
            per_kind[ph.noise] += 1
            right[ph.noise] += comp.concept_id == ph.concept_id
    console.print(
        "Our normaliser on this set's profile phrases, by noise kind: "
        + ", ".join(
            f"{kind} {right[kind] / n:.1%} of {n:,}" for kind, n in sorted(per_kind.items())
        ),
        markup=False,
    )
    pairs = [
        (lr, mr)
        for lv, mv in zip(ranking_set.vacancies, vacancies, strict=True)
        for lr, mr in zip(lv.requirements, mv.requirements, strict=True)
    ]
    bad = [(lr, mr) for lr, mr in pairs if lr.concept_id != mr.concept_id]
    console.print(
        f"Vacancy requirements on the intended concept: {len(pairs) - len(bad)}/{len(pairs)}"
        + "".join(
            f"\n  {lr.phrase!r} ({'must' if lr.must_have else 'nice'}): want {lr.concept_id}, "
            f"got {mr.concept_id or '(free)'} {mr.confidence:.2f}"
            for lr, mr in bad
        ),
        markup=False,
    )
    for other in others:
        beaten = [i for i, (a, b) in enumerate(zip(ours.ndcgs, other.ndcgs, strict=True)) if b > a]
        if beaten:
            console.print(
                f"{other.name} (gate {'on' if other.gate else 'off'}) beats ours on "
                f"{len(beaten)}/{len(ours.ndcgs)} vacancies: "
                + ", ".join(
                    f"#{i} {other.ndcgs[i]:.3f} vs {ours.ndcgs[i]:.3f}" for i in beaten[:6]
                ),
                markup=False,
            )
    lines = []
    for i, (ranking, truth) in enumerate(zip(ours.rankings, grades, strict=True)):
        top = ranking[: args.k]
        floor = min((truth[pid] for pid in top), default=0) if len(top) == args.k else 0
        missed = [pid for pid, g in truth.items() if g >= 2 and g > floor and pid not in top]
        if not missed:
            continue
        lv = ranking_set.vacancies[i]
        wanted = lv.musts | lv.nice
        best_missed = max(truth[pid] for pid in missed)
        intruders = [pid for pid in top if truth[pid] < best_missed]
        lost = [  # false negatives: a fit's phrase for a wanted concept, read as another
            f"{ph.text!r} [{ph.noise}] -> {comp.concept_id or '(free)'}"
            for pid in missed
            for ph, comp in zip(labelled[pid].phrases, by_id[pid].competencies, strict=True)
            if ph.concept_id in wanted and comp.concept_id != ph.concept_id
        ]
        gained = [  # false positives: an intruder's phrase read as a wanted concept
            f"{ph.text!r} [{ph.noise}, {ph.concept_id or 'off-topic'}] -> {comp.concept_id}"
            for pid in intruders
            for ph, comp in zip(labelled[pid].phrases, by_id[pid].competencies, strict=True)
            if comp.concept_id in wanted and comp.concept_id != ph.concept_id
        ]
        lines.append(
            f"  #{i}: {len(missed)} fit(s) of grade "
            f"{'/'.join(str(g) for g in sorted({truth[p] for p in missed}, reverse=True))} out, "
            f"{len(intruders)} of lower grade in"
            + (f"; fits misread: {'; '.join(dict.fromkeys(lost))}" if lost else "")
            + (
                f"; intruders' phrases misread: {'; '.join(dict.fromkeys(gained))}"
                if gained
                else ""
            )
            + ("" if lost or gained else "; every phrase read right, outscored")
        )
    console.print(
        f"Vacancies whose top {args.k} by ours lacks a fit (grade >= 2) that belongs there: "
        f"{len(lines)}" + "".join(f"\n{line}" for line in lines[: args.examples]),
        markup=False,
    )


def ranking_table(runs: Sequence[RankerRun], grades: list[dict[UUID, int]], k: int) -> Table:
    notes = list(dict.fromkeys(run.note for run in runs if run.note))
    table = Table(
        title=f"nDCG@{k} (gain 2^grade - 1) and timings",
        caption="\n".join(notes),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    columns = (
        "ranker",
        "must gate",
        f"nDCG@{k}",
        "worst vacancy",
        f"fits in top {k}",
        f"grade 0 in top {k}",
        "setup",
        "query p50",
    )
    for col in columns:
        table.add_column(col, justify="left" if col == "ranker" else "right")
    for run in runs:
        m = evaluate(run, grades, k)
        table.add_row(
            run.name,
            "yes" if run.gate else "no",
            f"{m['ndcg']:.3f}",
            f"{m['min']:.3f}",
            f"{m['found']:.1%}",
            f"{m['noise']:.2f}",
            f"{run.setup_s:.2f} s",
            f"{m['p50']:.2f} ms",
            style="bold" if run is runs[0] else None,
        )
    return table
