"""The quality bench's metric and baselines on cases small enough to check by hand."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest

from bench.baselines import (
    ExactLookup,
    ExactMatch,
    per_profile_loop,
    pg_trgm_connect,
    pg_trgm_load_taxonomy,
    pg_trgm_normalize,
    pg_trgm_setup,
    pg_trgm_top_k,
)
from bench.quality_report import dcg, ndcg_at_k
from matching.taxonomy import Taxonomy
from matching.text import normalize_text
from matching.types import (
    CefrLevel,
    Competency,
    ConsentScope,
    ConsentScopeKind,
    LanguageSkill,
    MatchProfile,
    MatchVacancy,
    ProfileKind,
    Requirement,
)

TODAY = dt.date(2025, 3, 1)
RIGHT, NEAR, OFF = (uuid.UUID(int=n) for n in (3, 1, 2))  # the right one has the largest id


def test_ideal_ranking_scores_one() -> None:
    assert ndcg_at_k([3, 2, 1, 0], [0, 1, 2, 3], k=10) == pytest.approx(1.0)
    assert ndcg_at_k([3, 3, 2], [2, 0, 3, 0, 3, 0], k=3) == pytest.approx(1.0)


def test_reversed_ranking_by_hand() -> None:
    # gains 2^g - 1 = 0, 1, 3, 7 at ranks 1..4, discounted by log2(rank + 1)
    got = 0 / 1 + 1 / math.log2(3) + 3 / math.log2(4) + 7 / math.log2(5)
    ideal = 7 / 1 + 3 / math.log2(3) + 1 / math.log2(4) + 0 / math.log2(5)
    assert dcg([0, 1, 2, 3], 10) == pytest.approx(got)
    assert ndcg_at_k([0, 1, 2, 3], [3, 2, 1, 0], k=10) == pytest.approx(got / ideal)
    assert got / ideal == pytest.approx(0.547831, abs=1e-6)


def test_cut_off_and_short_rankings() -> None:
    # only the first k count; a short ranking gains nothing for the missing places
    assert ndcg_at_k([3, 0, 0, 3], [3, 3, 0, 0], k=1) == pytest.approx(1.0)
    assert ndcg_at_k([3], [3, 3], k=2) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k([], [0, 0], k=10) == 1.0  # nothing relevant to find


def _profile(profile_id: uuid.UUID, *phrases: str) -> MatchProfile:
    return MatchProfile(
        profile_id=profile_id,
        partner_id=uuid.UUID(int=0xB),
        kind=ProfileKind.REJECTED_CANDIDATE,
        competencies=tuple(Competency(p, normalize_text(p), None, 0.0) for p in phrases),
        languages=(LanguageSkill("nl", CefrLevel.NATIVE),),
        postcode_area="6211",
        max_travel_km=30,
        hours_min=16,
        hours_max=40,
        available_from=TODAY,
        consent_scope=ConsentScope(ConsentScopeKind.ALL_PARTNERS),
    )


def _requirement(phrase: str, *, must: bool) -> Requirement:
    return Requirement(phrase, normalize_text(phrase), None, 0.0, must_have=must)


PROFILES = [
    _profile(RIGHT, "Klachtenafhandeling", "Zendesk", "Excel"),
    _profile(NEAR, "klantenservice", "zendesk"),  # the nice-to-have only
    _profile(OFF, "heftruck rijden", "lassen"),
]
VACANCY = MatchVacancy(
    vacancy_id=uuid.UUID(int=0x7),
    partner_id=uuid.UUID(int=0xA),
    requirements=(
        _requirement("klachtenafhandeling", must=True),
        _requirement("Zendesk", must=False),
    ),
    languages=(),
    postcode_area="6211",
    hours_min=24,
    hours_max=32,
    start_date=TODAY,
)


def test_in_process_baselines_put_the_obvious_profile_first() -> None:
    assert [pid for pid, _ in ExactMatch(PROFILES).top_k(VACANCY, 3)] == [RIGHT]
    assert ExactMatch(PROFILES).top_k(VACANCY, 3)[0][1] == pytest.approx(100.0)
    assert [pid for pid, _ in per_profile_loop(PROFILES, VACANCY, 3)] == [RIGHT]
    ungated = per_profile_loop(PROFILES, VACANCY, 3, gate=False)
    assert [pid for pid, _ in ungated] == [RIGHT, NEAR]
    lookup = ExactLookup(Taxonomy.load_default())
    assert lookup.normalize(["ZENDESK", "zendesk  ticketing", "zendsk"])[0] == "cc.tool_zendesk"
    assert lookup.concept_of("zendsk") is None


async def test_pg_trgm_puts_the_obvious_profile_first(fresh_database: str) -> None:
    load = await pg_trgm_setup(fresh_database, PROFILES, schema="trgm_smoke")
    assert (load.profiles, load.phrases, load.links) == (3, 6, 7)  # "zendesk" stored once
    conn = await pg_trgm_connect(fresh_database, schema="trgm_smoke")
    try:
        ranking = await pg_trgm_top_k(conn, VACANCY, 3)
        assert [pid for pid, _ in ranking] == [RIGHT]
        assert ranking[0][1] == pytest.approx(100.0)
        ungated = await pg_trgm_top_k(conn, VACANCY, 3, gate=False)
        assert [pid for pid, _ in ungated] == [RIGHT, NEAR]
        assert ungated[1][1] == pytest.approx(100.0 / 2)  # Zendesk met, the must-have not

        await pg_trgm_load_taxonomy(conn, Taxonomy.load_default())
        found = await pg_trgm_normalize(conn, ["Zendesk", "xyzzy qwerty"])
        assert found == ["cc.tool_zendesk", None]
    finally:
        await conn.close()
