"""Every use case's transaction runs without PostgreSQL's JIT (row-level security makes
small queries look expensive enough to compile, and compiling cost seconds)."""

from __future__ import annotations

from infra.db import ConnectionDatabase
from infra.scope import AccessScope


async def test_a_use_case_transaction_runs_without_jit(db: ConnectionDatabase) -> None:
    async with db.transaction(AccessScope.anonymous()) as conn:
        assert await conn.fetchval("select current_setting('jit')") == "off"
