"""SQL for the audit trail: appending, reading the chain back, search, checkpoints."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from exchange.audit.chain import GENESIS_HASH, SQL_TIMESTAMP, AuditRecord
from exchange.audit.models import AuditEvent, AuditFilter, Checkpoint
from infra.db import Connection

# ---------------------------------------------------------------- appending


async def lock_head(conn: Connection, *, consortium_id: UUID) -> tuple[int, str, dt.datetime]:
    """Lock the consortium's chain head until the transaction ends.

    Returns its (seq, hash) and the database clock read once the lock is held (the
    outer select projects after the inner one has locked the row), so that time order
    follows sequence order. One round trip: appends are serialised, so each one counts.
    """
    sql = """select h.seq, h.hash, clock_timestamp() as now
             from (select seq, hash from audit_chain_head
                   where consortium_id = $1 for update) as h"""
    row = await conn.fetchrow(sql, consortium_id)
    if row is None:
        await conn.execute(
            """insert into audit_chain_head (consortium_id, seq, hash) values ($1, 0, $2)
               on conflict (consortium_id) do nothing""",
            consortium_id,
            GENESIS_HASH,
        )
        row = await conn.fetchrow(sql, consortium_id)
        assert row is not None
    return int(row["seq"]), str(row["hash"]), row["now"]


async def render_details(conn: Connection, *, details_json: str) -> str:
    """The details exactly as the stored jsonb will print (what the hash covers)."""
    return str(await conn.fetchval("select $1::text::jsonb::text", details_json))


async def insert_event(
    conn: Connection, *, record: AuditRecord, occurred_at: dt.datetime, prev_hash: str, hash_: str
) -> None:
    await conn.execute(
        """
        insert into audit_event (consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id,
                                 action, subject_kind, subject_id, details, prev_hash, hash)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, $12)
        """,
        UUID(record.consortium_id),
        record.seq,
        occurred_at,
        record.actor_kind,
        record.actor_id,
        UUID(record.partner_id) if record.partner_id else None,
        record.action,
        record.subject_kind,
        record.subject_id,
        record.details_text,
        prev_hash,
        hash_,
    )


# ---------------------------------------------------------------- reading the chain back

# Every field as the canonical encoding wants it, in text, so no Python objects are built.
CHAIN_COLUMNS = f"""seq, {SQL_TIMESTAMP} as occurred_at, actor_kind, actor_id,
    partner_id::text as partner_id, action, subject_kind, subject_id,
    details::text as details, prev_hash, hash"""


async def event_hash(conn: Connection, *, consortium_id: UUID, seq: int) -> str | None:
    value = await conn.fetchval(
        "select hash from audit_event where consortium_id = $1 and seq = $2", consortium_id, seq
    )
    return str(value) if value is not None else None


async def consortium_ids(conn: Connection) -> list[UUID]:
    return [r["id"] for r in await conn.fetch("select id from consortium order by slug")]


# ---------------------------------------------------------------- search

_EVENT_COLUMNS = """consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id, action,
    subject_kind, subject_id, details::text as details, prev_hash, hash"""


def _event(row: asyncpg.Record) -> AuditEvent:
    return AuditEvent(
        consortium_id=row["consortium_id"],
        seq=row["seq"],
        occurred_at=row["occurred_at"],
        actor_kind=row["actor_kind"],
        actor_id=row["actor_id"],
        partner_id=row["partner_id"],
        action=row["action"],
        subject_kind=row["subject_kind"],
        subject_id=row["subject_id"],
        details=json.loads(row["details"]),
        details_text=row["details"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _filter_sql(consortium_id: UUID, audit_filter: AuditFilter) -> tuple[list[str], list[Any]]:
    clauses = ["consortium_id = $1"]
    args: list[Any] = [consortium_id]

    def add(template: str, value: Any) -> None:
        args.append(value)
        clauses.append(template.format(f"${len(args)}"))

    if audit_filter.partner_id is not None:
        add("partner_id = {}", audit_filter.partner_id)
    if audit_filter.action is not None:
        if audit_filter.action.endswith("*"):
            prefix = audit_filter.action[:-1].replace("\\", "\\\\").replace("%", "\\%")
            add("action like {}", prefix.replace("_", "\\_") + "%")
        else:
            add("action = {}", audit_filter.action)
    if audit_filter.subject_id is not None:
        add("subject_id = {}", audit_filter.subject_id)
    if audit_filter.occurred_from is not None:
        add("occurred_at >= {}", audit_filter.occurred_from)
    if audit_filter.occurred_to is not None:
        add("occurred_at < {}", audit_filter.occurred_to)
    return clauses, args


async def search_events(
    conn: Connection,
    *,
    consortium_id: UUID,
    audit_filter: AuditFilter,
    limit: int,
    after_seq: int | None = None,
    newest_first: bool = True,
) -> list[AuditEvent]:
    """One page of matching events, keyset on seq (``after_seq`` excluded)."""
    clauses, args = _filter_sql(consortium_id, audit_filter)
    if after_seq is not None:
        args.append(after_seq)
        clauses.append(f"seq {'<' if newest_first else '>'} ${len(args)}")
    args.append(limit)
    order = "desc" if newest_first else "asc"
    rows = await conn.fetch(
        f"""select {_EVENT_COLUMNS} from audit_event where {" and ".join(clauses)}
            order by seq {order} limit ${len(args)}""",
        *args,
    )
    return [_event(r) for r in rows]


# ---------------------------------------------------------------- checkpoints

_CHECKPOINT_COLUMNS = "id, consortium_id, seq, head_hash, event_count, signed_jws, created_at"


def _checkpoint(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(
        id=row["id"],
        consortium_id=row["consortium_id"],
        seq=row["seq"],
        head_hash=row["head_hash"],
        event_count=row["event_count"],
        signed_jws=row["signed_jws"],
        created_at=row["created_at"],
    )


async def insert_checkpoint(conn: Connection, *, checkpoint: Checkpoint) -> None:
    await conn.execute(
        f"""insert into audit_checkpoint ({_CHECKPOINT_COLUMNS})
            values ($1, $2, $3, $4, $5, $6, $7)""",
        checkpoint.id,
        checkpoint.consortium_id,
        checkpoint.seq,
        checkpoint.head_hash,
        checkpoint.event_count,
        checkpoint.signed_jws,
        checkpoint.created_at,
    )


async def list_checkpoints(
    conn: Connection, *, consortium_ids: Sequence[UUID] | None = None, limit: int = 1000
) -> list[Checkpoint]:
    """Newest first; all consortia unless ``consortium_ids`` is given."""
    rows = await conn.fetch(
        f"""select {_CHECKPOINT_COLUMNS} from audit_checkpoint
            where $1::uuid[] is null or consortium_id = any($1::uuid[])
            order by created_at desc, seq desc limit $2""",
        list(consortium_ids) if consortium_ids is not None else None,
        limit,
    )
    return [_checkpoint(r) for r in rows]


async def latest_checkpoint(conn: Connection, *, consortium_id: UUID) -> Checkpoint | None:
    row = await conn.fetchrow(
        f"""select {_CHECKPOINT_COLUMNS} from audit_checkpoint where consortium_id = $1
            order by seq desc, created_at desc limit 1""",
        consortium_id,
    )
    return _checkpoint(row) if row else None
