"""The staff page of erasure notices in a real browser (Chromium, JavaScript off): a
recruiter opens it from the recruiter's menu and confirms an erasure with the keyboard;
axe finds nothing serious, in NL and EN."""

from __future__ import annotations

import pytest

from infra.settings import Settings
from tests.support import factories
from tests.support.browser import assert_accessible, browser_page, screenshot
from tests.support.consent import withdraw
from tests.support.http import path_of
from tests.support.introductions import build_world, request, respond
from tests.support.staff_portal import staff_sign_in_link


@pytest.mark.slow
async def test_a_recruiter_confirms_an_erasure_in_a_real_browser(  # type: ignore[no-untyped-def]
    served, app_settings: Settings
) -> None:
    base, db = served
    world = await build_world(db)
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    await withdraw(db, world.person)
    user_id, _ = await factories.create_staff(db, world.b, display_name="Noor")
    link = base + path_of(
        await staff_sign_in_link(db, app_settings, user_id, world.b, "partner_hr")
    )

    async with browser_page(base) as page:
        await page.goto(link)
        await page.get_by_role("button").first.click()
        await page.wait_for_url(base + "/portal/hr")  # a recruiter lands on their overview
        menu = page.get_by_role("navigation", name="Menu recruiter")
        await menu.get_by_role("link", name="Wisverzoeken").click()
        await page.wait_for_url(base + "/portal/staff/erasure-notices")
        assert await page.get_by_role("heading", level=1).inner_text() == "Wisverzoeken"
        await assert_accessible(page)
        await screenshot(page, "erasure-notices-nl")
        await page.get_by_label("verwijderd").check()
        button = page.get_by_role("button", name="Verwijdering bevestigen")
        await button.focus()
        await page.keyboard.press("Enter")
        await page.wait_for_url(base + "/portal/staff/erasure-notices?done=1")
        assert "de verwijdering is bevestigd" in await page.locator("main").inner_text()
        await page.get_by_role("link", name="English").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Erasure notices"
        await assert_accessible(page)
        await screenshot(page, "erasure-notices-en")
