"""What the consent flow reads about a person: the profile's consent state, the person and
contact data, and the person's introductions, placements and access events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from consent.models import ConsentScope
from exchange.introductions.models import IntroductionStatus
from exchange.placements.models import LeftReason
from exchange.profiles.models import ProfileStatus


@dataclass(frozen=True, slots=True)
class ProfileConsent:
    """A profile's consent state as its row mirrors it (what row-level security and the
    matcher read)."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID
    person_id: UUID
    pseudonym: str
    status: ProfileStatus
    consent_scope: ConsentScope | None  # None until the person grants consent
    consent_expires_at: dt.datetime | None
    pending_until: dt.datetime | None
    consent_ended_at: dt.datetime | None
    consent_reminded_for: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Person:
    """The person behind the profiles, with the contact data (absent once erased)."""

    id: UUID
    consortium_id: UUID
    pseudonym: str
    language: str
    created_at: dt.datetime
    created_by_partner_id: UUID | None
    full_name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class PersonIntroduction:
    """One introduction of the person, as the export writes it (field by field)."""

    id: UUID
    profile_id: UUID | None
    vacancy_id: UUID
    requesting_partner_id: UUID
    sharing_partner_id: UUID
    status: IntroductionStatus
    message: str | None
    response_message: str | None
    requested_at: dt.datetime
    responded_at: dt.datetime | None
    expires_at: dt.datetime
    vacancy_title: str | None


@dataclass(frozen=True, slots=True)
class PersonPlacement:
    """One placement of the person, as the export writes it (field by field)."""

    id: UUID
    introduction_id: UUID
    vacancy_id: UUID
    hiring_partner_id: UUID
    start_date: dt.date
    employed_at_3_months: bool | None
    employed_at_6_months: bool | None
    left_on: dt.date | None
    left_reason: LeftReason | None
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AccessEvent:
    """A partner's action about the person's profile or introductions (an audit event)."""

    seq: int
    occurred_at: dt.datetime
    action: str  # an exchange.audit.actions constant
    partner_id: UUID
    partner_name: str | None


@dataclass(frozen=True, slots=True)
class DueProfile:
    """A profile retention has to act on, and whose person it is."""

    id: UUID
    consortium_id: UUID
    person_id: UUID


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A profile whose consent ends soon, with where and how to tell its person."""

    id: UUID  # the profile's
    consortium_id: UUID
    person_id: UUID
    consent_expires_at: dt.datetime
    language: str
    email: str | None
