"""SQL for placements, and for pausing and resuming the placed profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from exchange.placements.models import LeftReason, Placement
from infra.db import Connection
from infra.pagination import Keyset, Page
from infra.repository import fetch_keyset_page

_COLUMNS = """id, consortium_id, introduction_id, profile_id, vacancy_id, hiring_partner_id,
    sharing_partner_id, shared_at, start_date, employed_at_3_months, employed_at_6_months,
    left_on, left_reason, recorded_at, outcome_recorded_at"""


def _placement(r: asyncpg.Record) -> Placement:
    return Placement(
        id=r["id"],
        consortium_id=r["consortium_id"],
        introduction_id=r["introduction_id"],
        profile_id=r["profile_id"],
        vacancy_id=r["vacancy_id"],
        hiring_partner_id=r["hiring_partner_id"],
        sharing_partner_id=r["sharing_partner_id"],
        shared_at=r["shared_at"],
        start_date=r["start_date"],
        employed_at_3_months=r["employed_at_3_months"],
        employed_at_6_months=r["employed_at_6_months"],
        left_on=r["left_on"],
        left_reason=LeftReason(r["left_reason"]) if r["left_reason"] else None,
        recorded_at=r["recorded_at"],
        outcome_recorded_at=r["outcome_recorded_at"],
    )


async def placement_for_introduction(conn: Connection, *, introduction_id: UUID) -> UUID | None:
    found: UUID | None = await conn.fetchval(
        "select id from placement where introduction_id = $1", introduction_id
    )
    return found


async def insert_placement(conn: Connection, *, placement: Placement) -> None:
    p = placement
    await conn.execute(
        f"""insert into placement ({_COLUMNS})
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
        p.id,
        p.consortium_id,
        p.introduction_id,
        p.profile_id,
        p.vacancy_id,
        p.hiring_partner_id,
        p.sharing_partner_id,
        p.shared_at,
        p.start_date,
        p.employed_at_3_months,
        p.employed_at_6_months,
        p.left_on,
        p.left_reason.value if p.left_reason else None,
        p.recorded_at,
        p.outcome_recorded_at,
    )


async def pause_placed_profile(conn: Connection, *, placement_id: UUID) -> bool:
    """Hide the placed profile (migration 0006 checks the caller recorded the placement)."""
    paused: bool = await conn.fetchval("select pause_placed_profile($1)", placement_id)
    return paused


async def lock_hiring_placement(
    conn: Connection, *, placement_id: UUID, partner_id: UUID
) -> Placement | None:
    r = await conn.fetchrow(
        f"select {_COLUMNS} from placement where id = $1 and hiring_partner_id = $2 for update",
        placement_id,
        partner_id,
    )
    return _placement(r) if r else None


async def update_outcome(conn: Connection, *, placement: Placement) -> None:
    p = placement
    await conn.execute(
        """update placement set employed_at_3_months = $2, employed_at_6_months = $3,
               left_on = $4, left_reason = $5, outcome_recorded_at = $6
           where id = $1""",
        p.id,
        p.employed_at_3_months,
        p.employed_at_6_months,
        p.left_on,
        p.left_reason.value if p.left_reason else None,
        p.outcome_recorded_at,
    )


async def list_partner_placements(
    conn: Connection, *, partner_id: UUID, limit: int, after: Keyset | None
) -> Page[Placement]:
    """Placements the partner hired through or shared the profile for, newest first."""
    rows, more = await fetch_keyset_page(
        conn,
        f"""select {_COLUMNS} from placement
            where $1 in (hiring_partner_id, sharing_partner_id)""",
        partner_id,
        after=after,
        limit=limit,
        time_column="recorded_at",
    )
    return Page(items=[_placement(r) for r in rows], has_next_page=more)


@dataclass(frozen=True, slots=True)
class PausedProfile:
    id: UUID
    consent_expires_at: dt.datetime | None


async def lock_paused_profiles(
    conn: Connection, *, person_id: UUID, profile_id: UUID | None
) -> list[PausedProfile]:
    rows = await conn.fetch(
        """select id, consent_expires_at from profile
           where person_id = $1 and status = 'PAUSED' and ($2::uuid is null or id = $2)
           order by created_at
           for update""",
        person_id,
        profile_id,
    )
    return [PausedProfile(r["id"], r["consent_expires_at"]) for r in rows]


async def set_profile_active(conn: Connection, *, profile_id: UUID, now: dt.datetime) -> None:
    await conn.execute(
        "update profile set status = 'ACTIVE', updated_at = $2 where id = $1 and status = 'PAUSED'",
        profile_id,
        now,
    )
