"""Benchmark of the pure matcher on synthetic data.

    python bench/matching.py [--sizes 10000,100000] [--with-1m]

Prints, per index size: build time and memory, one-vacancy top-50 latency
(cold and warm free-phrase cache), update -> visible latency, proposals for
1,000 vacancies, and baseline (b): a per-profile rapidfuzz loop, extrapolated.
Hooks for the PostgreSQL pg_trgm baseline and GraphQL-over-HTTP figures are
marked ``HOOK`` below; they are not measured yet.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path and this file would shadow
# the ``matching`` package; put the repository root first instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.matching_data import (  # noqa: E402
    TODAY,
    Vocabulary,
    bench_policy,
    make_profiles,
    make_vacancies,
)
from matching.index import MatchIndex  # noqa: E402
from matching.proposals import propose_placements  # noqa: E402
from matching.scoring import search  # noqa: E402
from matching.types import (  # noqa: E402
    CefrLevel,
    Competency,
    ConsentScope,
    ConsentScopeKind,
    LanguageSkill,
    MatchProfile,
    MatchVacancy,
    ProfileKind,
)
from matching.vocabulary import PhraseVocabulary  # noqa: E402

console = Console()


def rss() -> int:
    """Resident set size in bytes, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def percentiles(samples_s: Sequence[float]) -> tuple[float, float, float]:
    ms = np.asarray(samples_s) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max())


def perfect_for(v: MatchVacancy, vocab: Vocabulary, n: int) -> MatchProfile:
    """A profile meeting every requirement of ``v``, with a smallest-first id."""
    comps = []
    for r in v.requirements:
        if r.concept_id:
            comps.append(Competency(r.phrase, r.normalized, r.concept_id, 1.0, 5))
        else:
            comps.append(Competency(r.phrase, r.normalized, None, 0.0, 5))
    return MatchProfile(
        profile_id=uuid.UUID(int=n + 1),
        partner_id=uuid.UUID(int=0xFFFF),
        kind=ProfileKind.REJECTED_CANDIDATE,
        competencies=tuple(comps),
        languages=(LanguageSkill("nl", CefrLevel.NATIVE), LanguageSkill("de", CefrLevel.C2)),
        postcode_area=v.postcode_area,
        max_travel_km=50,
        hours_min=v.hours_min,
        hours_max=v.hours_max,
        available_from=TODAY,
        consent_scope=ConsentScope(ConsentScopeKind.ALL_PARTNERS),
    )


def baseline_loop(profiles: Sequence[MatchProfile], vacancies: Sequence[MatchVacancy]) -> float:
    """Baseline (b): seconds per vacancy to score ``profiles`` one by one with rapidfuzz."""
    start = time.perf_counter()
    for v in vacancies:
        texts = [r.normalized for r in v.requirements]
        scores = []
        for p in profiles:
            phrases = [c.normalized for c in p.competencies]
            total = 0.0
            for text in texts:
                total += max(fuzz.token_set_ratio(text, phrase) for phrase in phrases)
            scores.append(total / max(1, len(texts)))
        sorted(scores, reverse=True)[:50]
    return (time.perf_counter() - start) / len(vacancies)


def prefilter_recall(index: MatchIndex, queries: Sequence[str], cutoff: float) -> float:
    """Share of full-scan vocabulary matches the trigram prefilter keeps."""
    full, pre = PhraseVocabulary(prefilter_from=10**12), PhraseVocabulary(prefilter_from=0)
    for i in range(len(index.vocabulary)):
        full.intern(index.vocabulary.text(i))
        pre.intern(index.vocabulary.text(i))
    found = kept = 0
    for q in queries:
        want = set(full.match(q, cutoff)[0].tolist())
        found += len(want)
        kept += len(want & set(pre.match(q, cutoff)[0].tolist()))
    return kept / found if found else 1.0


def measure_pg_trgm_baseline(
    profiles: Sequence[MatchProfile], vacancies: Sequence[MatchVacancy]
) -> float | None:
    """HOOK (baseline a): the same queries as pg_trgm similarity in PostgreSQL.

    A later engineer loads ``profiles`` into the real schema and times the SQL
    baseline here; return the per-vacancy seconds. Not measured yet.
    """
    return None


def measure_graphql_http(vacancies: Sequence[MatchVacancy]) -> float | None:
    """HOOK: ``matches(vacancyId, first: 50)`` over GraphQL-over-HTTP against the app.

    A later engineer starts the app, seeds the data and times end-to-end here.
    """
    return None


@dataclasses.dataclass
class Figures:
    n: int
    rows: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def add(self, what: str, value: str) -> None:
        self.rows.append((what, value))
        console.print(f"  [dim]{self.n:>9,}[/dim]  {what:<46} {value}")


def load_average() -> str:
    """The 1-minute load average: other work on the machine inflates wall times."""
    return Path("/proc/loadavg").read_text().split()[0]


def run_size(n: int, args: argparse.Namespace) -> Figures:
    figures = Figures(n)
    console.rule(f"{n:,} profiles (load average {load_average()})")
    t0 = time.perf_counter()
    profiles, vocab = make_profiles(n, seed=args.seed)
    our_p50_s = 0.0
    phrases = sum(len(p.competencies) for p in profiles)
    figures.add(
        "synthetic data (not the index)", f"{time.perf_counter() - t0:.1f} s, {phrases:,} phrases"
    )
    gc.collect()
    before = rss()
    index = MatchIndex(bench_policy())
    start = time.perf_counter()
    index.add_many(profiles)
    index.compact()
    build = time.perf_counter() - start
    gc.collect()
    figures.add("index build (add_many + compact)", f"{build:.2f} s")
    figures.add("resident memory delta (RSS)", f"{(rss() - before) / 2**20:,.0f} MiB")
    figures.add("index's own estimate", f"{index.memory_bytes() / 2**20:,.0f} MiB")
    figures.add("distinct free phrases (vocabulary)", f"{len(index.vocabulary):,}")

    vacancies = make_vacancies(args.queries, vocab)
    for v in vacancies[:5]:
        search(index, v, viewer_partner_id=v.partner_id, today=TODAY)
    for label, clear in (("cold", True), ("warm", False)):
        samples, cpu, returned = [], [], 0
        for v in vacancies:
            if clear:
                index.vocabulary.clear_cache()
            start, start_cpu = time.perf_counter(), time.thread_time()
            returned += len(search(index, v, viewer_partner_id=v.partner_id, k=50, today=TODAY))
            samples.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
        p50, p95, worst = percentiles(samples)
        cpu50, cpu95, _ = percentiles(cpu)
        figures.add(
            f"top-50 wall, {label} phrase cache ({len(vacancies)} vac.)",
            f"p50 {p50:.2f} ms  p95 {p95:.2f} ms  max {worst:.1f} ms"
            f"  ({returned / len(vacancies):.0f} results)",
        )
        figures.add(
            f"top-50 CPU time, {label} phrase cache", f"p50 {cpu50:.2f} ms  p95 {cpu95:.2f} ms"
        )
        if label == "warm":
            our_p50_s = p50 / 1000

    upserts, visible, gone = [], [], []
    for i, v in enumerate(vacancies[:200]):
        fresh = perfect_for(v, vocab, i)
        start = time.perf_counter()
        index.upsert(fresh)
        upserts.append(time.perf_counter() - start)
        top = search(index, v, viewer_partner_id=v.partner_id, today=TODAY)
        visible.append(time.perf_counter() - start)
        assert top and top[0].profile_id == fresh.profile_id, "update not visible"
        start = time.perf_counter()
        index.remove(fresh.profile_id)
        after = search(index, v, viewer_partner_id=v.partner_id, today=TODAY)
        gone.append(time.perf_counter() - start)
        assert all(r.profile_id != fresh.profile_id for r in after), "removal not visible"
    figures.add("upsert alone", "p50 {:.3f} ms  p95 {:.3f} ms".format(*percentiles(upserts)[:2]))
    figures.add(
        "upsert -> next top-50 shows it",
        "p50 {:.2f} ms  p95 {:.2f} ms".format(*percentiles(visible)[:2]),
    )
    figures.add(
        "remove -> next top-50 lacks it",
        "p50 {:.2f} ms  p95 {:.2f} ms".format(*percentiles(gone)[:2]),
    )

    open_vacancies = make_vacancies(args.proposal_vacancies, vocab, seed=5)
    for m in (1, 3):
        start, start_cpu = time.perf_counter(), time.thread_time()
        proposals = propose_placements(index, open_vacancies, per_vacancy_capacity=m, today=TODAY)
        seconds, cpu_s = time.perf_counter() - start, time.thread_time() - start_cpu
        figures.add(
            f"proposals, {len(open_vacancies)} vacancies, {m} per vacancy",
            f"{seconds:.2f} s wall, {cpu_s:.2f} s CPU ({len(proposals)} proposals)",
        )

    sample = profiles[: args.baseline_sample]
    per_vacancy = baseline_loop(sample, vacancies[: args.baseline_vacancies])
    extrapolated = per_vacancy * n / len(sample)
    figures.add(
        f"baseline (b): per-profile loop, {len(sample):,} sampled",
        f"{per_vacancy * 1000:.0f} ms -> {extrapolated * 1000:,.0f} ms at {n:,}"
        f" (ours x{extrapolated / our_p50_s:,.0f} faster)",
    )
    queries = sorted({r.normalized for v in vacancies for r in v.requirements if not r.concept_id})
    recall = prefilter_recall(index, queries[:40], index.policy.fuzzy_cutoff)
    figures.add(
        "trigram prefilter recall vs full scan", f"{recall:.1%} over {len(queries[:40])} phrases"
    )
    pg_trgm = measure_pg_trgm_baseline(sample, vacancies)
    figures.add(
        "baseline (a) pg_trgm [HOOK]",
        "not measured" if pg_trgm is None else f"{pg_trgm * 1000:.1f} ms per vacancy",
    )
    http = measure_graphql_http(vacancies)
    figures.add(
        "GraphQL over HTTP [HOOK]",
        "not measured" if http is None else f"{http * 1000:.1f} ms per query",
    )
    figures.add("load average (1 min) at the end", load_average())
    del index, profiles
    gc.collect()
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated profile counts")
    parser.add_argument("--with-1m", action="store_true", help="also run 1,000,000 profiles")
    parser.add_argument("--queries", type=int, default=300, help="vacancies timed per size")
    parser.add_argument("--proposal-vacancies", type=int, default=1000)
    parser.add_argument("--baseline-sample", type=int, default=2000)
    parser.add_argument("--baseline-vacancies", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_1m and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    results = [run_size(n, args) for n in sizes]
    table = Table(title="Tussendeur matcher (synthetic data, this machine)")
    table.add_column("measure")
    for figures in results:
        table.add_column(f"{figures.n:,}", overflow="fold")
    for i, (what, _) in enumerate(results[0].rows):
        table.add_row(what, *(f.rows[i][1] for f in results))
    console.print(table)


if __name__ == "__main__":
    main()
