from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class SuspensionReason(StrEnum):
    """Why a partner was suspended: a code, so the audit trail holds no free text."""

    CONTRACT_ENDED = "CONTRACT_ENDED"
    POLICY_VIOLATION = "POLICY_VIOLATION"
    SECURITY_INCIDENT = "SECURITY_INCIDENT"
    PAYMENT = "PAYMENT"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class ApiClientInfo:
    """An API client as admins see it: never its secret or the secret's hash."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID | None
    client_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class NewApiClient:
    client: ApiClientInfo
    client_secret: str  # shown once, stored only as an argon2 hash


@dataclass(frozen=True, slots=True)
class SuspensionEffect:
    """What a suspension took out of the exchange (counts for the audit event and the admin)."""

    open_vacancies: int
    active_profiles: int
    active_api_clients: int
    introductions_withdrawn: int


@dataclass(frozen=True, slots=True)
class WithdrawnIntroduction:
    """An open introduction a suspension withdrew."""

    id: UUID
    consortium_id: UUID
    profile_id: UUID | None
    vacancy_id: UUID
    requesting_partner_id: UUID
