"""Double opt-in and the consent changes a person makes: confirm, refuse, change, renew, withdraw.

Every use case runs in the caller's one transaction and never commits. Each grant,
change and withdrawal appends a consent record (with its receipt id) and an audit event,
and mirrors the consent state onto the profile row, which is what row-level security
and the matcher read: a profile leaves every partner's view in the transaction that
ends its consent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from uuid import UUID

from consent import repository as consent_repository
from consent.models import (
    CollectionMethod,
    ConsentEvent,
    ConsentRecord,
    ConsentScope,
    ConsentText,
    Purpose,
    ScopeKind,
)
from consent.retention import check_duration, rules_from
from exchange import mail_text
from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.consent_flow import repository as flow_repository
from exchange.consent_flow.exceptions import NoConsentInForce, NotPending, ProfileNotFound
from exchange.consent_flow.models import ProfileConsent
from exchange.identity.one_time import MAX_TTL, TokenPurpose, issue_one_time_token
from exchange.introductions.service import withdraw_introductions_for_profile
from exchange.partners import repository as partners_repository
from exchange.profiles.models import Profile, ProfileStatus
from exchange.webhooks.events import notify_erasure_for_profile
from exchange.webhooks.models import ErasureReason
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector, NotFound
from infra.mail import enqueue_mail
from infra.settings import Settings

MAX_SCOPE_PARTNERS = 100
IN_FORCE = (ProfileStatus.ACTIVE, ProfileStatus.PAUSED)


@dataclass(frozen=True, slots=True)
class ConsentChoice:
    """What the person chose on the consent page or in ``grantConsent``."""

    scope_kind: str
    partner_ids: tuple[UUID, ...] = ()
    months: int | None = None  # None: the default term, or (when in force) keep the expiry
    text_version: str | None = None  # the version the person read; None: the current one
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentOutcome:
    record: ConsentRecord
    profile_id: UUID
    status: str


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- step 1: the request


async def request_consent(
    conn: Connection,
    caller: Caller,
    *,
    profile: Profile,
    email: str,
    language: str,
    settings: Settings,
) -> None:
    """Send the person the one-time link to the consent page (inside share_profile)."""
    assert profile.pending_until is not None
    link = await consent_page_link(conn, profile=profile, language=language, settings=settings)
    names = await consent_repository.partner_names(conn, partner_ids=[profile.partner_id])
    consortium = await consent_repository.consortium_name(conn, consortium_id=profile.consortium_id)
    mail = mail_text.render(
        "consent_request",
        language,
        partner_name=names.get(profile.partner_id, "Tussendeur"),
        consortium_name=consortium or "Tussendeur",
        link=link,
        pending_until=profile.pending_until,
    )
    await enqueue_mail(
        conn,
        email,
        mail.subject,
        mail.body,
        mail.template,
        mail.language,
        person_id=profile.person_id,
        consortium_id=profile.consortium_id,
    )


# ---------------------------------------------------------------- helpers


def require_person(caller: Caller) -> UUID:
    caller.require(CallerRole.CANDIDATE, Scope.ME)
    assert caller.person_id is not None
    return caller.person_id


async def own_profile(conn: Connection, caller: Caller, *, lock: bool = False) -> ProfileConsent:
    person_id = require_person(caller)
    row = await flow_repository.person_profile_row(conn, person_id=person_id)
    if row is None:
        raise ProfileNotFound()
    if lock:
        locked = await flow_repository.lock_profile(conn, profile_id=row.id)
        if locked is None:
            raise ProfileNotFound()
        return locked
    return row


async def consent_text(
    conn: Connection, errors: Collector, *, version: str | None, language: str
) -> ConsentText | None:
    if version is None:
        text = await consent_repository.current_text(
            conn, purpose=Purpose.EXCHANGE_MATCHING, language=language
        )
    else:
        text = await consent_repository.get_text(
            conn, purpose=Purpose.EXCHANGE_MATCHING, version=version, language=language
        )
    if text is None:
        errors.add("input.textVersion", NotFound.code, "no such consent text in this language")
    return text


async def check_scope(
    conn: Connection,
    errors: Collector,
    choice: ConsentChoice,
    *,
    consortium_id: UUID,
    sharing_partner_id: UUID,
) -> ConsentScope | None:
    try:
        kind = ScopeKind(choice.scope_kind)
    except ValueError:
        errors.add("input.scope.kind", "INVALID", "use ALL_PARTNERS, ONLY or ALL_EXCEPT")
        return None
    ids = tuple(dict.fromkeys(choice.partner_ids))
    field = "input.scope.partnerIds"
    if kind is ScopeKind.ALL_PARTNERS:
        if ids:
            errors.add(field, "NOT_ALLOWED", "leave the list empty for all partners")
        return ConsentScope(kind)
    if not ids:
        errors.add(field, "REQUIRED", "name at least one partner")
        return None
    if len(ids) > MAX_SCOPE_PARTNERS:
        errors.add(field, "TOO_MANY", f"at most {MAX_SCOPE_PARTNERS} partners")
        return None
    partners = {
        p.id for p in await partners_repository.list_partners(conn, consortium_id=consortium_id)
    }
    for i, pid in enumerate(ids):
        if pid not in partners:
            errors.add(f"{field}.{i}", NotFound.code, "not a partner of this consortium")
        elif pid == sharing_partner_id:
            errors.add(
                f"{field}.{i}", "OWN_PARTNER", "the sharing partner never sees the profile anyway"
            )
    return ConsentScope(kind, frozenset(ids))


def _language(caller: Caller, choice_language: str | None, errors: Collector) -> str:
    language = choice_language or caller.language or "nl"
    if language not in ("nl", "en"):
        errors.add("input.language", "UNSUPPORTED_LANGUAGE", "use nl or en")
        return "nl"
    return language


# ---------------------------------------------------------------- step 2: the answer


async def grant_consent(
    conn: Connection,
    caller: Caller,
    choice: ConsentChoice,
    *,
    method: CollectionMethod,
    settings: Settings,
    now: dt.datetime | None = None,
) -> ConsentOutcome:
    """Confirm a pending profile, change the scope, renew, or grant again after an end.

    Pending → GRANTED (ACTIVE). In force: a duration renews (new term from now), no
    duration changes the scope only (expiry kept). Expired or withdrawn (not yet
    erased) → RENEWED (ACTIVE).
    """
    now = now or now_utc()
    rules = rules_from(settings)
    profile = await own_profile(conn, caller, lock=True)
    errors = Collector()
    language = _language(caller, choice.language, errors)
    months = check_duration(errors, "input.durationMonths", choice.months, rules)
    scope = await check_scope(
        conn,
        errors,
        choice,
        consortium_id=profile.consortium_id,
        sharing_partner_id=profile.partner_id,
    )
    text = await consent_text(conn, errors, version=choice.text_version, language=language)
    errors.raise_if_any()
    assert scope is not None and text is not None
    status = profile.status
    active = ProfileStatus.ACTIVE
    if status is ProfileStatus.PENDING_CONSENT:
        event, new_status, expires = ConsentEvent.GRANTED, active, rules.expires_at(now, months)
    elif status in IN_FORCE and choice.months is None:
        assert profile.consent_expires_at is not None  # set while consent is in force
        event, new_status, expires = ConsentEvent.CHANGED, status, profile.consent_expires_at
    elif status in IN_FORCE:
        event, new_status, expires = ConsentEvent.RENEWED, status, rules.expires_at(now, months)
    else:  # EXPIRED or WITHDRAWN, inside the grace period
        event, new_status, expires = ConsentEvent.RENEWED, active, rules.expires_at(now, months)
    record = consent_repository.new_record(
        record_id=uuid.uuid4(),
        receipt_id=uuid.uuid4(),
        consortium_id=profile.consortium_id,
        profile_id=profile.id,
        person_id=profile.person_id,
        collected_by_partner_id=profile.partner_id,
        event=event,
        scope=scope,
        granted_at=now,
        expires_at=expires,
        withdrawn_at=None,
        text=text,
        method=method,
        language=language,
        now=now,
    )
    await consent_repository.insert_record(conn, record=record)
    await flow_repository.set_consent(
        conn, profile_id=profile.id, status=new_status, scope=scope, expires_at=expires, now=now
    )
    if language != caller.language:
        await flow_repository.set_person_language(
            conn, person_id=profile.person_id, language=language
        )
    action = {
        ConsentEvent.GRANTED: actions.CONSENT_GRANTED,
        ConsentEvent.CHANGED: actions.CONSENT_CHANGED,
        ConsentEvent.RENEWED: actions.CONSENT_RENEWED,
    }[event]
    await record_caller_event(
        conn,
        caller,
        action=action,
        subject_kind="profile",
        subject_id=str(profile.id),
        details={
            "consent_record_id": str(record.id),
            "scope_kind": scope.kind.value,
            "scope_partners": len(scope.partner_ids),
            "expires_at": expires.isoformat(),
            "text_version": text.version,
            "method": method.value,
        },
    )
    return ConsentOutcome(record=record, profile_id=profile.id, status=new_status)


async def refuse_consent(
    conn: Connection,
    caller: Caller,
    *,
    method: CollectionMethod,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> ConsentOutcome:
    """The person says no: the pending profile, the person and the contact data are deleted.

    A REFUSED record stays, stripped of references to the person, as evidence."""
    now = now or now_utc()
    profile = await own_profile(conn, caller, lock=True)
    if profile.status is not ProfileStatus.PENDING_CONSENT:
        raise NotPending()
    errors = Collector()
    lang = _language(caller, language, errors)
    text = await consent_text(conn, errors, version=None, language=lang)
    errors.raise_if_any()
    record = consent_repository.new_record(
        record_id=uuid.uuid4(),
        receipt_id=uuid.uuid4(),
        consortium_id=profile.consortium_id,
        profile_id=profile.id,  # both cleared by the deletion below
        person_id=profile.person_id,
        collected_by_partner_id=profile.partner_id,
        event=ConsentEvent.REFUSED,
        scope=None,
        granted_at=None,
        expires_at=None,
        withdrawn_at=now,
        text=text,
        method=method,
        language=lang,
        now=now,
    )
    await consent_repository.insert_record(conn, record=record)
    await record_caller_event(
        conn,
        caller,
        action=actions.CONSENT_REFUSED,
        subject_kind="profile",
        subject_id=str(profile.id),
        details={"consent_record_id": str(record.id), "method": method.value},
    )
    await flow_repository.delete_person(conn, person_id=profile.person_id)
    return ConsentOutcome(record=record, profile_id=profile.id, status="DELETED")


async def withdraw_consent(
    conn: Connection,
    caller: Caller,
    *,
    method: CollectionMethod,
    now: dt.datetime | None = None,
) -> ConsentOutcome:
    """End the consent now: hidden from every partner as this transaction commits, open
    introductions withdrawn, data erased after the grace period unless granted again."""
    now = now or now_utc()
    profile = await own_profile(conn, caller, lock=True)
    if profile.status not in IN_FORCE:
        if profile.status is ProfileStatus.PENDING_CONSENT:
            raise NotPending("this profile waits for your answer: refuse it instead")
        raise NoConsentInForce()
    record = await end_consent(
        conn,
        profile,
        event=ConsentEvent.WITHDRAWN,
        ended_at=now,
        method=method,
        language=caller.language,
        now=now,
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.CONSENT_WITHDRAWN,
        subject_kind="profile",
        subject_id=str(profile.id),
        details={"consent_record_id": str(record.id), "method": method.value},
    )
    return ConsentOutcome(record=record, profile_id=profile.id, status="WITHDRAWN")


async def end_consent(
    conn: Connection,
    profile: ProfileConsent,
    *,
    event: ConsentEvent,
    ended_at: dt.datetime,
    method: CollectionMethod,
    language: str,
    now: dt.datetime,
) -> ConsentRecord:
    """Withdraw or expire: record it, hide the profile, close its open introductions."""
    record = consent_repository.new_record(
        record_id=uuid.uuid4(),
        receipt_id=uuid.uuid4(),
        consortium_id=profile.consortium_id,
        profile_id=profile.id,
        person_id=profile.person_id,
        collected_by_partner_id=profile.partner_id,
        event=event,
        scope=profile.consent_scope,
        granted_at=None,
        expires_at=profile.consent_expires_at,
        withdrawn_at=ended_at if event is ConsentEvent.WITHDRAWN else None,
        text=None,
        method=method,
        language=language if language in ("nl", "en") else "nl",
        now=now,
    )
    await consent_repository.insert_record(conn, record=record)
    status = ProfileStatus.WITHDRAWN if event is ConsentEvent.WITHDRAWN else ProfileStatus.EXPIRED
    await flow_repository.end_consent(
        conn, profile_id=profile.id, status=status, ended_at=ended_at, now=now
    )
    await withdraw_introductions_for_profile(conn, profile_id=profile.id)
    await notify_erasure_for_profile(
        conn,
        consortium_id=profile.consortium_id,
        profile_id=profile.id,
        reason=(
            ErasureReason.CONSENT_WITHDRAWN
            if event is ConsentEvent.WITHDRAWN
            else ErasureReason.CONSENT_EXPIRED
        ),
        now=now,
    )
    return record


async def consent_page_link(
    conn: Connection, *, profile: Profile, language: str, settings: Settings
) -> str:
    """A one-time link to the consent page for the person behind a PENDING_CONSENT profile,
    valid while the profile waits (at most a one-time token's longest life). The consent
    request mails it; the demo shows it for invented people, who are never mailed."""
    assert profile.pending_until is not None
    ttl = min(max(profile.pending_until - now_utc(), dt.timedelta(minutes=1)), MAX_TTL)
    token = await issue_one_time_token(
        conn,
        TokenPurpose.CONSENT,
        ttl=ttl,
        consortium_id=profile.consortium_id,
        person_id=profile.person_id,
        profile_id=profile.id,
    )
    return mail_text.link(settings.public_url, mail_text.CONSENT_PATH, token, language)
