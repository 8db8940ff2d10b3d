"""Asking for a link to one's own page, and opening it."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.identity.one_time import TokenPurpose
from exchange.identity.portal_link import SIGN_IN_PATH, request_portal_link
from infra.errors import UserError
from portal.links import link_page, open_link
from portal.web import Page, checked_form, portal_page, render, text

router = APIRouter()


@router.get(SIGN_IN_PATH)
async def sign_in_page(page: Page = Depends(portal_page), token: str | None = None) -> Response:
    if token:
        return link_page(page, token, SIGN_IN_PATH + "/open")
    return render(page, "sign_in.html", email="")


@router.post(SIGN_IN_PATH)
async def sign_in_request(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    email = text(form, "email")
    try:
        await request_portal_link(page.database, page.settings, email, language=page.language)
    except UserError as error:
        return render(page, "sign_in.html", status_code=422, errors=error.errors, email=email)
    return render(page, "sign_in_sent.html")


@router.post(SIGN_IN_PATH + "/open")
async def sign_in_open(page: Page = Depends(portal_page)) -> Response:
    return await open_link(page, TokenPurpose.SIGN_IN, "/portal/me")
