"""``tussendeur demo --reset``: remove an earlier demo consortium, all of it, in one transaction.

Runs as the database owner: the append-only tables (audit trail, its chain head,
consent records) refuse deletes for everyone, so their guard triggers — BEFORE
triggers on DELETE, UPDATE or TRUNCATE — are switched off inside this one
transaction and on again before it commits. AFTER triggers (the matcher's
notifications) keep firing. It refuses a consortium holding partners the demo did
not create, so a real consortium that happens to share the slug is never touched.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from uuid import UUID

import asyncpg

from entrypoints.cli_support import CommandError
from infra.db import apply_scope
from infra.scope import AccessScope

# pg_trigger.tgtype bits
_BEFORE, _DELETE, _UPDATE, _TRUNCATE = 1 << 1, 1 << 3, 1 << 4, 1 << 5


async def guard_triggers(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """(table, trigger) of every enabled BEFORE trigger that could refuse a delete."""
    rows = await conn.fetch(
        """select c.relname, t.tgname from pg_trigger t
           join pg_class c on c.oid = t.tgrelid
           join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and not t.tgisinternal and t.tgenabled <> 'D'
             and (t.tgtype & $1) <> 0 and (t.tgtype & $2) <> 0
           order by 1, 2""",
        _BEFORE,
        _DELETE | _UPDATE | _TRUNCATE,
    )
    return [(r["relname"], r["tgname"]) for r in rows]


async def tenant_tables(conn: asyncpg.Connection) -> list[str]:
    """Tables with a ``consortium_id`` column, ordered so that children come first."""
    rows = await conn.fetch(
        """select c.table_name from information_schema.columns c
           join information_schema.tables t
             on t.table_schema = c.table_schema and t.table_name = c.table_name
           where c.table_schema = 'public' and c.column_name = 'consortium_id'
             and t.table_type = 'BASE TABLE'"""
    )
    tables = {r["table_name"] for r in rows}
    edges = await conn.fetch(
        """select child.relname as child, parent.relname as parent
           from pg_constraint k
           join pg_class child on child.oid = k.conrelid
           join pg_class parent on parent.oid = k.confrelid
           join pg_namespace n on n.oid = child.relnamespace
           where k.contype = 'f' and n.nspname = 'public'"""
    )
    # A parent may only be emptied after every child that references it.
    graph: dict[str, set[str]] = {table: set() for table in tables}
    for edge in edges:
        if edge["child"] in tables and edge["parent"] in tables and edge["child"] != edge["parent"]:
            graph[edge["parent"]].add(edge["child"])
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:
        return sorted(tables)


async def delete_consortium(owner_dsn: str, consortium_id: UUID, demo_slugs: set[str]) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        async with conn.transaction():
            await apply_scope(conn, AccessScope.system())
            slugs = {
                r["slug"]
                for r in await conn.fetch(
                    "select slug from partner where consortium_id = $1", consortium_id
                )
            }
            foreign = sorted(slugs - demo_slugs)
            if foreign:
                raise CommandError(
                    "not resetting: the consortium holds partners the demo did not create "
                    f"({', '.join(foreign)})"
                )
            guards = await guard_triggers(conn)
            for table, trigger in guards:
                await conn.execute(f'alter table "{table}" disable trigger "{trigger}"')
            for table in await tenant_tables(conn):
                # Table names come from the catalog, never from input.
                delete = f'delete from "{table}" where consortium_id = $1'  # noqa: S608
                await conn.execute(delete, consortium_id)
            await conn.execute("delete from consortium where id = $1", consortium_id)
            for table, trigger in guards:
                await conn.execute(f'alter table "{table}" enable trigger "{trigger}"')
    finally:
        await conn.close()
