"""Pages behind emailed one-time links: the link page, then one POST that opens a session.

The GET only shows a button (mail scanners that prefetch links do not use them up);
the button's POST uses the link once and opens the person's session. A new page behind
a link (say, answering an introduction) needs only::

    @router.get("/portal/…")        → link_page(page, token, "/portal/…/open")
    @router.post("/portal/…/open")  → open_link(page, TokenPurpose.…, "/portal/…")

A link about a request (consent, renewal, introduction) uses :func:`landing_page` instead
of :func:`link_page`: its page says first what the link is for and who asks.
"""

from __future__ import annotations

from fastapi.responses import Response

from exchange.consent_flow.landing import link_landing
from exchange.identity.one_time import TokenPurpose
from exchange.identity.service import open_portal_session
from portal.sessions import SESSION_COOKIE
from portal.web import Page, checked_form, redirect, render, text


def link_page(page: Page, token: str, action: str) -> Response:
    page.shows_link = True
    return render(page, "link_open.html", token=token, action=action, landing=None)


async def landing_page(page: Page, token: str, action: str, purpose: TokenPurpose) -> Response:
    """The link page, saying what the link is for and who asks (the link stays unused)."""
    landing = await link_landing(
        page.database, token, purpose, language=page.language, settings=page.settings
    )
    page.shows_link = True
    return render(page, "link_open.html", token=token, action=action, landing=landing)


async def open_link(page: Page, purpose: TokenPurpose, target: str) -> Response:
    """The button on the link page was pressed: use the link once, open the session."""
    form = await checked_form(page)
    opened = await open_portal_session(
        page.database,
        text(form, "token"),
        purpose,
        minutes=page.settings.portal_session_minutes,
        language=page.language,
    )
    if opened is None:
        return render(page, "link_invalid.html", status_code=400)
    page.new_cookies[SESSION_COOKIE] = opened.raw_token
    page.caller = opened.caller
    return redirect(page, target)
