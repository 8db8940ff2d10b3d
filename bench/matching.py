"""Benchmark of the matcher on synthetic data, in process, against PostgreSQL, over HTTP.

    python bench/matching.py                   # 10k and 100k: ~8-9 min on 2 cores
    python bench/matching.py --pg-seconds 0    # pg_trgm on all 200 vacancies: ~20 min
    python bench/matching.py --with-1m         # also 1M (not over HTTP)
    python bench/matching.py --no-pg           # in-process figures only, no database

Per size, on the same synthetic profiles and vacancies: index build and memory,
one-vacancy top-50 latency (cold and warm free-phrase cache), upsert -> visible,
proposals for 1,000 vacancies, and the two baselines side by side with our speed-up:
(a) pg_trgm in PostgreSQL (``bench/baselines.py``: GIN trigram lookup per requirement
in the unique-phrase table, aggregation per profile in SQL; loaded per size into
schema ``bench_matching_trgm`` of the scratch database ``tussendeur_bench``; each
vacancy timed right after our search of it, for at most ``--pg-seconds`` per size:
at 100k one pg_trgm statement takes seconds) and (b) a per-profile rapidfuzz loop on
a sample, extrapolated. At 100k (``--http-size``) the real server
(``bench/matching_http.py``): 100k profiles stored as the app stores them in a fresh
database, ``uvicorn`` on 127.0.0.1, GraphQL ``matches`` over HTTP, and a profile
committed in PostgreSQL until ``matches`` shows it (LISTEN/NOTIFY).

PostgreSQL is ``DATABASE_URL`` when set, else the embedded server under
``TUSSENDEUR_DATA_DIR``. Ends with one summary table and the machine it ran on.
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
import asyncio  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # noqa: E402
import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.baselines import pg_trgm_connect, pg_trgm_setup, pg_trgm_top_k  # noqa: E402
from bench.matching_data import (  # noqa: E402
    TODAY,
    bench_policy,
    make_profiles,
    make_vacancies,
    perfect_for,
)
from bench.matching_http import HttpFigures, measure_http  # noqa: E402
from infra.migrate import ensure_database  # noqa: E402
from infra.runtime import resolve_owner_dsn, with_database  # noqa: E402
from infra.settings import Settings  # noqa: E402
from matching.index import MatchIndex  # noqa: E402
from matching.proposals import propose_placements  # noqa: E402
from matching.scoring import search  # noqa: E402
from matching.types import MatchProfile, MatchVacancy  # noqa: E402
from matching.vocabulary import PhraseVocabulary  # noqa: E402

console = Console(width=150)
BENCH_DATABASE = "tussendeur_bench"
TRGM_SCHEMA = "bench_matching_trgm"
K = 50


def rss() -> int:
    """Resident set size in bytes, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def percentiles(samples_s: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95 and max in milliseconds."""
    ms = np.asarray(samples_s) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max())


def p50_p95(samples_s: Sequence[float], digits: int = 2) -> str:
    p50, p95, _ = percentiles(samples_s)
    return f"p50 {p50:.{digits}f} ms  p95 {p95:.{digits}f} ms"


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
        sorted(scores, reverse=True)[:K]
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


@dataclasses.dataclass
class PgTrgmFigures:
    setup_seconds: float
    phrases: int
    links: int
    samples: list[float]  # pg_trgm, per vacancy
    ours: list[float]  # our search of the same vacancy, timed right before it
    results: float  # mean rows returned


async def _pg_trgm(
    dsn: str,
    profiles: Sequence[MatchProfile],
    vacancies: Sequence[MatchVacancy],
    ours: Callable[[MatchVacancy], float],
    budget_s: float,
) -> PgTrgmFigures:
    load = await pg_trgm_setup(dsn, profiles, schema=TRGM_SCHEMA)
    conn = await pg_trgm_connect(dsn, schema=TRGM_SCHEMA)
    try:
        for v in vacancies[:5]:  # warm-up: plan cache, shared buffers
            await pg_trgm_top_k(conn, v, K)
        samples, mine, returned = [], [], 0
        deadline = time.monotonic() + budget_s if budget_s > 0 else float("inf")
        for v in vacancies:
            if time.monotonic() > deadline:
                break
            mine.append(ours(v))  # paired: both under the same machine load
            start = time.perf_counter()
            returned += len(await pg_trgm_top_k(conn, v, K))
            samples.append(time.perf_counter() - start)
        await conn.execute(f"drop schema {TRGM_SCHEMA} cascade")
    finally:
        await conn.close()
    return PgTrgmFigures(
        load.seconds, load.phrases, load.links, samples, mine, returned / len(samples)
    )


def measure_pg_trgm_baseline(
    dsn: str | None,
    profiles: Sequence[MatchProfile],
    vacancies: Sequence[MatchVacancy],
    ours: Callable[[MatchVacancy], float],
    budget_s: float = 0.0,
) -> PgTrgmFigures | None:
    """Baseline (a): top-50 per vacancy as pg_trgm similarity in PostgreSQL, one statement
    each, on all of ``profiles`` (loaded into a scratch schema, dropped afterwards). Each
    vacancy is also searched by ``ours`` (returning seconds) just before, so that both
    figures see the same load on the machine. ``budget_s`` > 0 stops early."""
    if dsn is None or not vacancies:
        return None
    return asyncio.run(_pg_trgm(dsn, profiles, vacancies, ours, budget_s))


def measure_graphql_http(
    server_dsn: str | None,
    profiles: Sequence[MatchProfile],
    vacancies: Sequence[MatchVacancy],
    args: argparse.Namespace,
) -> HttpFigures | None:
    """``matches(vacancyId, first: 50)`` over HTTP against the real server, and a profile
    committed in PostgreSQL until ``matches`` shows it (see ``bench/matching_http.py``)."""
    if server_dsn is None:
        return None
    return asyncio.run(
        measure_http(
            server_dsn,
            profiles,
            vacancies,
            queries=args.http_queries,
            rounds=args.visibility_rounds,
            keep=args.keep_db,
        )
    )


@dataclasses.dataclass
class Figures:
    n: int
    rows: dict[str, str] = dataclasses.field(default_factory=dict)

    def add(self, what: str, value: str) -> None:
        self.rows[what] = value
        console.print(f"  [dim]{self.n:>9,}[/dim]  {what:<52} {value}", highlight=False)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages: other work on the machine inflates wall times."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclasses.dataclass
class Databases:
    server_dsn: str | None = None  # the owner DSN: fresh databases are made on its server
    bench_dsn: str | None = None  # the scratch database for pg_trgm
    postgres: str = "not used"
    server: Any | None = None  # the embedded server's handle, when we started one


async def open_databases() -> Databases:
    owner_dsn, server = await resolve_owner_dsn(Settings())
    await ensure_database(owner_dsn, BENCH_DATABASE)
    bench_dsn = with_database(owner_dsn, BENCH_DATABASE)
    conn = await asyncpg.connect(bench_dsn)
    try:
        version = str(await conn.fetchval("show server_version"))
    finally:
        await conn.close()
    where = "embedded" if server is not None else "DATABASE_URL"
    return Databases(owner_dsn, bench_dsn, f"PostgreSQL {version} ({where})", server)


def run_size(n: int, args: argparse.Namespace, dbs: Databases) -> Figures:
    figures = Figures(n)
    console.rule(f"{n:,} profiles (load average {load_average()})")
    t0 = time.perf_counter()
    profiles, _vocab = make_profiles(n, seed=args.seed)
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
    figures.add(
        "resident memory delta (RSS; low after a first size)",
        f"{(rss() - before) / 2**20:,.0f} MiB",
    )
    figures.add("index's own estimate", f"{index.memory_bytes() / 2**20:,.0f} MiB")
    figures.add("distinct free phrases (vocabulary)", f"{len(index.vocabulary):,}")

    vacancies = make_vacancies(args.queries, _vocab)
    for v in vacancies[:5]:
        search(index, v, viewer_partner_id=v.partner_id, today=TODAY)
    warm: list[float] = []
    for label, clear in (("cold", True), ("warm", False)):
        samples, cpu, returned = [], [], 0
        for v in vacancies:
            if clear:
                index.vocabulary.clear_cache()
            start, start_cpu = time.perf_counter(), time.thread_time()
            returned += len(search(index, v, viewer_partner_id=v.partner_id, k=K, today=TODAY))
            samples.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
        p50, p95, worst = percentiles(samples)
        figures.add(
            f"top-50 wall, {label} phrase cache ({len(vacancies)} vac.)",
            f"p50 {p50:.2f} ms  p95 {p95:.2f} ms  max {worst:.1f} ms"
            f"  ({returned / len(vacancies):.0f} results)",
        )
        figures.add(f"top-50 CPU time, {label} phrase cache", p50_p95(cpu))
        if label == "warm":
            warm = samples

    upserts, visible, gone = [], [], []
    for i, v in enumerate(vacancies[:200]):
        fresh = perfect_for(v, i)
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
    figures.add("upsert alone (in process)", p50_p95(upserts, 3))
    figures.add("upsert -> next top-50 shows it (in process)", p50_p95(visible))
    figures.add("remove -> next top-50 lacks it (in process)", p50_p95(gone))

    open_vacancies = make_vacancies(args.proposal_vacancies, _vocab, seed=5)
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
    our_p50_s = percentiles(warm)[0] / 1000
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

    def ours(v: MatchVacancy, index: MatchIndex = index) -> float:
        start = time.perf_counter()
        search(index, v, viewer_partner_id=v.partner_id, k=K, today=TODAY)
        return time.perf_counter() - start

    count = args.pg_queries if n < 1_000_000 else args.pg_queries_1m
    pg = measure_pg_trgm_baseline(
        dbs.bench_dsn, profiles, vacancies[:count], ours, budget_s=args.pg_seconds
    )
    del index
    gc.collect()
    if pg is None:
        figures.add("baseline (a): pg_trgm", "not measured (--no-pg)")
    else:
        (o50, o95, _), (g50, g95, _) = percentiles(pg.ours), percentiles(pg.samples)
        ratios = np.asarray(pg.samples) / np.asarray(pg.ours)
        figures.add(
            "baseline (a): pg_trgm load + GIN index + vacuum",
            f"{pg.setup_seconds:.1f} s ({pg.phrases:,} unique phrases, {pg.links:,} links)",
        )
        figures.add(
            "top-50 ours | pg_trgm, paired on the same vacancies",
            f"p50 {o50:.2f} | {g50:,.0f} ms  p95 {o95:.2f} | {g95:,.0f} ms"
            f"  ({len(pg.samples)} vac., {pg.results:.0f} results)",
        )
        figures.add(
            "speed-up over pg_trgm (target >= x100 at 100k)",
            f"x{g50 / o50:,.0f} at p50, x{g95 / o95:,.0f} at p95;"
            f" per vacancy: median x{np.median(ratios):,.0f}, min x{ratios.min():,.0f}",
        )

    if n == args.http_size:
        http = measure_graphql_http(dbs.server_dsn, profiles, vacancies, args)
        if http is None:
            figures.add("GraphQL over HTTP", "not measured (--no-pg)")
        else:
            add_http_figures(figures, http)
    figures.add("load average (1/5/15 min) at the end", load_average())
    del profiles
    gc.collect()
    return figures


def add_http_figures(figures: Figures, http: HttpFigures) -> None:
    figures.add(
        "HTTP: seed fresh database (use cases + COPY)",
        f"{http.seed_seconds:.1f} s (PostgreSQL {http.postgres})",
    )
    build = (
        "not logged"
        if http.index_build_seconds is None
        else f"{http.index_build_seconds:.1f} s for {http.index_profiles:,} profiles"
    )
    figures.add("HTTP: server index build from PostgreSQL", build)
    figures.add(
        "HTTP: server start -> ready (migrations, build)",
        f"{http.startup_seconds:.1f} s, server RSS {http.server_rss_bytes / 2**20:,.0f} MiB",
    )
    p50, p95, worst = percentiles(http.latencies)
    figures.add(
        f"HTTP: matches(first: 50), {len(http.latencies)} requests",
        f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {worst:.0f} ms"
        f"  ({sum(http.results) / max(1, len(http.results)):.0f} results)",
    )
    figures.add(
        f"HTTP: same, only profile {{ pseudonym }} ({len(http.light_latencies)})",
        p50_p95(http.light_latencies, 1),
    )
    if http.visible:
        p50, p95, worst = percentiles(http.visible)
        figures.add(
            f"HTTP: commit -> matches shows it ({len(http.visible)} rounds)",
            f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {worst:.0f} ms"
            f"  (polls p50 {np.median(http.visible_polls):.0f}; missed {http.misses})",
        )
    else:
        figures.add("HTTP: commit -> matches shows it", f"never within 5 s ({http.misses} rounds)")
    if http.withdrawn:
        figures.add(
            f"HTTP: consent withdrawn -> gone ({len(http.withdrawn)} rounds)",
            p50_p95(http.withdrawn, 1),
        )


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu})"
    )


def summary(results: Sequence[Figures], dbs: Databases, started: float) -> None:
    table = Table(
        title="Tussendeur matcher (synthetic data, this machine)",
        caption=f"{machine()}\n{dbs.postgres}; load average at the end {load_average()}; "
        f"whole run {time.perf_counter() - started:,.0f} s",
    )
    table.add_column("measure")
    for figures in results:
        table.add_column(f"{figures.n:,}", overflow="fold")
    labels: list[str] = []
    for figures in results:
        labels += [what for what in figures.rows if what not in labels]
    labels.sort(key=lambda what: what.startswith("load average"))  # stable: that one last
    for what in labels:
        table.add_row(what, *(f.rows.get(what, "-") for f in results))
    console.print(table)


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
    parser.add_argument("--no-pg", action="store_true", help="no PostgreSQL: skip pg_trgm, HTTP")
    parser.add_argument("--pg-queries", type=int, default=200, help="pg_trgm vacancies timed")
    parser.add_argument("--pg-queries-1m", type=int, default=20, help="the same at 1M")
    parser.add_argument(
        "--pg-seconds", type=float, default=300, help="pg_trgm timing per size (0: no limit)"
    )
    parser.add_argument("--http-size", type=int, default=100_000, help="size for HTTP (0: none)")
    parser.add_argument("--http-queries", type=int, default=200, help="matches requests timed")
    parser.add_argument("--visibility-rounds", type=int, default=30)
    parser.add_argument("--keep-db", action="store_true", help="keep the HTTP bench database")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_1m and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    started = time.perf_counter()
    dbs = Databases() if args.no_pg else asyncio.run(open_databases())
    console.print(f"{machine()}\n{dbs.postgres}", highlight=False)
    try:
        results = [run_size(n, args, dbs) for n in sizes]
    finally:
        if dbs.server is not None:
            dbs.server.cleanup()
    summary(results, dbs, started)


if __name__ == "__main__":
    main()
