"""A real browser on the real app: Debian's Chromium by path, and the app under uvicorn on
127.0.0.1 against a committed database (the conftest's ``served`` fixture)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn

from entrypoints.app import create_app
from infra.db import ConnectionDatabase, dsn_for_role
from infra.settings import Environment, Settings
from tests.support.databases import APP_ROLE, one_connection
from tests.support.processes import free_port

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
