"""Load on GraphQL ``matches(first: 50)`` over HTTP: p50/p95/p99, requests/s and errors.

    python bench/matching_load.py --profiles 20000 --clients 1,10 --seconds 20
    git archive main | tar -x -C /tmp/base    # today's code, to compare with
    python bench/matching_load.py --baseline-tree /tmp/base   # both, side by side
    python bench/matching_load.py --workers 1,2     # this tree with 1 and 2 worker processes
    python bench/matching_load.py --writers 1       # and createVacancy latency meanwhile

Seeds one throwaway database as ``bench/matching_http.py`` does (PostgreSQL is
``DATABASE_URL`` when set, else the embedded server), then per source tree (the
baseline first when given, then this one) starts the real server on 127.0.0.1, takes a
token, warms up, and runs each client count for ``--seconds``: every client sends
``matches(vacancyId, first: 50)`` with full profile cards and explanations (the query
of ``bench/matching_http.py``) back to back over its own connection. Runs alternate
trees (and worker counts) per client count so all see the same machine; each line
carries the load average at its start (the machine may be shared) and each server's
resident memory per worker after warm-up. With ``--writers`` that many more clients
send ``createVacancy`` back to back meanwhile; their latency is printed under each
line (writes must stay fast while readers keep the server busy). The database is
dropped at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would shadow the ``matching`` package (see matching.py).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import httpx  # noqa: E402

from bench.matching_data import make_profiles, make_vacancies  # noqa: E402
from bench.matching_http import (  # noqa: E402
    MATCHES_QUERY,
    REPO,
    Mapper,
    Organisations,
    Rows,
    access_token,
    bench_settings,
    bulk_load,
    cpu_seconds,
    drop_database,
    free_port,
    fresh_database,
    matches,
    seed_organisations,
    server_process,
    serving_pids,
    wait_ready,
    worker_rss,
)
from infra.runtime import open_runtime, resolve_owner_dsn  # noqa: E402
from infra.settings import Settings  # noqa: E402

CREATE_VACANCY = """
mutation Create($input: VacancyInputType!) {
  createVacancy(input: $input) { vacancy { id } userErrors { field code message } }
}"""


@dataclass
class LoadFigures:
    tree: str
    clients: int
    load_average: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    write_latencies: list[float] = field(default_factory=list)
    write_errors: int = 0
    server_cpu_seconds: float = 0.0  # what the server processes used meanwhile

    def quantile(self, q: float, latencies: list[float] | None = None) -> float:
        """The ``q`` quantile in milliseconds (nearest rank)."""
        values = self.latencies if latencies is None else latencies
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def cpu_ms(self) -> float:
        """Server CPU per request (reads and writes): unlike latency, hardly changed by
        other processes on a shared machine."""
        done = len(self.latencies) + len(self.write_latencies)
        return self.server_cpu_seconds / done * 1000 if done else float("nan")

    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        rate = self.rate()
        return (
            f"{self.tree:<9} {self.clients:>3} clients  p50 {self.quantile(0.5):7.1f} ms"
            f"  p95 {self.quantile(0.95):7.1f} ms  p99 {self.quantile(0.99):7.1f} ms"
            f"  {rate:6.1f} req/s  errors {self.errors}  cpu {self.cpu_ms():5.1f} ms/req"
            f"  (n={len(self.latencies)},"
            f" load {self.load_average})"
        ) + (self.write_line() if self.write_latencies or self.write_errors else "")

    def write_line(self) -> str:
        w = self.write_latencies
        return (
            f"\n{'':<9}     writes   p50 {self.quantile(0.5, w):7.1f} ms"
            f"  p95 {self.quantile(0.95, w):7.1f} ms  p99 {self.quantile(0.99, w):7.1f} ms"
            f"  (createVacancy, n={len(w)}, errors {self.write_errors})"
        )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def one_client(
    base: str, token: str, vacancy_ids: Sequence[uuid.UUID], start: int, until: float
) -> tuple[list[float], int]:
    """Requests back to back until ``until``; a 200 without ``"errors":`` counts as a success."""
    latencies: list[float] = []
    errors = 0
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60.0, headers=headers) as client:
        i = start
        while time.perf_counter() < until:
            vacancy = vacancy_ids[i % len(vacancy_ids)]
            i += 1
            body = {"query": MATCHES_QUERY, "variables": {"vacancyId": str(vacancy), "first": 50}}
            began = time.perf_counter()
            try:
                response = await client.post("/graphql", json=body)
            except httpx.HTTPError:
                errors += 1
                continue
            # JSON escapes quotes inside strings, so this finds only an "errors" member.
            if response.status_code != 200 or b'"errors":' in response.content:
                errors += 1
            else:
                latencies.append(time.perf_counter() - began)
    return latencies, errors


async def one_writer(base: str, token: str, until: float) -> tuple[list[float], int]:
    """``createVacancy`` back to back until ``until``."""
    latencies: list[float] = []
    errors = 0
    start = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60.0, headers=headers) as client:
        while time.perf_counter() < until:
            variables = {
                "input": {
                    "title": "Klantadviseur energie",
                    "postcodeArea": "6411",
                    "hoursMin": 24,
                    "hoursMax": 36,
                    "startDate": start,
                    "requirements": [{"phrase": "klachten afhandelen", "mustHave": True}],
                }
            }
            began = time.perf_counter()
            try:
                response = await client.post(
                    "/graphql", json={"query": CREATE_VACANCY, "variables": variables}
                )
            except httpx.HTTPError:
                errors += 1
                continue
            body = response.json() if response.status_code == 200 else {}
            if "errors" in body or body.get("data", {}).get("createVacancy", {}).get("userErrors"):
                errors += 1
            else:
                latencies.append(time.perf_counter() - began)
    return latencies, errors


async def run_clients(
    base: str, token: str, vacancy_ids: Sequence[uuid.UUID], figures: LoadFigures, seconds: float,
    writers: int = 0,
) -> None:  # fmt: skip
    began = time.perf_counter()
    until = began + seconds
    writing = [asyncio.ensure_future(one_writer(base, token, until)) for _ in range(writers)]
    results = await asyncio.gather(
        *(one_client(base, token, vacancy_ids, n * 17, until) for n in range(figures.clients))
    )
    figures.seconds = time.perf_counter() - began
    for latencies, errors in results:
        figures.latencies += latencies
        figures.errors += errors
    for latencies, errors in await asyncio.gather(*writing):
        figures.write_latencies += latencies
        figures.write_errors += errors


async def against_tree(
    tree: Path, label: str, dsn: str, orgs: Organisations, vacancy_ids: Sequence[uuid.UUID],
    clients: Sequence[int], seconds: float, log_dir: Path, workers: int = 1, writers: int = 0,
) -> list[LoadFigures]:  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"server-{label}.log"
    out: list[LoadFigures] = []
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        with server_process(dsn, port, log_path, tree=tree, workers=workers) as process:
            await wait_ready(client, process, log_path, 600.0)
            token = await access_token(client, orgs)
            client.headers["authorization"] = f"Bearer {token}"
            edges = await matches(client, vacancy_ids[0])
            print(f"{label}: server pid {process.pid}, first answer {len(edges)} edges", flush=True)
            for v in vacancy_ids[: 20 * workers]:  # warm-up
                await matches(client, v)
            rss = ", ".join(f"{r / 2**20:.0f}" for r in worker_rss(process.pid))
            print(f"{label}: resident memory per worker {rss} MiB", flush=True)
            for count in clients:
                figures = LoadFigures(label, count, load_average())
                pids = serving_pids(process.pid)
                cpu_before = cpu_seconds(pids)
                await run_clients(base, token, vacancy_ids, figures, seconds, writers)
                figures.server_cpu_seconds = cpu_seconds(pids) - cpu_before
                print(figures.line(), flush=True)
                out.append(figures)
    return out


async def main(args: argparse.Namespace) -> None:
    clients = [int(c) for c in args.clients.split(",")]
    owner_dsn, server = await resolve_owner_dsn(Settings())
    name = f"tussendeur_bench_load_{os.getpid()}"
    print(f"seeding {args.profiles:,} profiles into {name} (load {load_average()})", flush=True)
    started = time.perf_counter()
    profiles, vocab = make_profiles(args.profiles, seed=7)
    vacancies = make_vacancies(args.vacancies, vocab)
    dsn = await fresh_database(owner_dsn, name)
    results: list[LoadFigures] = []
    try:
        async with open_runtime(bench_settings(dsn)) as runtime:  # migrations
            orgs = await seed_organisations(runtime.database)
        mapper = Mapper(orgs.consortium_id, orgs.partner_ids)
        rows = Rows()
        for p in profiles:
            mapper.add_profile(rows, p)
        for n, v in enumerate(vacancies):
            mapper.add_vacancy(rows, v, orgs.viewer_partner_id, n)
        await bulk_load(dsn, rows)
        del rows, profiles
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
        ids = [v.vacancy_id for v in vacancies]
        workers = [int(w) for w in args.workers.split(",")]
        trees = [(REPO, "this" if n == 1 else f"this x{n}", n) for n in workers]
        if args.baseline_tree:
            trees.insert(0, (args.baseline_tree, "baseline", 1))
        with tempfile.TemporaryDirectory(prefix="tussendeur-load-") as tmp:
            for count in clients:  # alternate trees per client count: same machine state
                for tree, label, n in trees:
                    results += await against_tree(
                        tree, label, dsn, orgs, ids, [count], args.seconds, Path(tmp), n,
                        args.writers,
                    )  # fmt: skip
    finally:
        await drop_database(owner_dsn, name)
        if server is not None:
            server.cleanup()
    print(f"\nmatches(first: 50), {args.profiles:,} profiles, {args.seconds:.0f} s per line")
    for figures in results:
        print(figures.line())
    by_key = {(f.tree, f.clients): f for f in results}
    labels = [label for _, label, _ in trees]
    for count in clients:
        for before_label, after_label in itertools.pairwise(labels):
            before, after = by_key.get((before_label, count)), by_key.get((after_label, count))
            if before and after and before.latencies and after.latencies:
                gain = statistics.median(before.latencies) / statistics.median(after.latencies)
                rate = after.rate() / before.rate()
                print(
                    f"{count:>3} clients, {after_label} against {before_label}:"
                    f" p50 {gain:.2f}x faster, {rate:.2f}x requests/s"
                )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--vacancies", type=int, default=200, help="vacancies asked in turn")
    parser.add_argument("--clients", default="1,10", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="per client count and tree")
    parser.add_argument(
        "--writers", type=int, default=0, help="clients sending createVacancy meanwhile"
    )
    parser.add_argument(
        "--workers", default="1", help="comma-separated worker counts for this tree (e.g. 1,2)"
    )
    parser.add_argument(
        "--baseline-tree", type=lambda p: Path(p).resolve(), help="another checkout, measured first"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
