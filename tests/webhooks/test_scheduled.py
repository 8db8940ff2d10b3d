"""Time-based events: placement.outcome_due once per milestone; matches.new once per vacancy
per day, only for profiles never announced and visible to the partner."""

from __future__ import annotations

import datetime as dt

from exchange.matching.engine import MatchEngine
from exchange.placements.service import record_placement
from exchange.webhooks.scheduled import announce_new_matches, announce_outcomes_due
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.introductions import build_world, request, respond
from tests.support.webhooks import register


async def _events(db: ConnectionDatabase, event_type: str) -> list[dict[str, object]]:
    rows = await system_fetch(
        db,
        "select payload from webhook_event where event_type = $1 order by created_at",
        event_type,
    )
    return [r["payload"]["data"] for r in rows]


async def test_an_outcome_due_is_announced_once_per_milestone(db: ConnectionDatabase) -> None:
    world = await build_world(db)
    await register(db, world.hr_b, "http://127.0.0.1:9/h", ["placement.outcome_due"])
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    today = dt.date.today()
    async with db.transaction(world.hr_b.access_scope()) as conn:
        placement = await record_placement(
            conn, world.hr_b, introduction_id=introduction.id, start_date=today
        )
    assert await announce_outcomes_due(db, today=today) == 0
    assert await announce_outcomes_due(db, today=today + dt.timedelta(days=93)) == 1
    assert await announce_outcomes_due(db, today=today + dt.timedelta(days=94)) == 0
    assert await announce_outcomes_due(db, today=today + dt.timedelta(days=200)) == 1
    due = await _events(db, "placement.outcome_due")
    assert [(d["placementId"], d["months"]) for d in due] == [
        (str(placement.id), 3),
        (str(placement.id), 6),
    ]


async def test_new_matches_are_announced_once_per_vacancy_per_day(db: ConnectionDatabase) -> None:
    world = await build_world(db)
    await register(db, world.hr_b, "http://127.0.0.1:9/h", ["matches.new"])
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    now = dt.datetime.now(dt.UTC)
    assert await announce_new_matches(db, engine, min_score=0, now=now) == 1
    [announced] = await _events(db, "matches.new")
    assert announced["vacancyId"] == str(world.vacancy_b.id)
    assert str(world.profile.id) in announced["profileIds"]  # type: ignore[operator]
    assert await announce_new_matches(db, engine, min_score=0, now=now) == 0  # same day
    tomorrow = now + dt.timedelta(days=1)
    assert await announce_new_matches(db, engine, min_score=0, now=tomorrow) == 0  # none new
    other = await factories.share_profile(db, world.hr_a)
    await factories.activate_profile(db, other)
    await engine.refresh(db, [other.id])
    assert await announce_new_matches(db, engine, min_score=0, now=tomorrow) == 1
    latest = (await _events(db, "matches.new"))[-1]
    assert latest["profileIds"] == [str(other.id)]
    # C never subscribed: nothing for its vacancy; the audit trail shows what B was shown
    shown = await system_fetch(
        db,
        "select partner_id, subject_id from audit_event where action = 'profile.shown_in_matches'",
    )
    assert {(s["partner_id"], s["subject_id"]) for s in shown} == {
        (world.b.id, str(world.vacancy_b.id))
    }


async def test_a_profile_the_partner_may_not_see_is_never_announced(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    await register(db, world.hr_b, "http://127.0.0.1:9/h", ["matches.new"])
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    async with db.transaction(AccessScope.system()) as conn:  # consent ended behind the index
        await conn.execute(
            "update profile set status = 'WITHDRAWN' where id = $1", world.profile.id
        )
    assert await announce_new_matches(db, engine, min_score=0, now=dt.datetime.now(dt.UTC)) == 0
