"""SQL over a whole consortium: its contents in one read, and its removal.

Removal runs on a connection of the database owner, never the app role: the
append-only tables (audit trail, its chain head, consent records) refuse deletes
for everyone by BEFORE triggers on DELETE, UPDATE or TRUNCATE. Only the owner may
switch those off, which happens inside the caller's one transaction, so they are
on again before it commits (and stay on if it rolls back). AFTER triggers (the
matcher's notifications) keep firing.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from uuid import UUID

from exchange.consortia.models import ConsortiumContents, ProfileContent
from exchange.profiles.models import ProfileStatus
from infra.db import Connection
from matching.types import ConsentScopeKind, ProfileKind

# pg_trigger.tgtype bits
_BEFORE, _DELETE, _UPDATE, _TRUNCATE = 1 << 1, 1 << 3, 1 << 4, 1 << 5


async def contents(conn: Connection, *, consortium_id: UUID) -> ConsortiumContents:
    partners = await conn.fetch(
        "select name, city from partner where consortium_id = $1 order by slug", consortium_id
    )
    vacancies = await conn.fetch(
        """select p.slug, v.title, v.role, v.role_level, v.postcode_area, v.hours_min,
                  v.hours_max, v.pay_min_cents, v.pay_max_cents, v.pay_period,
                  v.start_date - current_date as starts_in,
                  array(select r.phrase || '|' || r.must_have || '|' || r.weight
                        from vacancy_requirement r where r.vacancy_id = v.id
                        order by r.position) as requirements
           from vacancy v join partner p on p.id = v.partner_id
           where v.consortium_id = $1""",
        consortium_id,
    )
    profiles = await conn.fetch(
        """select p.slug, f.kind, f.status, f.postcode_area, f.max_travel_km, f.hours_min,
                  f.hours_max, f.ambitions, f.shifts, f.min_pay_cents, f.consent_scope_kind,
                  f.consent_expires_at::date - current_date as consent_days,
                  c.full_name, c.email,
                  array(select pc.phrase || '|' || coalesce(pc.level::text, '-')
                        from profile_competency pc where pc.profile_id = f.id
                        order by pc.position) as competencies,
                  array(select pl.language || pl.level from profile_language pl
                        where pl.profile_id = f.id order by pl.language) as languages
           from profile f join partner p on p.id = f.partner_id
           join person_contact c on c.person_id = f.person_id
           where f.consortium_id = $1""",
        consortium_id,
    )
    concept_share = await conn.fetchval(
        """select round(avg((pc.concept_id is not null)::int)::numeric, 3)
           from profile_competency pc join profile f on f.id = pc.profile_id
           where f.consortium_id = $1""",
        consortium_id,
    )
    return ConsortiumContents(
        partners=tuple(f"{r['name']} ({r['city']})" for r in partners),
        vacancies=tuple(tuple(str(v) for v in r.values()) for r in vacancies),
        profiles=tuple(
            ProfileContent(
                status=ProfileStatus(r["status"]),
                kind=ProfileKind(r["kind"]),
                consent_scope_kind=(
                    ConsentScopeKind(r["consent_scope_kind"]) if r["consent_scope_kind"] else None
                ),
                fields=tuple(str(v) for v in r.values()),
            )
            for r in profiles
        ),
        share_of_phrases_on_a_concept=float(concept_share or 0),
    )


async def delete_consortium(conn: Connection, *, consortium_id: UUID) -> None:
    """Every row of the consortium, children first, then the consortium (owner only)."""
    guards = await _guard_triggers(conn)
    for table, trigger in guards:
        await conn.execute(f'alter table "{table}" disable trigger "{trigger}"')
    for table in await _tenant_tables(conn):
        # Table names come from the catalog, never from input.
        await conn.execute(f'delete from "{table}" where consortium_id = $1', consortium_id)
    await conn.execute("delete from consortium where id = $1", consortium_id)
    for table, trigger in guards:
        await conn.execute(f'alter table "{table}" enable trigger "{trigger}"')


async def _guard_triggers(conn: Connection) -> list[tuple[str, str]]:
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


async def _tenant_tables(conn: Connection) -> list[str]:
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
