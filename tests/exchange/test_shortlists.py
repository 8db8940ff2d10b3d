"""Shortlists and last visits through their use cases; the matches' filters; the vacancy
requirements' preview; which placement outcomes are due."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from exchange.audit.actions import SHORTLIST_ADDED, SHORTLIST_REMOVED
from exchange.matching import service as matching
from exchange.matching.engine import MatchEngine
from exchange.matching.service import MatchFilters
from exchange.placements.models import Placement
from exchange.placements.service import outcomes_due
from exchange.shortlists import service as shortlists
from exchange.vacancies import service as vacancies
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import Forbidden, NotFound, UserError
from matching.types import ProfileKind, WorkMode
from tests.support import callers, factories
from tests.support.as_system import system_fetch


@pytest.fixture
async def world(db: ConnectionDatabase):  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    sharer = await factories.create_partner(db, consortium, name="Sharer")
    hirer = await factories.create_partner(db, consortium, name="Hirer")
    hr = Caller.partner_staff(consortium.id, hirer.id, (await factories.create_staff(db, hirer))[0])
    profile = await factories.share_profile(db, callers.partner_caller(sharer))
    await factories.activate_profile(db, profile)
    mover = await factories.share_profile(
        db, callers.partner_caller(sharer), kind=ProfileKind.READY_TO_MOVE,
        work_modes=(WorkMode.ON_SITE,), available_from=dt.date.today() + dt.timedelta(days=20),
    )  # fmt: skip
    await factories.activate_profile(db, mover)
    pending = await factories.share_profile(db, callers.partner_caller(sharer))
    vacancy = await factories.create_vacancy(db, hr)
    own = await factories.share_profile(db, hr)
    await factories.activate_profile(db, own)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    return {"hr": hr, "profile": profile, "mover": mover, "pending": pending, "own": own,
            "vacancy": vacancy, "engine": engine, "sharer": sharer}  # fmt: skip


async def test_shortlist_holds_only_visible_profiles_of_others(  # type: ignore[no-untyped-def]
    db: ConnectionDatabase, world
) -> None:
    hr, vacancy = world["hr"], world["vacancy"]
    async with db.transaction(hr.access_scope()) as conn:
        assert await shortlists.add_to_shortlist(
            conn, hr, vacancy_id=vacancy.id, profile_id=world["profile"].id
        )
        assert not await shortlists.add_to_shortlist(
            conn, hr, vacancy_id=vacancy.id, profile_id=world["profile"].id
        )
        for hidden in (world["pending"].id, world["own"].id, uuid.uuid4()):
            with pytest.raises(NotFound):
                await shortlists.add_to_shortlist(
                    conn, hr, vacancy_id=vacancy.id, profile_id=hidden
                )
        with pytest.raises(NotFound):
            await shortlists.add_to_shortlist(
                conn, hr, vacancy_id=uuid.uuid4(), profile_id=world["profile"].id
            )
    async with db.transaction(hr.access_scope()) as conn:
        assert [p.id for p in await shortlists.shortlist(conn, hr, vacancy_id=vacancy.id)] == [
            world["profile"].id
        ]
    other = callers.partner_caller(world["sharer"])
    async with db.transaction(other.access_scope()) as conn:
        with pytest.raises(NotFound):
            await shortlists.shortlist(conn, other, vacancy_id=vacancy.id)
    async with db.transaction(hr.access_scope()) as conn:
        assert await shortlists.remove_from_shortlist(
            conn, hr, vacancy_id=vacancy.id, profile_id=world["profile"].id
        )
        assert await shortlists.shortlisted_ids(conn, hr, vacancy_id=vacancy.id) == set()
    events = await system_fetch(
        db, "select action, details from audit_event where action like 'shortlist.%' order by seq"
    )
    assert [(e["action"], e["details"]["profile_id"]) for e in events] == [
        (SHORTLIST_ADDED, str(world["profile"].id)),
        (SHORTLIST_REMOVED, str(world["profile"].id)),
    ]


async def test_visits_remember_what_the_matches_held(  # type: ignore[no-untyped-def]
    db: ConnectionDatabase, world
) -> None:
    hr, vacancy = world["hr"], world["vacancy"]
    async with db.transaction(hr.access_scope()) as conn:
        ids = await matching.matching_profile_ids(conn, hr, world["engine"], vacancies=[vacancy])
        assert set(ids[vacancy.id]) == {world["profile"].id, world["mover"].id}
        assert await shortlists.last_visits(conn, hr, vacancy_ids=[vacancy.id]) == {}
        await shortlists.record_visit(
            conn, hr, vacancy_id=vacancy.id, seen_profile_ids=[world["profile"].id]
        )
        visit = (await shortlists.last_visits(conn, hr, vacancy_ids=[vacancy.id]))[vacancy.id]
    assert visit.seen_profile_ids == {world["profile"].id}
    api_client = callers.partner_caller(world["sharer"])  # no user: no visits
    async with db.transaction(api_client.access_scope()) as conn:
        assert await shortlists.last_visits(conn, api_client, vacancy_ids=[vacancy.id]) == {}


async def test_match_filters_narrow_the_whole_ranking(  # type: ignore[no-untyped-def]
    db: ConnectionDatabase, world
) -> None:
    hr, vacancy, engine = world["hr"], world["vacancy"], world["engine"]

    async def ids(filters: MatchFilters) -> set[uuid.UUID]:
        async with db.transaction(hr.access_scope()) as conn:
            page = await matching.find_matches(
                conn, hr, engine, vacancy_id=vacancy.id, first=10, offset=0, min_score=0,
                filters=filters,
            )  # fmt: skip
        return {i.profile.id for i in page.items}

    both = {world["profile"].id, world["mover"].id}
    assert await ids(MatchFilters()) == both
    assert await ids(MatchFilters(kind=ProfileKind.READY_TO_MOVE)) == {world["mover"].id}
    assert await ids(MatchFilters(work_mode=WorkMode.REMOTE)) == {world["profile"].id}
    assert await ids(MatchFilters(available_by=dt.date.today())) == {world["profile"].id}


async def test_preview_maps_phrases_and_saves_no_vacancy(  # type: ignore[no-untyped-def]
    db: ConnectionDatabase, world
) -> None:
    hr = world["hr"]
    async with db.transaction(hr.access_scope()) as conn:
        previews = await vacancies.preview_requirements(
            conn, hr, factories.normalizer(), ["Salesforse", "Zendesk en Freshdesk"],
            language="en",
        )  # fmt: skip
        listed = await vacancies.list_vacancies(conn, hr, status=None, limit=10, after=None)
    assert previews[0].concept_label == "Salesforce" and previews[0].confidence > 0.5
    assert [p.source for p in previews] == [0, 1, 1]  # the second phrase names two tools
    assert len(listed.items) == 1  # only the fixture's
    with pytest.raises(UserError):
        async with db.transaction(hr.access_scope()) as conn:
            await vacancies.preview_requirements(
                conn, hr, factories.normalizer(), [""], language="nl"
            )
    admin = Caller.admin(hr.consortium_id, uuid.uuid4())
    with pytest.raises(Forbidden):
        async with db.transaction(admin.access_scope()) as conn:
            await vacancies.preview_requirements(
                conn, admin, factories.normalizer(), ["Salesforce"], language="nl"
            )


def test_outcomes_fall_due_at_3_and_6_months_unless_known() -> None:
    start = dt.date(2026, 1, 31)
    placement = Placement(
        id=uuid.uuid4(), consortium_id=uuid.uuid4(), introduction_id=uuid.uuid4(),
        profile_id=None, vacancy_id=uuid.uuid4(), hiring_partner_id=uuid.uuid4(),
        sharing_partner_id=uuid.uuid4(), shared_at=dt.datetime.now(dt.UTC), start_date=start,
        employed_at_3_months=None, employed_at_6_months=None, left_on=None, left_reason=None,
        recorded_at=dt.datetime.now(dt.UTC), outcome_recorded_at=None,
    )  # fmt: skip
    assert outcomes_due(placement, dt.date(2026, 4, 29)) == ()
    assert outcomes_due(placement, dt.date(2026, 4, 30)) == (3,)
    assert outcomes_due(placement, dt.date(2026, 8, 1)) == (3, 6)
    known = dataclasses.replace(placement, employed_at_3_months=True)
    assert outcomes_due(known, dt.date(2026, 8, 1)) == (6,)
    left = dataclasses.replace(placement, left_on=dt.date(2026, 3, 1))
    assert outcomes_due(left, dt.date(2026, 8, 1)) == ()
