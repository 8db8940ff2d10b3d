"""People sign in by emailed one-time links (staff users and candidates alike).

:func:`request_sign_in` answers the same whether or not the address is known;
:func:`redeem_sign_in` turns a link's token into a short-lived access token. Both
are free of HTTP so the JSON routes and the portal call the same functions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from exchange import mail_text
from exchange.identity.keys import KeyStore
from exchange.identity.one_time import (
    OneTimeToken,
    TokenPurpose,
    issue_one_time_token,
    redeem_one_time_token,
    token_scope,
)
from exchange.identity.tokens import ROLE_SCOPES, IssuedToken, SubjectKind, issue_access_token
from infra.caller import Caller, CallerRole
from infra.db import Connection, Database
from infra.errors import UserError
from infra.mail import enqueue_mail, normalize_email
from infra.scope import AccessScope, ScopeRole
from infra.settings import Settings

__all__ = [
    "SIGN_IN_ACCEPTED",
    "SIGN_IN_PATH",
    "AuditRecorder",
    "Identity",
    "TokenPurpose",
    "find_identities",
    "issue_one_time_token",
    "issue_sign_in_link",
    "redeem_one_time_token",
    "redeem_sign_in",
    "request_sign_in",
    "sign_in_link",
    "token_scope",
]

log = logging.getLogger("tussendeur.auth")

SIGN_IN_PATH = "/auth/sign-in/redeem"
SIGN_IN_ACCEPTED = (
    "If this address belongs to an account, a sign-in link is on its way. "
    "It works once, for 15 minutes."
)
MAX_IDENTITIES_PER_MAIL = 5
SIGNED_IN_ACTION = "auth.signed_in"
MAX_LINKS_PER_WINDOW = 5  # per identity per link lifetime: no mail-bombing through this form

# Same signature as exchange.audit.service.record_caller_event; the app factory passes it in
# (infra does not import the domain).
AuditRecorder = Callable[..., Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Identity:
    """Someone an address can sign in as."""

    kind: SubjectKind  # STAFF_USER or PERSON
    id: UUID
    consortium_id: UUID
    role: CallerRole
    partner_id: UUID | None = None
    language: str = "nl"


def sign_in_link(settings: Settings, raw_token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{SIGN_IN_PATH}?token={raw_token}"


async def find_identities(database: Database, email: str) -> list[Identity]:
    """Active staff users and persons whose address is ``email`` (already normalised)."""
    identities: list[Identity] = []
    async with database.transaction(AccessScope.anonymous(email=email)) as conn:
        staff = await conn.fetch(
            """select id, consortium_id, partner_id, role, language from staff_user
               where lower(email) = $1 and disabled_at is null order by created_at, id""",
            email,
        )
        contacts = await conn.fetch(
            """select person_id from person_contact where lower(email) = $1
               order by created_at, person_id""",
            email,
        )
    for row in staff:
        identities.append(
            Identity(
                SubjectKind.STAFF_USER,
                row["id"],
                row["consortium_id"],
                CallerRole(row["role"]),
                row["partner_id"],
                row["language"],
            )
        )
    for contact in contacts[:MAX_IDENTITIES_PER_MAIL]:
        person = await _person(database, contact["person_id"])
        if person is not None:
            identities.append(person)
    return identities[:MAX_IDENTITIES_PER_MAIL]


async def _person(database: Database, person_id: UUID) -> Identity | None:
    scope = AccessScope.anonymous(person_id=str(person_id))
    async with database.transaction(scope) as conn:
        row = await conn.fetchrow(
            "select id, consortium_id, language from person where id = $1", person_id
        )
    if row is None:
        return None
    return Identity(
        SubjectKind.PERSON,
        row["id"],
        row["consortium_id"],
        CallerRole.CANDIDATE,
        language=row["language"],
    )


async def _recent_links(database: Database, identities: list[Identity], ttl: dt.timedelta) -> int:
    staff = [i.id for i in identities if i.kind is SubjectKind.STAFF_USER]
    people = [i.id for i in identities if i.kind is SubjectKind.PERSON]
    # Counting other rows needs the system scope; this transaction does nothing else.
    async with database.transaction(AccessScope.system()) as conn:
        count = await conn.fetchval(
            """select count(*) from sign_in_token
               where purpose = 'SIGN_IN' and created_at > clock_timestamp() - $3::interval
                 and (staff_user_id = any($1::uuid[]) or person_id = any($2::uuid[]))""",
            staff,
            people,
            ttl,
        )
    return int(count or 0)


async def issue_sign_in_link(
    conn: Connection, settings: Settings, identity: Identity, *, now: dt.datetime | None = None
) -> str:
    """A sign-in link for ``identity`` (the demo and CLI print these; requests mail them)."""
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


def _mail_text(language: str, links: list[tuple[Identity, str]], minutes: int) -> tuple[str, str]:
    """The sign-in mail's subject and body (one link, or one per role the address holds)."""
    mail = mail_text.render(
        "sign_in",
        language,
        links=[{"role": identity.role, "url": link} for identity, link in links],
        minutes=minutes,
    )
    return mail.subject, mail.body


async def request_sign_in(
    database: Database, settings: Settings, email: str, *, now: dt.datetime | None = None
) -> str:
    """Mail sign-in links to ``email`` if it names anyone; return :data:`SIGN_IN_ACCEPTED`
    either way. Raises :class:`UserError` (field ``email``) only for a malformed address."""
    address = normalize_email(email)
    identities = await find_identities(database, address)
    if not identities:
        return SIGN_IN_ACCEPTED
    ttl = dt.timedelta(seconds=settings.sign_in_link_ttl_seconds)
    if await _recent_links(database, identities, ttl) >= MAX_LINKS_PER_WINDOW:
        log.info("sign-in link not sent: too many recent requests")
        return SIGN_IN_ACCEPTED
    first = identities[0]
    people = [i.id for i in identities if i.kind is SubjectKind.PERSON]
    async with database.transaction(AccessScope.anonymous(email=address)) as conn:
        links = [(i, await issue_sign_in_link(conn, settings, i, now=now)) for i in identities]
        subject, body = _mail_text(first.language, links, max(1, int(ttl.total_seconds()) // 60))
        await enqueue_mail(
            conn,
            address,
            subject,
            body,
            "sign_in",
            first.language,
            person_id=people[0] if len(people) == 1 and len(identities) == 1 else None,
            consortium_id=first.consortium_id,
        )
    return SIGN_IN_ACCEPTED


def invalid_link() -> UserError:
    return UserError.single(
        "token", "INVALID_LINK", "this sign-in link is invalid, used or expired"
    )


async def _staff_caller(database: Database, token: OneTimeToken) -> Caller | None:
    assert token.staff_user_id is not None
    scope = AccessScope(
        role=ScopeRole.ANONYMOUS,
        consortium_id=token.consortium_id,
        lookups={"staff_user_id": str(token.staff_user_id)},
    )
    async with database.transaction(scope) as conn:
        row = await conn.fetchrow(
            """select s.id, s.consortium_id, s.partner_id, s.role, s.language, p.status
               from staff_user s left join partner p on p.id = s.partner_id
               where s.id = $1 and s.disabled_at is null""",
            token.staff_user_id,
        )
    if row is None or row["consortium_id"] != token.consortium_id:
        return None
    if row["partner_id"] is not None and row["status"] != "ACTIVE":
        return None
    role = CallerRole(row["role"])
    return Caller(
        role=role,
        consortium_id=row["consortium_id"],
        subject=str(row["id"]),
        partner_id=row["partner_id"],
        user_id=row["id"],
        scopes=ROLE_SCOPES[role],
        language=row["language"],
    )


async def _person_caller(database: Database, token: OneTimeToken) -> Caller | None:
    assert token.person_id is not None
    identity = await _person(database, token.person_id)
    if identity is None or identity.consortium_id != token.consortium_id:
        return None
    return Caller(
        role=CallerRole.CANDIDATE,
        consortium_id=identity.consortium_id,
        subject=str(identity.id),
        person_id=identity.id,
        scopes=ROLE_SCOPES[CallerRole.CANDIDATE],
        language=identity.language,
    )


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

    Raises :class:`UserError` (field ``token``, code ``INVALID_LINK``) for a link that is
    malformed, unknown, used or expired, or whose user is gone, disabled or suspended.
    Records ``auth.signed_in`` with pseudonymous ids only.
    """
    if not isinstance(raw_token, str) or len(raw_token) > 128:
        raise invalid_link()
    async with database.transaction(token_scope(raw_token)) as conn:
        token = await redeem_one_time_token(conn, raw_token, TokenPurpose.SIGN_IN, now=now)
    if token is None:
        raise invalid_link()
    if token.staff_user_id is not None:
        caller = await _staff_caller(database, token)
    elif token.person_id is not None:
        caller = await _person_caller(database, token)
    else:
        caller = None
    if caller is None:
        raise invalid_link()
    async with database.transaction(caller.access_scope()) as conn:
        await audit(
            conn,
            caller,
            action=SIGNED_IN_ACTION,
            subject_kind=caller.actor_kind,
            subject_id=caller.subject,
            details={"method": "email_link"},
        )
    ring = await keys.get(database)
    return issue_access_token(ring, settings, caller)
