"""Introductions: a partner asks a person, through the exchange, to meet for one vacancy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from matching.types import PayPeriod, Role, Shift, WorkMode

MAX_MESSAGE_LENGTH = 2_000
INTRODUCTION_TTL_DAYS = 14
DEFAULT_DAILY_CAP = 3  # requests per partner per profile in any 24 hours


class IntroductionStatus(StrEnum):
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(frozen=True, slots=True)
class IntroductionRules:
    """The configurable limits of introduction requests."""

    daily_cap: int = DEFAULT_DAILY_CAP
    ttl_days: int = INTRODUCTION_TTL_DAYS
    public_url: str = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Contact:
    """The person's contact data: only for the partner whose introduction they accepted."""

    full_name: str
    email: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class Introduction:
    """An introduction as the requesting partner sees it."""

    id: UUID
    consortium_id: UUID
    profile_id: UUID | None
    profile_pseudonym: str | None  # null once the profile is no longer visible
    vacancy_id: UUID
    vacancy_title: str
    requesting_partner_id: UUID
    sharing_partner_id: UUID
    status: IntroductionStatus
    message: str | None
    response_message: str | None
    requested_at: dt.datetime
    responded_at: dt.datetime | None
    expires_at: dt.datetime
    contact: Contact | None  # set only when ACCEPTED


@dataclass(frozen=True, slots=True)
class Offer:
    """What the vacancy behind an introduction offers, as the person sees it."""

    vacancy_id: UUID
    title: str
    description: str
    role: Role
    role_level: int
    partner_name: str
    partner_city: str | None
    postcode_area: str
    hours_min: int
    hours_max: int
    pay_min_cents: int | None
    pay_max_cents: int | None
    pay_period: PayPeriod | None
    shifts: tuple[Shift, ...]
    work_mode: WorkMode
    training_offered: str
    start_date: dt.date


@dataclass(frozen=True, slots=True)
class MyIntroduction:
    """An introduction as the person sees it: who asks, for what, and its state."""

    id: UUID
    profile_id: UUID | None
    status: IntroductionStatus
    message: str | None
    response_message: str | None
    requested_at: dt.datetime
    responded_at: dt.datetime | None
    expires_at: dt.datetime
    offer: Offer

    def is_open(self, now: dt.datetime) -> bool:
        return self.status is IntroductionStatus.REQUESTED and self.expires_at > now
