"""Identity's use cases: signing in by emailed one-time links, and portal sessions.

Sign-in is one flow with two doors (``POST /auth/sign-in`` and the portal's form):

1. :func:`accept_sign_in` checks only the shape of the address; the door answers at once,
   the same for every well-formed address;
2. after the answer, :func:`send_sign_in_links` looks the address up and, in one
   transaction serialised per address, counts the recent links, issues new ones and
   queues the mail, so neither the answer nor its timing tells who has an account and the
   cap of links holds however many requests run in parallel;
3. :func:`redeem_sign_in` (the API's link) turns a link into an access token;
   :func:`open_portal_session` (the portal's link) into a portal session, and
   :func:`open_sign_in_session` (the API's link opened in a browser) into a portal
   session for its staff user or person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from exchange import mail_text
from exchange.audit.actions import SIGNED_IN
from exchange.identity import repository
from exchange.identity.exceptions import InvalidLink
from exchange.identity.keys import KeyStore
from exchange.identity.models import (
    Identity,
    SignInDoor,
    StaffProfile,
    StaffStanding,
    SubjectKind,
    TokenPurpose,
)
from exchange.identity.one_time import issue_one_time_token, redeem_one_time_token, token_scope
from exchange.identity.tokens import IssuedToken, issue_access_token
from infra.caller import Caller, CallerRole
from infra.db import Connection, Database, apply_scope
from infra.email_address import normalize_email
from infra.mail import enqueue_mail
from infra.scope import AccessScope, ScopeRole
from infra.settings import Settings

log = logging.getLogger("tussendeur.auth")

SIGN_IN_PATH = "/auth/sign-in/redeem"  # the API's link: a page whose button buys a token
PORTAL_SIGN_IN_PATH = "/portal/sign-in"  # the portal's link: opens a portal session
SIGN_IN_ACCEPTED = (
    "If this address belongs to an account, a sign-in link is on its way. "
    "It works once, for 15 minutes."
)
MAX_IDENTITIES_PER_MAIL = 5
MAX_LINKS_PER_WINDOW = 5  # per address per link lifetime: no mail-bombing through the doors

# Same signature as exchange.audit.service.record_caller_event; the app factory passes it in.
AuditRecorder = Callable[..., Awaitable[object]]


# ---------------------------------------------------------------- asking for a link


def accept_sign_in(email: str) -> str:
    """The normalised address, the only check a door makes before it answers; raises
    :class:`UserError` (field ``email``) for a malformed address."""
    return normalize_email(email, field="email")


def sign_in_link(settings: Settings, raw_token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{SIGN_IN_PATH}?token={raw_token}"


async def issue_sign_in_link(
    conn: Connection, settings: Settings, identity: Identity, *, now: dt.datetime | None = None
) -> str:
    """A sign-in link for ``identity`` (the demo prints these; requests mail them)."""
    raw = await issue_one_time_token(
        conn,
        TokenPurpose.SIGN_IN,
        ttl=dt.timedelta(seconds=settings.sign_in_link_ttl_seconds),
        consortium_id=identity.consortium_id,
        staff_user_id=identity.id if identity.kind is SubjectKind.STAFF_USER else None,
        person_id=identity.id if identity.kind is SubjectKind.PERSON else None,
        now=now,
    )
    return sign_in_link(settings, raw)


async def send_sign_in_links(
    database: Database,
    settings: Settings,
    address: str,
    door: SignInDoor,
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """After a door answered: mail ``address`` its links, if it names anyone and is under
    the cap. Returns how many links were issued. Runs as a job of its own (a background
    task), so it opens its one transaction and logs failures instead of raising: the
    person simply asks again."""
    try:
        async with database.transaction(AccessScope.system()) as conn:
            return await issue_sign_in_links(
                conn, settings, address, door, language=language, now=now
            )
    except Exception:
        log.exception("sign-in link request failed")
        return 0


async def issue_sign_in_links(
    conn: Connection,
    settings: Settings,
    address: str,
    door: SignInDoor,
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Look up, count, issue and queue the mail under a per-address lock, in the caller's
    (system) transaction. The cap counts every link of the address's identities, from
    either door."""
    await repository.lock_sign_in_address(conn, address=address)
    found = await repository.find_identities(conn, email=address, limit=MAX_IDENTITIES_PER_MAIL)
    identities = found[:MAX_IDENTITIES_PER_MAIL]
    if door is SignInDoor.PORTAL:
        identities = [i for i in identities if i.kind is SubjectKind.PERSON]
    if not identities:
        return 0
    ttl = dt.timedelta(seconds=settings.sign_in_link_ttl_seconds)
    recent = await repository.count_recent_sign_in_links(
        conn,
        staff_user_ids=[i.id for i in found if i.kind is SubjectKind.STAFF_USER],
        person_ids=[i.id for i in found if i.kind is SubjectKind.PERSON],
        window=ttl,
    )
    if recent >= MAX_LINKS_PER_WINDOW:
        log.info("sign-in link not sent: too many recent requests")
        return 0
    minutes = max(1, int(ttl.total_seconds()) // 60)
    first = identities[0]
    if door is SignInDoor.PORTAL:
        lang = language if language in mail_text.LANGUAGES else first.language
        links = [
            {
                "url": mail_text.link(
                    settings.public_url,
                    PORTAL_SIGN_IN_PATH,
                    await _portal_token(conn, ttl, person, now),
                    lang,
                ),
                "consortium": person.consortium_name,
            }
            for person in identities
        ]
        mail = mail_text.render("portal_sign_in", lang, links=links, minutes=minutes)
        subject, body, template, lang = mail.subject, mail.body, mail.template, mail.language
    else:
        lang = first.language
        pairs = [(i, await issue_sign_in_link(conn, settings, i, now=now)) for i in identities]
        subject, body = _mail_text(lang, pairs, minutes)
        template = "sign_in"
    people = [i.id for i in identities if i.kind is SubjectKind.PERSON]
    await enqueue_mail(
        conn,
        address,
        subject,
        body,
        template,
        lang if lang in mail_text.LANGUAGES else "nl",
        person_id=people[0] if len(people) == 1 and len(identities) == 1 else None,
        consortium_id=first.consortium_id,
    )
    return len(identities)


async def _portal_token(
    conn: Connection, ttl: dt.timedelta, person: Identity, now: dt.datetime | None
) -> str:
    return await issue_one_time_token(
        conn,
        TokenPurpose.SIGN_IN,
        ttl=ttl,
        consortium_id=person.consortium_id,
        person_id=person.id,
        now=now,
    )


def _mail_text(language: str, links: list[tuple[Identity, str]], minutes: int) -> tuple[str, str]:
    """The sign-in mail's subject and body: one link per account the address holds, each
    named by role, consortium and (for HR) partner, so two consortia's links differ."""
    mail = mail_text.render(
        "sign_in",
        language,
        links=[
            {
                "role": identity.role,
                "url": link,
                "consortium": identity.consortium_name,
                "partner": identity.partner_name,
            }
            for identity, link in links
        ],
        minutes=minutes,
    )
    return mail.subject, mail.body


# ---------------------------------------------------------------- using the API's link


async def _staff_caller(database: Database, consortium_id: UUID, user_id: UUID) -> Caller | None:
    scope = AccessScope(
        role=ScopeRole.ANONYMOUS,
        consortium_id=consortium_id,
        lookups={"staff_user_id": str(user_id)},
    )
    async with database.transaction(scope) as conn:
        staff = await repository.active_staff_user(conn, user_id=user_id)
    return standing_caller(staff, consortium_id)


def standing_caller(staff: StaffStanding | None, consortium_id: UUID) -> Caller | None:
    """The caller of an active staff user of ``consortium_id`` whose partner is active."""
    if staff is None or staff.consortium_id != consortium_id or not staff.partner_active:
        return None
    if staff.role is CallerRole.PARTNER_HR:
        assert staff.partner_id is not None
        return Caller.partner_staff(
            staff.consortium_id, staff.partner_id, staff.id, language=staff.language
        )
    return Caller.admin(staff.consortium_id, staff.id, language=staff.language)


async def _person_caller(database: Database, consortium_id: UUID, person_id: UUID) -> Caller | None:
    async with database.transaction(AccessScope.anonymous(person_id=str(person_id))) as conn:
        person = await repository.find_person(conn, person_id=person_id)
    if person is None or person.consortium_id != consortium_id:
        return None
    return person_caller(person.id, person.consortium_id, person.language)


async def redeem_sign_in(
    database: Database,
    keys: KeyStore,
    settings: Settings,
    raw_token: str,
    *,
    audit: AuditRecorder,
    now: dt.datetime | None = None,
) -> IssuedToken:
    """Use a sign-in link once and issue the person's or staff user's access token.

    Raises :class:`InvalidLink` (field ``token``, code ``INVALID_LINK``) for a link that is
    malformed, unknown, used or expired, or whose user is gone, disabled or suspended.
    Records ``auth.signed_in`` with pseudonymous ids only.
    """
    if not isinstance(raw_token, str) or len(raw_token) > 128:
        raise InvalidLink()
    async with database.transaction(token_scope(raw_token)) as conn:
        token = await redeem_one_time_token(conn, raw_token, TokenPurpose.SIGN_IN, now=now)
    caller = None
    if token is not None and token.consortium_id is not None:
        if token.staff_user_id is not None:
            caller = await _staff_caller(database, token.consortium_id, token.staff_user_id)
        elif token.person_id is not None:
            caller = await _person_caller(database, token.consortium_id, token.person_id)
    if caller is None:
        raise InvalidLink()
    async with database.transaction(caller.access_scope()) as conn:
        await audit(
            conn,
            caller,
            action=SIGNED_IN,
            subject_kind=caller.actor_kind,
            subject_id=caller.subject,
            details={"method": "email_link"},
        )
    ring = await keys.get(database)
    return issue_access_token(ring, settings, caller)


# ---------------------------------------------------------------- portal sessions


@dataclass(frozen=True, slots=True)
class OpenedSession:
    raw_token: str
    caller: Caller
    profile_id: UUID | None


def session_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def person_caller(person_id: UUID, consortium_id: UUID, language: str) -> Caller:
    return Caller.person(consortium_id, person_id, language=language)


async def open_portal_session(
    database: Database,
    raw_link_token: str,
    purpose: TokenPurpose,
    *,
    minutes: int,
    language: str,
) -> OpenedSession | None:
    """Use the emailed link once and open the person's session, in one transaction (a link
    either yields a session or stays unused); ``None`` when the link is unknown, used,
    expired or for something else. The session token is kept as its SHA-256 only."""
    async with database.transaction(token_scope(raw_link_token)) as conn:
        token = await redeem_one_time_token(conn, raw_link_token, purpose)
        if token is None or token.person_id is None or token.consortium_id is None:
            return None
        caller = person_caller(token.person_id, token.consortium_id, language)
        await apply_scope(conn, caller.access_scope())
        if await repository.find_person(conn, person_id=token.person_id) is None:
            return None
        raw = await _store_portal_session(conn, caller, purpose=purpose, minutes=minutes)
    return OpenedSession(raw, caller, token.profile_id)


async def _store_portal_session(
    conn: Connection, caller: Caller, *, purpose: TokenPurpose, minutes: int
) -> str:
    """A new portal session for the person or staff user ``caller`` (under their own
    scope); the raw token, which is kept only as its SHA-256."""
    raw = secrets.token_urlsafe(32)
    if caller.person_id is not None:
        await repository.insert_portal_session(
            conn,
            id=uuid.uuid4(),
            token_hash=session_hash(raw),
            consortium_id=caller.consortium_id,
            person_id=caller.person_id,
            purpose=purpose,
            minutes=minutes,
        )
    else:
        assert caller.user_id is not None
        await repository.insert_staff_portal_session(
            conn,
            id=uuid.uuid4(),
            token_hash=session_hash(raw),
            consortium_id=caller.consortium_id,
            staff_user_id=caller.user_id,
            minutes=minutes,
        )
    return raw


async def sign_in_to_portal(
    conn: Connection, caller: Caller, *, method: str, minutes: int, audit: AuditRecorder
) -> OpenedSession:
    """Open a portal session for a caller whose sign-in (``method``: the emailed link,
    OIDC) has been checked, and record ``auth.signed_in`` — the one way every sign-in
    into the portal ends."""
    await apply_scope(conn, caller.access_scope())
    raw = await _store_portal_session(conn, caller, purpose=TokenPurpose.SIGN_IN, minutes=minutes)
    await audit(
        conn,
        caller,
        action=SIGNED_IN,
        subject_kind=caller.actor_kind,
        subject_id=caller.subject,
        details={"method": method, "session": "portal"},
    )
    return OpenedSession(raw, caller, None)


def _session_scope(raw: str) -> AccessScope:
    return AccessScope.anonymous(token_hash=session_hash(raw))


async def portal_session_caller(database: Database, raw: str, *, language: str) -> Caller | None:
    """The person or staff user of an open session; ``None`` for an unknown or expired
    one, and for a staff user since disabled or whose partner is suspended."""
    if not 20 <= len(raw) <= 128:
        return None
    async with database.transaction(_session_scope(raw)) as conn:
        session = await repository.find_session_subject(conn, token_hash=session_hash(raw))
    if session is None:
        return None
    if session.staff_user_id is not None:
        return await _staff_caller(database, session.consortium_id, session.staff_user_id)
    assert session.person_id is not None
    return person_caller(session.person_id, session.consortium_id, language)


async def end_portal_session(database: Database, raw: str) -> None:
    async with database.transaction(_session_scope(raw)) as conn:
        await repository.delete_portal_session(conn, token_hash=session_hash(raw))


# ---------------------------------------------------------------- the API's link in a browser


async def open_sign_in_session(
    database: Database,
    raw_link_token: str,
    *,
    minutes: int,
    language: str,
    audit: AuditRecorder,
    now: dt.datetime | None = None,
) -> OpenedSession | None:
    """The emailed sign-in link (:data:`SIGN_IN_PATH`) opened in a browser: use it once
    and open a portal session for its staff user or person instead of issuing an access
    token. One transaction: the link either yields a session (and ``auth.signed_in``) or
    stays unused. ``None`` for a link that is malformed, unknown, used or expired, or
    whose user is gone, disabled or suspended."""
    if not isinstance(raw_link_token, str) or len(raw_link_token) > 128:
        return None
    async with database.transaction(token_scope(raw_link_token)) as conn:
        token = await redeem_one_time_token(conn, raw_link_token, TokenPurpose.SIGN_IN, now=now)
        if token is None or token.consortium_id is None:
            return None
        caller: Caller | None = None
        if token.staff_user_id is not None:
            lookup = AccessScope(
                role=ScopeRole.ANONYMOUS,
                consortium_id=token.consortium_id,
                lookups={"staff_user_id": str(token.staff_user_id)},
            )
            await apply_scope(conn, lookup)
            staff = await repository.active_staff_user(conn, user_id=token.staff_user_id)
            caller = standing_caller(staff, token.consortium_id)
        elif token.person_id is not None:
            await apply_scope(conn, AccessScope.anonymous(person_id=str(token.person_id)))
            person = await repository.find_person(conn, person_id=token.person_id)
            if person is not None and person.consortium_id == token.consortium_id:
                caller = person_caller(person.id, person.consortium_id, language)
        if caller is None:
            return None
        return await sign_in_to_portal(
            conn, caller, method="email_link", minutes=minutes, audit=audit
        )


async def staff_profile(database: Database, caller: Caller) -> StaffProfile | None:
    """Who a signed-in staff caller is, for their portal page."""
    assert caller.user_id is not None
    async with database.transaction(caller.access_scope()) as conn:
        return await repository.staff_profile(conn, user_id=caller.user_id)
