"""Search: hard filters, visibility, scoring rules, explanations, order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from matching.scoring import search
from matching.types import (
    CefrLevel,
    ConsentScope,
    ConsentScopeKind,
    LanguageRequirement,
    LanguageSkill,
    MatchProfile,
    MatchResult,
    Pay,
    PayPeriod,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)
from tests.support.matching import (
    PARTNER_A,
    PARTNER_B,
    PARTNER_C,
    TODAY,
    comp,
    index_of,
    pid,
    profile,
    req,
    vacancy,
)


def run(profiles: list[MatchProfile], viewer: Any = PARTNER_B, **fields: Any) -> list[MatchResult]:
    hidden = fields.pop("hidden", frozenset())
    index = index_of(*profiles)
    return search(
        index, vacancy(**fields), viewer_partner_id=viewer, today=TODAY, hidden_partner_ids=hidden
    )


def ids(results: list[MatchResult]) -> set[Any]:
    return {r.profile_id for r in results}


def test_consent_scope_only_admits_listed_partners() -> None:
    p = profile(consent_scope=ConsentScope(ConsentScopeKind.ONLY, frozenset({PARTNER_B})))
    assert ids(run([p], viewer=PARTNER_B)) == {p.profile_id}
    assert ids(run([p], viewer=PARTNER_C)) == set()


def test_consent_scope_all_except_excludes_listed_partners() -> None:
    p = profile(consent_scope=ConsentScope(ConsentScopeKind.ALL_EXCEPT, frozenset({PARTNER_B})))
    assert ids(run([p], viewer=PARTNER_B)) == set()
    assert ids(run([p], viewer=PARTNER_C)) == {p.profile_id}


def test_own_profiles_are_never_returned() -> None:
    own, other = profile(partner_id=PARTNER_B), profile(partner_id=PARTNER_A)
    assert ids(run([own, other], viewer=PARTNER_B)) == {other.profile_id}


def test_hidden_partners_profiles_are_never_returned() -> None:
    a, c = profile(partner_id=PARTNER_A), profile(partner_id=PARTNER_C)
    assert ids(run([a, c], hidden=frozenset({PARTNER_A}))) == {c.profile_id}


def test_unknown_viewer_sees_all_but_only_scopes() -> None:
    stranger = pid(77)
    a = profile()
    only = profile(consent_scope=ConsentScope(ConsentScopeKind.ONLY, frozenset({PARTNER_C})))
    assert ids(run([a, only], viewer=stranger)) == {a.profile_id}


FILTER_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("travel", {"postcode_area": "1012", "max_travel_km": 50}, {}),
    ("hours", {"hours_min": 8, "hours_max": 16}, {}),
    ("availability", {"available_from": TODAY + dt.timedelta(days=10)}, {}),
    (
        "availability-asap",
        {"available_from": TODAY + dt.timedelta(days=1)},
        {"start_date": TODAY - dt.timedelta(days=30)},
    ),
    ("language", {"languages": (LanguageSkill("nl", CefrLevel.B1),)}, {}),
    (
        "pay-month",
        {"min_pay": Pay(300_000, PayPeriod.MONTH)},
        {"pay_max": Pay(250_000, PayPeriod.MONTH)},
    ),
    (
        "pay-hour-vs-month",
        {"min_pay": Pay(1600, PayPeriod.HOUR)},
        {"pay_max": Pay(250_000, PayPeriod.MONTH)},
    ),
    ("shift", {"shifts": frozenset({Shift.DAY})}, {"shifts": frozenset({Shift.DAY, Shift.NIGHT})}),
    ("work-mode", {"work_modes": frozenset({WorkMode.REMOTE})}, {"work_mode": WorkMode.ON_SITE}),
    ("must-have", {"competencies": (comp("cc.zendesk"),)}, {}),
]


@pytest.mark.parametrize(("name", "profile_fields", "vacancy_fields"), FILTER_CASES)
def test_each_hard_filter_excludes(
    name: str, profile_fields: dict[str, Any], vacancy_fields: dict[str, Any]
) -> None:
    fits, misfit = profile(), profile(**profile_fields)
    assert ids(run([fits, misfit], **vacancy_fields)) == {fits.profile_id}, name


def test_filters_admit_the_boundaries() -> None:
    p = profile(
        postcode_area="1012",
        max_travel_km=10,
        hours_min=8,
        hours_max=32,
        available_from=TODAY + dt.timedelta(days=14),
        min_pay=Pay(250_000, PayPeriod.MONTH),
        shifts=frozenset({Shift.DAY, Shift.EVENING}),
        work_modes=frozenset({WorkMode.REMOTE}),
    )
    got = run(
        [p],
        work_mode=WorkMode.REMOTE,
        start_date=TODAY + dt.timedelta(days=14),
        pay_max=Pay(250_000, PayPeriod.MONTH),
        shifts=frozenset({Shift.EVENING}),
    )
    assert ids(got) == {p.profile_id}
    undeclared = profile(shifts=frozenset())
    assert ids(run([undeclared], shifts=frozenset({Shift.NIGHT}))) == {undeclared.profile_id}


def test_level_gap_costs_points() -> None:
    expert = profile(competencies=(comp("cc.complaint_handling", level=4),))
    novice = profile(competencies=(comp("cc.complaint_handling", level=1),))
    got = run(
        [expert, novice], requirements=(req("cc.complaint_handling", must=True, min_level=4),)
    )
    assert [r.profile_id for r in got] == [expert.profile_id, novice.profile_id]
    assert got[0].score == 100 and got[1].score == pytest.approx(25)


def test_soft_skills_weigh_by_the_vacancy_multiplier() -> None:
    soft = profile(competencies=(comp("cc.empathy"),))
    tool = profile(competencies=(comp("cc.zendesk"),))
    reqs = (req("cc.empathy"), req("cc.zendesk"))
    got = run([soft, tool], requirements=reqs, soft_skill_weight=3.0)
    assert [(r.profile_id, r.score) for r in got] == [(soft.profile_id, 75), (tool.profile_id, 25)]


def test_transferable_experience_credits_unmet_soft_skills_only() -> None:
    horeca = profile(competencies=(comp("cc.zendesk"),), transferable_sectors=("Horeca",))
    plain = profile(competencies=(comp("cc.zendesk"),))
    reqs = (req("cc.empathy"), req("cc.salesforce"), req("cc.zendesk", must=True))
    got = {r.profile_id: r for r in run([horeca, plain], requirements=reqs)}
    assert got[horeca.profile_id].score == pytest.approx(50)
    assert got[plain.profile_id].score == pytest.approx(100 / 3, abs=0.01)
    credit = [e for e in got[horeca.profile_id].explanation if e.kind == "TRANSFERABLE"]
    assert [(e.requirement, e.matched_phrase) for e in credit] == [("empathy", "horeca")]


def test_free_requirement_matches_fuzzily_and_explains() -> None:
    p = profile(competencies=(comp(None, "Klachtenafhandelnig"),))
    got = run([p], requirements=(req(None, "klachtenafhandeling", must=True),), languages=())
    (row,) = got[0].explanation
    assert row.matched_phrase == "Klachtenafhandelnig" and 80 <= row.similarity < 100
    assert got[0].score == pytest.approx(row.similarity, abs=0.01)


def test_growth_step_ranks_ready_to_move_above_an_otherwise_equal_one() -> None:
    common: dict[str, Any] = {"kind": ProfileKind.READY_TO_MOVE, "current_role": Role.SENIOR_AGENT}
    aims = profile(profile_id=pid(2), ambitions=(Role.TEAM_LEAD,), **common)
    other = profile(profile_id=pid(1), ambitions=(Role.WORKFORCE_PLANNER,), **common)
    got = run([other, aims], role=Role.TRAINER)
    assert [r.profile_id for r in got] == [aims.profile_id, other.profile_id]
    growth = [e for e in got[0].explanation if e.kind == "GROWTH"]
    assert growth[0].matched_phrase == "TEAM_LEAD" and growth[0].points > 0
    assert got[0].score > got[1].score
    reached = profile(ambitions=(Role.TRAINER,), **common)
    top = run([aims, reached], role=Role.TRAINER)
    assert top[0].profile_id == reached.profile_id and top[0].score == 100


def test_missing_must_have_language_excludes() -> None:
    german = profile(
        languages=(LanguageSkill("nl", CefrLevel.B2), LanguageSkill("de", CefrLevel.A2))
    )
    dutch = profile(languages=(LanguageSkill("nl", CefrLevel.C2),))
    need = (LanguageRequirement("nl", CefrLevel.B2), LanguageRequirement("de", CefrLevel.A2))
    assert ids(run([german, dutch], languages=need)) == {german.profile_id}


def test_rejected_candidate_has_no_growth_row_and_can_score_100() -> None:
    (result,) = run([profile()])
    assert result.score == 100 and all(e.kind != "GROWTH" for e in result.explanation)


def test_ties_order_by_profile_id_and_k_and_min_score() -> None:
    profiles = [profile(profile_id=pid(i)) for i in (5, 3, 9, 1)]
    half = profile(profile_id=pid(0), competencies=(comp("cc.complaint_handling"),))
    index = index_of(*profiles, half)
    got = search(index, vacancy(), viewer_partner_id=PARTNER_B, today=TODAY, k=3)
    assert [r.profile_id for r in got] == [pid(1), pid(3), pid(5)]
    above = search(index, vacancy(), viewer_partner_id=PARTNER_B, today=TODAY, min_score=60)
    assert half.profile_id not in ids(above) and len(above) == 4
    assert search(index, vacancy(), viewer_partner_id=PARTNER_B, today=TODAY, k=0) == []


def test_explanation_has_a_row_per_requirement_and_language() -> None:
    (result,) = run(
        [profile()],
        languages=(
            LanguageRequirement("nl", CefrLevel.B2),
            LanguageRequirement("de", CefrLevel.B1, False),
        ),
    )
    kinds = [(e.kind, e.requirement) for e in result.explanation]
    assert kinds == [
        ("COMPETENCY", "complaint handling"),
        ("COMPETENCY", "zendesk"),
        ("LANGUAGE", "Nederlands B2"),
        ("LANGUAGE", "Duits B1"),
    ]
    assert result.score == pytest.approx(200 / 3, abs=0.01)


def test_position_lookup_paths_agree() -> None:
    import numpy as np

    from matching.scoring import _positions

    rng = np.random.default_rng(1)
    for size, n_hits, n_ords in [(1000, 900, 5), (1000, 5, 900), (1000, 400, 600), (10, 0, 5)]:
        hits = np.sort(rng.choice(size, n_hits, replace=False)).astype(np.int32)
        ords = np.sort(rng.choice(size, n_ords, replace=False)).astype(np.int32)
        where = {int(h): i for i, h in enumerate(hits)}
        expected = [where.get(int(o), -1) for o in ords]
        assert _positions(hits, ords, size).tolist() == expected
        assert _positions(hits, ords, 10**9).tolist() == expected  # forces binary search
