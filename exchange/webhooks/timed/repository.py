"""SQL of the time-based events: each sent once (system scope)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from exchange.webhooks.models import (
    EventType,
)
from infra.db import Connection

# ---------------------------------------------------------------- time-based events (system)


@dataclass(frozen=True, slots=True)
class OutcomeDue:
    placement_id: UUID
    consortium_id: UUID
    hiring_partner_id: UUID
    vacancy_id: UUID
    months: int


async def claim_outcomes_due(conn: Connection, *, today: dt.date) -> list[OutcomeDue]:
    """Placements whose 3- or 6-month outcome is due and unrecorded, for hiring partners
    subscribed to ``placement.outcome_due``; each (placement, milestone) is returned once
    ever (its key is written here)."""
    rows = await conn.fetch(
        """with due as (
               select p.id, p.consortium_id, p.hiring_partner_id, p.vacancy_id, m.months,
                      'placement.outcome_due:' || p.id || ':' || m.months as key
               from placement p cross join (values (3), (6)) as m(months)
               where p.left_on is null
                 and case m.months when 3 then p.employed_at_3_months is null
                                   else p.employed_at_6_months is null end
                 and (p.start_date + make_interval(months => m.months))::date <= $1
                 and exists (select 1 from webhook_endpoint e
                             where e.partner_id = p.hiring_partner_id and e.status = 'ACTIVE'
                               and $2 = any(e.event_types))),
           fresh as (
               insert into webhook_sent_once (key, consortium_id)
               select key, consortium_id from due on conflict do nothing returning key)
           select due.* from due join fresh using (key) order by due.id, due.months""",
        today,
        EventType.PLACEMENT_OUTCOME_DUE.value,
    )
    return [
        OutcomeDue(
            r["id"], r["consortium_id"], r["hiring_partner_id"], r["vacancy_id"], r["months"]
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class WatchedVacancy:
    vacancy_id: UUID
    consortium_id: UUID
    partner_id: UUID


async def vacancies_watched_for_matches(conn: Connection, *, day: dt.date) -> list[WatchedVacancy]:
    """Open vacancies of partners subscribed to ``matches.new`` not yet announced on ``day``."""
    rows = await conn.fetch(
        """select v.id, v.consortium_id, v.partner_id from vacancy v
           join partner p on p.id = v.partner_id and p.status = 'ACTIVE'
           where v.status = 'OPEN'
             and exists (select 1 from webhook_endpoint e
                         where e.partner_id = v.partner_id and e.status = 'ACTIVE'
                           and $1 = any(e.event_types))
             and not exists (select 1 from webhook_sent_once s
                             where s.key = 'matches.new:' || v.id || ':' || $2::text)
           order by v.id""",
        EventType.MATCHES_NEW.value,
        day.isoformat(),
    )
    return [WatchedVacancy(r["id"], r["consortium_id"], r["partner_id"]) for r in rows]


async def announce_matches(
    conn: Connection,
    *,
    vacancy: WatchedVacancy,
    profile_ids: Sequence[UUID],
    day: dt.date,
) -> list[UUID]:
    """Of ``profile_ids``, those never announced for the vacancy, now marked announced;
    at most once per vacancy and day (an empty list when the day's key exists)."""
    key = f"{EventType.MATCHES_NEW.value}:{vacancy.vacancy_id}:{day.isoformat()}"
    fresh = await conn.fetch(
        """select id from unnest($2::uuid[]) as id
           where not exists (select 1 from webhook_match_announced a
                             where a.vacancy_id = $1 and a.profile_id = id)""",
        vacancy.vacancy_id,
        list(profile_ids),
    )
    if not fresh:
        return []
    claimed = await conn.fetchval(
        """insert into webhook_sent_once (key, consortium_id) values ($1, $2)
           on conflict do nothing returning key""",
        key,
        vacancy.consortium_id,
    )
    if claimed is None:
        return []
    ids = [r["id"] for r in fresh]
    await conn.execute(
        """insert into webhook_match_announced (vacancy_id, profile_id, consortium_id)
           select $1, id, $3 from unnest($2::uuid[]) as id on conflict do nothing""",
        vacancy.vacancy_id,
        ids,
        vacancy.consortium_id,
    )
    return ids
