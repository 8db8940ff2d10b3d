"""The start-up read of the match index returns exactly what the row-by-row read returns.

``exchange.matching.repository.iter_live_profiles`` reads each distinct competency
once and every profile with keys into that list; ``live_profiles`` (what the listener
uses to re-read one profile) reads every row. Both must give equal ``MatchProfile``
values, and the engine built from the first must rank like an index fed the second.
"""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any

import pytest

from exchange.matching import repository
from exchange.matching.engine import MatchEngine
from exchange.matching.service import match_vacancy
from exchange.profiles.models import CompetencyInput, LanguageInput
from exchange.vacancies.models import Vacancy
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from matching.index import MatchIndex
from matching.scoring import search
from matching.types import MatchProfile
from tests.support import callers, factories


async def _live_by_rows(db: ConnectionDatabase) -> list[MatchProfile]:
    async with db.transaction(AccessScope.system()) as conn:
        ids = [r["id"] for r in await conn.fetch("select id from profile")]
        return sorted(
            await repository.live_profiles(conn, profile_ids=ids), key=lambda p: p.profile_id
        )


async def _live_keyed(db: ConnectionDatabase, batch_size: int) -> list[MatchProfile]:
    found: list[MatchProfile] = []
    async with db.transaction(AccessScope.system()) as conn:
        async for batch in repository.iter_live_profiles(conn, batch_size=batch_size):
            found += batch
    return sorted(found, key=lambda p: p.profile_id)


@pytest.fixture
async def shared(db: ConnectionDatabase) -> tuple[ConnectionDatabase, Vacancy]:
    consortium = await factories.create_consortium(db)
    sharer = callers.partner_caller(await factories.create_partner(db, consortium, name="S"))
    hirer = callers.partner_caller(await factories.create_partner(db, consortium, name="H"))
    variants: list[dict[str, Any]] = [
        {},  # concepts and free phrases, levels and none, two languages
        {"languages": ()},
        {"competencies": (CompetencyInput("klachtafhandeling", 4),), "languages": ()},
        {"competencies": (CompetencyInput("iets heel eigens zonder begrip"),)},
        {
            "competencies": (
                CompetencyInput("Zendesk", 1),
                CompetencyInput("zendesk", 5),  # same concept, another phrase and level
                CompetencyInput("Zendesk"),
            ),
            "languages": (LanguageInput("fr", "A2"), LanguageInput("en", "C2")),
        },
    ]
    for n, variant in enumerate(variants * 2):  # repeated: shared competency values
        profile = await factories.share_profile(db, sharer, postcode_area=f"62{n:02d}", **variant)
        await factories.activate_profile(db, profile)
    pending = await factories.share_profile(db, sharer)  # not live: in neither read
    assert pending.status.value == "PENDING_CONSENT"
    return db, await factories.create_vacancy(db, hirer, start_date=dt.date.today())


@pytest.mark.parametrize("batch_size", [1, 3, 5_000])
async def test_keyed_read_equals_the_row_by_row_read(
    shared: tuple[ConnectionDatabase, Vacancy], batch_size: int
) -> None:
    db, _ = shared
    by_rows = await _live_by_rows(db)
    assert len(by_rows) == 10
    assert await _live_keyed(db, batch_size) == by_rows


async def test_a_competency_missing_from_the_distinct_list_is_read_row_by_row(
    shared: tuple[ConnectionDatabase, Vacancy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when a profile is written between the two statements of the build."""
    monkeypatch.setattr(
        repository,
        "_DISTINCT_COMPETENCIES",
        repository._DISTINCT_COMPETENCIES + " having min(phrase) <> 'Zendesk'",
    )
    assert await _live_keyed(shared[0], 4) == await _live_by_rows(shared[0])


async def test_a_key_collision_falls_back_to_the_row_by_row_read(
    shared: tuple[ConnectionDatabase, Vacancy], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "_COMPETENCY_KEY", "0")  # every competency collides
    monkeypatch.setattr(
        repository,
        "_DISTINCT_COMPETENCIES",
        repository._DISTINCT_COMPETENCIES.replace(repository._COMPETENCY_KEY, "0::int8"),
    )
    assert await _live_keyed(shared[0], 4) == await _live_by_rows(shared[0])


async def test_the_built_engine_ranks_as_an_index_of_the_row_by_row_read(
    shared: tuple[ConnectionDatabase, Vacancy],
) -> None:
    db, vacancy = shared
    engine = MatchEngine(factories.normalizer().taxonomy)
    report = await engine.build(db)
    assert report.profiles == 10
    slow = MatchIndex(engine.index.policy)
    slow.add_many(await _live_by_rows(db))
    wanted, today = match_vacancy(vacancy), dt.date.today()
    ranked = [
        search(index, wanted, viewer_partner_id=vacancy.partner_id, k=50, today=today)
        for index in (engine.index, slow)
    ]
    assert ranked[0] == ranked[1]
    assert ranked[0]  # the vacancy's must-haves leave some


async def test_the_build_turns_the_garbage_collector_back_on(
    shared: tuple[ConnectionDatabase, Vacancy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It is paused during the build only: a failed build must not leave it off."""
    db, _ = shared
    engine = MatchEngine(factories.normalizer().taxonomy)
    paused: list[bool] = []

    async def failing(conn: object) -> set[object]:
        paused.append(not gc.isenabled())
        raise RuntimeError("the partners' read failed")

    await engine.build(db)
    assert gc.isenabled()
    monkeypatch.setattr(repository, "suspended_partner_ids", failing)
    with pytest.raises(RuntimeError):
        await engine.build(db)
    assert paused == [True]
    assert gc.isenabled()


async def test_a_failure_while_indexing_stops_the_read_ahead_and_is_what_is_raised(
    shared: tuple[ConnectionDatabase, Vacancy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build reads the next batch while indexing one: a failed indexing step must
    surface as itself, leave no read running, and a later build must work."""
    db, _ = shared

    def failing(index: MatchIndex, profiles: object) -> int:
        raise RuntimeError("indexing failed")

    engine = MatchEngine(factories.normalizer().taxonomy)
    with monkeypatch.context() as patched:
        patched.setattr(MatchIndex, "add_many", failing)
        with pytest.raises(RuntimeError, match="indexing failed"):
            await engine.build(db)
    assert len(engine.index) == 0  # the failed build never replaced the index
    assert (await engine.build(db)).profiles == 10
