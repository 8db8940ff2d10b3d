"""The consortium admin's view of the audit trail: search and verification."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from exchange.audit import oversight
from exchange.audit.models import AuditEvent, AuditFilter, BreakKind, VerificationReport
from exchange.audit.signing import load_checkpoint_keys
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from schema.context import Context
from schema.ids import parse_id
from schema.pagination import Connection, build_connection, decode_cursor, page_size

AuditBreakKind = strawberry.enum(BreakKind, name="AuditBreakKind")


@strawberry.type(name="AuditEvent")
class AuditEventType:
    seq: int
    occurred_at: dt.datetime
    actor_kind: str
    actor_id: str | None
    partner_id: strawberry.ID | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    details: JSON
    prev_hash: str
    hash: str

    @classmethod
    def from_domain(cls, e: AuditEvent) -> AuditEventType:
        return cls(
            seq=e.seq,
            occurred_at=e.occurred_at,
            actor_kind=e.actor_kind,
            actor_id=e.actor_id,
            partner_id=strawberry.ID(str(e.partner_id)) if e.partner_id else None,
            action=e.action,
            subject_kind=e.subject_kind,
            subject_id=e.subject_id,
            details=cast(JSON, e.details),
            prev_hash=e.prev_hash,
            hash=e.hash,
        )


@strawberry.input
class AuditEventFilter:
    partner: strawberry.ID | None = None
    action: str | None = strawberry.field(
        default=None, description="An action (introduction.requested) or a prefix (introduction.*)"
    )
    subject: str | None = strawberry.field(default=None, description="A subject's id")
    from_: dt.datetime | None = strawberry.field(name="from", default=None)
    to: dt.datetime | None = strawberry.field(default=None, description="Exclusive.")
    actor_kind: str | None = strawberry.field(
        default=None, description="api_client, staff_user, person or system"
    )

    def to_domain(self) -> AuditFilter:
        return AuditFilter(
            partner_id=parse_id(self.partner, "filter.partner") if self.partner else None,
            action=self.action,
            subject_id=self.subject,
            occurred_from=self.from_,
            occurred_to=self.to,
            actor_kind=self.actor_kind,
        )


@strawberry.type(name="AuditVerification")
class AuditVerificationType:
    consortium_id: strawberry.ID
    events_checked: int
    intact: bool
    first_broken_seq: int | None
    break_kind: BreakKind | None
    elapsed_seconds: float
    head_seq: int
    head_hash: str
    checkpoints_checked: int
    message: str

    @classmethod
    def from_domain(cls, r: VerificationReport) -> AuditVerificationType:
        return cls(
            consortium_id=strawberry.ID(str(r.consortium_id)),
            events_checked=r.events_checked,
            intact=r.intact,
            first_broken_seq=r.first_broken_seq,
            break_kind=r.break_kind,
            elapsed_seconds=round(r.elapsed, 3),
            head_seq=r.head_seq,
            head_hash=r.head_hash,
            checkpoints_checked=r.checkpoints_checked,
            message=r.message,
        )


def _after_seq(after: str | None) -> int | None:
    text = decode_cursor(after)
    if text is None:
        return None
    if not text.isdigit() or len(text) > 19:
        raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid")
    return int(text)


@strawberry.type
class Query:
    @strawberry.field(description="The consortium's audit events, newest first (admins).")
    async def audit_events(
        self,
        info: strawberry.Info[Context, None],
        filter: AuditEventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEventType]:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.AUDIT_READ)
        limit = page_size(first, info.context.settings.max_page_size)
        after_seq = _after_seq(after)
        audit_filter = (filter or AuditEventFilter()).to_domain()
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await oversight.search_events(
                conn, caller, audit_filter, limit=limit, after_seq=after_seq
            )
        return build_connection(
            [AuditEventType.from_domain(e) for e in page.items],
            [str(e.seq) for e in page.items],
            has_next_page=page.has_next_page,
        )

    @strawberry.field(
        description="Recompute the consortium's hash chain against its signed checkpoints."
    )
    async def verify_audit_trail(
        self, info: strawberry.Info[Context, None]
    ) -> AuditVerificationType:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.AUDIT_READ)
        keys = await load_checkpoint_keys(info.context.database, signing=False)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            report = await oversight.verify_trail(conn, caller, keys)
        return AuditVerificationType.from_domain(report)
