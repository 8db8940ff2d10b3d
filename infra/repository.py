"""Query helpers every repository shares (the ground floor has no domain tables)."""

from __future__ import annotations

import asyncpg

from infra.db import Connection
from infra.pagination import Keyset


async def fetch_keyset_page(
    conn: Connection,
    query: str,
    *params: object,
    after: Keyset | None,
    limit: int,
    time_column: str,
    id_column: str = "id",
) -> tuple[list[asyncpg.Record], bool]:
    """One page of ``query`` (a select ending in its where clause), newest first, after
    ``after``; also whether more rows follow. Column names are the caller's constants."""
    n = len(params)
    rows = await conn.fetch(
        f"""{query}
            and (${n + 1}::timestamptz is null
                 or ({time_column}, {id_column}) < (${n + 1}, ${n + 2}::uuid))
            order by {time_column} desc, {id_column} desc
            limit ${n + 3}""",
        *params,
        after.created_at if after else None,
        after.id if after else None,
        limit + 1,
    )
    return list(rows[:limit]), len(rows) > limit
