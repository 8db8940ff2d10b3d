"""The database itself enforces tenant isolation: checked in the catalog."""

from __future__ import annotations

import asyncpg

from infra.settings import DEFAULT_APP_ROLE as APP_ROLE

# Tables with no tenant data: reference data and the migration ledger.
GLOBAL_TABLES = {
    "schema_migration",
    "consent_text",
    "competency_concept",
    "phrase_normalization",
    "platform_key",
}


async def test_every_tenant_table_has_rls_enabled_and_forced(owner_dsn: str) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        rows = await conn.fetch(
            """select c.relname, c.relrowsecurity, c.relforcerowsecurity
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'public' and c.relkind in ('r', 'p')"""
        )
    finally:
        await conn.close()
    tables = {r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"]) for r in rows}
    assert {"profile", "vacancy", "person_contact", "audit_event"} <= tables.keys()
    unprotected = sorted(
        name
        for name, (enabled, forced) in tables.items()
        if name not in GLOBAL_TABLES and not (enabled and forced)
    )
    assert unprotected == []


async def test_app_role_owns_nothing_and_cannot_bypass_rls(owner_dsn: str) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        role = await conn.fetchrow(
            "select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles "
            "where rolname = $1",
            APP_ROLE,
        )
        owned = await conn.fetchval(
            """select count(*) from pg_class c join pg_roles r on r.oid = c.relowner
               where r.rolname = $1""",
            APP_ROLE,
        )
        owned_functions = await conn.fetchval(
            """select count(*) from pg_proc p join pg_roles r on r.oid = p.proowner
               where r.rolname = $1""",
            APP_ROLE,
        )
    finally:
        await conn.close()
    assert role is not None
    assert not role["rolsuper"]
    assert not role["rolbypassrls"]
    assert not role["rolcreaterole"]
    assert not role["rolcreatedb"]
    assert owned == 0
    assert owned_functions == 0


async def test_app_role_may_not_change_the_audit_trail(owner_dsn: str) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        privileges = await conn.fetchrow(
            """select has_table_privilege($1, 'audit_event', 'UPDATE') as can_update,
                      has_table_privilege($1, 'audit_event', 'DELETE') as can_delete,
                      has_table_privilege($1, 'audit_event', 'TRUNCATE') as can_truncate,
                      has_table_privilege($1, 'audit_event', 'INSERT') as can_insert""",
            APP_ROLE,
        )
    finally:
        await conn.close()
    assert privileges is not None
    assert privileges["can_insert"]
    assert not privileges["can_update"]
    assert not privileges["can_delete"]
    assert not privileges["can_truncate"]
