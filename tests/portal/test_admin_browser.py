"""The consortium admin's pages in a real browser (Debian's Chromium, JavaScript off):
after a whole exchange, every admin page in Dutch and English passes axe-core without a
serious or critical violation, and is screenshotted; no request leaves the app's origin.
With JavaScript on, the new API client's secret gets its copy button."""

from __future__ import annotations

import pytest

from exchange.consent_flow import rights
from infra.settings import Settings
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.browser import assert_accessible, browser_page, screenshot
from tests.support.exchange_steps import run_exchange
from tests.support.http import path_of
from tests.support.staff_portal import staff_sign_in_link

PAGES = (
    ("", "admin-overview"),
    ("/partners", "admin-partners"),
    ("/clients", "admin-clients"),
    ("/staff", "admin-staff"),
    ("/audit", "admin-audit"),
    ("/audit/checkpoints", "admin-audit-checkpoints"),
    ("/audit/events/1", "admin-audit-event"),
    ("/statistics", "admin-statistics"),
    ("/erasure", "admin-erasure"),
)


@pytest.mark.slow
async def test_admin_pages_in_a_real_browser(  # type: ignore[no-untyped-def]
    served, app_settings: Settings
) -> None:
    base, db = served
    exchanged = await run_exchange(db)
    partner = exchanged.world.a
    # the erasure page shows a notice, overdue: its highlight is axe-checked too
    async with db.transaction(exchanged.world.person.access_scope()) as conn:
        await rights.erase_my_data(conn, exchanged.world.person, app_settings)
    await system_fetch(db, "update erasure_notice set erase_by = now() - interval '1 day'")
    user_id, _ = await factories.create_staff(
        db, partner, role="consortium_admin", display_name="Sanne"
    )

    for language, scripts in (("nl", False), ("en", True)):
        link = await staff_sign_in_link(db, app_settings, user_id, partner, "consortium_admin")
        viewport = {"width": 1280, "height": 900}
        async with browser_page(
            base, language=language, scripts=scripts, viewport=viewport
        ) as page:
            await page.goto(base + path_of(link) + f"&lang={language}")
            await page.locator("main form button[type=submit]").first.click()
            await page.goto(base + "/portal/admin")
            assert await page.locator("html").get_attribute("lang") == language
            suspend = (f"/partners/{exchanged.world.c.id}/suspend", "admin-partner-suspend")
            for path, name in (*PAGES, suspend):
                await page.goto(base + "/portal/admin" + path)
                assert await page.locator("h1").count() == 1, path
                await assert_accessible(page)
                await screenshot(page, f"{name}-{language}")

            await page.goto(base + "/portal/admin/audit/verify")
            await page.locator("main form button[type=submit]").first.click()
            assert await page.locator(".verdict-ok").count() == 1
            await assert_accessible(page)
            await screenshot(page, f"admin-audit-verified-{language}")

            await page.goto(base + "/portal/admin/clients")
            await page.locator("#client-name").fill("ATS test")
            await page.locator("form[aria-labelledby=create] button[type=submit]").click()
            secret = page.locator("#client-secret")
            assert len(await secret.input_value()) > 20
            copy = page.locator("[data-copy-from]")
            assert await copy.is_visible() is scripts  # enhancement only with JavaScript
            await assert_accessible(page)
            await screenshot(page, f"admin-client-created-{language}")
