"""Introduction use cases: a partner asks, the person answers, time expires the rest.

Each use case runs inside the caller's one transaction and never commits; a refusal
raises a specific :class:`~infra.errors.UserError` before anything is written, so the
transaction rolls back to exactly where it began.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from uuid import UUID

from exchange.audit.actions import (
    CONTACT_REVEALED,
    INTRODUCTION_ACCEPTED,
    INTRODUCTION_DECLINED,
    INTRODUCTION_EXPIRED,
    INTRODUCTION_REQUESTED,
    INTRODUCTION_WITHDRAWN,
)
from exchange.audit.service import record_caller_event, record_event
from exchange.identity.one_time import TokenPurpose, issue_one_time_token
from exchange.introductions import notices, repository
from exchange.introductions.exceptions import (
    DailyLimitReached,
    IntroductionAlreadyOpen,
    IntroductionExpired,
    IntroductionNotFound,
    IntroductionNotOpen,
    ProfileNotVisible,
)
from exchange.introductions.models import (
    MAX_MESSAGE_LENGTH,
    Introduction,
    IntroductionRules,
    IntroductionStatus,
    MyIntroduction,
)
from exchange.introductions.repository import IntroductionRow
from exchange.vacancies.exceptions import VacancyClosed, VacancyNotFound
from exchange.vacancies.models import VacancyStatus
from exchange.webhooks.events import emit_introduction
from exchange.webhooks.models import EventType
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector
from infra.pagination import Keyset, Page


def clean_message(errors: Collector, field: str, message: str | None) -> str | None:
    """A free-text message: optional, at most 2,000 characters, no control characters."""
    if message is None or not message.strip():
        return None
    text = message.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        errors.add(field, "TOO_LONG", f"must be at most {MAX_MESSAGE_LENGTH} characters")
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        errors.add(field, "INVALID_CHARACTERS", "must not contain control characters")
    return text


# ---------------------------------------------------------------- partner: request


async def request_introduction(
    conn: Connection,
    caller: Caller,
    *,
    profile_id: UUID,
    vacancy_id: UUID,
    message: str | None,
    rules: IntroductionRules | None = None,
    now: dt.datetime | None = None,
) -> Introduction:
    """Ask the person behind a visible profile to meet, for one of the caller's open vacancies.

    Refusals, in this order: invalid message (field errors), NOT_FOUND on vacancyId (also
    for another partner's vacancy), CLOSED, NOT_FOUND on profileId (also for a profile
    hidden from the caller), CONFLICT (one is open already), LIMIT_REACHED.
    """
    caller.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
    assert caller.partner_id is not None
    rules = rules or IntroductionRules()
    now = now or dt.datetime.now(dt.UTC)
    errors = Collector()
    text = clean_message(errors, "message", message)
    errors.raise_if_any()

    status = await repository.lock_own_vacancy(
        conn, vacancy_id=vacancy_id, partner_id=caller.partner_id
    )
    if status is None:
        raise VacancyNotFound(field="vacancyId")
    if status is not VacancyStatus.OPEN:
        raise VacancyClosed(field="vacancyId")
    profile = await repository.find_visible_profile(
        conn, profile_id=profile_id, partner_id=caller.partner_id
    )
    if profile is None:
        raise ProfileNotVisible()

    await repository.lock_request_slot(conn, partner_id=caller.partner_id, profile_id=profile_id)
    if await repository.has_open(conn, profile_id=profile_id, vacancy_id=vacancy_id):
        stale = await repository.expire_due(
            conn, now=now, profile_id=profile_id, vacancy_id=vacancy_id
        )
        if not stale:
            raise IntroductionAlreadyOpen()
        await _audit_closed(conn, stale, action=INTRODUCTION_EXPIRED)
    since = now - dt.timedelta(hours=24)
    recent = await repository.count_requests_since(
        conn, partner_id=caller.partner_id, profile_id=profile_id, since=since
    )
    if recent >= rules.daily_cap:
        raise DailyLimitReached(
            f"at most {rules.daily_cap} introduction requests per profile in 24 hours"
        )

    introduction_id = uuid.uuid4()
    expires_at = now + dt.timedelta(days=rules.ttl_days)
    await repository.insert_introduction(
        conn,
        introduction_id=introduction_id,
        profile=profile,
        vacancy_id=vacancy_id,
        requesting_partner_id=caller.partner_id,
        message=text,
        requested_at=now,
        expires_at=expires_at,
    )
    introduction = await repository.get_partner_introduction(
        conn, introduction_id=introduction_id, partner_id=caller.partner_id
    )
    assert introduction is not None
    await _notify_person(
        conn, caller, introduction, person_id=profile.person_id, rules=rules, now=now
    )
    await emit_introduction(
        conn,
        event_type=EventType.INTRODUCTION_REQUESTED,
        consortium_id=introduction.consortium_id,
        partner_id=caller.partner_id,
        introduction_id=introduction_id,
        profile_id=profile.id,
        vacancy_id=vacancy_id,
        now=now,
    )
    await record_caller_event(
        conn,
        caller,
        action=INTRODUCTION_REQUESTED,
        subject_kind="introduction",
        subject_id=str(introduction_id),
        details={
            "profile_id": str(profile.id),
            "vacancy_id": str(vacancy_id),
            "sharing_partner_id": str(profile.partner_id),
        },
    )
    return introduction


async def _notify_person(
    conn: Connection,
    caller: Caller,
    introduction: Introduction,
    *,
    person_id: UUID,
    rules: IntroductionRules,
    now: dt.datetime,
) -> None:
    """Queue the person's mail with a one-time link to the answer page (it opens the
    person's portal session, so the token names the person as well)."""
    token = await issue_one_time_token(
        conn,
        TokenPurpose.INTRODUCTION,
        ttl=introduction.expires_at - now,
        consortium_id=introduction.consortium_id,
        person_id=person_id,
        profile_id=introduction.profile_id,
        introduction_id=introduction.id,
        now=now,
    )
    assert caller.partner_id is not None
    partner_name = await repository.partner_name(conn, partner_id=caller.partner_id)
    notice = notices.render_request_notice(
        public_url=rules.public_url,
        token=token,
        partner_name=partner_name,
        vacancy_title=introduction.vacancy_title,
        message=introduction.message,
        expires_at=introduction.expires_at,
    )
    await repository.enqueue_notice(
        conn,
        introduction_id=introduction.id,
        template=notices.TEMPLATE,
        subject_nl=notice.subject_nl,
        body_nl=notice.body_nl,
        subject_en=notice.subject_en,
        body_en=notice.body_en,
    )


# ---------------------------------------------------------------- partner: read


async def list_introductions(
    conn: Connection,
    caller: Caller,
    *,
    status: IntroductionStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Introduction]:
    """The caller's requests, newest first; contact data only on accepted ones."""
    caller.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
    assert caller.partner_id is not None
    return await repository.list_partner_introductions(
        conn, partner_id=caller.partner_id, status=status, limit=limit, after=after
    )


async def get_introduction(
    conn: Connection, caller: Caller, introduction_id: UUID
) -> Introduction | None:
    caller.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
    assert caller.partner_id is not None
    return await repository.get_partner_introduction(
        conn, introduction_id=introduction_id, partner_id=caller.partner_id
    )


# ---------------------------------------------------------------- the person


async def list_my_introductions(
    conn: Connection,
    caller: Caller,
    *,
    status: IntroductionStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[MyIntroduction]:
    caller.require(CallerRole.CANDIDATE, Scope.ME)
    assert caller.person_id is not None
    return await repository.list_person_introductions(
        conn, person_id=caller.person_id, status=status, limit=limit, after=after
    )


async def get_my_introduction(
    conn: Connection, caller: Caller, introduction_id: UUID
) -> MyIntroduction | None:
    caller.require(CallerRole.CANDIDATE, Scope.ME)
    assert caller.person_id is not None
    return await repository.get_person_introduction(
        conn, introduction_id=introduction_id, person_id=caller.person_id
    )


async def respond_to_introduction(
    conn: Connection,
    caller: Caller,
    introduction_id: UUID,
    *,
    accept: bool,
    message: str | None = None,
    now: dt.datetime | None = None,
) -> MyIntroduction:
    """The person accepts (contact data goes to the requesting partner alone) or declines."""
    caller.require(CallerRole.CANDIDATE, Scope.ME)
    assert caller.person_id is not None
    now = now or dt.datetime.now(dt.UTC)
    errors = Collector()
    text = clean_message(errors, "message", message)
    errors.raise_if_any()
    row = await repository.lock_person_introduction(
        conn, introduction_id=introduction_id, person_id=caller.person_id
    )
    if row is None:
        raise IntroductionNotFound()
    if row.status is not IntroductionStatus.REQUESTED:
        raise IntroductionNotOpen(f"the introduction is {row.status.value.lower()} already")
    if row.expires_at <= now:
        raise IntroductionExpired()
    status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    await repository.record_response(
        conn, introduction_id=row.id, status=status, message=text, now=now
    )
    details = {
        "profile_id": str(row.profile_id) if row.profile_id else None,
        "vacancy_id": str(row.vacancy_id),
        "requesting_partner_id": str(row.requesting_partner_id),
    }
    await emit_introduction(
        conn,
        event_type=(EventType.INTRODUCTION_ACCEPTED if accept else EventType.INTRODUCTION_DECLINED),
        consortium_id=row.consortium_id,
        partner_id=row.requesting_partner_id,
        introduction_id=row.id,
        profile_id=row.profile_id,
        vacancy_id=row.vacancy_id,
        now=now,
    )
    await record_caller_event(
        conn,
        caller,
        action=INTRODUCTION_ACCEPTED if accept else INTRODUCTION_DECLINED,
        subject_kind="introduction",
        subject_id=str(row.id),
        details=details,
    )
    if accept:
        await record_caller_event(
            conn,
            caller,
            action=CONTACT_REVEALED,
            subject_kind="introduction",
            subject_id=str(row.id),
            details={
                "profile_id": details["profile_id"],
                "requesting_partner_id": details["requesting_partner_id"],
                "fields": ["full_name", "email", "phone"],
            },
        )
    answered = await repository.get_person_introduction(
        conn, introduction_id=row.id, person_id=caller.person_id
    )
    assert answered is not None
    return answered


# ---------------------------------------------------------------- time and withdrawal


async def expire_introductions(conn: Connection, now: dt.datetime) -> int:
    """Expire every open request older than its 14 days; return how many.

    For the retention run, in a system-scoped transaction. Idempotent: a second run
    at the same ``now`` finds nothing.
    """
    total = 0
    while True:
        rows = await repository.expire_due(conn, now=now, limit=500)
        await _audit_closed(conn, rows, action=INTRODUCTION_EXPIRED)
        total += len(rows)
        if len(rows) < 500:
            return total


async def withdraw_introductions_for_profile(conn: Connection, *, profile_id: UUID) -> int:
    """Close the open requests of a profile whose consent was withdrawn or which was erased.

    For the consent flow, in its transaction (the person's or the system scope).
    """
    rows = await repository.withdraw_open_for_profile(conn, profile_id=profile_id)
    await _audit_closed(conn, rows, action=INTRODUCTION_WITHDRAWN, reason="CONSENT_WITHDRAWN")
    return len(rows)


async def _audit_closed(
    conn: Connection,
    rows: Sequence[IntroductionRow],
    *,
    action: str,
    reason: str | None = None,
) -> None:
    for row in rows:
        details: dict[str, str | None] = {
            "profile_id": str(row.profile_id) if row.profile_id else None,
            "vacancy_id": str(row.vacancy_id),
        }
        if reason is not None:
            details["reason"] = reason
        if action == INTRODUCTION_EXPIRED:
            await emit_introduction(
                conn,
                event_type=EventType.INTRODUCTION_EXPIRED,
                consortium_id=row.consortium_id,
                partner_id=row.requesting_partner_id,
                introduction_id=row.id,
                profile_id=row.profile_id,
                vacancy_id=row.vacancy_id,
            )
        await record_event(
            conn,
            consortium_id=row.consortium_id,
            actor_kind="system",
            actor_id=None,
            partner_id=None,
            action=action,
            subject_kind="introduction",
            subject_id=str(row.id),
            details=details,
        )
