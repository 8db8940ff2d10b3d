"""Audit tests: events appended one committed transaction each, and tampering done as the
owner behind the app's back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from exchange.audit.chain import GENESIS_HASH, SQL_TIMESTAMP, row_hash
from exchange.audit.service import record_event
from infra.db import Database
from infra.scope import AccessScope


async def append(database: Database, consortium_id: uuid.UUID, count: int) -> None:
    for i in range(count):
        async with database.transaction(AccessScope.system()) as conn:
            await record_event(
                conn,
                consortium_id=consortium_id,
                actor_kind="system",
                actor_id="test",
                partner_id=None,
                action="profile.opened",
                subject_kind="profile",
                subject_id=str(uuid.uuid4()),
                details={"n": i, "naïve": "ü", "nested": {"b": [1, 2.5, None, True]}},
            )


@asynccontextmanager
async def as_owner_behind_the_back(owner_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """The database owner with the append-only triggers off, in one committed transaction."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.role', 'system', true)")
            await conn.execute("alter table audit_event disable trigger user")
            yield conn
            await conn.execute("alter table audit_event enable trigger user")
    finally:
        await conn.close()


async def rewrite_consistently(
    conn: asyncpg.Connection, consortium_id: uuid.UUID, from_seq: int, new_details: dict[str, Any]
) -> None:
    """Change event ``from_seq`` and recompute every hash from there on, as a forger would."""
    import json

    await conn.execute(
        "update audit_event set details = $3::text::jsonb where consortium_id = $1 and seq = $2",
        consortium_id,
        from_seq,
        json.dumps(new_details),
    )
    prev = (
        await conn.fetchval(
            "select hash from audit_event where consortium_id = $1 and seq = $2",
            consortium_id,
            from_seq - 1,
        )
        or GENESIS_HASH
    )
    rows = await conn.fetch(
        f"""select seq, {SQL_TIMESTAMP} as ts, actor_kind, actor_id, partner_id::text as p, action,
                   subject_kind, subject_id, details::text as d
            from audit_event where consortium_id = $1 and seq >= $2 order by seq""",  # noqa: S608
        consortium_id,
        from_seq,
    )
    for r in rows:
        new_hash = row_hash(
            prev,
            str(consortium_id),
            r["seq"],
            r["ts"],
            r["actor_kind"],
            r["actor_id"],
            r["p"],
            r["action"],
            r["subject_kind"],
            r["subject_id"],
            r["d"],
        )
        await conn.execute(
            "update audit_event set prev_hash = $3, hash = $4"
            " where consortium_id = $1 and seq = $2",
            consortium_id,
            r["seq"],
            prev,
            new_hash,
        )
        prev = new_hash
    await conn.execute(
        "update audit_chain_head set hash = $2 where consortium_id = $1", consortium_id, prev
    )


async def rehash_event(
    conn: asyncpg.Connection, consortium_id: uuid.UUID, seq: int, *, prev_hash: str
) -> None:
    """Point one event at ``prev_hash`` and give it the hash that makes it self-consistent."""
    r = await conn.fetchrow(
        f"""select {SQL_TIMESTAMP} as ts, actor_kind, actor_id, partner_id::text as p, action,
                   subject_kind, subject_id, details::text as d
            from audit_event where consortium_id = $1 and seq = $2""",  # noqa: S608
        consortium_id,
        seq,
    )
    assert r is not None
    new_hash = row_hash(
        prev_hash,
        str(consortium_id),
        seq,
        r["ts"],
        r["actor_kind"],
        r["actor_id"],
        r["p"],
        r["action"],
        r["subject_kind"],
        r["subject_id"],
        r["d"],
    )
    await conn.execute(
        "update audit_event set prev_hash = $3, hash = $4 where consortium_id = $1 and seq = $2",
        consortium_id,
        seq,
        prev_hash,
        new_hash,
    )
