"""Placement proposals: capacities, visibility, optimality, determinism."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from uuid import UUID

import pytest

from matching.index import MatchIndex
from matching.proposals import propose_placements, total_score
from matching.scoring import search
from matching.types import ConsentScope, ConsentScopeKind, MatchVacancy
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

CONCEPTS = ["cc.complaint_handling", "cc.zendesk", "cc.empathy", "cc.sap", "cc.excel"]
PARTNERS = [PARTNER_A, PARTNER_B, PARTNER_C]


def random_world(seed: int) -> tuple[MatchIndex, list[MatchVacancy]]:
    rng = random.Random(seed)
    profiles = [
        profile(
            profile_id=pid(1000 * seed + i),
            partner_id=rng.choice(PARTNERS),
            competencies=tuple(
                comp(c, level=rng.randint(1, 5), confidence=rng.uniform(0.6, 1.0))
                for c in rng.sample(CONCEPTS, rng.randint(1, 4))
            ),
        )
        for i in range(5)
    ]
    vacancies = [
        vacancy(
            partner_id=rng.choice(PARTNERS),
            requirements=tuple(
                req(c, weight=rng.choice([1, 2, 3]), min_level=rng.choice([None, 3]))
                for c in rng.sample(CONCEPTS, rng.randint(1, 3))
            ),
        )
        for _ in range(rng.randint(1, 4))
    ]
    return index_of(*profiles), vacancies


def brute_force_best(
    index: MatchIndex, vacancies: list[MatchVacancy], vacancy_cap: int, profile_cap: int
) -> int:
    """Largest total score (hundredths) over every feasible set of pairs."""
    options: list[list[tuple[UUID, ...]]] = []
    scores: dict[tuple[int, UUID], int] = {}
    for v_at, v in enumerate(vacancies):
        found = search(index, v, viewer_partner_id=v.partner_id, k=100, today=TODAY)
        for r in found:
            scores[(v_at, r.profile_id)] = round(r.score * 100)
        ids = [r.profile_id for r in found]
        options.append([c for n in range(vacancy_cap + 1) for c in itertools.combinations(ids, n)])
    best = 0
    for choice in itertools.product(*options):
        load = Counter(p for picked in choice for p in picked)
        if all(n <= profile_cap for n in load.values()):
            total = sum(scores[(v, p)] for v, picked in enumerate(choice) for p in picked)
            best = max(best, total)
    return best


@pytest.mark.parametrize("caps", [(1, 1), (2, 1), (1, 2), (2, 2)])
@pytest.mark.parametrize("seed", range(12))
def test_proposals_equal_the_brute_force_optimum(seed: int, caps: tuple[int, int]) -> None:
    vacancy_cap, profile_cap = caps
    index, vacancies = random_world(seed)
    proposals = propose_placements(
        index,
        vacancies,
        per_vacancy_capacity=vacancy_cap,
        per_profile_capacity=profile_cap,
        candidates_per_slot=5,
        today=TODAY,
    )
    assert round(total_score(proposals) * 100) == brute_force_best(
        index, vacancies, vacancy_cap, profile_cap
    )
    per_vacancy = Counter(p.vacancy_id for p in proposals)
    per_profile = Counter(p.profile_id for p in proposals)
    assert max(per_vacancy.values(), default=0) <= vacancy_cap
    assert max(per_profile.values(), default=0) <= profile_cap
    assert len({(p.vacancy_id, p.profile_id) for p in proposals}) == len(proposals)


def test_own_and_out_of_scope_profiles_are_never_proposed() -> None:
    own = profile(partner_id=PARTNER_B)
    excluded = profile(
        consent_scope=ConsentScope(ConsentScopeKind.ALL_EXCEPT, frozenset({PARTNER_B}))
    )
    suspended = profile(partner_id=PARTNER_C)
    fine = profile(competencies=(comp("cc.complaint_handling"),))
    index = index_of(own, excluded, suspended, fine)
    proposals = propose_placements(
        index, [vacancy()], today=TODAY, hidden_partner_ids=frozenset({PARTNER_C})
    )
    assert [p.profile_id for p in proposals] == [fine.profile_id]
    assert proposals[0].explanation and proposals[0].score == 50


def test_each_person_goes_where_the_consortium_gains_most() -> None:
    generalist = profile(competencies=(comp("cc.complaint_handling"), comp("cc.zendesk")))
    specialist = profile(competencies=(comp("cc.complaint_handling"),))
    wants_both = vacancy(
        requirements=(req("cc.complaint_handling", must=True), req("cc.zendesk", weight=0.1))
    )
    wants_zendesk = vacancy(requirements=(req("cc.zendesk", must=True),))
    index = index_of(generalist, specialist)
    placed = {
        p.vacancy_id: p.profile_id
        for p in propose_placements(index, [wants_both, wants_zendesk], today=TODAY)
    }
    # Greedy per vacancy would give the generalist to wants_both and leave wants_zendesk empty.
    assert placed == {
        wants_both.vacancy_id: specialist.profile_id,
        wants_zendesk.vacancy_id: generalist.profile_id,
    }


def test_same_input_same_proposals_whatever_the_order() -> None:
    index, vacancies = random_world(3)
    one = propose_placements(index, vacancies, per_vacancy_capacity=2, today=TODAY)
    two = propose_placements(index, vacancies[::-1], per_vacancy_capacity=2, today=TODAY)
    assert one == two


def test_capacities_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacities"):
        propose_placements(MatchIndex(), [], per_profile_capacity=0, today=TODAY)
