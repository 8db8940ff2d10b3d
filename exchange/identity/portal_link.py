"""A person asks for a link to their portal page (no passwords: a one-time link by mail).

The answer is the same whether or not the address is known; at most a few links per
person in one link lifetime, so the form cannot be used to flood a mailbox. The links
are identity's one-time SIGN_IN tokens, opened by the portal.
"""

from __future__ import annotations

import datetime as dt

from exchange import mail_text
from exchange.identity.one_time import TokenPurpose, issue_one_time_token
from exchange.identity.sign_in import find_identities
from exchange.identity.tokens import SubjectKind
from infra.db import Database
from infra.mail import enqueue_mail, normalize_email
from infra.scope import AccessScope
from infra.settings import Settings

SIGN_IN_PATH = "/portal/sign-in"
MAX_LINKS_PER_WINDOW = 5


async def request_portal_link(
    database: Database, settings: Settings, email: str, *, language: str
) -> None:
    """Mail the person's portal link(s); raises ``UserError`` (field ``email``) only for an
    address that is not one."""
    address = normalize_email(email)
    people = [i for i in await find_identities(database, address) if i.kind is SubjectKind.PERSON]
    if not people:
        return
    ttl = dt.timedelta(seconds=settings.sign_in_link_ttl_seconds)
    async with database.transaction(AccessScope.system()) as conn:  # counting needs system
        recent = await conn.fetchval(
            """select count(*) from sign_in_token
               where purpose = 'SIGN_IN' and person_id = any($1::uuid[])
                 and created_at > clock_timestamp() - $2::interval""",
            [p.id for p in people],
            ttl,
        )
    if int(recent or 0) >= MAX_LINKS_PER_WINDOW:
        return
    lang = language if language in mail_text.LANGUAGES else people[0].language
    async with database.transaction(AccessScope.anonymous(email=address)) as conn:
        links = []
        for person in people:
            token = await issue_one_time_token(
                conn,
                TokenPurpose.SIGN_IN,
                ttl=ttl,
                consortium_id=person.consortium_id,
                person_id=person.id,
            )
            links.append(mail_text.link(settings.public_url, SIGN_IN_PATH, token, lang))
        mail = mail_text.render(
            "portal_sign_in", lang, links=links, minutes=max(1, int(ttl.total_seconds()) // 60)
        )
        await enqueue_mail(
            conn,
            address,
            mail.subject,
            mail.body,
            mail.template,
            mail.language,
            person_id=people[0].id if len(people) == 1 else None,
            consortium_id=people[0].consortium_id,
        )
