"""The app's lifespan starts every background job and leaves no task behind at shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from entrypoints.app import create_app
from infra.db import ConnectionDatabase
from infra.settings import Environment, Settings
from tests.support.http import started

pytestmark = pytest.mark.slow

JOBS = {"job:mail", "job:retention", "job:audit-checkpoints"}


def _settings(database_url: str | None, **overrides: Any) -> Settings:
    return Settings(env=Environment.TEST, database_url=database_url, log_json=False, **overrides)


async def _serve_and_stop(settings: Settings, **app_options: Any) -> set[str]:
    """Run the app's lifespan; the names of the tasks it left running while up."""
    before = asyncio.all_tasks()
    app = create_app(settings, **app_options)
    async with started(app):
        await asyncio.sleep(0.05)  # let the jobs take their first step
        running = asyncio.all_tasks() - before
        names = {task.get_name() for task in running}
        assert app.state.services.match_engine is not None
    left = [t for t in running if not t.done()]
    assert left == [], f"still pending after shutdown: {[t.get_name() for t in left]}"
    assert asyncio.all_tasks() - before == set()
    return names


async def test_lifespan_starts_every_job_and_stops_them_all(fresh_database: str) -> None:
    settings = _settings(
        fresh_database, retention_interval_seconds=3600, audit_checkpoint_interval_seconds=3600
    )
    names = await _serve_and_stop(settings)
    assert names >= JOBS
    assert len(names - JOBS) >= 1  # and the matcher's index listener


async def test_an_interval_of_zero_means_never(fresh_database: str) -> None:
    settings = _settings(
        fresh_database, retention_interval_seconds=0, audit_checkpoint_interval_seconds=0
    )
    names = await _serve_and_stop(settings)
    assert names & JOBS == {"job:mail"}


async def test_an_app_handed_one_connection_runs_no_background_job(
    db: ConnectionDatabase,
) -> None:
    settings = _settings(None, retention_interval_seconds=1, audit_checkpoint_interval_seconds=1)
    names = await _serve_and_stop(settings, database=db)
    assert names & JOBS == set()
