"""Writing audit events, inside the caller's transaction (they commit or roll back together)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from exchange.audit import repository
from exchange.audit.chain import AuditRecord, chain_hash
from infra.caller import Caller
from infra.db import Connection


async def record_event(
    conn: Connection,
    *,
    consortium_id: UUID,
    actor_kind: str,
    actor_id: str | None,
    partner_id: UUID | None,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one event to the consortium's chain; return its sequence number.

    ``details`` must hold no personal data: ids, counts, codes only.
    """
    await repository.lock_chain(conn, consortium_id=consortium_id)
    seq, prev_hash = await repository.chain_head(conn, consortium_id=consortium_id)
    now = dt.datetime.now(dt.UTC)
    record = AuditRecord(
        consortium_id=consortium_id,
        seq=seq + 1,
        occurred_at=now.replace(microsecond=now.microsecond),
        actor_kind=actor_kind,
        actor_id=actor_id,
        partner_id=partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details or {},
    )
    await repository.insert_event(
        conn, record=record, prev_hash=prev_hash, hash_=chain_hash(prev_hash, record)
    )
    return record.seq


async def record_caller_event(
    conn: Connection,
    caller: Caller,
    *,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    return await record_event(
        conn,
        consortium_id=caller.consortium_id,
        actor_kind=caller.actor_kind,
        actor_id=caller.subject,
        partner_id=caller.partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )
