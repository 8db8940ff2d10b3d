"""Running the real ``tussendeur`` command in subprocesses, as a person or a replica would."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

READY_TIMEOUT = 60.0
# Production with DATABASE_URL refuses to start without a key-encryption key.
TEST_KEY_ENCRYPTION_KEY = "dGVzdCBvbmx5OiBub3QgYSBzZWNyZXQgb2YgYW55b24="


def tussendeur_command() -> list[str]:
    """The installed console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("tussendeur")
    if script.exists():
        return [str(script)]
    found = shutil.which("tussendeur")
    assert found, "the tussendeur console script is not installed"
    return [found]


def cli_env(data_dir: Path, **values: str | None) -> dict[str, str]:
    """The environment of a fresh shell: no DATABASE_URL unless given, a private data dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TUSSENDEUR_DATABASE_URL", "TUSSENDEUR_DEBUG")
        and not k.startswith("TUSSENDEUR_")
    }
    env["TUSSENDEUR_DATA_DIR"] = str(data_dir)
    env["TUSSENDEUR_KEY_ENCRYPTION_KEY"] = TEST_KEY_ENCRYPTION_KEY
    env["TUSSENDEUR_LOG_JSON"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_cli(
    args: Sequence[str], env: dict[str, str], *, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [*tussendeur_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(  # noqa: S603 - our own console script
        [*tussendeur_command(), "serve", "--port", str(port)],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_graphql(
    port: int, process: subprocess.Popen[bytes], timeout: float = READY_TIMEOUT
) -> float:
    """Seconds until POST /graphql answers ``{ __typename }`` (fails if the process dies)."""
    started = time.monotonic()
    url = f"http://127.0.0.1:{port}/graphql"
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early with {process.returncode}")
        try:
            response = httpx.post(url, json={"query": "{ __typename }"}, timeout=2)
            if response.status_code == 200 and response.json()["data"]["__typename"] == "Query":
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no GraphQL answer on port {port} within {timeout:.0f} s")


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = READY_TIMEOUT) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/readyz on port {port} not ready within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM (a graceful shutdown, as systemd or docker sends), then wait."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return process.returncode


@contextmanager
def serving(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = start_serve(env, port, log)
    try:
        yield process
    finally:
        stop(process)


def embedded_running(data_dir: Path) -> bool:
    """Whether the embedded PostgreSQL of ``data_dir`` has a live postmaster."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the embedded server's own user
        return True
    return True


def wait_until(condition: object, timeout: float = 20) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())
