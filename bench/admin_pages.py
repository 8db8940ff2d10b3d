"""Benchmark of what the admin's portal pages ask of PostgreSQL on a large audit trail.

    python bench/admin_pages.py [--events 200000] [--keep]

Runs on a fresh database (``bench_admin_<random>``) on the configured PostgreSQL
(``DATABASE_URL``, else the embedded server). Bulk-loads a valid chain of ``--events``
match events (``bench/audit.py``'s generator: 6 partners, 200 vacancies), then times, as
the consortium admin under row-level security, one page (50 events) of the audit trail
per filter the page offers, a page deep in the keyset, the CSV export of one partner's
events, and the statistics page's figures for the year. Prints milliseconds per call
(the median of ``--repeat`` runs).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bench.audit import _create_database, _drop_database, _new_consortium, bulk_load, generate_chain
from exchange.audit import actions, oversight
from exchange.audit.models import AuditFilter
from exchange.statistics.published import published_statistics
from infra.caller import Caller
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.migrate import migrate
from infra.runtime import resolve_owner_dsn
from infra.settings import Settings

PAGE = 50


async def _timed(repeat: int, run: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


async def measure(database: PoolDatabase, admin: Caller, records: list[Any], repeat: int) -> None:
    partner_id = records[0][5]
    subject = records[0][8]
    first_day = records[0][2].date()
    filters = {
        "no filter": AuditFilter(),
        "partner (1 in 6)": AuditFilter(partner_id=partner_id),
        "action prefix profile.*": AuditFilter(action="profile.*"),
        "action with no events": AuditFilter(action=actions.INTRODUCTION_REQUESTED),
        "actor kind with no events": AuditFilter(actor_kind="person"),
        "subject (1 in 200)": AuditFilter(subject_id=subject),
        "one day": AuditFilter(
            occurred_from=dt.datetime.combine(first_day, dt.time(), dt.UTC),
            occurred_to=dt.datetime.combine(first_day + dt.timedelta(days=1), dt.time(), dt.UTC),
        ),
    }

    async def page(audit_filter: AuditFilter, after: int | None = None) -> Any:
        async with database.transaction(admin.access_scope()) as conn:
            return await oversight.search_events(
                conn, admin, audit_filter, limit=PAGE, after_seq=after
            )

    for name, audit_filter in filters.items():
        ms, found = await _timed(repeat, lambda f=audit_filter: page(f))  # type: ignore[misc]
        print(f"audit page, {name:<28} {ms:8.1f} ms  ({len(found.items)} events)")
    deep = len(records) // 2
    ms, _ = await _timed(repeat, lambda: page(AuditFilter(), deep))
    print(f"audit page, keyset after event {deep:<10,} {ms:8.1f} ms")

    async def export() -> int:
        rows = 0
        async with database.transaction(admin.access_scope()) as conn:
            async for batch in oversight.export_events(
                conn, admin, AuditFilter(partner_id=partner_id)
            ):
                rows += len(oversight.csv_text(batch).splitlines())
        return rows

    ms, rows = await _timed(1, export)
    print(f"CSV export of one partner's events   {ms:8.1f} ms  ({rows:,} rows)")

    async def figures() -> Any:
        async with database.transaction(admin.access_scope()) as conn:
            return await published_statistics(
                conn, admin, first_day=first_day, last_day=first_day + dt.timedelta(days=364)
            )

    ms, _ = await _timed(max(repeat // 2, 1), figures)
    print(f"statistics page figures (one year)   {ms:8.1f} ms")


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    server_dsn, server = await resolve_owner_dsn(settings)
    name = f"bench_admin_{uuid.uuid4().hex[:8]}"
    try:
        owner_dsn = await _create_database(server_dsn, name)
        password = settings.app_db_password
        secret = password.get_secret_value() if password else None
        await migrate(owner_dsn, app_role=settings.app_db_role, app_password=secret)
        pool = await create_pool(dsn_for_role(owner_dsn, settings.app_db_role, secret))
        database = PoolDatabase(pool)
        try:
            consortium_id = await _new_consortium(database, "bench-admin")
            records = generate_chain(consortium_id, args.events)
            started = time.perf_counter()
            await bulk_load(owner_dsn, consortium_id, records)
            print(f"database: {name}; loaded {args.events:,} events in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            await measure(database, Caller.admin(consortium_id, uuid.uuid4()), records, args.repeat)
        finally:
            await pool.close()
    finally:
        if not args.keep:
            await _drop_database(server_dsn, name)
        if server is not None:
            server.cleanup()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
