from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from consent.models import ConsentScope
from matching.policy import TRANSFERABLE_SECTORS
from matching.types import (
    CefrLevel,
    Pay,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)

MAX_COMPETENCIES = 60
MAX_LANGUAGES = 10
# Sectors whose experience the matcher credits, plus a few it records only.
SECTORS = (*TRANSFERABLE_SECTORS, "logistiek", "overig")


class ProfileStatus(StrEnum):
    PENDING_CONSENT = "PENDING_CONSENT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(frozen=True, slots=True)
class CompetencyInput:
    phrase: str
    level: int | None = None


@dataclass(frozen=True, slots=True)
class LanguageInput:
    language: str
    level: str


@dataclass(frozen=True, slots=True)
class ContactInput:
    full_name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileInput:
    kind: ProfileKind
    postcode_area: str
    max_travel_km: int
    hours_min: int
    hours_max: int
    available_from: dt.date
    competencies: tuple[CompetencyInput, ...]
    languages: tuple[LanguageInput, ...] = ()
    headline: str | None = None
    not_fit_reason: str | None = None
    present_role: Role | None = None
    ambitions: tuple[Role, ...] = ()
    shifts: tuple[Shift, ...] = ()
    work_modes: tuple[WorkMode, ...] = ()
    min_pay: Pay | None = None
    transferable_sectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShareProfileInput:
    profile: ProfileInput
    contact: ContactInput
    language: str = "nl"  # the person's language for mail and pages


@dataclass(frozen=True, slots=True)
class ProfileCompetency:
    phrase: str
    normalized: str
    concept_id: str | None
    confidence: float
    level: int | None


@dataclass(frozen=True, slots=True)
class ProfileLanguage:
    language: str
    level: CefrLevel


@dataclass(frozen=True, slots=True)
class Profile:
    """A pseudonymous profile: no name, no contact data."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID
    person_id: UUID
    pseudonym: str
    kind: ProfileKind
    status: ProfileStatus
    headline: str | None
    not_fit_reason: str | None
    present_role: Role | None
    postcode_area: str
    max_travel_km: int
    hours_min: int
    hours_max: int
    available_from: dt.date
    ambitions: tuple[Role, ...]
    shifts: tuple[Shift, ...]
    work_modes: tuple[WorkMode, ...]
    min_pay: Pay | None
    transferable_sectors: tuple[str, ...]
    consent_scope: ConsentScope | None  # None until the person grants consent
    consent_expires_at: dt.datetime | None
    pending_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    competencies: tuple[ProfileCompetency, ...] = ()
    languages: tuple[ProfileLanguage, ...] = ()
