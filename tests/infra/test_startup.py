"""Starting up for real: replicas racing on one empty database, and the zero-set-up path.

Every process here is a real ``tussendeur`` subprocess, as an operator or a
container platform would start it.
"""

from __future__ import annotations

import asyncio
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE

import asyncpg
import pytest

from infra.migrate import load_migrations
from tests.support.processes import (
    cli_env,
    embedded_running,
    free_port,
    run_cli,
    serving,
    stop,
    tussendeur_command,
    wait_graphql,
    wait_ready,
    wait_until,
)

pytestmark = pytest.mark.slow


async def _ledger(owner_dsn: str) -> list[tuple[int, int]]:
    conn = await asyncpg.connect(owner_dsn)
    try:
        rows = await conn.fetch(
            "select version, count(*) as n from schema_migration group by version order by version"
        )
    finally:
        await conn.close()
    return [(r["version"], r["n"]) for r in rows]


def _every_migration_once() -> list[tuple[int, int]]:
    return [(m.version, 1) for m in load_migrations()]


async def test_two_migrators_at_once_on_an_empty_database(
    empty_database: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, DATABASE_URL=empty_database)
    processes = [
        await asyncio.create_subprocess_exec(
            *tussendeur_command(), "db", "migrate", env=env, stdout=PIPE, stderr=PIPE
        )
        for _ in range(2)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), timeout=120) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    lines = [line for out, _ in outputs for line in out.decode().splitlines()]
    applied = [line for line in lines if line.startswith("applied")]
    assert len(applied) == len(load_migrations())  # between them, each applied exactly once
    assert await _ledger(empty_database) == _every_migration_once()


async def test_two_app_processes_at_once_on_an_empty_database_both_come_up(
    empty_database: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, DATABASE_URL=empty_database)
    ports = [free_port(), free_port()]
    with (
        serving(env, ports[0], tmp_path / "a.log") as first,
        serving(env, ports[1], tmp_path / "b.log") as second,
    ):
        wait_ready(ports[0], first)
        wait_ready(ports[1], second)
        wait_graphql(ports[0], first)
        wait_graphql(ports[1], second)
    assert await _ledger(empty_database) == _every_migration_once()


@pytest.fixture
def private_data_dir() -> Iterator[Path]:
    """A data directory the embedded server's own user can reach even when tests run as
    root (pytest's tmp_path sits below a 0700 directory)."""
    with tempfile.TemporaryDirectory(prefix="tussendeur-cli-") as path:
        yield Path(path)


def test_serve_without_database_url_answers_graphql_within_60_seconds(
    private_data_dir: Path, tmp_path: Path
) -> None:
    """README command 1 on a fresh machine: embedded PostgreSQL, created on first start.

    Also: other commands join the running server and leave it running; the server
    stops with the last process; commands start and stop it themselves when alone.
    """
    data_dir = private_data_dir
    env = cli_env(data_dir)
    port = free_port()
    with serving(env, port, tmp_path / "serve.log") as server:
        seconds = wait_graphql(port, server)
        assert seconds < 60, f"GraphQL answered after {seconds:.1f} s"
        assert embedded_running(data_dir)

        while_serving = run_cli(["db", "status", "--check"], env)
        assert while_serving.returncode == 0, while_serving.stderr
        assert run_cli(["db", "migrate"], env).returncode == 0
        wait_graphql(port, server, timeout=10)  # the commands left the shared server running
        # uvicorn shuts down gracefully, then re-raises SIGTERM on itself
        assert stop(server) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    assert wait_until(lambda: not embedded_running(data_dir)), "the server outlived its users"

    alone = run_cli(["db", "status", "--check"], env)
    assert alone.returncode == 0, alone.stderr
    assert "applied" in alone.stdout
    assert not embedded_running(data_dir)  # started for the command, stopped after it
