"""SQL of the shortlists (``vacancy_shortlist``) and the recruiters' last visits
(``vacancy_visit``), migration 0014; RLS limits both to the partner's own HR."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from exchange.shortlists.models import ShortlistEntry, VacancyVisit
from infra.db import Connection


async def add_entry(
    conn: Connection,
    *,
    vacancy_id: UUID,
    profile_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    added_by: UUID | None,
) -> bool:
    """True when the profile was not on the shortlist yet."""
    status = await conn.execute(
        """insert into vacancy_shortlist (vacancy_id, profile_id, consortium_id, partner_id,
                                          added_by)
           values ($1, $2, $3, $4, $5) on conflict do nothing""",
        vacancy_id,
        profile_id,
        consortium_id,
        partner_id,
        added_by,
    )
    return status.endswith(" 1")


async def remove_entry(
    conn: Connection, *, vacancy_id: UUID, profile_id: UUID, partner_id: UUID
) -> bool:
    status = await conn.execute(
        """delete from vacancy_shortlist
           where vacancy_id = $1 and profile_id = $2 and partner_id = $3""",
        vacancy_id,
        profile_id,
        partner_id,
    )
    return status.endswith(" 1")


async def list_entries(
    conn: Connection, *, vacancy_id: UUID, partner_id: UUID
) -> list[ShortlistEntry]:
    rows = await conn.fetch(
        """select vacancy_id, profile_id, added_at from vacancy_shortlist
           where vacancy_id = $1 and partner_id = $2
           order by added_at, profile_id""",
        vacancy_id,
        partner_id,
    )
    return [ShortlistEntry(r["vacancy_id"], r["profile_id"], r["added_at"]) for r in rows]


async def upsert_visit(
    conn: Connection,
    *,
    staff_user_id: UUID,
    vacancy_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    seen_profile_ids: Sequence[UUID],
) -> None:
    await conn.execute(
        """insert into vacancy_visit (staff_user_id, vacancy_id, consortium_id, partner_id,
                                      visited_at, seen_profile_ids)
           values ($1, $2, $3, $4, now(), $5::uuid[])
           on conflict (staff_user_id, vacancy_id)
           do update set visited_at = excluded.visited_at,
                         seen_profile_ids = excluded.seen_profile_ids""",
        staff_user_id,
        vacancy_id,
        consortium_id,
        partner_id,
        list(seen_profile_ids),
    )


async def visits(
    conn: Connection, *, staff_user_id: UUID, vacancy_ids: Sequence[UUID]
) -> dict[UUID, VacancyVisit]:
    rows = await conn.fetch(
        """select vacancy_id, visited_at, seen_profile_ids from vacancy_visit
           where staff_user_id = $1 and vacancy_id = any($2::uuid[])""",
        staff_user_id,
        list(vacancy_ids),
    )
    return {
        r["vacancy_id"]: VacancyVisit(
            r["vacancy_id"], r["visited_at"], frozenset(r["seen_profile_ids"])
        )
        for r in rows
    }
