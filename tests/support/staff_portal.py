"""A staff user signed in to the portal in a test client (through the emailed link, as a
browser does), and the app's match index rebuilt after a test wrote its data."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.partners.models import Partner
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import factories
from tests.support.http import path_of, post_form, token_of


async def staff_sign_in_link(
    db: Database, settings: Settings, user_id: uuid.UUID, partner: Partner, role: str
) -> str:
    """The emailed sign-in link of a staff user of ``partner`` (or of its consortium)."""
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
    role: str = "partner_hr",
    display_name: str = "Noor",
) -> Caller:
    """A new staff user of ``partner`` signed in on ``client``: the caller its pages act as."""
    user_id, _ = await factories.create_staff(db, partner, role=role, display_name=display_name)
    link = await staff_sign_in_link(db, settings, user_id, partner, role)
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/redeem", page=page, token=token_of(link))
    assert opened.status_code == 303, opened.text
    if role == "partner_hr":
        return Caller.partner_staff(partner.consortium_id, partner.id, user_id)
    return Caller.admin(partner.consortium_id, user_id)


async def sign_in_admin(
    client: httpx.AsyncClient, db: Database, settings: Settings, partner: Partner
) -> Caller:
    """A new consortium admin of ``partner``'s consortium, signed in on ``client``."""
    return await sign_in_staff(
        client, db, settings, partner, role="consortium_admin", display_name="Sanne"
    )


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


async def rebuild_match_index(app: FastAPI, db: Database) -> None:
    """The app's match index as the data is now (a rolled-back test's writes are never
    notified to the index's listener)."""
    engine = app.state.services.match_engine
    assert engine is not None
    await engine.build(db)
