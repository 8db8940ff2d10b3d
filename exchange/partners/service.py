"""Use cases for consortia and partners that every caller needs."""

from __future__ import annotations

import re
import uuid

from exchange.partners import repository
from exchange.partners.exceptions import SlugTaken
from exchange.partners.models import Consortium, Partner, PartnerStatus
from infra.caller import Caller
from infra.db import Connection
from infra.errors import Collector

SLUG_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")


async def list_partners(conn: Connection, caller: Caller) -> list[Partner]:
    """Every partner of the caller's consortium (names are not secret within it)."""
    return await repository.list_partners(conn, consortium_id=caller.consortium_id)


async def create_consortium(conn: Connection, *, slug: str, name: str) -> Consortium:
    errors = Collector()
    if not SLUG_PATTERN.match(slug):
        errors.add("slug", "INVALID", "use 2-40 lower-case letters, digits or dashes")
    if not name.strip() or len(name) > 120:
        errors.add("name", "INVALID", "name must be 1-120 characters")
    errors.raise_if_any()
    if await repository.get_consortium_by_slug(conn, slug=slug):
        raise SlugTaken(f"a consortium '{slug}' exists already")
    consortium = Consortium(id=uuid.uuid4(), slug=slug, name=name.strip())
    await repository.insert_consortium(conn, consortium=consortium)
    return consortium


def new_partner(*, consortium_id: uuid.UUID, slug: str, name: str, city: str | None) -> Partner:
    """Validate and build a partner (the caller inserts it and audits it)."""
    import datetime as dt

    errors = Collector()
    if not SLUG_PATTERN.match(slug):
        errors.add("slug", "INVALID", "use 2-40 lower-case letters, digits or dashes")
    if not name.strip() or len(name) > 120:
        errors.add("name", "INVALID", "name must be 1-120 characters")
    if city is not None and len(city) > 80:
        errors.add("city", "TOO_LONG", "city must be at most 80 characters")
    errors.raise_if_any()
    return Partner(
        id=uuid.uuid4(),
        consortium_id=consortium_id,
        slug=slug,
        name=name.strip(),
        city=city.strip() if city else None,
        status=PartnerStatus.ACTIVE,
        created_at=dt.datetime.now(dt.UTC),
    )
