"""The statistics' SQL. Each query takes the consortium ($1) and the period [$2, $3).

Sources: the audit trail for what is no longer in the tables (profiles shown, profiles
shared and their consent outcome survive erasure there, by pseudonymous id only), the
introduction and placement tables for the rest.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from exchange.audit import actions
from exchange.partners.models import PartnerStatus
from exchange.statistics.models import (
    ConsentFunnel,
    Flow,
    PartnerActivity,
    Period,
    PlacementSummary,
    Retention,
    VacancyActivity,
)
from exchange.vacancies.models import VacancyStatus
from infra.db import Connection

MAX_VACANCIES = 1000

# Profiles shown to a partner (matches and placement proposals) in the period: one row per
# (viewer, profile, event). The matcher writes the ids under "profiles".
_SHOWN = f"""
shown as (
    select e.seq, e.action, e.partner_id as viewer, e.subject_id, s.profile_id
    from audit_event e
    cross join lateral jsonb_array_elements_text(
        case jsonb_typeof(coalesce(e.details -> 'profiles', e.details -> 'profile_ids'))
            when 'array' then coalesce(e.details -> 'profiles', e.details -> 'profile_ids')
            else '[]'::jsonb end) as s(profile_id)
    where e.consortium_id = $1
      and e.action in ('{actions.PROFILE_SHOWN_IN_MATCHES}', '{actions.PLACEMENT_PROPOSALS_SHOWN}')
      and e.occurred_at >= $2 and e.occurred_at < $3
      and e.partner_id is not null
)"""

# Who shared each profile, from the trail (so erased profiles still count).
_OWNER = f"""
owner as (
    select distinct on (subject_id) subject_id as profile_id, partner_id as sharer
    from audit_event
    where consortium_id = $1 and action = '{actions.PROFILE_SHARED}' and partner_id is not null
    order by subject_id, seq
)"""

_PERIOD = "{col} >= $2 and {col} < $3"


async def partner_activity(
    conn: Connection, *, consortium_id: UUID, period: Period
) -> list[PartnerActivity]:
    rows = await conn.fetch(
        f"""
        with {_SHOWN},
        seen as (select viewer, count(distinct profile_id) as n from shown group by viewer),
        shared as (
            select partner_id, count(*) as n from audit_event
            where consortium_id = $1 and action = '{actions.PROFILE_SHARED}'
              and {_PERIOD.format(col="occurred_at")}
            group by partner_id),
        intro as (
            select requesting_partner_id, sharing_partner_id from introduction
            where consortium_id = $1 and {_PERIOD.format(col="requested_at")}),
        placed as (
            select hiring_partner_id, sharing_partner_id from placement
            where consortium_id = $1 and {_PERIOD.format(col="recorded_at")})
        select p.id, p.slug, p.name, p.status,
               coalesce(sh.n, 0) as profiles_shared,
               coalesce(se.n, 0) as profiles_seen,
               (select count(*) from intro i where i.requesting_partner_id = p.id) as requested,
               (select count(*) from intro i where i.sharing_partner_id = p.id) as received,
               (select count(*) from placed x where x.sharing_partner_id = p.id) as given,
               (select count(*) from placed x where x.hiring_partner_id = p.id) as hired
        from partner p
        left join shared sh on sh.partner_id = p.id
        left join seen se on se.viewer = p.id
        where p.consortium_id = $1
        order by p.name, p.id
        """,
        consortium_id,
        period.start,
        period.end,
    )
    return [
        PartnerActivity(
            partner_id=r["id"],
            slug=r["slug"],
            name=r["name"],
            status=PartnerStatus(r["status"]),
            profiles_shared=r["profiles_shared"],
            profiles_seen=r["profiles_seen"],
            introductions_requested=r["requested"],
            introductions_received=r["received"],
            placements_given=r["given"],
            placements_received=r["hired"],
        )
        for r in rows
    ]


async def flows(conn: Connection, *, consortium_id: UUID, period: Period) -> list[Flow]:
    rows = await conn.fetch(
        f"""
        with {_SHOWN}, {_OWNER},
        seen as (
            select o.sharer, s.viewer as receiver, count(distinct s.profile_id) as shared
            from shown s join owner o using (profile_id)
            where o.sharer <> s.viewer
            group by o.sharer, s.viewer),
        intro as (
            select sharing_partner_id as sharer, requesting_partner_id as receiver,
                   count(*) as introduced
            from introduction
            where consortium_id = $1 and {_PERIOD.format(col="requested_at")}
            group by 1, 2),
        placed as (
            select sharing_partner_id as sharer, hiring_partner_id as receiver, count(*) as placed
            from placement
            where consortium_id = $1 and {_PERIOD.format(col="recorded_at")}
            group by 1, 2)
        select sharer, receiver, coalesce(shared, 0) as shared,
               coalesce(introduced, 0) as introduced, coalesce(placed, 0) as placed
        from seen full join intro using (sharer, receiver) full join placed using (sharer, receiver)
        order by sharer, receiver
        """,
        consortium_id,
        period.start,
        period.end,
    )
    return [
        Flow(r["sharer"], r["receiver"], r["shared"], r["introduced"], r["placed"]) for r in rows
    ]


async def placement_summary(
    conn: Connection, *, consortium_id: UUID, period: Period, today: dt.date
) -> PlacementSummary:
    row = await conn.fetchrow(
        f"""
        with p as (
            select start_date, employed_at_3_months as at3, employed_at_6_months as at6,
                   extract(epoch from recorded_at - shared_at) / 86400.0 as days
            from placement
            where consortium_id = $1 and {_PERIOD.format(col="recorded_at")})
        select count(*) as placements,
               percentile_cont(0.5) within group (order by days) as median_days,
               percentile_cont(0.9) within group (order by days) as p90_days,
               count(*) filter (where start_date + interval '3 months' <= $4) as due3,
               count(at3) as known3, count(*) filter (where at3) as kept3,
               count(*) filter (where start_date + interval '6 months' <= $4) as due6,
               count(at6) as known6, count(*) filter (where at6) as kept6
        from p
        """,
        consortium_id,
        period.start,
        period.end,
        today,
    )
    assert row is not None

    def days(value: float | None) -> float | None:
        return None if value is None else round(float(value), 1)

    return PlacementSummary(
        placements=row["placements"],
        median_days_to_placement=days(row["median_days"]),
        p90_days_to_placement=days(row["p90_days"]),
        retention_3_months=Retention(row["due3"], row["known3"], row["kept3"]),
        retention_6_months=Retention(row["due6"], row["known6"], row["kept6"]),
    )


async def consent_funnel(conn: Connection, *, consortium_id: UUID, period: Period) -> ConsentFunnel:
    row = await conn.fetchrow(
        f"""
        with cohort as (
            select distinct subject_id from audit_event
            where consortium_id = $1 and action = '{actions.PROFILE_SHARED}'
              and {_PERIOD.format(col="occurred_at")}),
        later as (
            select action, subject_id from audit_event
            where consortium_id = $1 and action = any($4::text[])
              and subject_id in (select subject_id from cohort))
        select (select count(*) from cohort) as requested,
               count(distinct subject_id) filter (where action = $5) as confirmed,
               count(distinct subject_id) filter (where action = $6) as refused,
               count(distinct subject_id) filter (where action = $7) as unanswered,
               count(distinct subject_id) filter (where action = $8) as withdrawn,
               count(distinct subject_id) filter (where action = $9) as expired
        from later
        """,
        consortium_id,
        period.start,
        period.end,
        list(_FUNNEL_ACTIONS),
        *_FUNNEL_ACTIONS,
    )
    assert row is not None
    return ConsentFunnel(
        requested=row["requested"],
        confirmed=row["confirmed"],
        refused=row["refused"],
        unanswered=row["unanswered"],
        withdrawn=row["withdrawn"],
        expired=row["expired"],
    )


_FUNNEL_ACTIONS = (
    actions.CONSENT_GRANTED,
    actions.CONSENT_REFUSED,
    actions.CONSENT_REQUEST_EXPIRED,
    actions.CONSENT_WITHDRAWN,
    actions.CONSENT_EXPIRED,
)


async def vacancy_activity(
    conn: Connection, *, consortium_id: UUID, period: Period
) -> list[VacancyActivity]:
    rows = await conn.fetch(
        f"""
        with {_SHOWN},
        m as (
            select subject_id, count(distinct seq) as queries,
                   count(distinct profile_id) as profiles
            from shown
            where action = '{actions.PROFILE_SHOWN_IN_MATCHES}'
            group by subject_id),
        i as (
            select vacancy_id, count(*) as requested,
                   count(*) filter (where status = 'ACCEPTED') as accepted
            from introduction
            where consortium_id = $1 and {_PERIOD.format(col="requested_at")}
            group by vacancy_id),
        pl as (
            select vacancy_id, count(*) as placed from placement
            where consortium_id = $1 and {_PERIOD.format(col="recorded_at")}
            group by vacancy_id)
        select v.id, v.partner_id, v.title, v.status,
               coalesce(m.queries, 0) as queries, coalesce(m.profiles, 0) as profiles,
               coalesce(i.requested, 0) as requested, coalesce(i.accepted, 0) as accepted,
               coalesce(pl.placed, 0) as placed
        from vacancy v
        left join m on m.subject_id = v.id::text
        left join i on i.vacancy_id = v.id
        left join pl on pl.vacancy_id = v.id
        where v.consortium_id = $1
          and (m.queries is not null or i.requested is not null or pl.placed is not null)
        order by queries desc, requested desc, v.title, v.id
        limit {MAX_VACANCIES}
        """,
        consortium_id,
        period.start,
        period.end,
    )
    return [
        VacancyActivity(
            vacancy_id=r["id"],
            partner_id=r["partner_id"],
            title=r["title"],
            status=VacancyStatus(r["status"]),
            match_queries=r["queries"],
            profiles_shown=r["profiles"],
            introductions_requested=r["requested"],
            introductions_accepted=r["accepted"],
            placements=r["placed"],
        )
        for r in rows
    ]


# The exchange funnel of the profiles shared in the period, from the trail (erasure-safe):
# each later step counts a profile once, whenever it happened.
_PROFILE_STEPS = (
    actions.INTRODUCTION_REQUESTED,
    actions.INTRODUCTION_ACCEPTED,
    actions.PLACEMENT_RECORDED,
)


async def exchange_funnel(
    conn: Connection, *, consortium_id: UUID, period: Period
) -> dict[str, int]:
    """Profiles shared in the period, and how many of them were consented, shown in
    matches or proposals, introduced, accepted and placed (keys as the actions)."""
    row = await conn.fetchrow(
        f"""
        with cohort as (
            select distinct subject_id as profile_id from audit_event
            where consortium_id = $1 and action = '{actions.PROFILE_SHARED}'
              and {_PERIOD.format(col="occurred_at")}),
        consented as (
            select distinct subject_id as profile_id from audit_event
            where consortium_id = $1 and action = '{actions.CONSENT_GRANTED}'
              and subject_id in (select profile_id from cohort)),
        matched as (
            -- a profile can be shown only after it was shared: no earlier event is read
            select distinct s.profile_id from audit_event e
            cross join lateral jsonb_array_elements_text(
                case jsonb_typeof(e.details -> 'profiles')
                    when 'array' then e.details -> 'profiles' else '[]'::jsonb end)
                as s(profile_id)
            join cohort c on c.profile_id = s.profile_id
            where e.consortium_id = $1
              and e.action in ('{actions.PROFILE_SHOWN_IN_MATCHES}',
                               '{actions.PLACEMENT_PROPOSALS_SHOWN}')
              and e.occurred_at >= $2
              and exists (select 1 from cohort)),
        steps as (
            select action, count(distinct details ->> 'profile_id') as n from audit_event
            where consortium_id = $1 and action = any($4::text[])
              and details ->> 'profile_id' in (select profile_id from cohort)
            group by action)
        select (select count(*) from cohort) as shared,
               (select count(*) from consented) as consented,
               (select count(*) from matched) as matched,
               coalesce((select n from steps where action = $5), 0) as introduced,
               coalesce((select n from steps where action = $6), 0) as accepted,
               coalesce((select n from steps where action = $7), 0) as placed
        """,
        consortium_id,
        period.start,
        period.end,
        list(_PROFILE_STEPS),
        *_PROFILE_STEPS,
    )
    assert row is not None
    return {key: int(row[key]) for key in FUNNEL_KEYS}


FUNNEL_KEYS = ("shared", "consented", "matched", "introduced", "accepted", "placed")

DAYS_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 180), (181, None))
"""Days from sharing to placement, both ends included; ``None``: no upper end."""


async def days_to_placement(conn: Connection, *, consortium_id: UUID, period: Period) -> list[int]:
    """Placements recorded in the period, counted per :data:`DAYS_BUCKETS` bucket."""
    rows = await conn.fetch(
        f"""
        select floor(extract(epoch from recorded_at - shared_at) / 86400.0)::int as days
        from placement
        where consortium_id = $1 and {_PERIOD.format(col="recorded_at")}
        """,
        consortium_id,
        period.start,
        period.end,
    )
    counts = [0] * len(DAYS_BUCKETS)
    for r in rows:
        days = max(int(r["days"]), 0)
        for index, (low, high) in enumerate(DAYS_BUCKETS):
            if days >= low and (high is None or days <= high):
                counts[index] += 1
                break
    return counts
