"""Exchange statistics for consortium admins. Counts and ids only: no personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from exchange.partners.models import PartnerStatus
from exchange.vacancies.models import VacancyStatus


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days, both ends included (UTC)."""

    first_day: dt.date
    last_day: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:  # exclusive
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Flow:
    """What flowed from the partner that shared profiles to one that took them up."""

    from_partner_id: UUID  # shared the profiles
    to_partner_id: UUID  # saw, asked for, hired
    shared: int  # distinct profiles of `from` shown in `to`'s matches or proposals
    introduced: int  # introductions `to` requested for profiles of `from`
    placed: int  # placements by `to` of people `from` shared


@dataclass(frozen=True, slots=True)
class PartnerActivity:
    partner_id: UUID
    slug: str
    name: str
    status: PartnerStatus
    profiles_shared: int
    profiles_seen: int  # distinct profiles of others shown to it
    introductions_requested: int  # by it
    introductions_received: int  # for profiles it shared
    placements_given: int  # its people placed elsewhere
    placements_received: int  # people it hired through the exchange

    @property
    def reciprocity_balance(self) -> int:
        return self.placements_given - self.placements_received

    @property
    def requests_per_profile_seen(self) -> float | None:
        if self.profiles_seen == 0:
            return None
        return self.introductions_requested / self.profiles_seen


@dataclass(frozen=True, slots=True)
class Retention:
    due: int  # placements old enough to be asked about
    known: int  # placements whose outcome was recorded
    retained: int  # still employed

    @property
    def rate(self) -> float | None:
        return self.retained / self.known if self.known else None


@dataclass(frozen=True, slots=True)
class PlacementSummary:
    placements: int
    median_days_to_placement: float | None  # from share to placement
    p90_days_to_placement: float | None
    retention_3_months: Retention
    retention_6_months: Retention


@dataclass(frozen=True, slots=True)
class ConsentFunnel:
    """Profiles shared in the period (consent requested), and what became of them since."""

    requested: int
    confirmed: int
    refused: int
    unanswered: int  # no answer in time: deleted
    withdrawn: int
    expired: int

    @property
    def pending(self) -> int:
        return max(self.requested - self.confirmed - self.refused - self.unanswered, 0)


@dataclass(frozen=True, slots=True)
class VacancyActivity:
    vacancy_id: UUID
    partner_id: UUID
    title: str
    status: VacancyStatus
    match_queries: int
    profiles_shown: int
    introductions_requested: int
    introductions_accepted: int
    placements: int


@dataclass(frozen=True, slots=True)
class ExchangeStatistics:
    period: Period
    partners: list[PartnerActivity]
    flows: list[Flow]
    placements: PlacementSummary
    consent_funnel: ConsentFunnel
    vacancies: list[VacancyActivity]
