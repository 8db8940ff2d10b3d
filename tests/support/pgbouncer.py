"""PgBouncer (Debian's ``pgbouncer``) in transaction pool mode on 127.0.0.1, in front of
the test PostgreSQL: ``with pgbouncer_in_front_of(owner_dsn, workdir) as bouncer`` gives
``bouncer.dsn(owner_dsn)``, the same database and user reached through it.

Authentication: ``auth_type = trust`` (the test servers trust local connections; PgBouncer
still wants every user in its ``auth_file``, so the owner and the app role are listed)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from tests.support.databases import APP_ROLE
from tests.support.processes import free_port

START_TIMEOUT = 10.0


def pgbouncer_binary() -> str | None:
    """Debian installs it in /usr/sbin, which is not on every PATH."""
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )


@dataclass(frozen=True)
class PgBouncer:
    port: int
    log: Path

    def dsn(self, direct_dsn: str) -> str:
        """``direct_dsn`` (user, password and database kept) through this PgBouncer."""
        parts = urlsplit(direct_dsn)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _server_address(direct_dsn: str) -> tuple[str, int]:
    """Host (or socket directory) and port of the PostgreSQL behind ``direct_dsn``."""
    parts = urlsplit(direct_dsn)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    return socket_dir or parts.hostname or "127.0.0.1", parts.port or 5432


def _config(direct_dsn: str, port: int, pool_size: int) -> str:
    host, server_port = _server_address(direct_dsn)
    return f"""[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
server_connect_timeout = 5
query_wait_timeout = 30
"""


def _run_as(server_host: str) -> list[str]:
    """PgBouncer refuses to run as root: then it switches to the owner of the server's
    socket directory (the embedded server keeps its socket in its private data
    directory), else to postgres (or nobody)."""
    if os.geteuid() != 0:
        return []
    if server_host.startswith("/"):
        owner = pwd.getpwuid(os.stat(server_host).st_uid).pw_name
        if owner != "root":
            return ["-u", owner]
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["-u", user]
    return []


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def pgbouncer_in_front_of(
    direct_dsn: str, *, users: tuple[str, ...] = (APP_ROLE,), pool_size: int = 10
) -> Iterator[PgBouncer]:
    """A PgBouncer in transaction mode for the server of ``direct_dsn`` (its user and
    ``users`` may log in), stopped on the way out."""
    binary = pgbouncer_binary()
    assert binary, "pgbouncer is not installed"
    owner = urlsplit(direct_dsn).username or "postgres"
    workdir = Path(tempfile.mkdtemp(prefix="tussendeur-pgbouncer-"))
    workdir.chmod(0o755)  # readable by the user PgBouncer runs as
    port = free_port()
    (workdir / "pgbouncer.ini").write_text(_config(direct_dsn, port, pool_size))
    (workdir / "userlist.txt").write_text("".join(f'"{u}" ""\n' for u in {owner, *users}))
    log = workdir / "pgbouncer.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed binary on a config we wrote
            [binary, *_run_as(_server_address(direct_dsn)[0]), "pgbouncer.ini"],
            cwd=workdir,
            stdout=output,
            stderr=output,
        )
    try:
        started = time.monotonic()
        while not _listening(port):
            if process.poll() is not None or time.monotonic() - started > START_TIMEOUT:
                raise AssertionError(f"pgbouncer did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield PgBouncer(port, log)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)
