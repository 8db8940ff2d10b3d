"""The career ladder and how much a vacancy's role serves someone's ambitions.

The ladder (DESIGN.md §3): agent -> senior agent -> a specialist track
(specialist, quality coach, trainer, workforce planner) -> team lead, with
exits out of the contact center into process improvement or marketing.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from matching.types import Role

ROLES: tuple[Role, ...] = tuple(Role)
_TRACK = (Role.SPECIALIST, Role.QUALITY_COACH, Role.TRAINER, Role.WORKFORCE_PLANNER)

NEXT_STEPS: dict[Role, tuple[Role, ...]] = {
    Role.AGENT: (Role.SENIOR_AGENT,),
    Role.SENIOR_AGENT: (*_TRACK, Role.TEAM_LEAD),
    Role.SPECIALIST: (Role.TEAM_LEAD, Role.PROCESS_IMPROVEMENT, Role.MARKETING),
    Role.QUALITY_COACH: (Role.TRAINER, Role.TEAM_LEAD, Role.PROCESS_IMPROVEMENT),
    Role.TRAINER: (Role.TEAM_LEAD,),
    Role.WORKFORCE_PLANNER: (Role.TEAM_LEAD, Role.PROCESS_IMPROVEMENT),
    Role.TEAM_LEAD: (Role.PROCESS_IMPROVEMENT, Role.MARKETING),
    Role.PROCESS_IMPROVEMENT: (),
    Role.MARKETING: (),
}

ROLE_REACHED = 1.0  # the vacancy is the role they aim for
STEP_TOWARD = 0.6  # the vacancy is a rung between where they are and where they aim


@cache
def _reachable(start: Role) -> frozenset[Role]:
    """Roles reachable from ``start`` in one or more steps."""
    seen: set[Role] = set()
    todo = list(NEXT_STEPS[start])
    while todo:
        role = todo.pop()
        if role not in seen:
            seen.add(role)
            todo.extend(NEXT_STEPS[role])
    return frozenset(seen)


def growth_quality(vacancy_role: Role, current: Role | None, ambition: Role) -> float:
    """0..1: how far taking ``vacancy_role`` moves someone toward ``ambition``."""
    here = current or Role.AGENT
    if vacancy_role not in _reachable(here):
        return 0.0  # not a step up from where they are (unknown: AGENT)
    if vacancy_role == ambition:
        return ROLE_REACHED
    if ambition in _reachable(vacancy_role):
        return STEP_TOWARD
    return 0.0


def best_growth(
    vacancy_role: Role, current: Role | None, ambitions: tuple[Role, ...]
) -> tuple[float, Role | None]:
    """The best growth quality over ``ambitions`` and the ambition it serves."""
    best, served = 0.0, None
    for ambition in ambitions:
        q = growth_quality(vacancy_role, current, ambition)
        if q > best:
            best, served = q, ambition
    return best, served


def role_code(role: Role | None) -> int:
    """Column code of a current role: 0 for unknown, else 1 + ladder position."""
    return 0 if role is None else ROLES.index(role) + 1


def ambition_bits(ambitions: tuple[Role, ...]) -> int:
    bits = 0
    for role in ambitions:
        bits |= 1 << ROLES.index(role)
    return bits


def ambitions_of(bits: int) -> tuple[Role, ...]:
    return tuple(role for i, role in enumerate(ROLES) if bits >> i & 1)


@cache
def growth_table(vacancy_role: Role) -> npt.NDArray[np.float64]:
    """Growth quality indexed by [current role code, ambition bit mask]."""
    codes = len(ROLES) + 1
    per_ambition = np.array(
        [
            [growth_quality(vacancy_role, ROLES[code - 1] if code else None, a) for a in ROLES]
            for code in range(codes)
        ]
    )
    masks = np.arange(1 << len(ROLES))
    table = np.zeros((codes, masks.size), dtype=np.float64)
    for bit in range(len(ROLES)):
        has = ((masks >> bit) & 1).astype(np.float64)
        table = np.maximum(table, per_ambition[:, bit : bit + 1] * has[None, :])
    table.setflags(write=False)
    return table
