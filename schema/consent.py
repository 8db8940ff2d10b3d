"""Consent types: records with their Kantara receipts, and the person's consent choices."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from consent.models import CollectionMethod, ConsentEvent, ConsentRecord, Purpose, ScopeKind
from exchange.consent_flow.service import ConsentChoice
from schema.errors import UserErrorType
from schema.ids import parse_id, to_id

ConsentScopeKindType = strawberry.enum(ScopeKind, name="ConsentScopeKind")
ConsentEventType = strawberry.enum(ConsentEvent, name="ConsentEvent")
ConsentPurposeType = strawberry.enum(Purpose, name="ConsentPurpose")
CollectionMethodType = strawberry.enum(CollectionMethod, name="ConsentCollectionMethod")


@strawberry.type(name="ConsentScope")
class ConsentScopeType:
    kind: ScopeKind
    partner_ids: list[strawberry.ID]


@strawberry.type(
    name="ConsentRecord",
    description="One entry of the person's append-only consent history, with its receipt.",
)
class ConsentRecordType:
    id: strawberry.ID
    event: ConsentEvent
    purpose: Purpose
    scope: ConsentScopeType | None
    granted_at: dt.datetime | None
    expires_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    text_version: str | None
    text_sha256: str | None
    collection_method: CollectionMethod
    language: str
    receipt_id: strawberry.ID
    recorded_at: dt.datetime
    receipt: JSON | None = strawberry.field(
        default=None, description="Kantara Consent Receipt v1.1 as JSON."
    )

    @classmethod
    def from_domain(
        cls, record: ConsentRecord, receipt: dict[str, Any] | None = None
    ) -> ConsentRecordType:
        return cls(
            id=to_id(record.id),
            event=record.event,
            purpose=record.purpose,
            scope=(
                ConsentScopeType(
                    kind=record.scope.kind,
                    partner_ids=[to_id(p) for p in record.scope.sorted_ids()],
                )
                if record.scope
                else None
            ),
            granted_at=record.granted_at,
            expires_at=record.expires_at,
            withdrawn_at=record.withdrawn_at,
            text_version=record.text_version,
            text_sha256=record.text_sha256,
            collection_method=record.collection_method,
            language=record.language,
            receipt_id=to_id(record.receipt_id),
            recorded_at=record.recorded_at,
            receipt=cast(JSON, receipt),
        )


@strawberry.input(name="ConsentScopeInput")
class ConsentScopeInput:
    kind: ScopeKind
    partner_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input(name="GrantConsentInput")
class GrantConsentInput:
    scope: ConsentScopeInput
    duration_months: int | None = strawberry.field(
        default=None,
        description="1-12. Omitted: 6 for a new grant; keeps the expiry when only the "
        "scope of a consent in force changes.",
    )
    text_version: str | None = strawberry.field(
        default=None, description="The consent text version the person read (default: current)."
    )
    language: str | None = None

    def to_domain(self) -> ConsentChoice:
        ids = tuple(
            parse_id(pid, f"input.scope.partnerIds.{i}")
            for i, pid in enumerate(self.scope.partner_ids)
        )
        return ConsentChoice(
            scope_kind=self.scope.kind.value,
            partner_ids=ids,
            months=self.duration_months,
            text_version=self.text_version,
            language=self.language,
        )


@strawberry.type
class GrantConsentPayload:
    consent: ConsentRecordType | None = None
    profile_status: str | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class WithdrawConsentPayload:
    consent: ConsentRecordType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)
