"""The person's own page: the profile exactly as employers see it and who shared it, the
consent's state and history with receipts, the introductions with the answers given,
who looked; export, withdraw, erase (correcting the profile: :mod:`portal.pages.my_profile`)."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from consent import repository as consent_repository
from consent.models import CollectionMethod, Purpose
from exchange.consent_flow import rights
from exchange.consent_flow import service as flow
from exchange.consent_flow.overview import consent_overview
from exchange.identity.service import end_portal_session
from exchange.introductions import service as introductions
from infra.errors import NotFound, UserError
from infra.scope import AccessScope
from portal.pages.introductions import STATUS as INTRODUCTION_STATUS
from portal.sessions import SESSION_COOKIE
from portal.web import Page, checked_form, finish, portal_page, redirect, render, text

router = APIRouter()

DONE = ("granted", "renewed", "withdrawn", "corrected")  # the notice after a change


def _download(page: Page, document: object, filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return finish(page, response)


@router.get("/portal")
async def portal_home(page: Page = Depends(portal_page)) -> Response:
    if page.staff is not None:
        return redirect(page, "/portal/staff")
    if page.caller is not None:
        return redirect(page, "/portal/me")
    return render(page, "no_session.html")


@router.get("/portal/me")
async def my_data(page: Page = Depends(portal_page), done: str | None = None) -> Response:
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    async with page.database.transaction(caller.access_scope()) as conn:
        try:
            overview = await consent_overview(
                conn, caller, language=page.language, settings=page.settings
            )
        except NotFound:
            overview = None
        consents = await rights.my_consents(conn, caller, page.settings)
        access, _ = await rights.my_access_log(conn, caller, limit=20)
        asked = await introductions.list_my_introductions(
            conn, caller, status=None, limit=50, after=None
        )
    return render(
        page,
        "my_data.html",
        o=overview,
        consents=list(reversed(consents)),
        access=access,
        introductions=[(i, page.gettext(INTRODUCTION_STATUS[i.status])) for i in asked.items],
        done=done if done in DONE else None,
    )


@router.get("/portal/me/receipts/{receipt_id}")
async def receipt(receipt_id: str, page: Page = Depends(portal_page)) -> Response:
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    try:
        wanted = uuid.UUID(receipt_id.removesuffix(".json"))
        async with page.database.transaction(caller.access_scope()) as conn:
            document = await rights.my_receipt(conn, caller, page.settings, receipt_id=wanted)
    except (ValueError, UserError):
        return render(page, "not_found.html", status_code=404)
    return _download(page, document, f"tussendeur-receipt-{wanted}.json")


@router.post("/portal/me/export")
async def export(page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    async with page.database.transaction(caller.access_scope()) as conn:
        document = await rights.export_my_data(conn, caller, page.settings)
    return _download(page, document, "tussendeur-my-data.json")


@router.post("/portal/me/withdraw")
async def withdraw(page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            await flow.withdraw_consent(conn, caller, method=CollectionMethod.PORTAL)
    except UserError:
        return redirect(page, "/portal/me")
    return redirect(page, "/portal/me?done=withdrawn")


@router.post("/portal/me/erase")
async def erase(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    if text(form, "confirm") != "yes":
        return render(page, "erase_confirm.html", status_code=422, missing_confirmation=True)
    async with page.database.transaction(caller.access_scope()) as conn:
        await rights.erase_my_data(conn, caller, page.settings)
    page.cleared_cookies.append(SESSION_COOKIE)
    page.caller = None
    return render(page, "erased.html")


@router.get("/portal/me/erase")
async def erase_confirm(page: Page = Depends(portal_page)) -> Response:
    if page.caller is None:
        return render(page, "no_session.html", status_code=401)
    return render(page, "erase_confirm.html", missing_confirmation=False)


@router.post("/portal/sign-out")
async def sign_out(page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    raw = page.request.cookies.get(SESSION_COOKIE)
    if raw:
        await end_portal_session(page.database, raw)
    page.cleared_cookies.append(SESSION_COOKIE)
    page.caller = page.staff = None
    return render(page, "signed_out.html")


@router.get("/portal/privacy")
async def privacy(page: Page = Depends(portal_page)) -> Response:
    async with page.database.transaction(AccessScope.nobody()) as conn:
        consent_text = await consent_repository.current_text(
            conn, purpose=Purpose.EXCHANGE_MATCHING, language=page.language
        )
    return render(page, "privacy.html", consent_text=consent_text)
