"""The consent page in a real browser: Playwright driving Debian's Chromium (by path).

The app runs under uvicorn on 127.0.0.1 against a committed test database; the person
opens the emailed link, chooses partners and duration with labels and the keyboard,
confirms, switches to English and downloads the receipt. No request leaves the app's
own origin and the pages need no JavaScript (it is disabled).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import callers, factories
from tests.support.browser import browser_page
from tests.support.http import path_of
from tests.support.mail import emailed_link


@pytest.mark.slow
async def test_consent_in_a_real_browser(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, db = served
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    profile = await factories.share_profile(db, callers.partner_caller(a))
    link = base + path_of(await emailed_link(db, profile.person_id, "consent_request"))

    async with browser_page(base, accept_downloads=True) as page:
        await page.goto(link)
        await page.get_by_role("button", name="Verder").click()
        await page.wait_for_url(base + "/portal/consent")
        assert await page.get_by_role("heading", level=1).inner_text() == (
            "Mag je profiel gedeeld worden?"
        )
        assert await page.locator("html").get_attribute("lang") == "nl"
        # every visible form control has a label
        unlabeled = await page.locator(
            "input:not([type=hidden]):not([id]), select:not([id])"
        ).count()
        assert unlabeled == 0
        await page.get_by_label("alleen de werkgevers die ik aanvink").check()
        await page.get_by_label("Klantpunt Heuvelland").focus()
        await page.keyboard.press("Space")  # keyboard use
        assert await page.get_by_label("Klantpunt Heuvelland").is_checked()
        await page.get_by_label("Voor hoe lang?").select_option("3")
        await page.get_by_role("button", name="Ja, deel mijn profiel").click()
        await page.wait_for_url(base + "/portal/me?done=granted")
        assert "Je keuze is opgeslagen" in await page.locator("main").inner_text()

        await page.get_by_role("link", name="English").click()
        assert await page.get_by_role("heading", level=1).inner_text() == ("Your data and choices")
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="Download receipt").click()
        download = await download_info.value
        saved = tmp_path / "receipt.json"
        await download.save_as(saved)
        receipt = json.loads(saved.read_text())
        purpose = receipt["services"][0]["purposes"][0]
        assert purpose["thirdPartyName"] == "Klantpunt Heuvelland"
        assert receipt["language"] == "nl"

    rows = await db.conn.fetch("select 1")  # the committed world is still there
    assert rows
    assert b.id
