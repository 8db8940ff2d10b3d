"""The recruiter's pages in a real browser (Debian's Chromium, JavaScript off): signed in by
the emailed link, a vacancy posted with the keyboard only (tabbing through the form, the
requirements checked first), then the matches, introductions, shared profiles and
proposals; axe-core on every page and screenshots of the main pages in Dutch and English."""

from __future__ import annotations

import datetime as dt

import pytest

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from infra.caller import CallerRole
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.browser import assert_accessible, browser_page, screenshot
from tests.support.http import path_of

MAX_TABS = 200


async def _tab_to(page, matches) -> str:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element satisfies ``matches`` (given its id, name, value
    and tag); its id."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.id || '', e.name || '', e.value || '', e.tagName]; }"
        )
        if matches(*focused):
            return str(focused[0])
    raise AssertionError("never reached by keyboard")


async def _type_date(page, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Type a date into the focused date field: its parts are day-first or month-first,
    as the browser's own language has it (ArrowLeft goes back to the first part)."""
    await page.keyboard.type(f"{day.day:02d}{day.month:02d}{day.year}")
    if await page.locator("#start_date").input_value() != day.isoformat():
        for _ in range(2):
            await page.keyboard.press("ArrowLeft")
        await page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")


@pytest.mark.slow
async def test_recruiter_pages_by_keyboard_accessible_in_both_languages(  # type: ignore[no-untyped-def]
    served, app_settings: Settings
) -> None:
    base, db = served
    consortium = await factories.create_consortium(db)
    sharer = await factories.create_partner(db, consortium, name="Callcenter Maastricht")
    hirer = await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    profile = await factories.share_profile(db, callers.partner_caller(sharer))
    await factories.activate_profile(db, profile)
    user_id, _ = await factories.create_staff(db, hirer, display_name="Noor")
    identity = Identity(
        SubjectKind.STAFF_USER, user_id, consortium.id, CallerRole.PARTNER_HR, hirer.id
    )
    async with db.transaction(AccessScope.system()) as conn:
        link = base + path_of(await issue_sign_in_link(conn, app_settings, identity))
    start = dt.date.today() + dt.timedelta(days=30)

    async with browser_page(base) as page:
        await page.goto(link)
        await page.get_by_role("button", name="Verder").click()
        await page.wait_for_url(base + "/portal/hr")
        assert await page.get_by_role("heading", level=1).inner_text() == "Overzicht"
        await assert_accessible(page)
        await screenshot(page, "hr-dashboard-nl")

        # Post a vacancy with the keyboard only.
        await page.goto(base + "/portal/hr/vacancies/new")
        await assert_accessible(page)
        steps = [
            ("title", "Klantenservice energie"),
            ("start_date", None),
            ("postcode_area", "6411"),
            ("hours_min", "24"),
            ("hours_max", "36"),
            ("req-0-phrase", "Salesforse"),
            ("req-1-phrase", "klachten afhandelen"),
            ("req-1-must", " "),  # Space ticks the must-have box
        ]
        for target, keys in steps:
            await _tab_to(page, lambda i, *_, wanted=target: i == wanted)
            if keys is None:
                await _type_date(page, start)
                assert await page.locator("#start_date").input_value() == start.isoformat()
            elif keys == " ":
                await page.keyboard.press("Space")
            else:
                await page.keyboard.type(keys)
        await _tab_to(page, lambda i, n, v, t: t == "BUTTON" and v == "check")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        preview = await page.locator("#req-0-preview").inner_text()
        assert "Salesforce" in preview, preview
        assert await page.locator("#title").input_value() == "Klantenservice energie"
        await assert_accessible(page)
        await screenshot(page, "hr-vacancy-form-checked-nl")
        await _tab_to(page, lambda i, n, v, t: t == "BUTTON" and v == "save")
        outline = await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # focus is visible
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert "De vacature staat online." in await page.locator("main").inner_text()
        vacancy_url = page.url.split("?")[0]
        await assert_accessible(page)
        await screenshot(page, "hr-vacancy-nl")

        await page.goto(vacancy_url + "/matches")
        main = await page.locator("main").inner_text()
        assert profile.pseudonym in main, main
        await assert_accessible(page)
        await screenshot(page, "hr-matches-nl")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Introductie aanvragen").first.click()
        assert "/portal/hr/introductions/" in page.url
        await assert_accessible(page)
        await screenshot(page, "hr-introduction-nl")

        for path, name in (
            ("/portal/hr/introductions", "hr-introductions"),
            ("/portal/hr/profiles/share", "hr-share-profile"),
            ("/portal/hr/profiles", "hr-profiles"),
            ("/portal/hr/proposals", "hr-proposals"),
            (vacancy_url.removeprefix(base) + "/shortlist", "hr-shortlist"),
        ):
            await page.goto(base + path)
            assert await page.locator("h1").count() == 1
            await assert_accessible(page)
            await screenshot(page, name + "-nl")

        await page.goto(base + "/portal/hr")
        await page.get_by_role("link", name="English").click()
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.get_by_role("heading", level=1).inner_text() == "Overview"
        await screenshot(page, "hr-dashboard-en")
        for path, name in (
            (vacancy_url.removeprefix(base) + "/matches", "hr-matches"),
            ("/portal/hr/vacancies/new", "hr-vacancy-form"),
            ("/portal/hr/introductions", "hr-introductions"),
            ("/portal/hr/profiles/share", "hr-share-profile"),
        ):
            await page.goto(base + path)
            await assert_accessible(page)
            await screenshot(page, name + "-en")

        # With JavaScript on, the form shows the mapping while a phrase is typed.
        browser = page.context.browser
        assert browser is not None
        scripted = await browser.new_context(
            locale="en-GB",
            java_script_enabled=True,
            storage_state=await page.context.storage_state(),
        )
        typing = await scripted.new_page()
        await typing.goto(base + "/portal/hr/vacancies/new")
        await typing.locator("#req-0-phrase").press_sequentially("Salesforse", delay=20)
        await typing.wait_for_function(
            "() => document.getElementById('req-0-preview').textContent.includes('Salesforce')"
        )
        await screenshot(typing, "hr-vacancy-form-typing-en")
        await scripted.close()
