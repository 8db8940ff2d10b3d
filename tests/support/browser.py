"""A real browser on the real app: Debian's Chromium by path, and the app under uvicorn on
127.0.0.1 against a committed database (the conftest's ``served`` fixture)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from entrypoints.app import create_app
from infra.db import ConnectionDatabase, dsn_for_role
from infra.settings import Environment, Settings
from tests.support.databases import APP_ROLE, one_connection
from tests.support.processes import free_port

if TYPE_CHECKING:
    from playwright.async_api import Page as BrowserPage
    from playwright.async_api import Route

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


LOCALES = {"nl": "nl-NL", "en": "en-GB"}


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@asynccontextmanager
async def served_on_localhost(
    owner_dsn: str, **settings_overrides: Any
) -> AsyncIterator[tuple[str, ConnectionDatabase]]:
    """The whole app under uvicorn on 127.0.0.1: (its base URL, an app-role connection
    whose every transaction commits); ``settings_overrides`` change its settings."""
    port = free_port()
    settings = Settings(
        env=Environment.TEST,
        database_url=owner_dsn,
        public_url=f"http://127.0.0.1:{port}",
        retention_interval_seconds=0,
        log_json=False,
        **settings_overrides,
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(300):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        async with one_connection(dsn_for_role(owner_dsn, APP_ROLE, None)) as database:
            yield settings.public_url, database
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


@asynccontextmanager
async def browser_page(
    base: str, *, language: str = "nl", scripts: bool = False, **context_options: Any
) -> AsyncIterator[BrowserPage]:
    """A page of a fresh headless Chromium in ``language``'s locale, JavaScript off unless
    ``scripts`` (``context_options`` go to ``new_context``); skips the test where there is
    no Chromium. When the block ends without an error, no request of the page may have
    left ``base``'s origin. ``page.context.browser`` opens further contexts."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium binary found (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    foreign: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = await browser.new_context(
                locale=LOCALES[language], java_script_enabled=scripts, **context_options
            )
            page = await context.new_page()
            page.on(
                "request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None
            )
            yield page
            assert foreign == [], f"requests left {base}: {foreign}"
        finally:
            await browser.close()


SCREENSHOTS_ENV = "TUSSENDEUR_SCREENSHOTS"
SEVERE_IMPACTS = ("serious", "critical")


def screenshots_folder() -> Path:
    """Where the browser tests leave PNGs of the pages for a reviewer (never committed):
    ``$TUSSENDEUR_SCREENSHOTS``, else ``.artifacts/screenshots`` in the checkout."""
    configured = os.environ.get(SCREENSHOTS_ENV)
    folder = (
        Path(configured) if configured else Path(__file__).parents[2] / ".artifacts/screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def screenshot(page: BrowserPage, name: str) -> Path:
    """A full-page PNG named ``name`` (e.g. ``hr-dashboard-nl``) in :func:`screenshots_folder`."""
    path = screenshots_folder() / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def assert_accessible(page: BrowserPage) -> None:
    """axe-core (bundled with axe-playwright-python, no network) on the page as it is now;
    fails naming every serious or critical violation and the elements it found them on.

    The portal's pages run without JavaScript and the tests browse with it off, so axe
    runs on a copy: the page's HTML served at the same URL (its stylesheets come from the
    app) in a second, script-enabled context of the same browser."""
    from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]

    html, url = await page.content(), page.url
    browser = page.context.browser
    assert browser is not None
    context = await browser.new_context(java_script_enabled=True)
    try:
        copy = await context.new_page()

        async def serve_copy(route: Route) -> None:
            await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        await copy.route(lambda requested: requested == url, serve_copy)
        await copy.goto(url)
        results = await Axe().run(copy)
    finally:
        await context.close()
    severe = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in SEVERE_IMPACTS
    ]
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:5])
        for v in severe
    ]
    assert not severe, f"axe on {url}:\n" + "\n".join(described)
