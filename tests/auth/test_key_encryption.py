"""Private signing keys are sealed at rest under a key-encryption key (KEK) that is not in
the database: no dump can sign a token (issue 11, finding 4)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from joserfc import jwt
from typer.testing import CliRunner

from entrypoints.cli_keys import app as keys_cli
from exchange.identity.keys import generate_key, load_key_ring, rewrap_keys, rotate_keys
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.key_encryption import KeyEncryptionUnavailable, key_encryption_keys
from infra.keywrap import KeyEncryptionKeys, parse_kek
from infra.migrate import MIGRATION_LOCK_KEY, load_migrations, migrate
from infra.settings import Environment, Settings, get_settings
from tests.support.databases import APP_ROLE, dump_database
from tests.support.processes import cli_env, free_port, run_cli

KEK_A = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 x "A": test only
KEK_B = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # 32 x "B": test only


def keks(current: str, *previous: str) -> KeyEncryptionKeys:
    return KeyEncryptionKeys(parse_kek(current), [parse_kek(p) for p in previous])


@pytest.fixture
async def database(fresh_database: str) -> AsyncIterator[PoolDatabase]:
    """A committed database (a fresh clone) through the app role's pool."""
    pool = await create_pool(dsn_for_role(fresh_database, APP_ROLE, None))
    try:
        yield PoolDatabase(pool)
    finally:
        await pool.close()


async def owner_rows(owner_dsn: str) -> list[dict[str, object]]:
    """Every platform_key row as the owner reads it, each column as text."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        rows = await conn.fetch("select to_jsonb(k) as row from platform_key k order by kid")
    finally:
        await conn.close()
    return [json.loads(r["row"]) if isinstance(r["row"], str) else r["row"] for r in rows]


async def test_no_private_key_is_in_the_database_or_its_dump(
    database: PoolDatabase, fresh_database: str
) -> None:
    await load_key_ring(database, keks=keks(KEK_A))
    await rotate_keys(database, keks=keks(KEK_A))
    ring = await load_key_ring(database, keks=keks(KEK_A))
    assert ring.active.private_key is not None
    secret_d = str(ring.active.private_key.as_dict(private=True)["d"])

    rows = await owner_rows(fresh_database)
    assert len(rows) == 2
    for row in rows:
        assert row["private_jwk"] is None
        assert '"d"' not in json.dumps(row)
        assert row["private_kek_id"] == parse_kek(KEK_A).id
    dump = await dump_database(fresh_database)
    block = dump[dump.index("COPY public.platform_key") :]
    block = block[: block.index("\\.")]
    assert block.count("\n") == 3  # the COPY line and two keys
    assert '"d"' not in block and secret_d not in dump
    assert KEK_A not in dump and parse_kek(KEK_A).key.hex() not in dump


async def test_a_token_signed_with_the_unsealed_key_verifies(database: PoolDatabase) -> None:
    signer = await load_key_ring(database, keks=keks(KEK_A))  # makes and seals the key
    token = (await load_key_ring(database, keks=keks(KEK_A))).sign({"sub": "someone"})
    public = signer.verification_key(signer.active.kid)
    assert public is not None
    decoded = jwt.decode(token, public, algorithms=["ES256"])
    assert decoded.claims == {"sub": "someone"}
    assert decoded.header["kid"] == signer.active.kid


async def test_a_wrong_kek_is_a_clear_error_that_names_what_to_set(
    database: PoolDatabase,
) -> None:
    await load_key_ring(database, keks=keks(KEK_A))
    with pytest.raises(KeyEncryptionUnavailable) as refused:
        await load_key_ring(database, keks=keks(KEK_B))
    message = refused.value.message
    assert "TUSSENDEUR_KEY_ENCRYPTION_KEY" in message and parse_kek(KEK_A).id in message
    assert KEK_A not in message and KEK_B not in message


async def test_kek_rotation_previous_then_rewrap_then_drop_the_previous(
    database: PoolDatabase, fresh_database: str
) -> None:
    await load_key_ring(database, keks=keks(KEK_A))
    await rotate_keys(database, keks=keks(KEK_A))  # a retired key is re-sealed as well
    rotated = keks(KEK_B, KEK_A)
    ring = await load_key_ring(database, keks=rotated)  # B current, A previous: still loads
    assert ring.active.private_key is not None

    moved = await rewrap_keys(database, keks=rotated)
    assert len(moved) == 2
    assert {r["private_kek_id"] for r in await owner_rows(fresh_database)} == {parse_kek(KEK_B).id}
    assert await rewrap_keys(database, keks=rotated) == []  # nothing left to move

    after = await load_key_ring(database, keks=keks(KEK_B))  # the previous KEK is dropped
    assert after.active.kid == ring.active.kid
    with pytest.raises(KeyEncryptionUnavailable):
        await load_key_ring(database, keks=keks(KEK_A))


async def test_rewrap_without_the_old_kek_changes_nothing(
    database: PoolDatabase, fresh_database: str
) -> None:
    await load_key_ring(database, keks=keks(KEK_A))
    before = await owner_rows(fresh_database)
    with pytest.raises(KeyEncryptionUnavailable):
        await rewrap_keys(database, keks=keks(KEK_B))
    assert await owner_rows(fresh_database) == before


async def _migrate_before(owner_dsn: str, version: int) -> None:
    """Bring an empty database to the schema as it was before migration ``version``."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        await conn.execute(
            """create table schema_migration (version integer primary key, name text not null,
               checksum text not null, applied_at timestamptz not null default now())"""
        )
        await conn.execute(
            f"do $$ begin create role {APP_ROLE} login nosuperuser nobypassrls noinherit; "
            "exception when duplicate_object then null; end $$"
        )
        for migration in load_migrations():
            if migration.version >= version:
                break
            await conn.execute(migration.sql)
            await conn.execute(
                "insert into schema_migration (version, name, checksum) values ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
        await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await conn.close()


async def test_an_old_database_with_a_clear_key_is_sealed_when_the_keys_load(
    empty_database: str,
) -> None:
    await _migrate_before(empty_database, 10)
    kid, private_jwk, public_jwk = generate_key()
    conn = await asyncpg.connect(empty_database)
    try:
        await conn.execute(
            "insert into platform_key (kid, alg, private_jwk, public_jwk) "
            "values ($1, 'ES256', $2::jsonb, $3::jsonb)",
            kid,
            json.dumps(private_jwk),
            json.dumps(public_jwk),
        )
    finally:
        await conn.close()
    await migrate(empty_database, app_role=APP_ROLE)

    pool = await create_pool(dsn_for_role(empty_database, APP_ROLE, None))
    try:
        ring = await load_key_ring(PoolDatabase(pool), keks=keks(KEK_A))
    finally:
        await pool.close()
    assert ring.active.kid == kid  # the same key signs on, now sealed
    token = ring.sign({"sub": "after the upgrade"})
    public = ring.verification_key(kid)
    assert public is not None
    assert jwt.decode(token, public, algorithms=["ES256"]).claims["sub"] == "after the upgrade"
    (row,) = await owner_rows(empty_database)
    assert row["private_jwk"] is None and row["private_kek_id"] == parse_kek(KEK_A).id
    assert str(private_jwk["d"]) not in await dump_database(empty_database)


def test_keys_rewrap_on_the_command_line(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("TUSSENDEUR_KEY_ENCRYPTION_KEY", KEK_A)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(keys_cli, ["rotate"]).exit_code == 0
        monkeypatch.setenv("TUSSENDEUR_KEY_ENCRYPTION_KEY", KEK_B)
        get_settings.cache_clear()
        refused = runner.invoke(keys_cli, ["rewrap"])
        assert isinstance(refused.exception, KeyEncryptionUnavailable)

        monkeypatch.setenv("TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS", KEK_A)
        get_settings.cache_clear()
        moved = runner.invoke(keys_cli, ["rewrap"])
        assert moved.exit_code == 0, moved.output
        assert "Re-sealed 2 private key(s)" in moved.output
        again = runner.invoke(keys_cli, ["rewrap"])
        assert "sealed under the current key-encryption key already" in again.output
    finally:
        get_settings.cache_clear()


def test_production_with_database_url_refuses_to_start_without_a_kek(
    fresh_database: str, tmp_path: Path
) -> None:
    env = cli_env(
        tmp_path, DATABASE_URL=fresh_database, TUSSENDEUR_KEY_ENCRYPTION_KEY=None
    )  # TUSSENDEUR_ENV defaults to production
    result = run_cli(["serve", "--port", str(free_port())], env, timeout=60)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr  # one line, after uvicorn's own
    assert "set TUSSENDEUR_KEY_ENCRYPTION_KEY" in errors[0]


def test_settings_name_the_kek_or_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUSSENDEUR_KEY_ENCRYPTION_KEY", raising=False)  # the suite's own

    def production(**kek: str) -> Settings:
        fields: dict[str, Any] = {"env": "production", "database_url": "postgresql://db/x"}
        return Settings.model_validate(fields | kek)

    with pytest.raises(KeyEncryptionUnavailable, match="set TUSSENDEUR_KEY_ENCRYPTION_KEY"):
        key_encryption_keys(production())
    resolved = key_encryption_keys(
        production(key_encryption_key=KEK_B, key_encryption_key_previous=f"{KEK_A}, ")
    )
    assert resolved.current.id == parse_kek(KEK_B).id and resolved.knows(parse_kek(KEK_A).id)
    with pytest.raises(KeyEncryptionUnavailable, match="KEY_ENCRYPTION_KEY: decodes to 5 bytes"):
        key_encryption_keys(production(key_encryption_key="c2hvcnQ="))


def test_a_first_try_generates_a_private_kek_file_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUSSENDEUR_KEY_ENCRYPTION_KEY", raising=False)  # the suite's own
    settings = Settings(env=Environment.DEVELOPMENT, data_dir=tmp_path / "data")
    with caplog.at_level("WARNING", logger="tussendeur.keys"):
        first = key_encryption_keys(settings)
    path = tmp_path / "data" / "key-encryption-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert str(path) in caplog.text
    assert key_encryption_keys(settings.model_copy()).current.id == first.current.id
    assert parse_kek(path.read_text()).id == first.current.id
