"""``tussendeur serve --workers 2``: two processes answer on one port and stop cleanly.

Each worker builds its own match index (its ``match_index_built`` log line names its
process); requests are answered by both (their access-log lines name two processes);
SIGTERM to the command stops every worker and exits 0.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.processes import (
    cli_env,
    free_port,
    stop,
    tussendeur_command,
    wait_ready,
    wait_until,
)

pytestmark = pytest.mark.slow


def _log_lines(log: Path, event: str) -> list[dict[str, object]]:
    lines = []
    for raw in log.read_text(errors="replace").splitlines():
        if raw.startswith("{") and f'"{event}"' in raw:
            lines.append(json.loads(raw))
    return lines


def _processes(log: Path, event: str) -> set[object]:
    return {line.get("process") for line in _log_lines(log, event)}


def _burst(port: int) -> None:
    """Twenty requests at once, each on its own connection: the kernel hands them round."""

    def one(_: int) -> int:
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=10
        )
        return response.status_code

    with ThreadPoolExecutor(20) as pool:
        assert set(pool.map(one, range(20))) == {200}


def test_two_workers_answer_and_stop_cleanly(empty_database: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, DATABASE_URL=empty_database, TUSSENDEUR_LOG_JSON="true")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [*tussendeur_command(), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(port, process, timeout=120)
        assert wait_until(lambda: len(_processes(log, "match_index_built")) == 2, 60)
        workers = psutil.Process(process.pid).children(recursive=True)
        assert len([w for w in workers if "python" in w.name().lower()]) >= 2
        for _ in range(20):  # until both have answered at least once
            _burst(port)
            if len(_processes(log, "http.request")) >= 2:
                break
        assert len(_processes(log, "http.request")) == 2
    finally:
        code = stop(process, timeout=60)
    assert code == 0, log.read_text()[-3000:]
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
