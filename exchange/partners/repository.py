"""SQL for consortia and partners."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from exchange.partners.models import Consortium, Partner, PartnerStatus
from infra.db import Connection

_PARTNER_COLUMNS = "id, consortium_id, slug, name, city, status, created_at"


def _partner(row: asyncpg.Record) -> Partner:
    return Partner(
        id=row["id"],
        consortium_id=row["consortium_id"],
        slug=row["slug"],
        name=row["name"],
        city=row["city"],
        status=PartnerStatus(row["status"]),
        created_at=row["created_at"],
    )


async def insert_consortium(conn: Connection, *, consortium: Consortium) -> None:
    await conn.execute(
        "insert into consortium (id, slug, name) values ($1, $2, $3)",
        consortium.id,
        consortium.slug,
        consortium.name,
    )


async def get_consortium_by_slug(conn: Connection, *, slug: str) -> Consortium | None:
    row = await conn.fetchrow("select id, slug, name from consortium where slug = $1", slug)
    return Consortium(row["id"], row["slug"], row["name"]) if row else None


async def insert_partner(conn: Connection, *, partner: Partner) -> None:
    await conn.execute(
        """insert into partner (id, consortium_id, slug, name, city, status)
           values ($1, $2, $3, $4, $5, $6)""",
        partner.id,
        partner.consortium_id,
        partner.slug,
        partner.name,
        partner.city,
        partner.status.value,
    )


async def get_partner(conn: Connection, *, partner_id: UUID) -> Partner | None:
    row = await conn.fetchrow(f"select {_PARTNER_COLUMNS} from partner where id = $1", partner_id)
    return _partner(row) if row else None


async def get_partner_by_slug(
    conn: Connection, *, consortium_id: UUID, slug: str
) -> Partner | None:
    row = await conn.fetchrow(
        f"select {_PARTNER_COLUMNS} from partner where consortium_id = $1 and slug = $2",
        consortium_id,
        slug,
    )
    return _partner(row) if row else None


async def list_partners(conn: Connection, *, consortium_id: UUID) -> list[Partner]:
    rows = await conn.fetch(
        f"select {_PARTNER_COLUMNS} from partner where consortium_id = $1 order by name, id",
        consortium_id,
    )
    return [_partner(r) for r in rows]


async def suspended_partner_ids(conn: Connection, *, consortium_id: UUID) -> set[UUID]:
    rows = await conn.fetch(
        "select id from partner where consortium_id = $1 and status = 'SUSPENDED'", consortium_id
    )
    return {r["id"] for r in rows}


async def list_consortia(conn: Connection, *, limit: int | None = None) -> list[Consortium]:
    """Every consortium (the first ``limit``), by slug (system scope)."""
    rows = await conn.fetch("select id, slug, name from consortium order by slug limit $1", limit)
    return [Consortium(r["id"], r["slug"], r["name"]) for r in rows]
