"""Partner administration for consortium admins: register, API clients, suspend, reinstate.

Every use case checks the caller (consortium admin, scope ``admin``) itself, validates
all input before writing, writes its audit event in the caller's transaction and never
commits. Field names in errors follow the GraphQL arguments (``input.slug``,
``partnerId``, ``clientId``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from uuid import UUID

from exchange.admin import repository
from exchange.admin.exceptions import ApiClientNotFound, ApiClientRevoked
from exchange.admin.models import ApiClientInfo, NewApiClient, SuspensionEffect, SuspensionReason
from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.identity.clients import insert_api_client, new_client_credentials
from exchange.partners import repository as partners_repository
from exchange.partners.exceptions import (
    PartnerNotFound,
    PartnerNotSuspended,
    PartnerSuspended,
    SlugTaken,
)
from exchange.partners.models import Partner, PartnerStatus
from exchange.partners.service import new_partner
from exchange.webhooks.events import emit
from exchange.webhooks.models import EventType
from infra.caller import ADMIN_SCOPES, PARTNER_SCOPES, Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector, FieldError, UserError

MAX_CLIENT_NAME = 120


def require_admin(caller: Caller) -> None:
    caller.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)


def slugify(name: str) -> str:
    """A partner slug from its name: ``Bel & Zo Heerlen`` → ``bel-zo-heerlen``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:40].rstrip("-")


def _prefixed(error: UserError, prefix: str) -> UserError:
    return UserError([FieldError(f"{prefix}{e.field}", e.code, e.message) for e in error.errors])


async def register_partner(
    conn: Connection, caller: Caller, *, name: str, slug: str | None = None, city: str | None = None
) -> Partner:
    """Add a partner to the caller's consortium (slug derived from the name when not given)."""
    require_admin(caller)
    chosen = slug if slug is not None else slugify(name)
    try:
        partner = new_partner(consortium_id=caller.consortium_id, slug=chosen, name=name, city=city)
    except UserError as error:
        raise _prefixed(error, "input.") from None
    taken = await partners_repository.get_partner_by_slug(
        conn, consortium_id=caller.consortium_id, slug=partner.slug
    )
    if taken is not None:
        raise SlugTaken(f"a partner '{partner.slug}' exists already", field="input.slug")
    await partners_repository.insert_partner(conn, partner=partner)
    await record_caller_event(
        conn,
        caller,
        action=actions.PARTNER_REGISTERED,
        subject_kind="partner",
        subject_id=str(partner.id),
        details={"slug": partner.slug},
    )
    stored = await partners_repository.get_partner(conn, partner_id=partner.id)
    assert stored is not None
    return stored


async def _partner(conn: Connection, caller: Caller, partner_id: UUID) -> Partner:
    partner = await partners_repository.get_partner(conn, partner_id=partner_id)
    if partner is None or partner.consortium_id != caller.consortium_id:
        raise PartnerNotFound()
    return partner


def _scopes(requested: Sequence[str] | None, allowed: frozenset[Scope]) -> list[str]:
    names = sorted(s.value for s in allowed)
    if requested is None:
        return names
    errors = Collector()
    if not requested:
        errors.add("scopes", "REQUIRED", "give at least one scope")
    for index, scope in enumerate(requested):
        if scope not in names:
            errors.add(f"scopes.{index}", "INVALID_SCOPE", f"use one of: {', '.join(names)}")
    errors.raise_if_any()
    return sorted(set(requested))


async def create_api_client(
    conn: Connection,
    caller: Caller,
    *,
    partner_id: UUID | None,
    name: str | None = None,
    scopes: Sequence[str] | None = None,
) -> NewApiClient:
    """A client for a partner's systems (partner scopes), or for the consortium itself
    (``partner_id`` None: admin scopes). The secret is returned here once and never again."""
    require_admin(caller)
    partner = await _partner(conn, caller, partner_id) if partner_id is not None else None
    errors = Collector()
    label = (name or "").strip() or (f"{partner.slug} integration" if partner else "consortium")
    if len(label) > MAX_CLIENT_NAME or not label.isprintable():
        errors.add("name", "INVALID", f"use at most {MAX_CLIENT_NAME} printable characters")
    if partner is not None and partner.status is not PartnerStatus.ACTIVE:
        errors.add("partnerId", PartnerSuspended.code, "reinstate the partner first")
    errors.raise_if_any()
    granted = _scopes(scopes, PARTNER_SCOPES if partner else ADMIN_SCOPES)
    credentials = new_client_credentials()
    await insert_api_client(
        conn,
        consortium_id=caller.consortium_id,
        partner_id=partner.id if partner else None,
        name=label,
        scopes=granted,
        client_id=credentials.client_id,
        secret_hash=credentials.secret_hash,
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.API_CLIENT_CREATED,
        subject_kind="api_client",
        subject_id=credentials.client_id,
        details={"partner_id": str(partner.id) if partner else None, "scopes": granted},
    )
    client = await repository.get_api_client(
        conn, consortium_id=caller.consortium_id, client_id=credentials.client_id
    )
    assert client is not None
    return NewApiClient(client=client, client_secret=credentials.secret)


async def list_api_clients(
    conn: Connection, caller: Caller, *, partner_id: UUID | None = None
) -> list[ApiClientInfo]:
    require_admin(caller)
    return await repository.list_api_clients(
        conn, consortium_id=caller.consortium_id, partner_id=partner_id
    )


async def revoke_api_client(conn: Connection, caller: Caller, *, client_id: str) -> ApiClientInfo:
    """Revoke a client: its tokens stop working at their next request."""
    require_admin(caller)
    now = dt.datetime.now(dt.UTC)
    revoked = await repository.revoke_api_client(
        conn, consortium_id=caller.consortium_id, client_id=client_id, now=now
    )
    if revoked is None:
        existing = await repository.get_api_client(
            conn, consortium_id=caller.consortium_id, client_id=client_id
        )
        if existing is None:
            raise ApiClientNotFound()
        raise ApiClientRevoked()
    await record_caller_event(
        conn,
        caller,
        action=actions.API_CLIENT_REVOKED,
        subject_kind="api_client",
        subject_id=client_id,
        details={"partner_id": str(revoked.partner_id) if revoked.partner_id else None},
    )
    return revoked


async def suspension_preview(
    conn: Connection, caller: Caller, *, partner_id: UUID
) -> tuple[Partner, SuspensionEffect]:
    """What suspending the partner would take out of the exchange now (nothing changes)."""
    require_admin(caller)
    partner = await _partner(conn, caller, partner_id)
    vacancies, profiles, clients = await repository.exposure(conn, partner_id=partner.id)
    introductions = await repository.open_introductions(conn, partner_id=partner.id)
    return partner, SuspensionEffect(vacancies, profiles, clients, introductions)


async def suspend_partner(
    conn: Connection,
    caller: Caller,
    *,
    partner_id: UUID,
    reason: SuspensionReason = SuspensionReason.OTHER,
) -> tuple[Partner, SuspensionEffect]:
    """Take a partner out of the exchange at once.

    Its tokens fail from their next request (the bearer check reads the partner's status),
    its shared profiles disappear from every other partner's view (row-level security) and
    from matching (the matcher hears the status change), its vacancies leave matching and
    placement proposals, and its open introductions, requested by it or for profiles it
    shared, are withdrawn. Nothing is deleted: reinstating brings the partner, its profiles
    and vacancies back (withdrawn introductions stay withdrawn).
    """
    require_admin(caller)
    partner = await _partner(conn, caller, partner_id)
    now = dt.datetime.now(dt.UTC)
    if not await repository.set_partner_status(conn, partner_id=partner.id, suspended_at=now):
        raise PartnerSuspended("the partner is suspended already")
    vacancies, profiles, clients = await repository.exposure(conn, partner_id=partner.id)
    withdrawn = await repository.withdraw_open_introductions(conn, partner_id=partner.id)
    effect = SuspensionEffect(vacancies, profiles, clients, len(withdrawn))
    await record_caller_event(
        conn,
        caller,
        action=actions.PARTNER_SUSPENDED,
        subject_kind="partner",
        subject_id=str(partner.id),
        details={
            "reason": reason.value,
            "open_vacancies": vacancies,
            "active_profiles": profiles,
            "api_clients": clients,
            "introductions_withdrawn": len(withdrawn),
        },
    )
    for row in withdrawn:
        await record_caller_event(
            conn,
            caller,
            action=actions.INTRODUCTION_WITHDRAWN,
            subject_kind="introduction",
            subject_id=str(row.id),
            details={
                "profile_id": str(row.profile_id) if row.profile_id else None,
                "vacancy_id": str(row.vacancy_id),
                "reason": "PARTNER_SUSPENDED",
            },
        )
    await emit(
        conn,
        consortium_id=partner.consortium_id,
        partner_id=partner.id,
        event_type=EventType.PARTNER_SUSPENDED,
        data={
            "partnerId": str(partner.id),
            "reason": reason.value,
            "introductionIds": [str(row.id) for row in withdrawn],
        },
        now=now,
    )
    suspended = await partners_repository.get_partner(conn, partner_id=partner.id)
    assert suspended is not None
    return suspended, effect


async def reinstate_partner(conn: Connection, caller: Caller, *, partner_id: UUID) -> Partner:
    require_admin(caller)
    partner = await _partner(conn, caller, partner_id)
    if not await repository.set_partner_status(conn, partner_id=partner.id, suspended_at=None):
        raise PartnerNotSuspended()
    await record_caller_event(
        conn,
        caller,
        action=actions.PARTNER_REINSTATED,
        subject_kind="partner",
        subject_id=str(partner.id),
    )
    reinstated = await partners_repository.get_partner(conn, partner_id=partner.id)
    assert reinstated is not None
    return reinstated
