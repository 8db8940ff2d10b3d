"""Placements: a person started at the partner that asked for the introduction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class LeftReason(StrEnum):
    """Why a placed person left (the list in migration 0001)."""

    PAY = "PAY"
    NO_GROWTH = "NO_GROWTH"
    WORKLOAD = "WORKLOAD"
    SCHEDULE = "SCHEDULE"
    COMMUTE = "COMMUTE"
    ROLE_MISMATCH = "ROLE_MISMATCH"
    PERSONAL = "PERSONAL"
    DISMISSED = "DISMISSED"
    OTHER = "OTHER"


class PlacementRole(StrEnum):
    """How the reading partner is involved: it hired, or it shared (reciprocity credit)."""

    HIRING = "HIRING"
    SHARING = "SHARING"


@dataclass(frozen=True, slots=True)
class Placement:
    id: UUID
    consortium_id: UUID
    introduction_id: UUID
    profile_id: UUID | None
    vacancy_id: UUID
    hiring_partner_id: UUID
    sharing_partner_id: UUID
    shared_at: dt.datetime
    start_date: dt.date
    employed_at_3_months: bool | None
    employed_at_6_months: bool | None
    left_on: dt.date | None
    left_reason: LeftReason | None
    recorded_at: dt.datetime
    outcome_recorded_at: dt.datetime | None

    def role_of(self, partner_id: UUID) -> PlacementRole:
        if partner_id == self.hiring_partner_id:
            return PlacementRole.HIRING
        return PlacementRole.SHARING


@dataclass(frozen=True, slots=True)
class PlacementOutcomeInput:
    """What is known about the placed person's stay. ``None`` keeps the recorded value."""

    employed_at_3_months: bool | None = None
    employed_at_6_months: bool | None = None
    left_on: dt.date | None = None
    left_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ResumedProfile:
    profile_id: UUID
    status: str
