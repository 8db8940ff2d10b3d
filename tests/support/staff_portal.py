"""A staff user signed in to the portal the way a browser does it: the emailed link's
page, then its button (with the page's CSRF token) — the client keeps the session cookie."""

from __future__ import annotations

import uuid

import httpx

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners.models import Partner
from infra.caller import CallerRole
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import factories
from tests.support.http import path_of, post_form, token_of


async def staff_sign_in_link(
    db: Database, settings: Settings, user_id: uuid.UUID, partner: Partner, role: str
) -> str:
    """The emailed sign-in link of a staff user (``role`` ``partner_hr`` or
    ``consortium_admin``; ``partner`` gives the consortium, and the employer of HR)."""
    identity = Identity(
        SubjectKind.STAFF_USER,
        user_id,
        partner.consortium_id,
        CallerRole(role),
        partner_id=partner.id if role == "partner_hr" else None,
    )
    async with db.transaction(AccessScope.system()) as conn:
        return await issue_sign_in_link(conn, settings, identity)


async def sign_in_staff(
    client: httpx.AsyncClient,
    db: Database,
    settings: Settings,
    partner: Partner,
    *,
    role: str = "consortium_admin",
    display_name: str = "Sanne",
) -> uuid.UUID:
    """A new staff user of ``partner``'s consortium, signed in on ``client``; its id."""
    user_id, _ = await factories.create_staff(db, partner, role=role, display_name=display_name)
    link = await staff_sign_in_link(db, settings, user_id, partner, role)
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.status_code == 303, opened.text
    return user_id


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def open_staff_session(
    client: httpx.AsyncClient,
    db: Database,
    settings: Settings,
    user_id: uuid.UUID,
    partner: Partner,
    role: str = "partner_hr",
) -> None:
    """Sign ``client`` in as an existing staff user, as a browser opening the emailed link
    does (the client keeps the browser's ``Accept`` header afterwards)."""
    link = await staff_sign_in_link(db, settings, user_id, partner, role)
    client.headers.update(BROWSER)
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.status_code == 303, opened.text
