"""Consent records, texts and the state they fold into."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID


class Purpose(StrEnum):
    """Why personal data is processed. One purpose today; records carry it so more can follow."""

    EXCHANGE_MATCHING = "EXCHANGE_MATCHING"


class ScopeKind(StrEnum):
    ALL_PARTNERS = "ALL_PARTNERS"
    ONLY = "ONLY"
    ALL_EXCEPT = "ALL_EXCEPT"


class ConsentEvent(StrEnum):
    GRANTED = "GRANTED"  # first confirmation of a pending profile
    CHANGED = "CHANGED"  # scope changed, expiry kept
    RENEWED = "RENEWED"  # a new term (after a reminder, expiry or withdrawal)
    WITHDRAWN = "WITHDRAWN"
    REFUSED = "REFUSED"  # the person said no to a pending profile
    EXPIRED = "EXPIRED"  # the term ended without renewal


class CollectionMethod(StrEnum):
    EMAIL_LINK = "EMAIL_LINK"  # the portal page behind an emailed one-time link
    PORTAL = "PORTAL"  # the portal, signed in
    API = "API"  # GraphQL, with the person's own token


GRANTING_EVENTS = frozenset({ConsentEvent.GRANTED, ConsentEvent.CHANGED, ConsentEvent.RENEWED})
ENDING_EVENTS = frozenset({ConsentEvent.WITHDRAWN, ConsentEvent.REFUSED, ConsentEvent.EXPIRED})


@dataclass(frozen=True, slots=True)
class ConsentScope:
    kind: ScopeKind
    partner_ids: frozenset[UUID] = frozenset()

    def admits(self, partner_id: UUID) -> bool:
        if self.kind is ScopeKind.ALL_PARTNERS:
            return True
        if self.kind is ScopeKind.ONLY:
            return partner_id in self.partner_ids
        return partner_id not in self.partner_ids

    def sorted_ids(self) -> list[UUID]:
        return sorted(self.partner_ids, key=str)


@dataclass(frozen=True, slots=True)
class ConsentText:
    id: UUID
    purpose: Purpose
    version: str
    language: str
    body: str
    body_sha256: str
    published_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One line of the append-only consent history of a profile."""

    id: UUID
    consortium_id: UUID
    profile_id: UUID | None  # null once the profile is erased
    person_id: UUID | None  # null once the person is erased
    collected_by_partner_id: UUID
    event: ConsentEvent
    purpose: Purpose
    scope: ConsentScope | None
    granted_at: dt.datetime | None
    expires_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    text_version: str | None
    text_sha256: str | None
    collection_method: CollectionMethod
    language: str
    receipt_id: UUID
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ConsentState:
    """What a profile's history of records amounts to at one moment."""

    purpose: Purpose
    scope: ConsentScope | None = None
    granted_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    last_event: ConsentEvent | None = None
    history: tuple[ConsentEvent, ...] = field(default_factory=tuple)
