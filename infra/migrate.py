"""Forward-only SQL migrations, applied by the owner role under an advisory lock.

Several replicas may start at once: the first takes the lock and migrates, the
others wait for it and then find nothing left to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

from infra.db import Connection

MIGRATION_LOCK_KEY = 7_420_001  # arbitrary, fixed: pg_advisory_lock key for migrations


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    applied: list[int]
    pending: list[Migration]

    @property
    def current(self) -> bool:
        return not self.pending


class MigrationError(RuntimeError):
    pass


def load_migrations() -> list[Migration]:
    folder = resources.files("infra") / "migrations"
    migrations = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        version_text, _, rest = entry.name.partition("_")
        migrations.append(
            Migration(int(version_text), rest.removesuffix(".sql"), entry.read_text("utf-8"))
        )
    migrations.sort(key=lambda m: m.version)
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {versions}")
    return migrations


_CREATE_LEDGER = """
create table if not exists schema_migration (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
)
"""


async def migration_status(conn: Connection) -> MigrationStatus:
    exists = await conn.fetchval("select to_regclass('schema_migration') is not null")
    applied: dict[int, str] = {}
    if exists:
        rows = await conn.fetch("select version, checksum from schema_migration order by version")
        applied = {r["version"]: r["checksum"] for r in rows}
    known = load_migrations()
    for migration in known:
        if migration.version in applied and applied[migration.version] != migration.checksum:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} changed after it was applied"
            )
    pending = [m for m in known if m.version not in applied]
    return MigrationStatus(applied=sorted(applied), pending=pending)


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    version: int
    name: str
    applied_at: dt.datetime


async def applied_migrations(conn: Connection) -> list[AppliedMigration]:
    """What the ledger says was applied, in order (the ledger must exist)."""
    rows = await conn.fetch(
        "select version, name, applied_at from schema_migration order by version"
    )
    return [AppliedMigration(r["version"], r["name"], r["applied_at"]) for r in rows]


async def ensure_app_role(conn: Connection, role: str, password: str | None) -> None:
    """Create the login role the app uses: it owns nothing and cannot bypass RLS."""
    exists = await conn.fetchval("select 1 from pg_roles where rolname = $1", role)
    ident = _quote_ident(role)
    if not exists:
        # another database's migrator may create it concurrently
        with contextlib.suppress(asyncpg.DuplicateObjectError):
            await conn.execute(f"create role {ident} login nosuperuser nobypassrls noinherit")
    if password is not None:
        await conn.execute(f"alter role {ident} password {_quote_literal(password)}")


async def grant_app_role(conn: Connection, role: str) -> None:
    ident = _quote_ident(role)
    database = _quote_ident(await conn.fetchval("select current_database()"))
    await conn.execute(f"grant connect, temporary on database {database} to {ident}")
    await conn.execute(f"grant usage on schema public to {ident}")
    await conn.execute(
        f"grant select, insert, update, delete on all tables in schema public to {ident}"
    )
    await conn.execute(f"revoke update, delete, truncate on audit_event from {ident}")
    await conn.execute(f"revoke all on schema_migration from {ident}")
    await conn.execute(f"grant select on schema_migration to {ident}")
    await conn.execute(f"grant usage, select on all sequences in schema public to {ident}")


async def migrate(owner_dsn: str, *, app_role: str, app_password: str | None = None) -> list[str]:
    """Apply pending migrations; return the names applied (empty when current)."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await conn.execute(_CREATE_LEDGER)
            await ensure_app_role(conn, app_role, app_password)
            status = await migration_status(conn)
            applied = []
            for migration in status.pending:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "insert into schema_migration (version, name, checksum)"
                        " values ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                applied.append(f"{migration.version:04d}_{migration.name}")
            await grant_app_role(conn, app_role)
            return applied
        finally:
            await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await conn.close()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def ensure_database(server_dsn: str, database: str) -> None:
    """Create ``database`` on the server unless it exists (before any migration runs)."""
    conn = await asyncpg.connect(server_dsn)
    try:
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # lost a race: fine
                await conn.execute(f'create database "{database}"')
    finally:
        await conn.close()
