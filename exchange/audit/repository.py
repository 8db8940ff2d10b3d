"""SQL for the audit trail."""

from __future__ import annotations

from uuid import UUID

from exchange.audit.chain import GENESIS_HASH, AuditRecord
from infra.db import Connection

# Per-consortium key space for pg_advisory_xact_lock: appends to one chain are serialised.
_LOCK_NAMESPACE = 7_420_100


async def lock_chain(conn: Connection, *, consortium_id: UUID) -> None:
    await conn.execute(
        "select pg_advisory_xact_lock($1, hashtext($2::text))", _LOCK_NAMESPACE, str(consortium_id)
    )


async def chain_head(conn: Connection, *, consortium_id: UUID) -> tuple[int, str]:
    row = await conn.fetchrow(
        "select seq, hash from audit_event where consortium_id = $1 order by seq desc limit 1",
        consortium_id,
    )
    if row is None:
        return 0, GENESIS_HASH
    return int(row["seq"]), str(row["hash"])


async def insert_event(
    conn: Connection, *, record: AuditRecord, prev_hash: str, hash_: str
) -> None:
    await conn.execute(
        """
        insert into audit_event (consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id,
                                 action, subject_kind, subject_id, details, prev_hash, hash)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """,
        record.consortium_id,
        record.seq,
        record.occurred_at,
        record.actor_kind,
        record.actor_id,
        record.partner_id,
        record.action,
        record.subject_kind,
        record.subject_id,
        record.details,
        prev_hash,
        hash_,
    )
