"""Plain values exchanged between the matcher and the rest of Tussendeur.

The exchange layer builds these from PostgreSQL rows; the matcher never sees
names, contact data or protected attributes (age, gender, origin).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID


class CefrLevel(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "NATIVE"

    @property
    def rank(self) -> int:
        return _CEFR_ORDER.index(self)


_CEFR_ORDER = list(CefrLevel)


class ProfileKind(StrEnum):
    REJECTED_CANDIDATE = "REJECTED_CANDIDATE"
    READY_TO_MOVE = "READY_TO_MOVE"


class Shift(StrEnum):
    DAY = "DAY"
    EVENING = "EVENING"
    WEEKEND = "WEEKEND"
    NIGHT = "NIGHT"


class WorkMode(StrEnum):
    REMOTE = "REMOTE"
    HYBRID = "HYBRID"
    ON_SITE = "ON_SITE"


class PayPeriod(StrEnum):
    HOUR = "HOUR"
    MONTH = "MONTH"


class Role(StrEnum):
    """Career ladder in and just beyond the contact center (see DESIGN.md §3)."""

    AGENT = "AGENT"
    SENIOR_AGENT = "SENIOR_AGENT"
    SPECIALIST = "SPECIALIST"
    QUALITY_COACH = "QUALITY_COACH"
    TRAINER = "TRAINER"
    WORKFORCE_PLANNER = "WORKFORCE_PLANNER"
    TEAM_LEAD = "TEAM_LEAD"
    PROCESS_IMPROVEMENT = "PROCESS_IMPROVEMENT"
    MARKETING = "MARKETING"


class ConsentScopeKind(StrEnum):
    ALL_PARTNERS = "ALL_PARTNERS"
    ONLY = "ONLY"
    ALL_EXCEPT = "ALL_EXCEPT"


@dataclass(frozen=True, slots=True)
class Pay:
    """Gross pay in euro cents per period."""

    amount_cents: int
    period: PayPeriod


@dataclass(frozen=True, slots=True)
class Competency:
    """A profile phrase, normalised at write time.

    ``normalized`` is :func:`matching.text.normalize_text` of ``phrase``;
    ``concept_id`` is ``None`` when the phrase stayed a free phrase.
    ``level`` is an optional self-assessed level 1 (basic) to 5 (expert).
    """

    phrase: str
    normalized: str
    concept_id: str | None
    confidence: float
    level: int | None = None


@dataclass(frozen=True, slots=True)
class LanguageSkill:
    language: str  # ISO 639-1, lower case: "nl", "de", "en", "fr", ...
    level: CefrLevel


@dataclass(frozen=True, slots=True)
class ConsentScope:
    kind: ConsentScopeKind
    partner_ids: frozenset[UUID] = frozenset()

    def admits(self, partner_id: UUID) -> bool:
        if self.kind is ConsentScopeKind.ALL_PARTNERS:
            return True
        if self.kind is ConsentScopeKind.ONLY:
            return partner_id in self.partner_ids
        return partner_id not in self.partner_ids


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """What the matcher knows of one shared, consented profile (pseudonymous)."""

    profile_id: UUID
    partner_id: UUID  # the partner that shared it; never shown its own profiles
    kind: ProfileKind
    competencies: tuple[Competency, ...]
    languages: tuple[LanguageSkill, ...]
    postcode_area: str  # 4 digits, e.g. "6211"
    max_travel_km: int
    hours_min: int
    hours_max: int
    available_from: dt.date
    consent_scope: ConsentScope
    shifts: frozenset[Shift] = frozenset()
    work_modes: frozenset[WorkMode] = frozenset()  # acceptable modes; empty = any
    min_pay: Pay | None = None
    ambitions: tuple[Role, ...] = ()
    current_role: Role | None = None
    transferable_sectors: tuple[str, ...] = ()  # e.g. "horeca", "retail", "zorg"


@dataclass(frozen=True, slots=True)
class Requirement:
    phrase: str
    normalized: str
    concept_id: str | None
    confidence: float
    must_have: bool
    weight: float = 1.0  # relative, > 0
    min_level: int | None = None  # 1..5


@dataclass(frozen=True, slots=True)
class LanguageRequirement:
    language: str
    min_level: CefrLevel
    must_have: bool = True


@dataclass(frozen=True, slots=True)
class MatchVacancy:
    vacancy_id: UUID
    partner_id: UUID
    requirements: tuple[Requirement, ...]
    languages: tuple[LanguageRequirement, ...]
    postcode_area: str
    hours_min: int
    hours_max: int
    start_date: dt.date
    role: Role = Role.AGENT
    shifts: frozenset[Shift] = frozenset()  # shifts the job needs; a profile must cover them
    work_mode: WorkMode = WorkMode.ON_SITE
    pay_min: Pay | None = None
    pay_max: Pay | None = None
    soft_skill_weight: float = 1.0  # multiplier on soft-skill requirements


@dataclass(frozen=True, slots=True)
class RequirementExplanation:
    """Why one requirement contributed what it did to a score."""

    requirement: str  # the vacancy's phrase, or "Duits C1" for a language
    kind: str  # "COMPETENCY", "LANGUAGE", "GROWTH", "TRANSFERABLE"
    matched_phrase: str | None
    concept_id: str | None
    similarity: float  # 0..100
    weight: float
    points: float  # contribution to the 0..100 score; all points add up to the score
    met: bool
    must_have: bool = False


@dataclass(frozen=True, slots=True)
class MatchResult:
    profile_id: UUID
    score: float  # 0..100, rounded to 2 decimals
    explanation: tuple[RequirementExplanation, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Proposal:
    vacancy_id: UUID
    profile_id: UUID
    score: float
    explanation: tuple[RequirementExplanation, ...]
