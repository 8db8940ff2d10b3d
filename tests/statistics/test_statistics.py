"""Exchange statistics of a small hand-built consortium, against numbers worked out by hand.

partners A, B, C;  A shares a1 a2 a3, B shares b1;  a3 refuses, b1 later withdraws
shown:  B's vacancy vb: [a1, a2] then [a1];  C's vacancy vc: [a1, a2, b1];
        proposals to B: [a2]
introductions: B→a1 (accepted), B→a2 (accepted), C→a1 (declined), C→b1 (accepted)
placements (days from share): B hires a1 (10 d), a2 (20 d); C hires b1 (40 d)
outcomes: a1 started 200 days ago, kept at 3 months, gone at 6; a2 started 100 days ago,
          kept at 3 months; b1 started 10 days ago
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.placements import service as placements_service
from exchange.profiles.models import Profile
from exchange.statistics.models import ExchangeStatistics, Flow
from exchange.statistics.service import exchange_statistics
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.support import callers, factories, introductions


def today() -> dt.date:
    """Today as the server sees it, asked when needed: a run may cross midnight."""
    return dt.datetime.now(dt.UTC).date()


async def _event(
    db: ConnectionDatabase, caller: Caller, action: str, subject: str | None, **details: object
) -> None:
    async with db.transaction(caller.access_scope()) as conn:
        await record_caller_event(
            conn,
            caller,
            action=action,
            subject_kind="profile" if subject else None,
            subject_id=subject,
            details=details,
        )


def _ids(*profiles: Profile) -> list[str]:
    return [str(p.id) for p in profiles]


async def _place(
    db: ConnectionDatabase,
    hr: Caller,
    introduction_id: uuid.UUID,
    *,
    days: int,
    start_ago: int,
    at3: bool | None,
    at6: bool | None,
) -> None:
    async with db.transaction(hr.access_scope()) as conn:
        placement = await placements_service.record_placement(
            conn, hr, introduction_id=introduction_id, start_date=today()
        )
    recorded = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            """update placement set recorded_at = $2, shared_at = $3, start_date = $4,
                   employed_at_3_months = $5, employed_at_6_months = $6 where id = $1""",
            placement.id,
            recorded,
            recorded - dt.timedelta(days=days),
            today() - dt.timedelta(days=start_ago),
            at3,
            at6,
        )


@pytest.fixture
async def stats_world(db: ConnectionDatabase) -> dict[str, object]:
    consortium = await factories.create_consortium(db)
    a, b, c = [await factories.create_partner(db, consortium, name=n) for n in "ABC"]
    hr_a, hr_b, hr_c = (callers.partner_caller(p) for p in (a, b, c))
    a1, a2, a3 = [await factories.share_profile(db, hr_a) for _ in range(3)]
    b1 = await factories.share_profile(db, hr_b)
    for profile in (a1, a2, b1):
        await factories.activate_profile(db, profile)
        await _event(
            db, callers.candidate_caller(profile), actions.CONSENT_GRANTED, str(profile.id)
        )
    await _event(db, callers.candidate_caller(a3), actions.CONSENT_REFUSED, str(a3.id))
    await _event(db, callers.candidate_caller(b1), actions.CONSENT_WITHDRAWN, str(b1.id))
    vb = await factories.create_vacancy(db, hr_b, title="vb")
    vc = await factories.create_vacancy(db, hr_c, title="vc")

    async def shown(
        hr: Caller, action: str, vacancy_id: uuid.UUID | None, profiles: list[str]
    ) -> None:
        async with db.transaction(hr.access_scope()) as conn:
            await record_caller_event(
                conn,
                hr,
                action=action,
                subject_kind="vacancy" if vacancy_id else None,
                subject_id=str(vacancy_id) if vacancy_id else None,
                details={"profiles": profiles},
            )

    await shown(hr_b, actions.PROFILE_SHOWN_IN_MATCHES, vb.id, _ids(a1, a2))
    await shown(hr_b, actions.PROFILE_SHOWN_IN_MATCHES, vb.id, _ids(a1))
    await shown(hr_c, actions.PROFILE_SHOWN_IN_MATCHES, vc.id, _ids(a1, a2, b1))
    await shown(hr_b, actions.PLACEMENT_PROPOSALS_SHOWN, None, _ids(a2))

    intro_b_a1 = await introductions.request(db, hr_b, a1.id, vb.id)
    intro_b_a2 = await introductions.request(db, hr_b, a2.id, vb.id)
    intro_c_a1 = await introductions.request(db, hr_c, a1.id, vc.id)
    intro_c_b1 = await introductions.request(db, hr_c, b1.id, vc.id)
    for intro, profile, accept in (
        (intro_b_a1, a1, True),
        (intro_b_a2, a2, True),
        (intro_c_a1, a1, False),
        (intro_c_b1, b1, True),
    ):
        await introductions.respond(db, callers.candidate_caller(profile), intro.id, accept=accept)
    await _place(db, hr_b, intro_b_a1.id, days=10, start_ago=200, at3=True, at6=False)
    await _place(db, hr_b, intro_b_a2.id, days=20, start_ago=100, at3=True, at6=None)
    await _place(db, hr_c, intro_c_b1.id, days=40, start_ago=10, at3=None, at6=None)
    return {"consortium": consortium, "a": a, "b": b, "c": c, "vb": vb, "vc": vc}


async def _stats(
    db: ConnectionDatabase, world: dict[str, object], **period: dt.date
) -> ExchangeStatistics:
    admin = callers.admin_caller(world["consortium"])  # type: ignore[arg-type]
    async with db.transaction(admin.access_scope()) as conn:
        return await exchange_statistics(conn, admin, **period)


async def test_statistics_equal_the_hand_count(
    db: ConnectionDatabase, stats_world: dict[str, object]
) -> None:
    a, b, c = (stats_world[k].id for k in "abc")  # type: ignore[attr-defined]
    stats = await _stats(
        db, stats_world, first_day=today() - dt.timedelta(days=30), last_day=today()
    )

    assert set(stats.flows) == {
        Flow(a, b, shared=2, introduced=2, placed=2),
        Flow(a, c, shared=2, introduced=1, placed=0),
        Flow(b, c, shared=1, introduced=1, placed=1),
    }

    by_id = {p.partner_id: p for p in stats.partners}
    assert [
        (
            p.profiles_shared,
            p.profiles_seen,
            p.introductions_requested,
            p.introductions_received,
            p.placements_given,
            p.placements_received,
        )
        for p in (by_id[a], by_id[b], by_id[c])
    ] == [
        (3, 0, 0, 3, 2, 0),
        (1, 2, 2, 1, 1, 2),
        (0, 3, 2, 0, 0, 1),
    ]
    assert [by_id[x].reciprocity_balance for x in (a, b, c)] == [2, -1, -1]
    assert by_id[a].requests_per_profile_seen is None
    assert by_id[b].requests_per_profile_seen == 1.0
    assert by_id[c].requests_per_profile_seen == pytest.approx(2 / 3)

    placements = stats.placements
    assert placements.placements == 3
    assert placements.median_days_to_placement == 20.0
    assert placements.p90_days_to_placement == 36.0  # 20 + 0.8 × (40 − 20)
    r3, r6 = placements.retention_3_months, placements.retention_6_months
    assert (r3.due, r3.known, r3.retained, r3.rate) == (2, 2, 2, 1.0)
    assert (r6.due, r6.known, r6.retained, r6.rate) == (1, 1, 0, 0.0)

    funnel = stats.consent_funnel
    assert (
        funnel.requested,
        funnel.confirmed,
        funnel.refused,
        funnel.unanswered,
        funnel.withdrawn,
        funnel.expired,
        funnel.pending,
    ) == (4, 3, 1, 0, 1, 0, 0)

    vacancies = {v.title: v for v in stats.vacancies}
    assert [
        (
            v.match_queries,
            v.profiles_shown,
            v.introductions_requested,
            v.introductions_accepted,
            v.placements,
        )
        for v in (vacancies["vb"], vacancies["vc"])
    ] == [
        (2, 2, 2, 2, 2),
        (1, 3, 2, 1, 1),
    ]


async def test_a_period_before_everything_counts_nothing(
    db: ConnectionDatabase, stats_world: dict[str, object]
) -> None:
    stats = await _stats(
        db,
        stats_world,
        first_day=today() - dt.timedelta(days=400),
        last_day=today() - dt.timedelta(days=31),
    )
    assert stats.flows == [] and stats.vacancies == []
    assert stats.placements.placements == 0 and stats.placements.median_days_to_placement is None
    assert stats.consent_funnel.requested == 0
    assert {p.profiles_shared + p.profiles_seen for p in stats.partners} == {0}


async def test_period_is_checked(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        with pytest.raises(UserError) as caught:
            await exchange_statistics(
                conn, admin, first_day=today(), last_day=today() - dt.timedelta(1)
            )
    assert caught.value.errors[0].field == "from"
