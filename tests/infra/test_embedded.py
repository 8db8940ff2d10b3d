"""The embedded server is stopped by its last live user, even after one was SIGKILLed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infra.embedded import start_embedded_postgres, stop_embedded_postgres

HOLD_SERVER = """
import sys, time
from pathlib import Path
from infra.embedded import start_embedded_postgres
start_embedded_postgres(Path(sys.argv[1]))
print("up", flush=True)
time.sleep(120)
"""


@pytest.mark.slow  # starts and kills its own PostgreSQL
def test_a_killed_user_does_not_keep_the_server_running(tmp_path: Path) -> None:
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", HOLD_SERVER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "up"
        users = tmp_path / "postgres" / ".handle_pids.json"
        assert json.loads(users.read_text()) == [holder.pid]
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)

    _, server = start_embedded_postgres(tmp_path)  # joins the still-running server
    assert json.loads(users.read_text()) == [os.getpid()]
    stop_embedded_postgres(server)
    deadline = time.monotonic() + 10
    while (tmp_path / "postgres" / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()
