"""Partner staff and consortium admins in the portal: asking for a sign-in link, opening
the emailed link in a browser, and their landing page.

The link staff receive (``/auth/sign-in/redeem?token=…``, the API's door) shows a page
whose button posts here, to ``/portal/sign-in/redeem``: a browser gets a portal session
and its role's page, where an API client posting to the link's own URL gets a JSON
access token. The request form answers before the address is looked up, as the
candidates' form does (:mod:`portal.pages.sign_in`), one throttle count with both.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends
from fastapi.responses import Response

from exchange.audit.service import record_caller_event
from exchange.identity.models import SignInDoor
from exchange.identity.service import open_sign_in_session
from infra.caller import CallerRole
from portal.pages.sign_in import answer_sign_in_form
from portal.sessions import SESSION_COOKIE
from portal.web import Page, checked_form, portal_page, redirect, render, text

router = APIRouter()

STAFF_HOME = "/portal/staff"
STAFF_SIGN_IN = "/portal/staff/sign-in"
LINK_REDEEM = "/portal/sign-in/redeem"
HR_HOME = "/portal/hr"
ADMIN_HOME = "/portal/admin"


@router.get(STAFF_SIGN_IN)
async def staff_sign_in_page(page: Page = Depends(portal_page)) -> Response:
    return render(page, "staff_sign_in.html", email="")


@router.post(STAFF_SIGN_IN)
async def staff_sign_in_request(
    background: BackgroundTasks, page: Page = Depends(portal_page)
) -> Response:
    return await answer_sign_in_form(page, background, SignInDoor.API, "staff_sign_in")


@router.post(LINK_REDEEM)
async def open_emailed_link(page: Page = Depends(portal_page)) -> Response:
    """The button on the sign-in link's page: use the link once, open a session, and go
    to the signed-in role's page."""
    form = await checked_form(page)
    opened = await open_sign_in_session(
        page.database,
        text(form, "token"),
        minutes=page.settings.portal_session_minutes,
        language=page.language,
        audit=record_caller_event,
    )
    if opened is None:
        return render(page, "staff_link_invalid.html", status_code=400)
    page.new_cookies[SESSION_COOKIE] = opened.raw_token
    if opened.caller.role is CallerRole.CANDIDATE:
        page.caller, page.staff = opened.caller, None
        return redirect(page, "/portal/me")
    page.caller, page.staff = None, opened.caller
    return redirect(page, STAFF_HOME)


@router.get(STAFF_HOME)
async def staff_home(page: Page = Depends(portal_page)) -> Response:
    """Where a signed-in staff user starts: a recruiter on the HR dashboard, a consortium
    admin on the administration pages."""
    if page.staff is None:
        return render(page, "staff_no_session.html", status_code=401)
    if page.staff.role is CallerRole.CONSORTIUM_ADMIN:
        return redirect(page, ADMIN_HOME)
    return redirect(page, HR_HOME)
