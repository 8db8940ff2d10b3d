from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from matching.types import (
    LanguageRequirement,
    PayPeriod,
    Requirement,
    Role,
    Shift,
    WorkMode,
)

MAX_REQUIREMENTS = 40
MAX_LANGUAGES = 10


class VacancyStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class RequirementInput:
    phrase: str
    must_have: bool = False
    weight: float = 1.0
    min_level: int | None = None


@dataclass(frozen=True, slots=True)
class LanguageRequirementInput:
    language: str
    level: str
    must_have: bool = True


@dataclass(frozen=True, slots=True)
class PayRange:
    min_cents: int
    max_cents: int
    period: PayPeriod


@dataclass(frozen=True, slots=True)
class VacancyInput:
    title: str
    postcode_area: str
    hours_min: int
    hours_max: int
    start_date: dt.date
    description: str = ""
    role: Role = Role.AGENT
    role_level: int = 1
    pay: PayRange | None = None
    shifts: tuple[Shift, ...] = ()
    work_mode: WorkMode = WorkMode.ON_SITE
    training_offered: str = ""
    soft_skill_weight: float = 1.0
    requirements: tuple[RequirementInput, ...] = ()
    languages: tuple[LanguageRequirementInput, ...] = ()


@dataclass(frozen=True, slots=True)
class Vacancy:
    id: UUID
    consortium_id: UUID
    partner_id: UUID
    title: str
    description: str
    role: Role
    role_level: int
    status: VacancyStatus
    postcode_area: str
    hours_min: int
    hours_max: int
    pay: PayRange | None
    shifts: tuple[Shift, ...]
    work_mode: WorkMode
    training_offered: str
    soft_skill_weight: float
    start_date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    requirements: tuple[Requirement, ...] = field(default=())
    languages: tuple[LanguageRequirement, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RequirementPreview:
    """What one requirement phrase (or one part of it) maps to, before anything is saved."""

    source: int  # index of the phrase as given
    phrase: str  # as typed
    part: str  # the normalised part of it this line is about
    concept_id: str | None
    concept_label: str | None  # in the requested language
    confidence: float  # 0..1
