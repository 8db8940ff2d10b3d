"""Benchmark of the audit trail: concurrent appends, and verifying a million events.

    python bench/audit.py [--writers 20] [--seconds 10] [--events 1000000]
                         [--readers 10] [--reader-cpu-ms 5] [--keep]

Runs on a fresh database (``bench_audit_<random>``) on the configured PostgreSQL:
``DATABASE_URL`` when set, else the embedded server under ``TUSSENDEUR_DATA_DIR``.

1. ``--writers`` tasks, each on its own app-role connection, append events through
   ``record_event`` for ``--seconds`` seconds, one committed transaction per event;
   prints events/s, then verifies the chain (intact, no gaps).
2. With ``--readers`` (10; 0 skips it), ``--writers`` run shareProfile-shaped use cases
   while the readers keep the event loop busy; prints write p50/p95/p99.
3. Bulk-loads a valid chain of ``--events`` events (hashes computed here, loaded with
   COPY) and times ``verify_chain`` over it. Target: 1M events in at most 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import time
import uuid
from typing import Any

import asyncpg

from exchange.audit import actions
from exchange.audit.chain import GENESIS_HASH, format_timestamp, row_hash
from exchange.audit.service import record_event, record_system_event
from exchange.audit.verify import verify_chain
from infra.db import Connection, PoolDatabase, apply_scope, create_pool, dsn_for_role
from infra.migrate import migrate
from infra.runtime import resolve_owner_dsn, with_database
from infra.scope import AccessScope
from infra.settings import Settings

VERIFY_TARGET_SECONDS = 10.0


async def _create_database(owner_dsn: str, name: str) -> str:
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    return with_database(owner_dsn, name)


async def _drop_database(owner_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


async def _new_consortium(database: PoolDatabase, slug: str) -> uuid.UUID:
    consortium_id = uuid.uuid4()
    async with database.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "insert into consortium (id, slug, name) values ($1, $2, 'Bench')", consortium_id, slug
        )
    return consortium_id


async def serial_commit_rate(app_dsn: str, owner_dsn: str, seconds: float = 2.0) -> float:
    """Committed one-row inserts per second on one connection: the scale for any work
    whose transactions must follow one another, as appends to one chain do."""
    owner = await asyncpg.connect(owner_dsn)
    await owner.execute("create table bench_commit (x int)")
    await owner.close()
    conn = await asyncpg.connect(owner_dsn)
    loop = asyncio.get_running_loop()
    deadline, count = loop.time() + seconds, 0
    started = time.perf_counter()
    try:
        while loop.time() < deadline:
            await conn.execute("insert into bench_commit values (1)")
            count += 1
    finally:
        await conn.execute("drop table bench_commit")
        await conn.close()
    return count / (time.perf_counter() - started)


async def concurrent_appends(
    app_dsn: str, owner_dsn: str, database: PoolDatabase, *, writers: int, seconds: float
) -> None:
    consortium_id = await _new_consortium(database, "bench-writers")
    partners = [uuid.uuid4() for _ in range(writers)]
    loop = asyncio.get_running_loop()
    connections = [await asyncpg.connect(app_dsn) for _ in range(writers)]
    deadline = loop.time() + seconds

    async def writer(conn: Connection, partner_id: uuid.UUID) -> int:
        written = 0
        while loop.time() < deadline:
            async with conn.transaction():
                await apply_scope(conn, AccessScope.system())
                await record_event(
                    conn,
                    consortium_id=consortium_id,
                    actor_kind="api_client",
                    actor_id=f"tdc_{partner_id.hex[:12]}",
                    partner_id=partner_id,
                    action=actions.PROFILE_OPENED,
                    subject_kind="profile",
                    subject_id=str(uuid.uuid4()),
                    details={"vacancy_id": str(uuid.uuid4()), "n": written},
                )
            written += 1
        return written

    started = time.perf_counter()
    try:
        counts = await asyncio.gather(
            *(writer(c, p) for c, p in zip(connections, partners, strict=True))
        )
    finally:
        for conn in connections:
            await conn.close()
    elapsed = time.perf_counter() - started
    total = sum(counts)
    print(
        f"append: {writers} writers, {elapsed:.1f} s, {total} events, "
        f"{total / elapsed:,.0f} events/s"
    )
    print(f"        per writer min/max: {min(counts)}/{max(counts)}")
    ceiling = await serial_commit_rate(app_dsn, owner_dsn)
    print(
        f"        for scale: one connection commits {ceiling:,.0f} one-row inserts/s here "
        "right now; appends to one chain commit one after another"
    )
    async with database.transaction(AccessScope.system()) as verify_conn:
        report = await verify_chain(verify_conn, consortium_id)
    gaps = "no gaps" if report.head_seq == total == report.events_checked else "GAPS"
    print(f"        chain: {report.message}; head seq {report.head_seq}; {gaps}")
    if not report.intact or gaps != "no gaps":
        raise SystemExit(1)


async def use_cases_under_read_load(
    app_dsn: str, database: PoolDatabase, *, writers: int, readers: int, seconds: float,
    reader_cpu_ms: float,
) -> None:  # fmt: skip
    """Writers run use cases shaped like shareProfile (record an event, then three more
    statements, then commit) while ``readers`` tasks on the same event loop each read and
    then hold the loop for ``reader_cpu_ms`` (building a large answer, as ``matches``
    does): a transaction holding the head waits for the loop between its statements."""
    consortium_id = await _new_consortium(database, "bench-read-load")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    latencies: list[float] = []
    reads = 0

    async def writer() -> None:
        while loop.time() < deadline:
            started = time.perf_counter()
            async with database.transaction(AccessScope.system()) as conn:
                await record_system_event(
                    conn, consortium_id=consortium_id, job="bench", action=actions.RETENTION_RUN,
                    subject_kind="run", subject_id=str(uuid.uuid4()),
                )  # fmt: skip
                for _ in range(3):  # the rest of the use case: token insert, mail rendering
                    await conn.execute("select 1")
            latencies.append(time.perf_counter() - started)

    async def reader(conn: Connection) -> None:
        nonlocal reads
        while loop.time() < deadline:
            await conn.fetchval("select count(*) from consortium")
            busy_until = time.perf_counter() + reader_cpu_ms / 1000
            while time.perf_counter() < busy_until:
                pass
            reads += 1
            await asyncio.sleep(0)

    connections = [await asyncpg.connect(app_dsn) for _ in range(readers)]
    try:
        await asyncio.gather(*(writer() for _ in range(writers)), *map(reader, connections))
    finally:
        for conn in connections:
            await conn.close()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"read load: {writers} writers, {readers} readers ({reader_cpu_ms:g} ms CPU each), "
        f"{seconds:.0f} s: {len(latencies)} use cases ({len(latencies) / seconds:,.0f}/s), "
        f"write p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms; "
        f"{reads / seconds:,.0f} reads/s"
    )
    async with database.transaction(AccessScope.system()) as tx:
        report = await verify_chain(tx, consortium_id)
    print(f"        chain: {report.message}")
    if not report.intact or report.head_seq != len(latencies):
        raise SystemExit(1)


def _details_text(i: int, profile_ids: list[str]) -> tuple[str, str]:
    """The details as JSON to load, and exactly as PostgreSQL prints the stored jsonb."""
    body = {"n": i, "profile_ids": profile_ids}
    ids = ", ".join(f'"{p}"' for p in profile_ids)
    return json.dumps(body), f'{{"n": {i}, "profile_ids": [{ids}]}}'


def generate_chain(consortium_id: uuid.UUID, count: int) -> list[tuple[Any, ...]]:
    """``count`` valid events (hashes computed as the writer would) ready for COPY."""
    cid = str(consortium_id)
    partners = [str(uuid.uuid4()) for _ in range(6)]
    vacancy_ids = [str(uuid.uuid4()) for _ in range(200)]
    profile_pool = [str(uuid.uuid4()) for _ in range(5000)]
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(milliseconds=20)
    records: list[tuple[Any, ...]] = []
    prev = GENESIS_HASH
    for i in range(count):
        seq = i + 1
        occurred = base + step * i
        partner = partners[i % 6]
        shown = [profile_pool[(i * 7 + k) % 5000] for k in range(3)]
        details_json, details_text = _details_text(i, shown)
        subject = vacancy_ids[i % 200]
        action = actions.PROFILE_SHOWN_IN_MATCHES
        new_hash = row_hash(
            prev, cid, seq, format_timestamp(occurred), "api_client", "tdc_bench", partner,
            action, "vacancy", subject, details_text,
        )  # fmt: skip
        records.append(
            (consortium_id, seq, occurred, "api_client", "tdc_bench", uuid.UUID(partner), action,
             "vacancy", subject, details_json, prev, new_hash)
        )  # fmt: skip
        prev = new_hash
    return records


async def bulk_load(
    owner_dsn: str, consortium_id: uuid.UUID, records: list[tuple[Any, ...]]
) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.role', 'system', true)")
            # One head update per row would dominate the load: the head is set once at the end.
            await conn.execute("alter table audit_event disable trigger audit_event_extend_head")
            await conn.copy_records_to_table(
                "audit_event",
                records=records,
                columns=[
                    "consortium_id", "seq", "occurred_at", "actor_kind", "actor_id", "partner_id",
                    "action", "subject_kind", "subject_id", "details", "prev_hash", "hash",
                ],
            )  # fmt: skip
            await conn.execute("alter table audit_event enable trigger audit_event_extend_head")
            last = records[-1]
            await conn.execute(
                "insert into audit_chain_head (consortium_id, seq, hash) values ($1, $2, $3)",
                consortium_id,
                last[1],
                last[11],
            )
        await conn.execute("vacuum analyze audit_event")
    finally:
        await conn.close()


async def verify_million(owner_dsn: str, database: PoolDatabase, *, events: int) -> None:
    consortium_id = await _new_consortium(database, "bench-verify")
    started = time.perf_counter()
    records = generate_chain(consortium_id, events)
    generated = time.perf_counter()
    await bulk_load(owner_dsn, consortium_id, records)
    del records
    loaded = time.perf_counter()
    print(f"verify: generated {events:,} events in {generated - started:.1f} s, "
          f"loaded with COPY in {loaded - generated:.1f} s")  # fmt: skip
    async with database.transaction(AccessScope.system()) as conn:
        report = await verify_chain(conn, consortium_id)
    verdict = "OK" if report.elapsed <= VERIFY_TARGET_SECONDS else "OVER TARGET"
    print(f"        verified {report.events_checked:,} events in {report.elapsed:.2f} s "
          f"({report.events_checked / report.elapsed:,.0f} events/s; target "
          f"<= {VERIFY_TARGET_SECONDS:.0f} s: {verdict}); {report.message}")  # fmt: skip
    if not report.intact:
        raise SystemExit(1)


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    server_dsn, server = await resolve_owner_dsn(settings)
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    try:
        owner_dsn = await _create_database(server_dsn, name)
        await migrate(
            owner_dsn,
            app_role=settings.app_db_role,
            app_password=settings.app_db_password.get_secret_value()
            if settings.app_db_password
            else None,
        )
        password = settings.app_db_password
        app_dsn = dsn_for_role(
            owner_dsn, settings.app_db_role, password.get_secret_value() if password else None
        )
        pool = await create_pool(app_dsn, min_size=1, max_size=4)
        database = PoolDatabase(pool)
        read_load_pool = await create_pool(app_dsn, min_size=1, max_size=args.writers)
        read_load_database = PoolDatabase(read_load_pool)
        print(f"database: {name} (PostgreSQL {await pool.fetchval('show server_version')})")
        try:
            if args.seconds > 0:
                await concurrent_appends(
                    app_dsn, owner_dsn, database, writers=args.writers, seconds=args.seconds
                )
            if args.readers > 0:
                await use_cases_under_read_load(
                    app_dsn, read_load_database, writers=args.writers, readers=args.readers,
                    seconds=args.seconds, reader_cpu_ms=args.reader_cpu_ms,
                )  # fmt: skip
            if args.events > 0:
                await verify_million(owner_dsn, database, events=args.events)
        finally:
            await pool.close()
            await read_load_pool.close()
    finally:
        if not args.keep:
            await _drop_database(server_dsn, name)
        if server is not None:
            server.cleanup()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=10, help="0: skip the read-load run")
    parser.add_argument("--reader-cpu-ms", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
