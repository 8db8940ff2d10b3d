"""The consortium admin's use cases on the trail: search, CSV export, verification.

Each checks the caller (consortium admin with scope ``audit:read``) and reads only the
caller's consortium. Field names in errors follow the GraphQL arguments
(``filter.action``, ``after`` ...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from uuid import UUID

from exchange.audit import repository
from exchange.audit.checkpoints import CheckpointSigner, stored_claims
from exchange.audit.models import (
    ACTOR_KINDS,
    AuditEvent,
    AuditFilter,
    Checkpoint,
    CheckpointClaim,
    VerificationReport,
)
from exchange.audit.verify import verify_chain
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector
from infra.pagination import Page

_ACTION_FILTER = re.compile(r"^[a-z][a-z_]*(\.[a-z_]*)?\*?$")
EXPORT_BATCH = 2_000


def require_auditor(caller: Caller) -> None:
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.AUDIT_READ)


def validate_filter(audit_filter: AuditFilter, *, field: str = "filter") -> None:
    """Check a filter; errors name ``<field>.<name>`` (just ``<name>`` when field is empty)."""

    def name(part: str) -> str:
        return f"{field}.{part}" if field else part

    errors = Collector()
    action = audit_filter.action
    if action is not None and (len(action) > 64 or not _ACTION_FILTER.match(action)):
        errors.add(name("action"), "INVALID", "an action such as introduction.requested, "
                   "or a prefix ending in * such as introduction.*")  # fmt: skip
    if audit_filter.subject_id is not None and not 0 < len(audit_filter.subject_id) <= 200:
        errors.add(name("subject"), "INVALID", "1-200 characters")
    if audit_filter.actor_kind is not None and audit_filter.actor_kind not in ACTOR_KINDS:
        errors.add(name("actorKind"), "INVALID", f"use one of: {', '.join(ACTOR_KINDS)}")
    start, end = audit_filter.occurred_from, audit_filter.occurred_to
    for label, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            errors.add(name(label), "INVALID", "give a time zone (e.g. 2025-01-31T00:00Z)")
    if start and end and start.tzinfo and end.tzinfo and start >= end:
        errors.add(name("to"), "OUT_OF_RANGE", "must be after 'from'")
    errors.raise_if_any()


async def search_events(
    conn: Connection,
    caller: Caller,
    audit_filter: AuditFilter,
    *,
    limit: int,
    after_seq: int | None = None,
) -> Page[AuditEvent]:
    """One page of the consortium's events matching the filter, newest first."""
    require_auditor(caller)
    validate_filter(audit_filter)
    events = await repository.search_events(
        conn,
        consortium_id=caller.consortium_id,
        audit_filter=audit_filter,
        limit=limit + 1,
        after_seq=after_seq,
    )
    return Page(items=events[:limit], has_next_page=len(events) > limit)


async def event_at(conn: Connection, caller: Caller, *, seq: int) -> AuditEvent | None:
    """One event of the caller's consortium by its position in the chain, with its hashes."""
    require_auditor(caller)
    return await repository.get_event(conn, consortium_id=caller.consortium_id, seq=seq)


async def consortium_checkpoints(
    conn: Connection, caller: Caller, *, limit: int = 100
) -> list[Checkpoint]:
    """The caller's consortium's signed checkpoints, newest first."""
    require_auditor(caller)
    return await repository.list_checkpoints(
        conn, consortium_ids=[caller.consortium_id], limit=limit
    )


async def export_events(
    conn: Connection, caller: Caller, audit_filter: AuditFilter, *, batch: int = EXPORT_BATCH
) -> AsyncIterator[list[AuditEvent]]:
    """Every matching event, oldest first, in batches (for CSV export)."""
    require_auditor(caller)
    validate_filter(audit_filter)
    after: int | None = None
    while True:
        events = await repository.search_events(
            conn,
            consortium_id=caller.consortium_id,
            audit_filter=audit_filter,
            limit=batch,
            after_seq=after,
            newest_first=False,
        )
        if events:
            yield events
        if len(events) < batch:
            return
        after = events[-1].seq


CSV_COLUMNS = (
    "seq", "occurred_at", "actor_kind", "actor_id", "partner_id", "action", "subject_kind",
    "subject_id", "details", "prev_hash", "hash",
)  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run what it reads: neutralise formula prefixes.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(events: Iterable[AuditEvent], *, header: bool = False) -> str:
    """CSV lines for ``events``. ``details`` is the stored jsonb exactly as hashed, so the
    export together with the chain's rules lets anyone recompute every hash."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow([
            e.seq, e.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            _cell(e.actor_kind), _cell(e.actor_id), e.partner_id or "", _cell(e.action),
            _cell(e.subject_kind), _cell(e.subject_id), e.details_text, e.prev_hash, e.hash,
        ])  # fmt: skip
    return out.getvalue()


async def verify_trail(
    conn: Connection,
    caller: Caller,
    signer: CheckpointSigner,
    *,
    kept: Sequence[CheckpointClaim] = (),
) -> VerificationReport:
    """Recompute the caller's consortium chain against its stored signed checkpoints (and
    any ``kept`` outside); a stored checkpoint whose signature fails is named in the message."""
    require_auditor(caller)
    return await verify_consortium(conn, caller.consortium_id, signer, kept=kept)


async def verify_consortium(
    conn: Connection,
    consortium_id: UUID,
    signer: CheckpointSigner,
    *,
    kept: Sequence[CheckpointClaim] = (),
) -> VerificationReport:
    """As :func:`verify_trail`, for jobs and the CLI (system scope, no caller)."""
    claims, warnings = await stored_claims(conn, signer, consortium_id=consortium_id)
    report = await verify_chain(conn, consortium_id, checkpoints=[*claims, *kept])
    if warnings:
        report = replace(report, message=f"{report.message}; " + "; ".join(warnings))
    return report
