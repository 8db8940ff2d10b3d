"""Events join their chain just before their transaction commits, hashed by the database
exactly as the Python writer hashed them before (one chain, old and new events alike)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from uuid import UUID

import asyncpg
import pytest

from exchange.audit import actions
from exchange.audit.chain import AuditRecord, chain_hash, format_timestamp, row_hash
from exchange.audit.service import record_event, record_system_event
from exchange.audit.verify import verify_chain
from infra.db import Connection, ConnectionDatabase, Database
from infra.scope import AccessScope
from tests.support import factories
from tests.support.databases import app_database

# Long enough for a commit on a loaded machine; on a writer that locks the head when it
# records, the second writer waits for the first's commit, which waits for it: a timeout.
_WAIT = 5.0


async def _record(conn: Connection, consortium_id: UUID, subject: str) -> None:
    await record_system_event(
        conn,
        consortium_id=consortium_id,
        job="test",
        action=actions.RETENTION_RUN,
        subject_kind="run",
        subject_id=subject,
    )


async def _positions(database: Database, consortium_id: UUID) -> list[str]:
    async with database.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch(
            "select subject_id from audit_event where consortium_id = $1 order by seq",
            consortium_id,
        )
        report = await verify_chain(conn, consortium_id)
    assert report.intact, report.message
    return [r["subject_id"] for r in rows]


async def test_chain_position_follows_commit_order(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        first_recorded, second_done = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with database.transaction(AccessScope.system()) as conn:
                await _record(conn, cid, "first")
                first_recorded.set()
                await second_done.wait()  # still working when the second one commits

        async def second() -> None:
            await first_recorded.wait()
            async with database.transaction(AccessScope.system()) as conn:
                await _record(conn, cid, "second")
            second_done.set()

        first_task = asyncio.create_task(first())
        try:
            await asyncio.wait_for(second(), _WAIT)
        finally:
            second_done.set()
            await first_task
        assert await _positions(database, cid) == ["second", "first"]


async def test_the_head_is_free_while_a_use_case_works_after_recording(
    fresh_database: str,
) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        async with database.transaction(AccessScope.system()) as conn:
            await _record(conn, cid, "bootstrap")  # the head row exists from here on
        async with database.transaction(AccessScope.system()) as conn:
            await _record(conn, cid, "a")
            await _record(conn, cid, "b")
            # ... the rest of the use case: another backend can take the head meanwhile
            async with database.transaction(AccessScope.system()) as other:
                locked = await asyncio.wait_for(
                    other.fetchval(
                        """select seq from audit_chain_head where consortium_id = $1
                           for update nowait""",
                        cid,
                    ),
                    _WAIT,
                )
            assert locked == 1
        # Both events of the use case, in the order recorded, appended at its commit.
        assert await _positions(database, cid) == ["bootstrap", "a", "b"]
        async with database.transaction(AccessScope.system()) as conn:
            assert await conn.fetchval("select count(*) from audit_pending") == 0


async def test_events_for_several_chains_join_each_at_commit(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        ids = [(await factories.create_consortium(database)).id for _ in range(2)]
        async with database.transaction(AccessScope.system()) as conn:
            for cid in reversed(ids):
                await _record(conn, cid, f"one {cid}")
            await _record(conn, ids[1], f"two {ids[1]}")
        for cid in ids:
            expected = [f"one {cid}"] + ([f"two {cid}"] if cid == ids[1] else [])
            assert await _positions(database, cid) == expected


async def test_events_of_a_rolled_back_use_case_never_join_the_chain(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    with pytest.raises(RuntimeError):
        async with db.transaction(AccessScope.system()) as conn:
            await _record(conn, consortium.id, "lost")
            raise RuntimeError("the change fails")
    async with db.transaction(AccessScope.system()) as conn:
        await _record(conn, consortium.id, "kept")
    assert await _positions(db, consortium.id) == ["kept"]


async def _python_append(conn: Connection, consortium_id: UUID, subject: str) -> None:
    """An event written as the writer before migration 0011 wrote it: hashed in Python."""
    head = await conn.fetchrow(
        "select seq, hash from audit_chain_head where consortium_id = $1 for update",
        consortium_id,
    )
    assert head is not None
    seq, prev = head["seq"] + 1, head["hash"]
    now = dt.datetime.now(dt.UTC)
    details = '{"k": "t\\\\ab\\tc", "ü": [1.5, null]}'
    details_text = await conn.fetchval("select $1::jsonb::text", details)
    digest = row_hash(prev, str(consortium_id), seq, format_timestamp(now), "system", "py",
                      None, actions.RETENTION_RUN, "run", subject, details_text)  # fmt: skip
    await conn.execute(
        """insert into audit_event (consortium_id, seq, occurred_at, actor_kind, actor_id,
               action, subject_kind, subject_id, details, prev_hash, hash)
           values ($1, $2, $3, 'system', 'py', $4, 'run', $5, $6::text::jsonb, $7, $8)""",
        consortium_id, seq, now, actions.RETENTION_RUN, subject, details_text, prev, digest,
    )  # fmt: skip


async def test_database_hashes_match_the_python_encoding_in_one_chain(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    odd = 'tab\\t back\\\\slash "quote" ü ß'
    details = {"line": "a\nb", "tab": "c\td", "slash": "e\\f", "ü": ["ß", 2.5, None, True]}
    async with db.transaction(AccessScope.system()) as conn:
        await record_event(  # creates the head row
            conn, consortium_id=consortium.id, actor_kind="system", actor_id="t",
            partner_id=None, action=actions.RETENTION_RUN,
        )  # fmt: skip
        await _python_append(conn, consortium.id, "old")
        await record_event(
            conn, consortium_id=consortium.id, actor_kind="api_client", actor_id=odd,
            partner_id=uuid.uuid4(), action=actions.PROFILE_OPENED, subject_kind="profile",
            subject_id=odd, details=details,
        )  # fmt: skip
        await _python_append(conn, consortium.id, "old again")
        rows = await conn.fetch(
            """select seq, occurred_at, actor_kind, actor_id, partner_id, action, subject_kind,
                      subject_id, details::text as details, prev_hash, hash
               from audit_event where consortium_id = $1 order by seq""",
            consortium.id,
        )
    # Python's canonical encoding of every stored event gives the stored hash.
    for row in rows:
        record = AuditRecord.build(
            consortium_id=consortium.id,
            seq=row["seq"],
            occurred_at=row["occurred_at"],
            actor_kind=row["actor_kind"],
            actor_id=row["actor_id"],
            partner_id=row["partner_id"],
            action=row["action"],
            subject_kind=row["subject_kind"],
            subject_id=row["subject_id"],
            details_text=row["details"],
        )
        assert chain_hash(row["prev_hash"], record) == row["hash"], row["seq"]
    assert [r["subject_id"] for r in rows] == [None, "old", odd, "old again"]
    assert await _positions(db, consortium.id) == [None, "old", odd, "old again"]


async def test_a_flush_refused_by_the_database_rolls_the_use_case_back(
    db: ConnectionDatabase,
) -> None:
    await factories.create_consortium(db)
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction(AccessScope.system()) as conn:
            await conn.execute("create temporary table use_case_change (x int)")
            await _record(conn, uuid.uuid4(), "no such consortium")
    async with db.transaction(AccessScope.system()) as conn:
        assert await conn.fetchval("select to_regclass('use_case_change')") is None
