"""The values of the webhook use cases: endpoints, messages, attempts, erasure notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from exchange.audit import actions
from infra.keywrap import SealedSecret


class EventType(StrEnum):
    """The events a partner may subscribe to. Where an event is also a step of the audit
    trail it carries the same name, taken from the one catalogue of those names."""

    INTRODUCTION_REQUESTED = actions.INTRODUCTION_REQUESTED
    INTRODUCTION_ACCEPTED = actions.INTRODUCTION_ACCEPTED
    INTRODUCTION_DECLINED = actions.INTRODUCTION_DECLINED
    INTRODUCTION_EXPIRED = actions.INTRODUCTION_EXPIRED
    CONSENT_WITHDRAWN = actions.CONSENT_WITHDRAWN
    CONSENT_EXPIRED = actions.CONSENT_EXPIRED
    PERSON_ERASED = "person.erased"
    PLACEMENT_OUTCOME_DUE = "placement.outcome_due"
    MATCHES_NEW = "matches.new"
    PARTNER_SUSPENDED = actions.PARTNER_SUSPENDED


ERASURE_EVENTS = frozenset(
    {EventType.CONSENT_WITHDRAWN, EventType.CONSENT_EXPIRED, EventType.PERSON_ERASED}
)


class EndpointStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class DisabledReason(StrEnum):
    BY_PARTNER = "BY_PARTNER"
    GONE = "GONE"  # the receiver answered 410
    BY_ADMIN = "BY_ADMIN"


class MessageStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # every try failed
    ENDPOINT_GONE = "ENDPOINT_GONE"
    ESCALATED = "ESCALATED"  # an erasure event that could not be delivered: the admin knows


class AttemptOutcome(StrEnum):
    DELIVERED = "DELIVERED"
    RETRY = "RETRY"
    FAILED = "FAILED"
    GONE = "GONE"
    REFUSED = "REFUSED"  # the address check refused the target at delivery time


class ErasureReason(StrEnum):
    CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN"
    CONSENT_EXPIRED = "CONSENT_EXPIRED"
    PERSON_ERASED = "PERSON_ERASED"


class ErasureMethod(StrEnum):
    DELETED = "DELETED"
    ANONYMISED = "ANONYMISED"


class NoticeStatus(StrEnum):
    OPEN = "OPEN"
    CONFIRMED = "CONFIRMED"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: UUID
    consortium_id: UUID
    partner_id: UUID
    url: str
    event_types: tuple[EventType, ...]
    description: str | None
    status: EndpointStatus
    disabled_reason: DisabledReason | None
    secret_version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewSecret:
    """An endpoint with its signing secret, returned once (register, rotate)."""

    endpoint: Endpoint
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class DueMessage:
    """A message claimed for delivery, with what the worker needs of its endpoint."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID
    endpoint_id: UUID
    event_type: str
    body: str
    erasure: bool
    attempts: int
    url: str
    endpoint_status: EndpointStatus
    sealed_secret: SealedSecret = field(repr=False)
    secret_version: int


@dataclass(frozen=True, slots=True)
class Message:
    id: UUID
    endpoint_id: UUID
    event_type: str
    status: MessageStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    message_id: UUID
    attempted_at: dt.datetime
    status_code: int | None
    latency_ms: int
    outcome: AttemptOutcome
    error: str | None


@dataclass(frozen=True, slots=True)
class ErasureNotice:
    id: UUID
    consortium_id: UUID
    partner_id: UUID
    reason: ErasureReason
    profile_id: UUID | None
    pseudonym: str | None
    introduction_ids: tuple[UUID, ...]
    erase_by: dt.datetime
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    method: ErasureMethod | None

    @property
    def status(self) -> NoticeStatus:
        return NoticeStatus.CONFIRMED if self.confirmed_at else NoticeStatus.OPEN

    def overdue(self, now: dt.datetime) -> bool:
        return self.confirmed_at is None and self.erase_by < now


@dataclass(frozen=True, slots=True)
class UnreachablePartner:
    """A partner that must be told of erasures but has neither an endpoint nor HR mail."""

    partner_id: UUID
    name: str
