"""The hash chain: writing, verifying, rolling back, and the database's own guards."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from exchange.audit import actions
from exchange.audit.chain import AuditRecord, chain_hash
from exchange.audit.models import BreakKind
from exchange.audit.service import record_caller_event, record_event
from exchange.audit.verify import verify_chain
from infra.db import Connection, ConnectionDatabase
from infra.scope import AccessScope
from tests.support import callers, factories


async def _system_event(conn: Connection, consortium_id: UUID, **extra: Any) -> int:
    """Append one plain system event (the retention job's) to a consortium's chain."""
    return await record_event(
        conn,
        consortium_id=consortium_id,
        actor_kind="system",
        actor_id="t",
        partner_id=None,
        action=actions.RETENTION_RUN,
        **extra,
    )


def test_canonical_encoding_is_a_copy_text_line() -> None:
    record = AuditRecord.build(
        consortium_id=uuid.UUID(int=1),
        seq=7,
        occurred_at=dt.datetime(2025, 3, 1, 12, 0, 0, 123, tzinfo=dt.UTC),
        actor_kind="api_client",
        actor_id="tdc_x",
        partner_id=None,
        action="profile.opened",
        subject_kind=None,
        subject_id='ü"q"',
        details_text='{"a": "x\\ty"}',
    )
    assert (
        record.canonical()
        == (
            "00000000-0000-0000-0000-000000000001\t7\t2025-03-01T12:00:00.000123Z\tapi_client"
            '\ttdc_x\t\\N\tprofile.opened\t\\N\tü"q"\t{"a": "x\\\\ty"}'
        ).encode()
    )
    prev = "a" * 64
    assert (
        chain_hash(prev, record)
        == hashlib.sha256(prev.encode() + b"\n" + record.canonical()).hexdigest()
    )


async def test_copy_output_is_the_writers_canonical_encoding(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    details = {"quote": 'a"b', "slash": "c\\d", "tab": "e\tf", "line": "g\nh", "ü": ["ß", 1.5]}
    async with db.transaction(AccessScope.system()) as conn:
        await _system_event(conn, consortium.id, subject_id="back\\slash", details=details)
        report = await verify_chain(conn, consortium.id)
        row = await conn.fetchrow(
            "select details, occurred_at from audit_event where consortium_id = $1",
            consortium.id,
        )
    assert report.intact, report.message
    assert row is not None and row["details"] == details


async def test_events_chain_and_verify(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner_a = await factories.create_partner(db, consortium)
    partner_b = await factories.create_partner(db, consortium)
    # Partners see only their own events: appending must not depend on reading others'.
    for caller in [callers.partner_caller(partner_a), callers.partner_caller(partner_b)] * 3:
        async with db.transaction(caller.access_scope()) as conn:
            await record_caller_event(
                conn,
                caller,
                action=actions.PROFILE_OPENED,
                subject_kind="profile",
                subject_id=str(uuid.uuid4()),
                details={"vacancy_id": str(uuid.uuid4())},
            )
    async with db.transaction(AccessScope.system()) as conn:
        report = await verify_chain(conn, consortium.id, batch_size=4)
        rows = await conn.fetch(
            "select seq, partner_id from audit_event where consortium_id = $1 order by seq",
            consortium.id,
        )
    assert report.intact and report.break_kind is None and report.first_broken_seq is None
    assert report.events_checked == 6 == report.head_seq
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["partner_id"] for r in rows[:2]] == [partner_a.id, partner_b.id]


async def test_an_event_rolls_back_with_its_transaction(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    with pytest.raises(RuntimeError):
        async with db.transaction(AccessScope.system()) as conn:
            await _system_event(conn, consortium.id)
            raise RuntimeError("the change fails")
    async with db.transaction(AccessScope.system()) as conn:
        assert (
            await conn.fetchval(
                "select count(*) from audit_event where consortium_id = $1", consortium.id
            )
            == 0
        )
        # ... and the next event takes sequence number 1: no gap.
        seq = await _system_event(conn, consortium.id)
    assert seq == 1


@pytest.mark.parametrize(
    "statement",
    [
        "update audit_event set details = '{}'",
        "delete from audit_event",
        "truncate audit_event",
    ],
)
async def test_the_app_role_cannot_change_the_trail(
    db: ConnectionDatabase, conn: Connection, statement: str
) -> None:
    consortium = await factories.create_consortium(db)
    async with db.transaction(AccessScope.system()) as tx:
        await _system_event(tx, consortium.id)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(AccessScope.system()) as tx:
            await tx.execute(statement)


async def test_the_database_refuses_an_event_that_does_not_extend_the_head(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    async with db.transaction(AccessScope.system()) as conn:
        await _system_event(conn, consortium.id)
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        async with db.transaction(AccessScope.system()) as conn:
            await conn.execute(
                """insert into audit_event (consortium_id, seq, occurred_at, actor_kind, action,
                       prev_hash, hash) values ($1, 5, now(), 'system', 'x.y', $2, $2)""",
                consortium.id,
                "0" * 64,
            )


@pytest.mark.parametrize(
    "details",
    [
        {"x": float("nan")},
        {"x": 1e20},
        {"x": object()},
        {1: "a"},
    ],
)
async def test_details_that_cannot_be_stored_faithfully_are_refused(
    db: ConnectionDatabase, details: dict[object, object]
) -> None:
    consortium = await factories.create_consortium(db)
    async with db.transaction(AccessScope.system()) as conn:
        with pytest.raises(ValueError):
            await record_event(
                conn,
                consortium_id=consortium.id,
                actor_kind="system",
                actor_id="t",
                partner_id=None,
                action=actions.RETENTION_RUN,
                details=details,  # type: ignore[arg-type]
            )


async def test_action_names_are_checked(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    async with db.transaction(AccessScope.system()) as conn:
        with pytest.raises(ValueError):
            await record_event(
                conn,
                consortium_id=consortium.id,
                actor_kind="system",
                actor_id="t",
                partner_id=None,
                action="Not An Action",
            )
    assert all(actions.is_valid_action(a) for a in actions.CATALOGUE)
    assert BreakKind.SEQUENCE_GAP.value == "SEQUENCE_GAP"


async def test_checkpoint_keys_before_any_key_exists() -> None:
    from exchange.audit.signing import CheckpointKeys

    keys = CheckpointKeys(None, [])
    assert keys.jwk_for("a.b.c") is None
    with pytest.raises(ValueError, match="no public key"):
        keys.verify("a.b.c")
