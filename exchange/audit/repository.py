"""SQL for the audit trail: appending, reading the chain back, search, checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from exchange.audit.chain import CANONICAL_SQL_COLUMNS
from exchange.audit.models import AuditEvent, AuditFilter, Checkpoint, PendingEvent
from infra.db import Connection

# ---------------------------------------------------------------- appending


async def append_events(
    conn: Connection, *, consortium_id: UUID, events: Sequence[PendingEvent]
) -> int:
    """Append ``events`` in order to the consortium's chain in one statement; return the
    last sequence number.

    The database function (migration 0011) locks the head, reads the clock, hashes each
    event's canonical encoding exactly as :mod:`exchange.audit.chain` does, inserts and
    advances the head: the head is held from this statement to the end of the transaction.
    """
    return int(
        await conn.fetchval(
            "select audit_append($1, $2, $3, $4, $5, $6, $7, $8)",
            consortium_id,
            [e.actor_kind for e in events],
            [e.actor_id for e in events],
            [e.partner_id for e in events],
            [e.action for e in events],
            [e.subject_kind for e in events],
            [e.subject_id for e in events],
            [e.details_json for e in events],
        )
    )


async def queue_for_commit(
    conn: Connection, *, events: Sequence[tuple[UUID, PendingEvent]]
) -> None:
    """Queue ``(consortium_id, event)`` pairs, in order, to be appended to their chains
    by the database while this transaction commits (``audit_pending``'s deferred trigger
    runs ``audit_append`` for each)."""
    await conn.execute(
        """
        insert into audit_pending (consortium_id, actor_kind, actor_id, partner_id, action,
                                   subject_kind, subject_id, details)
        select c, ak, ai, p, a, sk, si, d
        from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                    $7::text[], $8::text[]) with ordinality as e(c, ak, ai, p, a, sk, si, d, n)
        order by n
        """,
        [c for c, _ in events],
        [e.actor_kind for _, e in events],
        [e.actor_id for _, e in events],
        [e.partner_id for _, e in events],
        [e.action for _, e in events],
        [e.subject_kind for _, e in events],
        [e.subject_id for _, e in events],
        [e.details_json for _, e in events],
    )


# ---------------------------------------------------------------- reading the chain back


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
    if audit_filter.actor_kind is not None:
        add("actor_kind = {}", audit_filter.actor_kind)
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


async def get_event(conn: Connection, *, consortium_id: UUID, seq: int) -> AuditEvent | None:
    row = await conn.fetchrow(
        f"select {_EVENT_COLUMNS} from audit_event where consortium_id = $1 and seq = $2",
        consortium_id,
        seq,
    )
    return _event(row) if row else None


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


# ---------------------------------------------------------------- verifying, publishing

_CHAIN_BATCH_SQL = f"""select {CANONICAL_SQL_COLUMNS}, prev_hash, hash from audit_event
    where consortium_id = $1 and seq > $2 order by seq limit $3"""


async def copy_chain_batch(
    conn: Connection,
    *,
    consortium_id: UUID,
    after_seq: int,
    limit: int,
    output: Callable[[bytes], Coroutine[Any, Any, None]],
) -> None:
    """Stream up to ``limit`` events after ``after_seq`` in the text COPY format, each
    line the canonical fields (what the hash covers) then prev_hash and hash, to ``output``."""
    await conn.copy_from_query(_CHAIN_BATCH_SQL, consortium_id, after_seq, limit, output=output)


async def consortium_id_for_slug(conn: Connection, *, slug: str) -> UUID | None:
    value = await conn.fetchval("select id from consortium where slug = $1", slug)
    return value if isinstance(value, UUID) else None


async def platform_public_jwks(conn: Connection) -> list[dict[str, Any]]:
    """Every public key the platform ever signed with, oldest first (system scope)."""
    rows = await conn.fetch("select public_jwk from platform_key order by created_at")
    return [dict(r["public_jwk"]) for r in rows]
