"""The exchange's whole journey across the roles, through the portal's pages alone (no
GraphQL), in a real browser (Debian's Chromium, JavaScript off), in Dutch and in English.

A recruiter of partner B posts a vacancy (the normaliser's preview first), opens its
matches, reads a score's explanation, shortlists the profile partner A shared and asks for
an introduction; the person accepts from the mailed link; the recruiter sees the contact
data, records the placement and — three months on — its outcome; the consortium admin
finds every step in the audit trail, verifies the chain and sees the placement counted in
the statistics. Every action is taken with the keyboard; axe-core checks every page (no
serious or critical violation) and each is photographed for a reviewer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from infra.mail import MemorySender
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import move_placement_start, system_value
from tests.support.browser import CHROMIUM_FLAGS, assert_accessible, chromium_path, screenshot
from tests.support.consent import grant
from tests.support.http import path_of
from tests.support.mail import Mailbox
from tests.support.staff_portal import staff_sign_in_link
from tests.support.waiting import eventually

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext
    from playwright.async_api import Page as BrowserPage

MAX_TABS = 250
SHARER, HIRER = "Contactcenter Maas", "Belwerk Parkstad"
FULL_NAME, PHONE = "Canary Fenna Bakhuis", "+31 6 55511122"

WORDS = {
    "nl": {
        "hr_h1": "Overzicht",
        "posted": "De vacature staat online.",
        "why": "Waarom deze score",
        "shortlisted": "op de shortlist",
        "accepted": f"{HIRER} heeft nu je naam",
        "contact": "Contactgegevens",
        "placed": "De plaatsing is vastgelegd.",
        "outcome": "De uitkomst is vastgelegd.",
        "at3_yes": "In dienst na 3 maanden\nja",
        "placements": "Plaatsingen in deze periode: ",
    },
    "en": {
        "hr_h1": "Overview",
        "posted": "The vacancy is posted.",
        "why": "Why this score",
        "shortlisted": "on the shortlist",
        "accepted": f"{HIRER} now has your name",
        "contact": "Contact details",
        "placed": "The placement is recorded.",
        "outcome": "The outcome is recorded.",
        "at3_yes": "Employed after 3 months\nyes",
        "placements": "Placements in this period: ",
    },
}


async def _focus(page: BrowserPage, selector: str) -> None:
    """Press Tab until the focused element matches the CSS ``selector`` (no Tab if it
    already does: a page may focus its one button itself)."""
    for _ in range(MAX_TABS):
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is never reached by keyboard")


async def _type_into(page: BrowserPage, selector: str, keys: str) -> None:
    await _focus(page, selector)
    await page.keyboard.type(keys)


async def _type_date(page: BrowserPage, selector: str, day: dt.date) -> None:
    """Type a date into a date field: day-first or month-first, as the browser's own
    language has it (ArrowLeft goes back to the first part)."""
    await _focus(page, selector)
    await page.keyboard.type(f"{day.day:02d}{day.month:02d}{day.year}")
    if await page.locator(selector).input_value() != day.isoformat():
        for _ in range(2):
            await page.keyboard.press("ArrowLeft")
        await page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year}")
    assert await page.locator(selector).input_value() == day.isoformat()


async def _press(page: BrowserPage, selector: str) -> None:
    """Tab to a link or button and press Enter: the page it leads to."""
    await _focus(page, selector)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def _checked(page: BrowserPage, name: str) -> None:
    assert await page.locator("h1").count() == 1, page.url
    await assert_accessible(page)
    await screenshot(page, name)


async def _staff_context(
    browser: Browser, base: str, link: str, language: str
) -> tuple[BrowserContext, BrowserPage]:
    """A browser of its own for a staff user, signed in through the emailed link."""
    context = await browser.new_context(
        locale="nl-NL" if language == "nl" else "en-GB",
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
    )
    page = await context.new_page()
    await page.goto(base + path_of(link) + f"&lang={language}")
    await _press(page, "main form button[type=submit]")
    return context, page


@pytest.mark.slow
@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_whole_journey_through_the_pages(  # type: ignore[no-untyped-def]
    served, app_settings: Settings, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium binary found (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    words = WORDS[language]
    base, db = served
    mailbox = Mailbox(db, MemorySender(), capsys)
    consortium = await factories.create_consortium(db, name="Regio Parkstad")
    sharer = await factories.create_partner(db, consortium, name=SHARER)
    hirer = await factories.create_partner(db, consortium, name=HIRER)
    hr_id, _ = await factories.create_staff(db, hirer, display_name="Noor")
    admin_id, _ = await factories.create_staff(
        db, sharer, role="consortium_admin", display_name="Sanne"
    )
    contact = factories.contact_input(full_name=FULL_NAME, phone=PHONE)
    profile = await factories.share_profile(
        db, callers.partner_caller(sharer), contact=contact, language=language
    )
    await grant(db, callers.candidate_caller(profile))  # the person consents
    hr_link = await staff_sign_in_link(db, app_settings, hr_id, hirer, "partner_hr")
    admin_link = await staff_sign_in_link(db, app_settings, admin_id, sharer, "consortium_admin")
    start = dt.date.today()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        foreign: list[str] = []
        try:
            admin_context, admin = await _staff_context(browser, base, admin_link, language)
            hr_context, hr = await _staff_context(browser, base, hr_link, language)
            for page in (admin, hr):
                page.on(
                    "request",
                    lambda r: foreign.append(r.url) if not r.url.startswith(base) else None,
                )

            # the admin's statistics before: nothing placed yet
            await admin.goto(base + "/portal/admin/statistics")
            assert await admin.locator("main p strong").inner_text() == words["placements"] + "0"
            await _checked(admin, f"journey-admin-statistics-before-{language}")

            # the recruiter posts a vacancy, the requirements checked first
            await hr.wait_for_url(base + "/portal/hr")
            assert await hr.locator("html").get_attribute("lang") == language
            assert await hr.get_by_role("heading", level=1).inner_text() == words["hr_h1"]
            await _checked(hr, f"journey-hr-dashboard-{language}")
            await _press(hr, "a[href='/portal/hr/vacancies/new']")
            await _checked(hr, f"journey-hr-vacancy-form-{language}")
            await _type_into(hr, "#title", "Klantenservice energie")
            await _type_date(hr, "#start_date", start + dt.timedelta(days=14))
            await _type_into(hr, "#postcode_area", "6221")
            await _type_into(hr, "#hours_min", "24")
            await _type_into(hr, "#hours_max", "32")
            await _type_into(hr, "#req-0-phrase", "Zendesk")
            await _type_into(hr, "#req-1-phrase", "klachten afhandelen")
            await _focus(hr, "#req-1-must")
            await hr.keyboard.press("Space")
            await _press(hr, "button[value=check]")
            preview = await hr.locator("#req-1-preview").inner_text()
            assert "klachten afhandelen" in preview and "%" in preview, preview  # → a concept
            await _checked(hr, f"journey-hr-vacancy-preview-{language}")
            await _press(hr, "button[value=save]")
            assert words["posted"] in await hr.locator("main").inner_text()
            vacancy_path = hr.url.removeprefix(base).split("?")[0]
            vacancy_id = vacancy_path.rsplit("/", 1)[1]
            await _checked(hr, f"journey-hr-vacancy-{language}")

            # its matches: the index follows the committed profile within a moment
            async def matched() -> bool | None:
                await hr.goto(base + vacancy_path + "/matches")
                return True if profile.pseudonym in await hr.locator("main").inner_text() else None

            await eventually(matched, within=15, interval=0.3)
            await _checked(hr, f"journey-hr-matches-{language}")
            await _focus(hr, "article.match summary")
            await hr.keyboard.press("Enter")  # opens the explanation
            explanation = hr.locator("article.match table.explanation")
            assert await explanation.is_visible()
            assert "klachten afhandelen" in await explanation.inner_text()
            assert words["why"] in await hr.locator("article.match summary").inner_text()
            await _checked(hr, f"journey-hr-explanation-{language}")

            # shortlisted, then the introduction asked for from the matches
            await _press(hr, "form[action$='/shortlist'] button[type=submit]")
            assert words["shortlisted"] in await hr.locator("article.match h2").inner_text()
            await hr.goto(base + vacancy_path + "/shortlist")
            assert profile.pseudonym in await hr.locator("main").inner_text()
            await _checked(hr, f"journey-hr-shortlist-{language}")
            await hr.goto(base + vacancy_path + "/matches")
            await _type_into(hr, f"#message-{profile.id}", "We zoeken iemand met Zendesk.")
            await _press(hr, "form.introduce button[type=submit]")
            assert "?done=requested" in hr.url
            introduction_path = hr.url.removeprefix(base).split("?")[0]
            introduction_id = introduction_path.rsplit("/", 1)[1]
            assert FULL_NAME not in await hr.content()
            await _checked(hr, f"journey-hr-introduction-requested-{language}")

            # the person accepts from the mailed link
            link = await mailbox.link(contact.email, "introduction_request")
            person_context = await browser.new_context(
                locale="nl-NL" if language == "nl" else "en-GB", java_script_enabled=False
            )
            person = await person_context.new_page()
            person.on(
                "request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None
            )
            await person.goto(base + path_of(link))
            assert HIRER in await person.locator("h1").inner_text()
            await _checked(person, f"journey-person-link-{language}")
            await _press(person, "main form button[type=submit]")
            assert person.url.startswith(base + "/portal/introductions/")
            await _checked(person, f"journey-person-introduction-{language}")
            await _type_into(person, "main textarea", "Bel me gerust na vijven.")
            await _press(person, "main form button[type=submit][value=accept]")
            assert "?done=accepted" in person.url
            assert words["accepted"] in await person.locator("main").inner_text()
            await _checked(person, f"journey-person-accepted-{language}")
            await person_context.close()

            # the recruiter sees the contact data and records the placement
            await hr.goto(base + introduction_path)
            contact_section = await hr.locator("section.contact").inner_text()
            assert words["contact"] in contact_section
            assert FULL_NAME in contact_section and contact.email in contact_section
            assert PHONE in contact_section
            await _checked(hr, f"journey-hr-contact-{language}")
            await _type_date(hr, "#start_date", start)
            await _press(hr, "form[action$='/placement'] button[type=submit]")
            assert words["placed"] in await hr.locator("main").inner_text()
            await _checked(hr, f"journey-hr-placed-{language}")

            # three months on, the dashboard lists the outcome as due
            await move_placement_start(db, introduction_id, start - dt.timedelta(days=100))
            await hr.goto(base + "/portal/hr")
            await _checked(hr, f"journey-hr-outcome-due-{language}")
            await _press(hr, f"#due ~ ul a[href='{introduction_path}']")
            await _focus(hr, "#at3-unknown")  # the radio group, at its checked radio
            await hr.keyboard.press("ArrowRight")
            assert await hr.locator("#at3-yes").is_checked()
            await _press(hr, "form[action$='/outcome'] button[type=submit]")
            main = await hr.locator("main").inner_text()
            assert words["outcome"] in main and words["at3_yes"] in main
            await _checked(hr, f"journey-hr-outcome-{language}")

            # the admin finds every step in the audit trail, verifies it, sees the placement
            placement_id = await system_value(
                db, "select id::text from placement where introduction_id = $1", introduction_id
            )
            steps = (
                ("vacancy.created", vacancy_id),
                ("profile.shown_in_matches", vacancy_id),
                ("shortlist.added", vacancy_id),
                ("introduction.requested", introduction_id),
                ("introduction.accepted", introduction_id),
                ("contact.revealed", introduction_id),
                ("placement.recorded", placement_id),
                ("placement.outcome_recorded", placement_id),
            )
            await admin.goto(base + "/portal/admin/audit")
            await _checked(admin, f"journey-admin-audit-{language}")
            for action, subject in steps:
                await admin.goto(base + f"/portal/admin/audit?action={action}")
                rows = admin.locator("main table tbody tr")
                found = [await r.inner_text() for r in await rows.all()]
                row = next((r for r in found if action in r and subject in r), None)
                assert row is not None, (action, found)
                assert row.count(action) == 1, row  # named in words, its code once
                await assert_accessible(admin)
                await screenshot(admin, f"journey-admin-audit-{action}-{language}")
            await _press(admin, "a[href='/portal/admin/audit/verify']")
            await _press(admin, "main form button[type=submit]")
            assert await admin.locator(".verdict-ok").count() == 1
            await _checked(admin, f"journey-admin-audit-verified-{language}")
            await admin.goto(base + "/portal/admin/statistics")
            # a single placement: counted, shown as "<5" (no partner can point at a person)
            assert await admin.locator("main p strong").inner_text() == words["placements"] + "<5"
            await _checked(admin, f"journey-admin-statistics-{language}")

            await hr_context.close()
            await admin_context.close()
            assert foreign == []
        finally:
            await browser.close()
