"""Webhook endpoints, their delivery log and redelivery; erasure notices and their confirmation.

A partner's HR (its staff or its systems, scope ``webhooks``) manages its own endpoints; a
consortium admin those of any partner of the consortium. The signing secret is returned
when it is made (register, rotate) and never again: it is stored sealed under the
key-encryption key, so it can sign but not be read back.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.partners import repository as partners_repository
from exchange.partners.exceptions import PartnerNotFound
from exchange.webhooks import repository
from exchange.webhooks.address_guard import AddressPolicy, Resolver, check_target
from exchange.webhooks.exceptions import (
    EndpointDisabled,
    EndpointNotFound,
    MessageNotFound,
    NoticeConfirmed,
    NoticeNotFound,
    TooManyEndpoints,
)
from exchange.webhooks.models import (
    ERASURE_EVENTS,
    Attempt,
    DisabledReason,
    Endpoint,
    EndpointStatus,
    ErasureMethod,
    ErasureNotice,
    EventType,
    Message,
    NewSecret,
    NoticeStatus,
    UnreachablePartner,
)
from exchange.webhooks.notices import repository as notices_repository
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector, Forbidden
from infra.keywrap import KeyEncryptionKeys, SealedSecret

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 32
MAX_ENDPOINTS_PER_PARTNER = 10
MAX_DESCRIPTION = 200


@dataclass(frozen=True, slots=True)
class WebhookContext:
    """What registering and checking an address needs: the policy, a resolver, the KEKs."""

    policy: AddressPolicy
    resolver: Resolver
    keks: KeyEncryptionKeys


def secret_association(endpoint_id: UUID) -> str:
    return f"webhook-endpoint:{endpoint_id}"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal_secret(keks: KeyEncryptionKeys, endpoint_id: UUID, secret: str) -> SealedSecret:
    return keks.seal(secret.encode(), associated=secret_association(endpoint_id))


def open_secret(keks: KeyEncryptionKeys, endpoint_id: UUID, sealed: SealedSecret) -> str:
    return keks.unseal(sealed, associated=secret_association(endpoint_id)).decode()


def _require_manager(caller: Caller) -> None:
    if caller.role is CallerRole.PARTNER_HR:
        caller.require(CallerRole.PARTNER_HR, Scope.WEBHOOKS)
    elif caller.role is CallerRole.CONSORTIUM_ADMIN:
        caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
    else:
        raise Forbidden("webhooks are for partner HR and consortium admins")


async def _target_partner(conn: Connection, caller: Caller, partner_id: UUID | None) -> UUID:
    """The partner an endpoint is for: the caller's own, or (admins) the one named."""
    if caller.role is CallerRole.PARTNER_HR:
        assert caller.partner_id is not None
        if partner_id is not None and partner_id != caller.partner_id:
            raise PartnerNotFound(field="input.partnerId")
        return caller.partner_id
    if partner_id is None:
        raise PartnerNotFound("name the partner the endpoint is for", field="input.partnerId")
    partner = await partners_repository.get_partner(conn, partner_id=partner_id)
    if partner is None or partner.consortium_id != caller.consortium_id:
        raise PartnerNotFound(field="input.partnerId")
    return partner.id


def _event_types(errors: Collector, values: Sequence[str], field: str) -> list[str]:
    known = {e.value for e in EventType}
    if not values:
        errors.add(field, "REQUIRED", "choose at least one event type")
    chosen: list[str] = []
    for index, value in enumerate(values):
        if value not in known:
            errors.add(f"{field}.{index}", "INVALID", f"use one of: {', '.join(sorted(known))}")
        elif value in chosen:
            errors.add(f"{field}.{index}", "DUPLICATE", "listed twice")
        else:
            chosen.append(value)
    return chosen


def _description(errors: Collector, value: str | None) -> str | None:
    text = (value or "").strip() or None
    if text is not None and (len(text) > MAX_DESCRIPTION or not text.isprintable()):
        errors.add(
            "input.description", "TOO_LONG", f"at most {MAX_DESCRIPTION} printable characters"
        )
    return text


async def register_endpoint(
    conn: Connection,
    caller: Caller,
    context: WebhookContext,
    *,
    url: str,
    event_types: Sequence[str],
    partner_id: UUID | None = None,
    description: str | None = None,
) -> NewSecret:
    _require_manager(caller)
    owner = await _target_partner(conn, caller, partner_id)
    errors = Collector()
    chosen = _event_types(errors, event_types, "input.eventTypes")
    text = _description(errors, description)
    errors.raise_if_any()
    target = await check_target(url, context.policy, context.resolver, field="input.url")
    existing = await repository.list_endpoints(
        conn, consortium_id=caller.consortium_id, partner_id=owner
    )
    if sum(e.status is EndpointStatus.ACTIVE for e in existing) >= MAX_ENDPOINTS_PER_PARTNER:
        raise TooManyEndpoints()
    endpoint_id = uuid.uuid4()
    secret = new_secret()
    endpoint = await repository.insert_endpoint(
        conn,
        endpoint_id=endpoint_id,
        consortium_id=caller.consortium_id,
        partner_id=owner,
        url=target.url,
        event_types=chosen,
        description=text,
        sealed=seal_secret(context.keks, endpoint_id, secret),
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.WEBHOOK_ENDPOINT_REGISTERED,
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint_id),
        details={"partner_id": str(owner), "event_types": chosen},
    )
    return NewSecret(endpoint, secret)


async def list_endpoints(
    conn: Connection, caller: Caller, *, partner_id: UUID | None = None
) -> list[Endpoint]:
    _require_manager(caller)
    if caller.role is CallerRole.PARTNER_HR:
        partner_id = caller.partner_id
    return await repository.list_endpoints(
        conn, consortium_id=caller.consortium_id, partner_id=partner_id
    )


async def _own_endpoint(conn: Connection, caller: Caller, endpoint_id: UUID) -> Endpoint:
    _require_manager(caller)
    endpoint = await repository.get_endpoint(
        conn, endpoint_id=endpoint_id, consortium_id=caller.consortium_id, lock=True
    )
    if endpoint is None or (
        caller.role is CallerRole.PARTNER_HR and endpoint.partner_id != caller.partner_id
    ):
        raise EndpointNotFound()
    return endpoint


async def update_endpoint(
    conn: Connection,
    caller: Caller,
    context: WebhookContext,
    *,
    endpoint_id: UUID,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
) -> Endpoint:
    endpoint = await _own_endpoint(conn, caller, endpoint_id)
    if endpoint.status is not EndpointStatus.ACTIVE:
        raise EndpointDisabled()
    errors = Collector()
    chosen = (
        _event_types(errors, event_types, "input.eventTypes")
        if event_types is not None
        else [e.value for e in endpoint.event_types]
    )
    text = _description(errors, description) if description is not None else endpoint.description
    errors.raise_if_any()
    new_url = endpoint.url
    if url is not None:
        new_url = (await check_target(url, context.policy, context.resolver)).url
    updated = await repository.update_endpoint(
        conn, endpoint_id=endpoint.id, url=new_url, event_types=chosen, description=text
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.WEBHOOK_ENDPOINT_UPDATED,
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint.id),
        details={"event_types": chosen},
    )
    return updated


async def rotate_secret(
    conn: Connection, caller: Caller, context: WebhookContext, *, endpoint_id: UUID
) -> NewSecret:
    """A new signing secret; the old one stops signing at once (messages not yet delivered
    are signed with the new one)."""
    endpoint = await _own_endpoint(conn, caller, endpoint_id)
    secret = new_secret()
    rotated = await repository.store_secret(
        conn, endpoint_id=endpoint.id, sealed=seal_secret(context.keks, endpoint.id, secret)
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.WEBHOOK_SECRET_ROTATED,
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint.id),
        details={"secret_version": rotated.secret_version},
    )
    return NewSecret(rotated, secret)


async def disable_endpoint(conn: Connection, caller: Caller, *, endpoint_id: UUID) -> Endpoint:
    endpoint = await _own_endpoint(conn, caller, endpoint_id)
    reason = (
        DisabledReason.BY_ADMIN
        if caller.role is CallerRole.CONSORTIUM_ADMIN
        else DisabledReason.BY_PARTNER
    )
    disabled = await repository.disable_endpoint(conn, endpoint_id=endpoint.id, reason=reason)
    if disabled is None:
        raise EndpointDisabled("the webhook endpoint is disabled already")
    await record_caller_event(
        conn,
        caller,
        action=actions.WEBHOOK_ENDPOINT_DISABLED,
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint.id),
        details={"reason": reason.value},
    )
    return disabled


async def deliveries(
    conn: Connection, caller: Caller, *, endpoint_id: UUID, limit: int = 50
) -> list[tuple[Message, list[Attempt]]]:
    """The endpoint's latest messages, newest first, each with its attempts."""
    endpoint = await _own_endpoint(conn, caller, endpoint_id)
    messages = await repository.list_messages(conn, endpoint_id=endpoint.id, limit=limit)
    attempts = await repository.list_attempts(conn, message_ids=[m.id for m in messages])
    by_message: dict[UUID, list[Attempt]] = {m.id: [] for m in messages}
    for attempt in attempts:
        by_message[attempt.message_id].append(attempt)
    return [(m, by_message[m.id]) for m in messages]


async def redeliver(
    conn: Connection, caller: Caller, *, message_id: UUID, now: dt.datetime | None = None
) -> Message:
    """Queue a message again (same ``webhook-id``, so the receiver can recognise it)."""
    _require_manager(caller)
    message = await repository.get_message(
        conn, message_id=message_id, consortium_id=caller.consortium_id
    )
    if message is None:
        raise MessageNotFound()
    endpoint = await _own_endpoint(conn, caller, message.endpoint_id)
    if endpoint.status is not EndpointStatus.ACTIVE:
        raise EndpointDisabled(field="messageId")
    queued = await repository.requeue_message(
        conn, message_id=message.id, now=now or dt.datetime.now(dt.UTC)
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.WEBHOOK_REDELIVERED,
        subject_kind="webhook_message",
        subject_id=str(message.id),
        details={"endpoint_id": str(endpoint.id)},
    )
    return queued


# ---------------------------------------------------------------- erasure notices


def _require_notice_reader(caller: Caller) -> None:
    if caller.role is CallerRole.PARTNER_HR:
        return
    if caller.role is CallerRole.CONSORTIUM_ADMIN:
        caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        return
    raise Forbidden("erasure notices are for partner HR and consortium admins")


async def confirm_erasure(
    conn: Connection,
    caller: Caller,
    *,
    notice_id: UUID,
    method: ErasureMethod,
    now: dt.datetime | None = None,
) -> ErasureNotice:
    """The partner (its system or staff) confirms it erased or anonymised its copy."""
    caller.require(CallerRole.PARTNER_HR)
    notice = await notices_repository.get_notice(
        conn, notice_id=notice_id, consortium_id=caller.consortium_id
    )
    if notice is None or notice.partner_id != caller.partner_id:
        raise NoticeNotFound()
    if notice.confirmed_at is not None:
        raise NoticeConfirmed()
    confirmed = await notices_repository.confirm_notice(
        conn,
        notice_id=notice.id,
        method=method,
        confirmed_by=f"{caller.actor_kind}:{caller.subject}",
        now=now or dt.datetime.now(dt.UTC),
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.ERASURE_CONFIRMED,
        subject_kind="erasure_notice",
        subject_id=str(notice.id),
        details={"method": method.value},
    )
    return confirmed


async def erasure_notices(
    conn: Connection,
    caller: Caller,
    *,
    status: NoticeStatus | None = None,
    overdue: bool = False,
    partner_id: UUID | None = None,
    limit: int = 100,
    now: dt.datetime | None = None,
) -> list[ErasureNotice]:
    """Admins: every partner's notices (or one partner's); a partner: its own."""
    _require_notice_reader(caller)
    if caller.role is CallerRole.PARTNER_HR:
        partner_id = caller.partner_id
    return await notices_repository.list_notices(
        conn,
        consortium_id=caller.consortium_id,
        partner_id=partner_id,
        confirmed=None if status is None else status is NoticeStatus.CONFIRMED,
        overdue_at=(now or dt.datetime.now(dt.UTC)) if overdue else None,
        limit=max(1, min(limit, 500)),
    )


async def unreachable_partners(conn: Connection, caller: Caller) -> list[UnreachablePartner]:
    """Partners an erasure notice cannot reach: no endpoint for erasure events, no HR mail.

    Reads staff addresses, which a consortium admin may see under its own scope."""
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
    return await notices_repository.unreachable_partners(
        conn, consortium_id=caller.consortium_id, erasure_events=sorted(ERASURE_EVENTS)
    )
