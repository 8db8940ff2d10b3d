"""Asking for a link to one's own page, and opening it.

The form is one door of identity's sign-in flow: it answers before the address is looked
up (the lookup, the link and the mail follow in a background task), so neither the page
nor its timing tells whether the address is known. Requests are throttled per source
address, one count with ``POST /auth/sign-in`` (:mod:`exchange.identity.throttle`).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends
from fastapi.responses import Response

from exchange.identity import throttle
from exchange.identity.models import SignInDoor, TokenPurpose
from exchange.identity.service import PORTAL_SIGN_IN_PATH, accept_sign_in, send_sign_in_links
from infra.errors import UserError
from portal.links import link_page, open_link
from portal.web import Page, checked_form, portal_page, render, text

router = APIRouter()


@router.get(PORTAL_SIGN_IN_PATH)
async def sign_in_page(page: Page = Depends(portal_page), token: str | None = None) -> Response:
    if token:
        return link_page(page, token, PORTAL_SIGN_IN_PATH + "/open")
    return render(page, "sign_in.html", email="")


@router.post(PORTAL_SIGN_IN_PATH)
async def sign_in_request(
    background: BackgroundTasks, page: Page = Depends(portal_page)
) -> Response:
    return await answer_sign_in_form(page, background, SignInDoor.PORTAL, "sign_in")


async def answer_sign_in_form(
    page: Page, background: BackgroundTasks, door: SignInDoor, template: str
) -> Response:
    """Both portal sign-in forms (candidates', staff's): throttle by source address, check
    the address, answer with ``{template}_sent.html`` and look it up only afterwards."""
    form = await checked_form(page)
    client = page.request.client
    verdict = await throttle.admit_sign_in(
        page.database, page.settings, source=client.host if client else None
    )
    if verdict.refused:
        return slow_down(page, verdict)
    email = text(form, "email")
    try:
        address = accept_sign_in(email)
    except UserError as error:
        return render(page, f"{template}.html", status_code=422, errors=error.errors, email=email)
    background.add_task(
        send_sign_in_links, page.database, page.settings, address, door, language=page.language
    )
    return render(page, f"{template}_sent.html")


def slow_down(page: Page, verdict: throttle.Verdict) -> Response:
    """429 with ``Retry-After``: a page saying how long to wait."""
    seconds = verdict.retry_after or 1
    response = render(page, "slow_down.html", status_code=429, minutes=-(-seconds // 60))
    response.headers["Retry-After"] = str(seconds)
    return response


@router.post(PORTAL_SIGN_IN_PATH + "/open")
async def sign_in_open(page: Page = Depends(portal_page)) -> Response:
    return await open_link(page, TokenPurpose.SIGN_IN, "/portal/me")
