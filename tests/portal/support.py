"""Helpers for portal tests: the emailed link, the CSRF token on a page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from infra.db import Database
from infra.scope import AccessScope

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def emailed_link(db: Database, person_id: UUID, template: str) -> str:
    async with db.transaction(AccessScope.system()) as conn:
        body = await conn.fetchval(
            """select body_text from mail_outbox where person_id = $1 and template = $2
               order by created_at desc limit 1""",
            person_id,
            template,
        )
    assert isinstance(body, str) and body, f"no {template} mail"
    return next(line.strip() for line in body.splitlines() if "token=" in line)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)
