"""`tussendeur keys list` / `keys rotate` against a real (fresh, committed) database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from typer.testing import CliRunner

from entrypoints.cli_keys import app, rotate_and_audit
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.settings import get_settings
from tests.support.databases import APP_ROLE
from tests.support.factories import create_consortium
from tests.support.processes import TEST_KEY_ENCRYPTION_KEY


@pytest.fixture
def cli_env(fresh_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("TUSSENDEUR_KEY_ENCRYPTION_KEY", TEST_KEY_ENCRYPTION_KEY)
    get_settings.cache_clear()
    yield fresh_database
    get_settings.cache_clear()


def test_list_rotate_list(cli_env: str) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["list"])
    assert empty.exit_code == 0, empty.output
    assert "No signing key yet" in empty.output

    first = runner.invoke(app, ["rotate"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["rotate"])
    assert second.exit_code == 0, second.output
    listed = runner.invoke(app, ["list"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("ACTIVE") == 1
    assert listed.output.count("PUBLISHED") == 2  # the first-use key and the first rotation's


async def test_rotation_is_audited_per_consortium(fresh_database: str) -> None:
    pool = await create_pool(dsn_for_role(fresh_database, APP_ROLE, None))
    try:
        database = PoolDatabase(pool)
        consortium = await create_consortium(database, slug=f"c-{uuid.uuid4().hex[:6]}")
        key = await rotate_and_audit(database)
    finally:
        await pool.close()
    conn = await asyncpg.connect(fresh_database)
    try:
        await conn.execute("select set_config('app.role', 'system', false)")
        row = await conn.fetchrow(
            "select action, actor_kind, details::text as details from audit_event "
            "where consortium_id = $1",
            consortium.id,
        )
    finally:
        await conn.close()
    assert row is not None
    assert row["action"] == "auth.key_rotated" and key.kid in row["details"]
