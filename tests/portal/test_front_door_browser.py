"""The front door and a recruiter's emailed link in a real browser (Debian's Chromium,
JavaScript off): from ``/`` to the staff sign-in page, then from the link to the
recruiter's dashboard and out again, with the keyboard and without a request leaving the
app's origin."""

from __future__ import annotations

import pytest

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from infra.caller import CallerRole
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import factories
from tests.support.browser import assert_accessible, browser_page, screenshot
from tests.support.http import path_of


@pytest.mark.slow
async def test_front_door_and_staff_link_in_a_real_browser(  # type: ignore[no-untyped-def]
    served, app_settings: Settings
) -> None:
    base, db = served
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    user_id, _ = await factories.create_staff(db, partner, display_name="Noor")
    identity = Identity(
        SubjectKind.STAFF_USER, user_id, consortium.id, CallerRole.PARTNER_HR, partner.id
    )
    async with db.transaction(AccessScope.system()) as conn:
        link = base + path_of(await issue_sign_in_link(conn, app_settings, identity))

    async with browser_page(base) as page:
        await page.goto(base + "/")
        assert await page.locator("h1").count() == 1
        assert await page.locator("html").get_attribute("lang") == "nl"
        await assert_accessible(page)
        await screenshot(page, "front-door-nl")
        await page.get_by_role("link", name="English").click()
        assert await page.locator("html").get_attribute("lang") == "en"
        await assert_accessible(page)
        await screenshot(page, "front-door-en")
        employer = page.get_by_role("link", name="Sign in as an employer")
        await employer.focus()
        outline = await employer.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline == "solid"  # focus is visible
        await page.keyboard.press("Enter")
        await page.wait_for_url(base + "/portal/staff/sign-in")
        assert await page.get_by_label("Email address").count() == 1
        await assert_accessible(page)
        await screenshot(page, "staff-sign-in-en")

        await page.goto(link)
        await page.get_by_role("button", name="Continue").click()
        await page.wait_for_url(base + "/portal/hr")  # staff home sends a recruiter here
        assert await page.get_by_role("heading", level=1).inner_text() == "Overview"
        main = await page.locator("main").inner_text()
        assert "Signed in as Noor" in main and "Belwerk Parkstad" in main
        assert "access_token" not in await page.content()
        await page.get_by_role("button", name="Sign out").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "You are signed out"
        await page.goto(base + "/portal/staff")
        assert await page.get_by_role("heading", level=1).inner_text() == "Sign in to continue"
