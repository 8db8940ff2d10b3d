"""Webhook endpoints, their delivery log and redelivery; erasure notices (issue 10)."""

from __future__ import annotations

import datetime as dt

import strawberry

from exchange.webhooks import service
from exchange.webhooks.address_guard import AddressPolicy
from exchange.webhooks.models import (
    Attempt,
    AttemptOutcome,
    DisabledReason,
    Endpoint,
    EndpointStatus,
    ErasureMethod,
    ErasureNotice,
    ErasureReason,
    EventType,
    Message,
    MessageStatus,
    NewSecret,
    NoticeStatus,
    UnreachablePartner,
)
from infra.caller import Caller, CallerRole
from infra.errors import Forbidden, UserError
from infra.key_encryption import key_encryption_keys
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id, to_id

EVENT_TYPES_DESCRIPTION = "Wire names of the events: " + ", ".join(e.value for e in EventType)
EndpointStatusEnum = strawberry.enum(EndpointStatus, name="WebhookEndpointStatus")
DisabledReasonEnum = strawberry.enum(DisabledReason, name="WebhookDisabledReason")
MessageStatusEnum = strawberry.enum(MessageStatus, name="WebhookMessageStatus")
AttemptOutcomeEnum = strawberry.enum(AttemptOutcome, name="WebhookAttemptOutcome")
ErasureMethodEnum = strawberry.enum(ErasureMethod, name="ErasureMethod")
ErasureReasonEnum = strawberry.enum(ErasureReason, name="ErasureReason")
NoticeStatusEnum = strawberry.enum(NoticeStatus, name="ErasureNoticeStatus")


@strawberry.type(name="WebhookEndpoint")
class WebhookEndpointType:
    id: strawberry.ID
    partner_id: strawberry.ID
    url: str
    event_types: list[str]
    description: str | None
    status: EndpointStatus
    disabled_reason: DisabledReason | None
    secret_version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_domain(cls, e: Endpoint) -> WebhookEndpointType:
        return cls(
            id=to_id(e.id),
            partner_id=to_id(e.partner_id),
            url=e.url,
            event_types=[t.value for t in e.event_types],
            description=e.description,
            status=e.status,
            disabled_reason=e.disabled_reason,
            secret_version=e.secret_version,
            created_at=e.created_at,
            updated_at=e.updated_at,
        )


@strawberry.type(name="WebhookAttempt")
class WebhookAttemptType:
    attempted_at: dt.datetime
    status_code: int | None
    latency_ms: int
    outcome: AttemptOutcome
    error: str | None

    @classmethod
    def from_domain(cls, a: Attempt) -> WebhookAttemptType:
        return cls(
            attempted_at=a.attempted_at,
            status_code=a.status_code,
            latency_ms=a.latency_ms,
            outcome=a.outcome,
            error=a.error,
        )


@strawberry.type(name="WebhookMessage")
class WebhookMessageType:
    id: strawberry.ID
    webhook_id: str = strawberry.field(description="The webhook-id header it is sent with.")
    event_type: str
    status: MessageStatus
    attempt_count: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempts: list[WebhookAttemptType]

    @classmethod
    def from_domain(cls, m: Message, attempts: list[Attempt]) -> WebhookMessageType:
        return cls(
            id=to_id(m.id),
            webhook_id=f"msg_{m.id.hex}",
            event_type=m.event_type,
            status=m.status,
            attempt_count=m.attempts,
            next_attempt_at=m.next_attempt_at if m.status is MessageStatus.PENDING else None,
            last_status_code=m.last_status_code,
            created_at=m.created_at,
            delivered_at=m.delivered_at,
            attempts=[WebhookAttemptType.from_domain(a) for a in attempts],
        )


@strawberry.type(name="ErasureNotice")
class ErasureNoticeType:
    id: strawberry.ID
    partner_id: strawberry.ID
    reason: ErasureReason
    profile_id: strawberry.ID | None
    pseudonym: str | None
    introduction_ids: list[strawberry.ID]
    erase_by: dt.datetime
    created_at: dt.datetime
    status: NoticeStatus
    overdue: bool
    confirmed_at: dt.datetime | None
    method: ErasureMethod | None

    @classmethod
    def from_domain(cls, n: ErasureNotice, now: dt.datetime) -> ErasureNoticeType:
        return cls(
            id=to_id(n.id),
            partner_id=to_id(n.partner_id),
            reason=n.reason,
            profile_id=to_id(n.profile_id) if n.profile_id else None,
            pseudonym=n.pseudonym,
            introduction_ids=[to_id(i) for i in n.introduction_ids],
            erase_by=n.erase_by,
            created_at=n.created_at,
            status=n.status,
            overdue=n.overdue(now),
            confirmed_at=n.confirmed_at,
            method=n.method,
        )


@strawberry.type(name="UnreachablePartner")
class UnreachablePartnerType:
    partner_id: strawberry.ID
    name: str

    @classmethod
    def from_domain(cls, p: UnreachablePartner) -> UnreachablePartnerType:
        return cls(partner_id=to_id(p.partner_id), name=p.name)


@strawberry.input
class RegisterWebhookEndpointInput:
    url: str
    event_types: list[str] = strawberry.field(description=EVENT_TYPES_DESCRIPTION)
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Admins name the partner; a partner's own is implied."
    )
    description: str | None = None


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = strawberry.field(
        default=None, description=EVENT_TYPES_DESCRIPTION
    )
    description: str | None = None


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpointType | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_...), shown once on register and rotate; "
        "never again.",
    )
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookMessagePayload:
    message: WebhookMessageType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class ErasureNoticePayload:
    notice: ErasureNoticeType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


def _caller(info: strawberry.Info[Context, None]) -> Caller:
    return info.context.require_any(CallerRole.PARTNER_HR, CallerRole.CONSORTIUM_ADMIN)


def _context(info: strawberry.Info[Context, None]) -> service.WebhookContext:
    settings = info.context.settings
    return service.WebhookContext(
        policy=AddressPolicy.from_settings(settings),
        resolver=info.context.services.webhook_resolver,
        keks=key_encryption_keys(settings),
    )


def _payload(created: NewSecret | Endpoint) -> WebhookEndpointPayload:
    if isinstance(created, NewSecret):
        return WebhookEndpointPayload(
            endpoint=WebhookEndpointType.from_domain(created.endpoint), secret=created.secret
        )
    return WebhookEndpointPayload(endpoint=WebhookEndpointType.from_domain(created))


@strawberry.type
class Query:
    @strawberry.field(description="Webhook endpoints: a partner's own, or (admins) any partner's.")
    async def webhook_endpoints(
        self, info: strawberry.Info[Context, None], partner_id: strawberry.ID | None = None
    ) -> list[WebhookEndpointType]:
        caller = _caller(info)
        partner = parse_id(partner_id, "partnerId") if partner_id else None
        async with info.context.database.transaction(caller.access_scope()) as conn:
            found = await service.list_endpoints(conn, caller, partner_id=partner)
        return [WebhookEndpointType.from_domain(e) for e in found]

    @strawberry.field(description="An endpoint's latest messages with every try (newest first).")
    async def webhook_deliveries(
        self, info: strawberry.Info[Context, None], endpoint_id: strawberry.ID, first: int = 50
    ) -> list[WebhookMessageType]:
        caller = _caller(info)
        endpoint = parse_id(endpoint_id, "endpointId")
        async with info.context.database.transaction(caller.access_scope()) as conn:
            found = await service.deliveries(
                conn, caller, endpoint_id=endpoint, limit=max(1, min(first, 200))
            )
        return [WebhookMessageType.from_domain(m, a) for m, a in found]

    @strawberry.field(description="Erasure notices: admins see every partner's, a partner its own.")
    async def erasure_notices(
        self,
        info: strawberry.Info[Context, None],
        status: NoticeStatus | None = None,
        overdue: bool = False,
        partner_id: strawberry.ID | None = None,
    ) -> list[ErasureNoticeType]:
        caller = _caller(info)
        partner = parse_id(partner_id, "partnerId") if partner_id else None
        now = dt.datetime.now(dt.UTC)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            found = await service.erasure_notices(
                conn, caller, status=status, overdue=overdue, partner_id=partner, now=now
            )
        return [ErasureNoticeType.from_domain(n, now) for n in found]

    @strawberry.field(
        description="Partners an erasure notice cannot reach: no endpoint, no HR mail (admins)."
    )
    async def unreachable_partners(
        self, info: strawberry.Info[Context, None]
    ) -> list[UnreachablePartnerType]:
        caller = _caller(info)
        if caller.role is not CallerRole.CONSORTIUM_ADMIN:
            raise Forbidden("this operation is for consortium_admin callers")
        async with info.context.database.transaction(caller.access_scope()) as conn:
            found = await service.unreachable_partners(conn, caller)
        return [UnreachablePartnerType.from_domain(p) for p in found]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_webhook_endpoint(
        self, info: strawberry.Info[Context, None], input: RegisterWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        caller = _caller(info)
        try:
            partner = parse_id(input.partner_id, "input.partnerId") if input.partner_id else None
            async with info.context.database.transaction(caller.access_scope()) as conn:
                created = await service.register_endpoint(
                    conn,
                    caller,
                    _context(info),
                    url=input.url,
                    event_types=input.event_types,
                    partner_id=partner,
                    description=input.description,
                )
        except UserError as error:
            return WebhookEndpointPayload(user_errors=user_errors(error))
        return _payload(created)

    @strawberry.mutation
    async def update_webhook_endpoint(
        self, info: strawberry.Info[Context, None], input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        caller = _caller(info)
        try:
            endpoint_id = parse_id(input.id, "input.id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                updated = await service.update_endpoint(
                    conn,
                    caller,
                    _context(info),
                    endpoint_id=endpoint_id,
                    url=input.url,
                    event_types=input.event_types,
                    description=input.description,
                )
        except UserError as error:
            return WebhookEndpointPayload(user_errors=user_errors(error))
        return _payload(updated)

    @strawberry.mutation
    async def rotate_webhook_secret(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> WebhookEndpointPayload:
        caller = _caller(info)
        try:
            endpoint_id = parse_id(id, "id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                rotated = await service.rotate_secret(
                    conn, caller, _context(info), endpoint_id=endpoint_id
                )
        except UserError as error:
            return WebhookEndpointPayload(user_errors=user_errors(error))
        return _payload(rotated)

    @strawberry.mutation
    async def disable_webhook_endpoint(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> WebhookEndpointPayload:
        caller = _caller(info)
        try:
            endpoint_id = parse_id(id, "id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                disabled = await service.disable_endpoint(conn, caller, endpoint_id=endpoint_id)
        except UserError as error:
            return WebhookEndpointPayload(user_errors=user_errors(error))
        return _payload(disabled)

    @strawberry.mutation(description="Queue a message again, with the same webhook-id.")
    async def redeliver_webhook_message(
        self, info: strawberry.Info[Context, None], message_id: strawberry.ID
    ) -> WebhookMessagePayload:
        caller = _caller(info)
        try:
            message = parse_id(message_id, "messageId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                queued = await service.redeliver(conn, caller, message_id=message)
        except UserError as error:
            return WebhookMessagePayload(user_errors=user_errors(error))
        return WebhookMessagePayload(message=WebhookMessageType.from_domain(queued, []))

    @strawberry.mutation(description="The partner confirms it erased what a notice names.")
    async def confirm_erasure(
        self,
        info: strawberry.Info[Context, None],
        notice_id: strawberry.ID,
        method: ErasureMethod,
    ) -> ErasureNoticePayload:
        caller = info.context.require(CallerRole.PARTNER_HR)
        try:
            notice = parse_id(notice_id, "noticeId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                confirmed = await service.confirm_erasure(
                    conn, caller, notice_id=notice, method=method
                )
        except UserError as error:
            return ErasureNoticePayload(user_errors=user_errors(error))
        return ErasureNoticePayload(
            notice=ErasureNoticeType.from_domain(confirmed, dt.datetime.now(dt.UTC))
        )
