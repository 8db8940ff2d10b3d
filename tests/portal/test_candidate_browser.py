"""A candidate's whole journey in a real browser (Debian's Chromium, JavaScript off), in
Dutch and in English: the emailed consent link, the consent page, my data, correcting the
profile, then the emailed introduction link and accepting it. Every page is checked with
axe-core (no serious or critical violation) and photographed for a reviewer; the
candidate's session never opens a staff page; no request leaves the app's origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from infra.mail import MemorySender
from tests.support import callers, factories
from tests.support import introductions as intro
from tests.support.as_system import system_value
from tests.support.browser import assert_accessible, browser_page, screenshot
from tests.support.http import path_of
from tests.support.mail import Mailbox

if TYPE_CHECKING:
    from playwright.async_api import Page as BrowserPage

WORDS = {
    "nl": {
        "continue": "Verder",
        "consent_h1": "Mag je profiel gedeeld worden?",
        "all": "alle werkgevers",
        "share": "Ja, deel mijn profiel",
        "granted": "Je keuze is opgeslagen",
        "me_h1": "Je gegevens en keuzes",
        "correct": "Je profiel corrigeren",
        "postcode": "Postcodegebied",
        "postcode_error": "Vul de vier cijfers van een Nederlandse postcode in",
        "headline": "Korte omschrijving",
        "save": "Correcties opslaan",
        "corrected": "Je profiel is gecorrigeerd",
        "asks": "Belwerk Parkstad wil graag met je kennismaken",
        "message": "Een bericht aan Belwerk Parkstad (niet verplicht)",
        "accept": "Ja, ik wil graag kennismaken",
        "accepted": "Belwerk Parkstad heeft nu je naam",
        "answer": "je hebt ja gezegd",
        "staff_h1": "Log in om verder te gaan",
    },
    "en": {
        "continue": "Continue",
        "consent_h1": "May your profile be shared?",
        "all": "all employers",
        "share": "Yes, share my profile",
        "granted": "Your choice has been saved",
        "me_h1": "Your data and choices",
        "correct": "Correct your profile",
        "postcode": "Postcode area",
        "postcode_error": "Enter the four digits of a Dutch postcode",
        "headline": "Headline",
        "save": "Save the corrections",
        "corrected": "Your profile has been corrected",
        "asks": "Belwerk Parkstad would like to meet you",
        "message": "A message to Belwerk Parkstad (optional)",
        "accept": "Yes, I would like to meet",
        "accepted": "Belwerk Parkstad now has your name",
        "answer": "you accepted",
        "staff_h1": "Sign in to continue",
    },
}


async def _checked(page: BrowserPage, name: str) -> None:
    assert await page.locator("h1").count() == 1
    await assert_accessible(page)
    await screenshot(page, name)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["nl", "en"])
async def test_a_candidate_consents_and_accepts_an_introduction_in_a_real_browser(  # type: ignore[no-untyped-def]
    served, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    words = WORDS[language]
    base, db = served
    mailbox = Mailbox(db, MemorySender(), capsys)
    consortium = await factories.create_consortium(db, name="Regio Parkstad")
    sharer = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    asker = await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    contact = factories.contact_input(full_name="Canary Fenna Bakhuis")
    profile = await factories.share_profile(
        db, callers.partner_caller(sharer), contact=contact, language=language
    )
    consent_link = base + path_of(await mailbox.link(contact.email, "consent_request"))
    vacancy = await factories.create_vacancy(
        db, callers.partner_caller(asker), title="Klantenservice energie"
    )

    async with browser_page(base, language=language) as page:
        # the front door and the sign-in page
        await page.goto(base + "/")
        await _checked(page, f"candidate-front-door-{language}")
        await page.goto(base + "/portal/sign-in")
        await _checked(page, f"candidate-sign-in-{language}")

        # the consent link: what it is for and who asks, then the choice
        await page.goto(consent_link)
        assert await page.locator("html").get_attribute("lang") == language
        assert "Contactcenter Maas" in await page.locator("h1").inner_text()
        await _checked(page, f"candidate-consent-link-{language}")
        # switching the language there keeps the link: there and back again
        other, back = ("English", "Nederlands") if language == "nl" else ("Nederlands", "English")
        await page.get_by_role("link", name=other).click()
        assert "Contactcenter Maas" in await page.locator("h1").inner_text()
        await page.get_by_role("link", name=back).click()
        assert await page.locator("html").get_attribute("lang") == language
        await page.get_by_role("button", name=words["continue"]).click()
        await page.wait_for_url(base + "/portal/consent")
        assert await page.locator("h1").inner_text() == words["consent_h1"]
        await _checked(page, f"candidate-consent-{language}")
        await page.get_by_label(words["all"], exact=True).check()
        await page.get_by_role("button", name=words["share"]).click()
        await page.wait_for_url(base + "/portal/me?done=granted")
        assert words["granted"] in await page.locator("main").inner_text()
        assert await page.locator("h1").inner_text() == words["me_h1"]
        await _checked(page, f"candidate-my-data-{language}")

        # correcting the profile, with one mistake first
        await page.get_by_role("link", name=words["correct"]).click()
        await page.wait_for_url(base + "/portal/me/profile")
        await _checked(page, f"candidate-correct-profile-{language}")
        await page.get_by_label(words["postcode"]).fill("12")
        await page.get_by_role("button", name=words["save"]).click()
        assert words["postcode_error"] in await page.locator("main").inner_text()
        await _checked(page, f"candidate-correct-profile-error-{language}")
        await page.get_by_label(words["postcode"]).fill("6411")
        await page.get_by_label(words["headline"]).fill("Teamleider in wording")
        await page.get_by_role("button", name=words["save"]).click()
        await page.wait_for_url(base + "/portal/me?done=corrected")
        main = await page.locator("main").inner_text()
        assert words["corrected"] in main and "Teamleider in wording" in main

        # a candidate's session opens no staff page
        for path in ("/portal/staff", "/portal/hr/vacancies", "/portal/admin/partners"):
            response = await page.goto(base + path)
            assert response is not None and response.status in (401, 403, 404)
            assert "Canary Fenna Bakhuis" not in await page.content()
        await page.goto(base + "/portal/staff")
        assert await page.locator("h1").inner_text() == words["staff_h1"]

        # the introduction link from the mail: who asks, then accept
        await intro.request(db, callers.partner_caller(asker), profile.id, vacancy.id, message=None)
        link = base + path_of(await mailbox.link(contact.email, "introduction_request"))
        await page.goto(link)
        assert await page.locator("h1").inner_text() == words["asks"]
        await _checked(page, f"candidate-introduction-link-{language}")
        await page.get_by_role("button", name=words["continue"]).click()
        await page.wait_for_url(base + "/portal/introductions/*")
        assert await page.locator("h1").inner_text() == words["asks"]
        await _checked(page, f"candidate-introduction-{language}")
        await page.get_by_label(words["message"]).fill("Bel me gerust na vijven.")
        await page.get_by_role("button", name=words["accept"]).click()
        await page.wait_for_url("**/portal/introductions/*?done=accepted")
        assert words["accepted"] in await page.locator("main").inner_text()
        await _checked(page, f"candidate-introduction-accepted-{language}")

        await page.goto(base + "/portal/introductions")
        await _checked(page, f"candidate-introductions-{language}")
        await page.goto(base + "/portal/privacy")
        await _checked(page, f"candidate-privacy-{language}")
        await page.goto(base + "/portal/me")
        main = await page.locator("main").inner_text()
        assert words["answer"] in main and "Bel me gerust na vijven." in main

    accepted = await system_value(
        db,
        "select count(*) from introduction where profile_id = $1 and status = 'ACCEPTED'",
        profile.id,
    )
    assert accepted == 1
