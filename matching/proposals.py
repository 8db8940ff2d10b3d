"""Consortium-wide placement proposals as an assignment problem.

Each open vacancy keeps its best ``candidates_per_slot * per_vacancy_capacity``
candidates from :func:`matching.scoring.search` (so consent scope, own
profiles and suspended partners are already excluded). Over those edges we
pick the set of (vacancy, profile) pairs with the largest total score such
that a vacancy gets at most ``per_vacancy_capacity`` people and a person is
proposed for at most ``per_profile_capacity`` vacancies.

When either capacity is 1 this is exactly a rectangular assignment over
*slots* (vacancy slots x profile slots) and is solved with
``scipy.optimize.linear_sum_assignment``, per connected component of the
candidate graph. When both exceed 1 the slot expansion could place one
person twice in one vacancy, so that case is solved as the equivalent
bipartite b-matching LP (integral by total unimodularity) with ``scipy``'s
HiGHS ``milp``. Scores are compared in integer hundredths, and rows and
columns are ordered by id, so the same input always gives the same proposals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from uuid import UUID

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.index import MatchIndex
from matching.scoring import search
from matching.types import MatchResult, MatchVacancy, Proposal

Edge = tuple[int, int, int]  # (vacancy row, profile column, score in hundredths)


def _solve_slots(edges: list[Edge], vacancy_slots: int, profile_slots: int) -> list[Edge]:
    """Best edges when one side has capacity 1: assignment over expanded slots."""
    vacancies = sorted({v for v, _, _ in edges})
    profiles = sorted({p for _, p, _ in edges})
    v_at = {v: i for i, v in enumerate(vacancies)}
    p_at = {p: i for i, p in enumerate(profiles)}
    gain = np.zeros((len(vacancies) * vacancy_slots, len(profiles) * profile_slots), np.int64)
    for v, p, cents in edges:
        rows = v_at[v] * vacancy_slots + np.arange(vacancy_slots)
        cols = p_at[p] * profile_slots + np.arange(profile_slots)
        gain[np.ix_(rows, cols)] = cents
    row_ind, col_ind = linear_sum_assignment(gain, maximize=True)
    chosen = []
    for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        if gain[r, c] > 0:
            chosen.append(
                (vacancies[r // vacancy_slots], profiles[c // profile_slots], int(gain[r, c]))
            )
    return chosen


def _solve_lp(edges: list[Edge], vacancy_capacity: int, profile_capacity: int) -> list[Edge]:
    """Best edges with both capacities above 1: b-matching as an integer program."""
    vacancies = sorted({v for v, _, _ in edges})
    profiles = sorted({p for _, p, _ in edges})
    v_at = {v: i for i, v in enumerate(vacancies)}
    p_at = {p: i for i, p in enumerate(profiles)}
    n = len(edges)
    cols = np.arange(n)
    rows = np.concatenate(
        (
            np.array([v_at[v] for v, _, _ in edges]),
            len(vacancies) + np.array([p_at[p] for _, p, _ in edges]),
        )
    )
    incidence = coo_matrix(
        (np.ones(2 * n), (rows, np.concatenate((cols, cols)))),
        shape=(len(vacancies) + len(profiles), n),
    ).tocsr()
    upper = np.concatenate(
        (np.full(len(vacancies), vacancy_capacity), np.full(len(profiles), profile_capacity))
    )
    result = milp(
        c=-np.array([cents for _, _, cents in edges], dtype=np.float64),
        constraints=LinearConstraint(incidence, -np.inf, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    if result.x is None:  # cannot happen: x = 0 is feasible
        raise RuntimeError(f"placement optimisation failed: {result.message}")
    return [e for e, x in zip(edges, result.x.tolist(), strict=True) if x > 0.5 and e[2] > 0]


def _components(edges: list[Edge], n_vacancies: int, n_profiles: int) -> list[list[Edge]]:
    """Edges grouped by connected component of the vacancy-profile graph."""
    v = np.array([e[0] for e in edges])
    p = np.array([e[1] for e in edges]) + n_vacancies
    size = n_vacancies + n_profiles
    graph = coo_matrix((np.ones(len(edges)), (v, p)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[Edge]] = {}
    for edge, label in zip(edges, labels[v].tolist(), strict=True):
        groups.setdefault(label, []).append(edge)
    return [groups[label] for label in sorted(groups)]


def propose_placements(
    index: MatchIndex,
    vacancies: Iterable[MatchVacancy],
    *,
    per_profile_capacity: int = 1,
    per_vacancy_capacity: int = 1,
    today: dt.date,
    hidden_partner_ids: frozenset[UUID] = frozenset(),
    candidates_per_slot: int = 3,
) -> list[Proposal]:
    """Placements maximising the consortium's total score, by vacancy then score."""
    if per_profile_capacity < 1 or per_vacancy_capacity < 1:
        raise ValueError("capacities must be at least 1")
    ordered = sorted({v.vacancy_id: v for v in vacancies}.values(), key=lambda v: v.vacancy_id)
    k = candidates_per_slot * per_vacancy_capacity
    found: list[list[MatchResult]] = [
        search(
            index,
            v,
            viewer_partner_id=v.partner_id,
            k=k,
            today=today,
            hidden_partner_ids=hidden_partner_ids,
        )
        for v in ordered
    ]
    profile_ids = sorted({r.profile_id for results in found for r in results})
    column = {pid: i for i, pid in enumerate(profile_ids)}
    edges: list[Edge] = []
    explained: dict[tuple[int, int], MatchResult] = {}
    for row, results in enumerate(found):
        for r in results:
            cents = round(r.score * 100)
            if cents > 0:
                edges.append((row, column[r.profile_id], cents))
                explained[(row, column[r.profile_id])] = r
    if not edges:
        return []
    chosen: list[Edge] = []
    for group in _components(edges, len(ordered), len(profile_ids)):
        if per_profile_capacity == 1 or per_vacancy_capacity == 1:
            chosen += _solve_slots(group, per_vacancy_capacity, per_profile_capacity)
        else:
            chosen += _solve_lp(group, per_vacancy_capacity, per_profile_capacity)
    chosen.sort(key=lambda e: (e[0], -e[2], profile_ids[e[1]]))
    return [
        Proposal(
            vacancy_id=ordered[v].vacancy_id,
            profile_id=profile_ids[p],
            score=cents / 100,
            explanation=explained[(v, p)].explanation,
        )
        for v, p, cents in chosen
    ]


def total_score(proposals: Iterable[Proposal]) -> float:
    """Sum of proposal scores (what the assignment maximises)."""
    return round(sum(p.score for p in proposals), 2)
