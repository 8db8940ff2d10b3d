"""The axe check the browser tests rely on does fail: a form field without a label and an
image without a text alternative are named (no request leaves the browser: the page is
fulfilled by the test itself)."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, browser_page

INACCESSIBLE = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Form</h1><input type="text" name="who"><img src="data:,">
</main></body></html>"""


@pytest.mark.slow
async def test_the_accessibility_check_names_serious_violations() -> None:
    from playwright.async_api import Route

    url = "http://127.0.0.1:9/inaccessible"

    async def fulfil(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=INACCESSIBLE)

    async with browser_page("http://127.0.0.1:9") as page:
        await page.route(lambda requested: requested == url, fulfil)
        await page.goto(url)
        with pytest.raises(AssertionError) as refused:
            await assert_accessible(page)
    assert "label (critical)" in str(refused.value)
    assert "image-alt (critical)" in str(refused.value)
