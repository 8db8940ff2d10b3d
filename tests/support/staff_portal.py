"""Staff in the portal: an emailed sign-in link, and a browser session opened with it."""

from __future__ import annotations

import uuid

import httpx

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners.models import Partner
from infra.caller import CallerRole
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support.http import path_of, post_form, token_of

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def staff_link(
    db: ConnectionDatabase, settings: Settings, user_id: uuid.UUID, partner: Partner, role: str
) -> str:
    identity = Identity(
        SubjectKind.STAFF_USER,
        user_id,
        partner.consortium_id,
        CallerRole(role),
        partner_id=partner.id if role == "partner_hr" else None,
    )
    async with db.transaction(AccessScope.system()) as conn:
        return await issue_sign_in_link(conn, settings, identity)


async def open_staff_session(
    client: httpx.AsyncClient,
    db: ConnectionDatabase,
    settings: Settings,
    user_id: uuid.UUID,
    partner: Partner,
    role: str = "partner_hr",
) -> None:
    """Sign ``client`` in as the staff user, as a browser opening the emailed link does."""
    link = await staff_link(db, settings, user_id, partner, role)
    client.headers.update(BROWSER)
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.status_code == 303, opened.text
