"""The consent page behind the emailed link, and the renew page behind the reminder's link.

Thin handlers: the use cases in :mod:`exchange.consent_flow` decide; these pages only
turn forms into choices and results into HTML.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.datastructures import FormData

from consent.models import CollectionMethod
from exchange.consent_flow import service as flow
from exchange.consent_flow.overview import consent_overview
from exchange.identity.one_time import TokenPurpose
from infra.caller import Caller
from infra.errors import FieldError, UserError
from portal.errors import http_status
from portal.links import landing_page, open_link
from portal.sessions import SESSION_COOKIE
from portal.web import Page, checked_form, portal_page, redirect, render, text

router = APIRouter()


def choice_from(form: FormData, *, language: str, keep_allowed: bool) -> flow.ConsentChoice:
    errors: list[FieldError] = []
    ids = []
    for i, value in enumerate(form.getlist("partners")):
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            errors.append(FieldError(f"input.scope.partnerIds.{i}", "INVALID_ID", "not an id"))
    months_text = text(form, "months")
    months: int | None = None
    if months_text and not (keep_allowed and months_text == "keep"):
        if not months_text.isdigit():
            errors.append(FieldError("input.durationMonths", "OUT_OF_RANGE", "1 to 12 months"))
        else:
            months = int(months_text)
    if errors:
        raise UserError(errors)
    return flow.ConsentChoice(
        scope_kind=text(form, "scope"),
        partner_ids=tuple(ids),
        months=months,
        text_version=text(form, "text_version") or None,
        language=language,
    )


async def show_choice(
    page: Page,
    caller: Caller,
    template: str,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
    form: FormData | None = None,
) -> Response:
    async with page.database.transaction(caller.access_scope()) as conn:
        overview = await consent_overview(
            conn, caller, language=page.language, settings=page.settings
        )
    chosen_scope = overview.scope.kind.value if overview.scope else "ALL_PARTNERS"
    chosen = {str(p) for p in overview.scope.partner_ids} if overview.scope else set()
    months = "keep" if overview.status in ("ACTIVE", "PAUSED") else "6"
    if form is not None:
        chosen_scope = text(form, "scope") or chosen_scope
        chosen = {str(v) for v in form.getlist("partners")}
        months = text(form, "months") or months
    return render(
        page,
        template,
        status_code=status_code,
        errors=errors,
        o=overview,
        chosen_scope=chosen_scope,
        chosen_partners=chosen,
        chosen_months=months,
    )


def _no_session(page: Page) -> Response:
    return render(page, "no_session.html", status_code=401)


@router.get("/portal/consent")
async def consent_page(page: Page = Depends(portal_page), token: str | None = None) -> Response:
    if token:
        return await landing_page(page, token, "/portal/consent/open", TokenPurpose.CONSENT)
    if page.caller is None:
        return _no_session(page)
    return await show_choice(page, page.caller, "consent.html")


@router.post("/portal/consent/open")
async def consent_open(page: Page = Depends(portal_page)) -> Response:
    return await open_link(page, TokenPurpose.CONSENT, "/portal/consent")


@router.post("/portal/consent")
async def consent_answer(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return _no_session(page)
    try:
        if text(form, "answer") == "refuse":
            async with page.database.transaction(caller.access_scope()) as conn:
                await flow.refuse_consent(
                    conn, caller, method=CollectionMethod.EMAIL_LINK, language=page.language
                )
            page.cleared_cookies.append(SESSION_COOKIE)
            page.caller = None
            return render(page, "refused.html")
        choice = choice_from(form, language=page.language, keep_allowed=True)
        async with page.database.transaction(caller.access_scope()) as conn:
            await flow.grant_consent(
                conn, caller, choice, method=CollectionMethod.EMAIL_LINK, settings=page.settings
            )
    except UserError as error:
        return await show_choice(
            page,
            caller,
            "consent.html",
            status_code=http_status(error),
            errors=error.errors,
            form=form,
        )
    return redirect(page, "/portal/me?done=granted")


@router.get("/portal/renew")
async def renew_page(page: Page = Depends(portal_page), token: str | None = None) -> Response:
    if token:
        return await landing_page(page, token, "/portal/renew/open", TokenPurpose.RENEW)
    if page.caller is None:
        return _no_session(page)
    return await show_choice(page, page.caller, "renew.html")


@router.post("/portal/renew/open")
async def renew_open(page: Page = Depends(portal_page)) -> Response:
    return await open_link(page, TokenPurpose.RENEW, "/portal/renew")


@router.post("/portal/renew")
async def renew_answer(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return _no_session(page)
    try:
        choice = choice_from(form, language=page.language, keep_allowed=False)
        if choice.months is None:
            choice = flow.ConsentChoice(
                choice.scope_kind, choice.partner_ids, 6, choice.text_version, choice.language
            )
        async with page.database.transaction(caller.access_scope()) as conn:
            await flow.grant_consent(
                conn, caller, choice, method=CollectionMethod.EMAIL_LINK, settings=page.settings
            )
    except UserError as error:
        return await show_choice(
            page,
            caller,
            "renew.html",
            status_code=http_status(error),
            errors=error.errors,
            form=form,
        )
    return redirect(page, "/portal/me?done=renewed")
