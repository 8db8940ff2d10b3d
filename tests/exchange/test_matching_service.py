"""Matches through the use case: index candidates re-checked against PostgreSQL RLS."""

from __future__ import annotations

from uuid import UUID

import pytest

from exchange.matching import proposals, service
from exchange.matching.engine import MatchEngine
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import NotFound, UserError
from infra.scope import AccessScope
from tests.support import callers, factories


@pytest.fixture
async def world(db: ConnectionDatabase) -> dict[str, Caller]:
    consortium = await factories.create_consortium(db)
    return {
        name: callers.partner_caller(await factories.create_partner(db, consortium, name=name))
        for name in ("Sharer", "Hirer", "Outsider")
    }


async def _matches(
    db: ConnectionDatabase, engine: MatchEngine, caller: Caller, vacancy_id: UUID
) -> list[UUID]:
    async with db.transaction(caller.access_scope()) as conn:
        page = await service.find_matches(
            conn, caller, engine, vacancy_id=vacancy_id, first=20, offset=0, min_score=0
        )
    return [item.profile.id for item in page.items]


async def test_visible_profiles_are_ranked_explained_and_audited(
    db: ConnectionDatabase, world: dict[str, Caller]
) -> None:
    sharer, hirer = world["Sharer"], world["Hirer"]
    profile = await factories.share_profile(db, sharer)
    await factories.activate_profile(db, profile)
    vacancy = await factories.create_vacancy(db, hirer)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)

    async with db.transaction(hirer.access_scope()) as conn:
        page = await service.find_matches(
            conn, hirer, engine, vacancy_id=vacancy.id, first=10, offset=0, min_score=0
        )
    assert [item.profile.id for item in page.items] == [profile.id]
    result = page.items[0].result
    assert 0 < result.score <= 100
    assert round(sum(e.points for e in result.explanation), 2) == result.score
    async with db.transaction(AccessScope.system()) as conn:
        shown = await conn.fetchrow(
            "select details from audit_event where action = 'profile.shown_in_matches'"
        )
    assert shown is not None and shown["details"]["profiles"] == [str(profile.id)]


async def test_own_out_of_scope_and_withdrawn_profiles_never_appear(
    db: ConnectionDatabase, world: dict[str, Caller]
) -> None:
    sharer, hirer, outsider = world["Sharer"], world["Hirer"], world["Outsider"]
    in_scope = await factories.share_profile(db, sharer)
    await factories.activate_profile(
        db,
        in_scope,
        scope_kind="ONLY",
        scope_partner_ids=(hirer.partner_id,),  # type: ignore[arg-type]
    )
    excluded = await factories.share_profile(db, sharer)
    await factories.activate_profile(
        db,
        excluded,
        scope_kind="ALL_EXCEPT",
        scope_partner_ids=(hirer.partner_id,),  # type: ignore[arg-type]
    )
    own = await factories.share_profile(db, hirer)
    await factories.activate_profile(db, own)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    hirer_vacancy = await factories.create_vacancy(db, hirer)
    outsider_vacancy = await factories.create_vacancy(db, outsider)

    assert await _matches(db, engine, hirer, hirer_vacancy.id) == [in_scope.id]
    assert set(await _matches(db, engine, outsider, outsider_vacancy.id)) == {excluded.id, own.id}

    # withdrawal: the index has not heard of it yet, the very next request must not show it
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update profile set status = 'WITHDRAWN' where id = $1", in_scope.id)
    assert await _matches(db, engine, hirer, hirer_vacancy.id) == []

    # a suspended sharing partner's profiles leave the exchange at once
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "update partner set status = 'SUSPENDED' where id = $1", sharer.partner_id
        )
    assert await _matches(db, engine, outsider, outsider_vacancy.id) == [own.id]


async def test_only_own_open_vacancies_and_sane_bounds(
    db: ConnectionDatabase, world: dict[str, Caller]
) -> None:
    hirer, outsider = world["Hirer"], world["Outsider"]
    engine = MatchEngine(factories.normalizer().taxonomy)
    foreign = await factories.create_vacancy(db, outsider)
    with pytest.raises(NotFound):
        await _matches(db, engine, hirer, foreign.id)
    with pytest.raises(UserError) as raised:
        async with db.transaction(hirer.access_scope()) as conn:
            await service.find_matches(
                conn, hirer, engine, vacancy_id=foreign.id, first=10, offset=0, min_score=101
            )
    assert raised.value.errors[0].field == "minScore"


async def test_proposals_show_only_own_vacancies_within_capacity(
    db: ConnectionDatabase, world: dict[str, Caller]
) -> None:
    sharer, hirer, outsider = world["Sharer"], world["Hirer"], world["Outsider"]
    profiles = [await factories.share_profile(db, sharer) for _ in range(8)]
    for profile in profiles:
        await factories.activate_profile(db, profile)
    hirer_vacancies = [await factories.create_vacancy(db, hirer) for _ in range(2)]
    outsider_vacancy = await factories.create_vacancy(db, outsider)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    cache = proposals.ProposalCache()

    assignment = await proposals.consortium_assignment(db, hirer, engine=engine, cache=cache)
    async with db.transaction(hirer.access_scope()) as conn:
        page = await proposals.placement_proposals(
            conn, hirer, assignment=assignment, first=50, offset=0
        )
    shown = [(item.vacancy.id, item.profile.id) for item in page.items]
    assert shown, "eight fitting profiles must yield proposals"
    assert {v for v, _ in shown} <= {v.id for v in hirer_vacancies}
    assert outsider_vacancy.id not in {v for v, _ in shown}
    per_vacancy = [sum(1 for v, _ in shown if v == vacancy.id) for vacancy in hirer_vacancies]
    assert max(per_vacancy) <= proposals.VACANCY_CAPACITY
    per_profile = [sum(1 for _, p in shown if p == profile.id) for profile in profiles]
    assert max(per_profile) <= proposals.PROFILE_CAPACITY
    assert len(set(shown)) == len(shown)
