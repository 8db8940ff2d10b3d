from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    vacancy_id: UUID
    profile_id: UUID
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class VacancyVisit:
    """A recruiter's last look at a vacancy's matches, and which profiles they held then."""

    vacancy_id: UUID
    visited_at: dt.datetime
    seen_profile_ids: frozenset[UUID]
