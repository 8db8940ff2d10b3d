"""The introduction answer page in a real browser (Playwright, Debian's Chromium by path,
JavaScript off): open the emailed link, read the offer, write a message, accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.db import ConnectionDatabase
from tests.support import introductions
from tests.support.browser import browser_page
from tests.support.http import path_of
from tests.support.mail import emailed_link


@pytest.mark.slow
async def test_accept_an_introduction_in_a_real_browser(
    served: tuple[str, ConnectionDatabase], tmp_path: Path
) -> None:
    base, db = served
    world = await introductions.build_world(db)
    introduction = await introductions.request(
        db, world.hr_b, world.profile.id, world.vacancy_b.id, message="Wij bellen je graag!"
    )
    link = base + path_of(await emailed_link(db, world.profile.person_id, "introduction_request"))

    async with browser_page(base) as page:
        await page.goto(link)
        await page.get_by_role("button", name="Verder").click()
        await page.wait_for_url(f"{base}/portal/introductions/{introduction.id}")
        assert await page.get_by_role("heading", level=1).inner_text() == (
            "Klantcontact Heerlen B wil graag met je kennismaken"
        )
        offer = await page.locator("main").inner_text()
        for expected in ("Klantenservice energie", "Vier weken inwerktraject", "per uur"):
            assert expected in offer
        await page.screenshot(path=str(tmp_path / "introduction.png"), full_page=True)
        message = page.get_by_label("Een bericht aan Klantcontact Heerlen B (niet verplicht)")
        await message.focus()
        await page.keyboard.type("Bel me na vijven")
        await page.get_by_role("button", name="Ja, ik wil graag kennismaken").click()
        await page.wait_for_url(f"{base}/portal/introductions/{introduction.id}?done=accepted")
        status = await page.get_by_role("status").inner_text()
        assert "neemt contact met je op" in status

    (seen,) = await introductions.partner_view(db, world.hr_b)
    assert seen.contact is not None and seen.response_message == "Bel me na vijven"
