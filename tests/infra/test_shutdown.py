"""SIGTERM ends ``tussendeur serve`` within its drain period, even with a request stuck."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.processes import cli_env, free_port, start_serve, stop, wait_ready

pytestmark = pytest.mark.slow

GRACE_SECONDS = 2
MARGIN_SECONDS = 15.0  # the lifespan's shutdown (jobs, index listener, pool) on a busy machine


def _exit_within(process: subprocess.Popen[bytes], seconds: float) -> float | None:
    started = time.monotonic()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - started


async def test_sigterm_ends_the_server_within_its_grace_period_despite_a_stuck_request(
    fresh_database: str, tmp_path: Path
) -> None:
    port = free_port()
    env = cli_env(
        tmp_path / "data",
        DATABASE_URL=fresh_database,
        TUSSENDEUR_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
        # nothing else may end the stuck request: only the shutdown
        TUSSENDEUR_READYZ_TIMEOUT_SECONDS="600",
        TUSSENDEUR_REQUEST_TIMEOUT_SECONDS="600",
        TUSSENDEUR_DB_STATEMENT_TIMEOUT_MS="0",
    )
    process = start_serve(env, port, tmp_path / "serve.log")
    owner = await asyncpg.connect(fresh_database)
    try:
        await asyncio.to_thread(wait_ready, port, process)
        transaction = owner.transaction()
        await transaction.start()
        await owner.execute("lock table schema_migration in access exclusive mode")
        async with httpx.AsyncClient(timeout=120) as client:
            stuck = asyncio.create_task(client.get(f"http://127.0.0.1:{port}/readyz"))
            await _until_waiting_on_a_lock(owner)
            assert not stuck.done()

            process.send_signal(signal.SIGTERM)
            took = await asyncio.to_thread(_exit_within, process, GRACE_SECONDS + MARGIN_SECONDS)
            log = (tmp_path / "serve.log").read_text(errors="replace")
            assert took is not None, f"still running after SIGTERM:\n{log[-2000:]}"
            assert process.returncode in (0, -signal.SIGTERM), log[-2000:]  # uvicorn re-raises it
            await asyncio.gather(stuck, return_exceptions=True)  # cut off, not answered
        await transaction.rollback()
    finally:
        stop(process, timeout=5)
        await owner.close()


async def _until_waiting_on_a_lock(owner: asyncpg.Connection) -> None:
    for _ in range(200):
        waiting = await owner.fetchval(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the request never reached the locked table")
