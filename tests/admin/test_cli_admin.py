"""The operator's commands, run as a person would: partner, client, audit, stats."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from exchange.audit.checkpoints import published_entry
from exchange.audit.repository import list_checkpoints
from exchange.audit.signing import load_checkpoint_keys
from infra.scope import AccessScope
from tests.support.audit import as_owner_behind_the_back, rewrite_consistently
from tests.support.databases import app_database
from tests.support.processes import cli_env, run_cli

pytestmark = pytest.mark.slow


def _ok(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _one_error_line(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return " ".join(result.stderr.split())


async def _keep_published_checkpoints(owner_dsn: str, path: Path) -> None:
    """What a partner does with GET /audit/checkpoints: save the JSON."""
    async with app_database(owner_dsn) as database:
        keys = await load_checkpoint_keys(database, signing=False)
        async with database.transaction(AccessScope.system()) as conn:
            rows = await list_checkpoints(conn)
    entries: list[dict[str, Any]] = [
        published_entry(c, jwk=keys.jwk_for(c.signed_jws)) for c in rows
    ]
    await asyncio.to_thread(path.write_text, json.dumps(entries))


async def test_operator_commands_end_to_end(fresh_database: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, DATABASE_URL=fresh_database)
    slug = f"zl-{uuid.uuid4().hex[:6]}"

    assert "no consortium" in _one_error_line(
        ["partner", "create", "--consortium", slug, "--name", "Bel & Zo"], env
    )
    out = _ok(["partner", "create", "--consortium", slug, "--create-consortium",
               "--name", "Bel & Zo Heerlen", "--city", "Heerlen"], env)  # fmt: skip
    assert "Partner bel-zo-heerlen registered" in out
    _ok(["partner", "create", "--consortium", slug, "--name", "Klantzorg Sittard"], env)
    assert "input.slug: a partner 'bel-zo-heerlen' exists already" in _one_error_line(
        ["partner", "create", "--consortium", slug, "--name", "Bel & Zo Heerlen"], env
    )
    assert "bel-zo-heerlen" in _ok(["partner", "list"], env)

    out = _ok(
        ["client", "create", "bel-zo-heerlen", "--scopes", "vacancies:read,matches:read"], env
    )
    client_id = re.search(r"client_id:\s+(\S+)", out)
    secret = re.search(r"client_secret:\s+(\S+)", out)
    assert client_id and secret and len(secret.group(1)) >= 40
    assert "scopes.0" in _one_error_line(
        ["client", "create", "bel-zo-heerlen", "--scopes", "x"], env
    )
    assert "no partner 'nobody'" in _one_error_line(["client", "create", "nobody"], env)
    _ok(["client", "revoke", client_id.group(1)], env)
    assert "revoked already" in _one_error_line(["client", "revoke", client_id.group(1)], env)

    out = _ok(["partner", "suspend", "klantzorg-sittard", "--reason", "CONTRACT_ENDED"], env)
    assert "suspended" in out
    _ok(["partner", "reinstate", "klantzorg-sittard"], env)

    out = _ok(["audit", "checkpoint"], env)
    assert re.search(rf"{slug}: event \d+ signed", out)
    kept = tmp_path / "checkpoints.json"
    await _keep_published_checkpoints(fresh_database, kept)
    assert "intact" in _ok(["audit", "verify", "--checkpoint", str(kept)], env)

    csv_out = _ok(["audit", "export", "--action", "partner.*"], env)
    assert csv_out.splitlines()[0].startswith("seq,occurred_at,actor_kind")
    assert [line.split(",")[5] for line in csv_out.splitlines()[1:]] == [
        "partner.registered", "partner.registered", "partner.suspended", "partner.reinstated",
    ]  # fmt: skip
    # the CLI reads the system clock: "from" a month before today, not a fixed day that
    # falls out of the five-year window some day
    month_ago = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30)).isoformat()
    assert "Exchange statistics" in _ok(["stats", "--from", month_ago], env)

    # Someone with the owner's password rewrites history consistently and drops the
    # stored checkpoints: the chain verifies on its own, not against the kept file.
    conn = await asyncpg.connect(fresh_database)
    try:
        consortium_id = await conn.fetchval("select id from consortium where slug = $1", slug)
    finally:
        await conn.close()
    async with as_owner_behind_the_back(fresh_database) as owner:
        await rewrite_consistently(owner, consortium_id, 2, {"slug": "forged"})
        await owner.execute("delete from audit_checkpoint")
    assert "intact" in _ok(["audit", "verify"], env)
    line = _one_error_line(["audit", "verify", "--checkpoint", str(kept)], env)
    assert f"audit trail of {slug} broken at event" in line and str(kept) in line

    bad = tmp_path / "bad.json"
    bad.write_text('[{"jws": "a.b.c"}]')
    assert "bad.json" in _one_error_line(["audit", "verify", "--checkpoint", str(bad)], env)
