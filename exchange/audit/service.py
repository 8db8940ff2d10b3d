"""Writing audit events, inside the caller's transaction (they commit or roll back together).

Use cases record events as they go; the events join their chains in one statement just
before the transaction commits, so a chain's head is locked only for the commit's last
moments and an event's position follows commit order."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from exchange.audit import repository
from exchange.audit.actions import is_valid_action
from exchange.audit.models import PendingEvent
from infra.caller import Caller
from infra.db import Connection, pre_commit_work

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


def _checked_event(
    *,
    actor_kind: str,
    actor_id: str | None,
    partner_id: UUID | None,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    details: dict[str, Any] | None,
) -> PendingEvent:
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
    return PendingEvent(
        actor_kind=actor_kind,
        actor_id=actor_id,
        partner_id=partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details_json=details_json,
    )


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
    """Append one event to the consortium's chain now; return its sequence number.

    Call it inside the transaction of the change it records. The chain's head stays
    locked from this call until the transaction ends: use cases record through
    :func:`record_caller_event` or :func:`record_system_event`, which append just
    before commit. ``details`` must hold no personal data: ids, codes, counts only (see
    :mod:`exchange.audit.actions`). Programming errors (an unknown action format, a value
    that cannot be stored faithfully) raise ``ValueError``.
    """
    event = _checked_event(
        actor_kind=actor_kind,
        actor_id=actor_id,
        partner_id=partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )
    return await repository.append_events(conn, consortium_id=consortium_id, events=[event])


class _AppendAtCommit:
    """The events a transaction recorded, queued in one statement just before it commits
    and appended by the database while the COMMIT runs (migration 0011): the chain's head
    is never held by a transaction waiting for its client."""

    def __init__(self) -> None:
        self.events: dict[UUID, list[PendingEvent]] = {}

    async def __call__(self, conn: Connection, commits: bool) -> None:
        # One lock order for every transaction that writes to several chains.
        queued = [(c, e) for c in sorted(self.events) for e in self.events[c]]
        if commits:  # appended by the database as the COMMIT runs
            await repository.queue_for_commit(conn, events=queued)
            return
        for consortium_id in sorted(self.events):  # a savepoint: append now
            await repository.append_events(
                conn, consortium_id=consortium_id, events=self.events[consortium_id]
            )


async def _record_at_commit(conn: Connection, consortium_id: UUID, event: PendingEvent) -> None:
    work = pre_commit_work(conn)
    if work is None:  # not in a use case's transaction: append now
        await repository.append_events(conn, consortium_id=consortium_id, events=[event])
        return
    flush = next((w for w in work if isinstance(w, _AppendAtCommit)), None)
    if flush is None:
        flush = _AppendAtCommit()
        work.append(flush)
    flush.events.setdefault(consortium_id, []).append(event)


async def record_caller_event(
    conn: Connection,
    caller: Caller,
    *,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an event by the caller; it joins the chain just before the transaction
    commits (and is dropped with it on a rollback). Bad values raise ``ValueError`` now."""
    event = _checked_event(
        actor_kind=caller.actor_kind,
        actor_id=caller.subject,
        partner_id=caller.partner_id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )
    await _record_at_commit(conn, caller.consortium_id, event)


async def record_system_event(
    conn: Connection,
    *,
    consortium_id: UUID,
    job: str,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An event written by a background job (retention, checkpoints, the CLI); it joins
    the chain just before the transaction commits, as :func:`record_caller_event`'s."""
    event = _checked_event(
        actor_kind="system",
        actor_id=job,
        partner_id=None,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        details=details,
    )
    await _record_at_commit(conn, consortium_id, event)


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
