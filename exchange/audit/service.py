"""Writing audit events, inside the caller's transaction (they commit or roll back together)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from exchange.audit import repository
from exchange.audit.actions import is_valid_action
from exchange.audit.chain import AuditRecord, chain_hash
from infra.caller import Caller
from infra.db import Connection

MAX_DETAILS_BYTES = 64_000
MAX_FIELD_LENGTH = 200
# Details may not hold floats beyond this: jsonb would print them differently from Python.
_FLOAT_LIMIT = 1e15


def _check_details(value: Any, path: str = "details") -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not abs(value) < _FLOAT_LIMIT:  # also refuses NaN and infinities
            raise ValueError(f"{path}: float {value!r} cannot be stored faithfully")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_details(item, f"{path}.{i}")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings")
            _check_details(item, f"{path}.{key}")
        return
    raise ValueError(f"{path}: {type(value).__name__} is not allowed in audit details")


def _check_field(name: str, value: str | None) -> None:
    if value is not None and (len(value) > MAX_FIELD_LENGTH or not value.isprintable()):
        raise ValueError(f"audit {name} must be at most {MAX_FIELD_LENGTH} printable characters")


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

    Call it inside the transaction of the change it records. Appends to one chain are
    serialised on its head row until that transaction ends, so keep the rest of the
    transaction short after calling. ``details`` must hold no personal data: ids, codes,
    counts only (see :mod:`exchange.audit.actions`). Programming errors (an unknown
    action format, a value that cannot be stored faithfully) raise ``ValueError``.
    """
    if not is_valid_action(action):
        raise ValueError(f"not an audit action name: {action!r}")
    for name, value in (
        ("actor_kind", actor_kind),
        ("actor_id", actor_id),
        ("subject_kind", subject_kind),
        ("subject_id", subject_id),
    ):
        _check_field(name, value)  # fmt: skip
    body = details or {}
    _check_details(body)
    details_json = json.dumps(body, ensure_ascii=False, allow_nan=False)
    if len(details_json.encode()) > MAX_DETAILS_BYTES:
        raise ValueError(f"audit details exceed {MAX_DETAILS_BYTES} bytes")

    details_text = await repository.render_details(conn, details_json=details_json)
    head_seq, prev_hash, occurred_at = await repository.lock_head(conn, consortium_id=consortium_id)
    record = AuditRecord.build(
        consortium_id=consortium_id,
        seq=head_seq + 1,
        occurred_at=occurred_at,
        actor_kind=actor_kind,
        actor_id=actor_id,
        partner_id=partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details_text=details_text,
    )
    await repository.insert_event(
        conn,
        record=record,
        occurred_at=occurred_at,
        prev_hash=prev_hash,
        hash_=chain_hash(prev_hash, record),
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


async def record_system_event(
    conn: Connection,
    *,
    consortium_id: UUID,
    job: str,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """An event written by a background job (retention, checkpoints, the CLI)."""
    return await record_event(
        conn,
        consortium_id=consortium_id,
        actor_kind="system",
        actor_id=job,
        partner_id=None,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )


async def record_system_event_everywhere(
    conn: Connection, *, job: str, action: str, details: dict[str, Any] | None = None
) -> int:
    """One system event in every consortium's trail (a platform-wide change, such as a
    rotated signing key); returns how many were written."""
    consortium_ids = await repository.consortium_ids(conn)
    for consortium_id in consortium_ids:
        await record_system_event(
            conn, consortium_id=consortium_id, job=job, action=action, details=details
        )
    return len(consortium_ids)
