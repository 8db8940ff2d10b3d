"""Start-up: ``tussendeur`` server start → ``/readyz`` 200 at N profiles, with its phases.

    python bench/startup.py --profiles 100000 --keep          # seed once, time, keep the db
    python bench/startup.py --database tussendeur_bench_startup_100000 --runs 3
    python bench/startup.py --database NAME --baseline-tree /tmp/base   # both, alternating
    python bench/startup.py --database NAME --build-only      # the index build in-process
                                                              # (for py-spy record)

Seeds a throwaway database as ``bench/matching_load.py`` does (PostgreSQL is
``DATABASE_URL`` when set, else the embedded server) unless ``--database`` names one
seeded before (``--keep`` keeps it, named ``tussendeur_bench_startup_N``). Then per run
and tree it starts the real server on 127.0.0.1 and prints the wall time from the
process start to the first ``/readyz`` 200, the index build the server logged
(``match_index_built``) and the rest (interpreter, imports, migrations check, pool), with
the load average at the start of the run: the machine may be shared.
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
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

from bench.matching_data import make_profiles  # noqa: E402
from bench.matching_http import (  # noqa: E402
    REPO,
    Mapper,
    Rows,
    bench_settings,
    bulk_load,
    cpu_seconds,
    drop_database,
    free_port,
    fresh_database,
    index_build_from_log,
    seed_organisations,
    server_process,
    wait_ready,
)
from exchange.matching.engine import MatchEngine  # noqa: E402
from exchange.taxonomy.service import load_taxonomy  # noqa: E402
from infra.runtime import open_runtime, resolve_owner_dsn, with_database  # noqa: E402
from infra.scope import AccessScope  # noqa: E402
from infra.settings import Settings  # noqa: E402


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


async def seed(owner_dsn: str, name: str, profiles: int) -> str:
    started = time.perf_counter()
    made, _ = make_profiles(profiles, seed=7)
    dsn = await fresh_database(owner_dsn, name)
    async with open_runtime(bench_settings(dsn)) as runtime:  # migrations
        orgs = await seed_organisations(runtime.database)
    mapper = Mapper(orgs.consortium_id, orgs.partner_ids)
    rows = Rows()
    for p in made:
        mapper.add_profile(rows, p)
    await bulk_load(dsn, rows)
    print(f"seeded {profiles:,} profiles into {name} in {time.perf_counter() - started:.1f} s")
    return dsn


async def time_start(dsn: str, tree: Path, label: str, log_dir: Path) -> None:
    port = free_port()
    log_path = log_dir / f"server-{label}.log"
    load = load_average()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10.0) as client:
        started = time.perf_counter()
        with server_process(dsn, port, log_path, tree=tree) as process:
            await wait_ready(client, process, log_path, 1200.0)
            wall = time.perf_counter() - started
    build, profiles = index_build_from_log(log_path)
    rest = f"{wall - build:5.1f}" if build is not None else "  ?"
    print(
        f"{label:>9}: start → /readyz {wall:5.1f} s | index build {build or 0:5.1f} s"
        f" ({profiles or 0:,} profiles) | the rest {rest} s | load {load}",
        flush=True,
    )


async def build_only(dsn: str) -> None:
    """The server's index build alone, in this process (what ``py-spy record`` samples)."""
    async with open_runtime(bench_settings(dsn), run_migrations=False) as runtime:
        async with runtime.database.transaction(AccessScope.system()) as conn:
            engine = MatchEngine(await load_taxonomy(conn))
            backends = [
                r[0]
                for r in await conn.fetch(
                    "select pid from pg_stat_activity where datname = current_database()"
                )
            ]
        load = load_average()
        server_before, client_before = cpu_seconds(backends), time.process_time()
        report = await engine.build(runtime.database)
        client, server = time.process_time() - client_before, cpu_seconds(backends) - server_before
    # CPU seconds hold up better than wall time on a shared machine.
    print(
        f"build-only: {report.profiles:,} profiles in {report.seconds:.1f} s"
        f" | CPU: this process {client:.1f} s, PostgreSQL {server:.1f} s | load {load}"
    )


async def main(args: argparse.Namespace) -> None:
    owner_dsn, server = await resolve_owner_dsn(Settings())
    name = args.database or f"tussendeur_bench_startup_{args.profiles}"
    keep = args.keep or args.database is not None
    try:
        if args.database:
            dsn = with_database(owner_dsn, args.database)
        else:
            dsn = await seed(owner_dsn, name, args.profiles)
        if args.build_only:
            await build_only(dsn)
            return
        trees = [(REPO, "this")]
        if args.baseline_tree:
            trees.insert(0, (args.baseline_tree, "baseline"))
        with tempfile.TemporaryDirectory(prefix="tussendeur-startup-") as tmp:
            for _ in range(args.runs):
                for tree, label in trees:
                    await time_start(dsn, tree, label, Path(tmp))
    finally:
        if not keep:
            await drop_database(owner_dsn, name)
        if server is not None:
            server.cleanup()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--database", help="a database seeded before (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--baseline-tree", type=lambda p: Path(p).resolve(), help="another checkout, run first"
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
