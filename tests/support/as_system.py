"""Reading and changing rows as the system, behind the use cases' back: to check what was
written, or to put a row in a state no use case reaches quickly."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from exchange.partners.models import Partner
from exchange.profiles.models import Profile
from infra.caller import Caller
from infra.db import Database
from infra.scope import AccessScope

COUNTED_TABLES = ("introduction", "placement", "mail_outbox", "sign_in_token", "audit_event")


async def system_fetch(db: Database, sql: str, *args: Any) -> list[Any]:
    async with db.transaction(AccessScope.system()) as conn:
        return list(await conn.fetch(sql, *args))


async def system_fetchrow(db: Database, sql: str, *args: Any) -> Any:
    async with db.transaction(AccessScope.system()) as conn:
        return await conn.fetchrow(sql, *args)


async def system_value(db: Database, sql: str, *args: Any) -> Any:
    async with db.transaction(AccessScope.system()) as conn:
        return await conn.fetchval(sql, *args)


async def counts(db: Database) -> dict[str, int]:
    """Rows in each table a refused or repeated use case must leave alone."""
    async with db.transaction(AccessScope.system()) as conn:
        return {
            table: int(await conn.fetchval(f"select count(*) from {table}"))  # noqa: S608
            for table in COUNTED_TABLES
        }


async def set_partner_status(db: Database, partner: Partner | UUID, status: str) -> None:
    partner_id = partner.id if isinstance(partner, Partner) else partner
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update partner set status = $2 where id = $1", partner_id, status)


async def set_profile_status(db: Database, profile: Profile, status: str) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update profile set status = $2 where id = $1", profile.id, status)


async def visible_profile_ids(db: Database, partner: Caller) -> set[UUID]:
    """What a partner can read of other partners' profiles (row-level security)."""
    async with db.transaction(partner.access_scope()) as conn:
        rows = await conn.fetch("select id from profile where partner_id <> $1", partner.partner_id)
    return {r["id"] for r in rows}


async def contact_rows_seen_by(db: Database, caller: Caller, person_id: UUID) -> int:
    """Raw SQL as the app role in the caller's scope: person_contact rows it can read."""
    async with db.transaction(caller.access_scope()) as conn:
        return int(
            await conn.fetchval(
                "select count(*) from person_contact where person_id = $1", person_id
            )
        )


async def move_placement_start(db: Database, introduction_id: UUID | str, start: date) -> None:
    """Let time pass for a placement: its start moved to ``start`` (a day in the past), so
    that its outcomes fall due as they would months later."""
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update placement set start_date = $2 where introduction_id = $1",
            UUID(str(introduction_id)),
            start,
        )
