"""Profiles: partner HR shares consented profiles and lists what it shared."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry

from exchange.profiles import service
from exchange.profiles.models import (
    CompetencyInput,
    ContactInput,
    LanguageInput,
    Profile,
    ProfileInput,
    ProfileStatus,
    ShareProfileInput,
)
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from infra.pagination import Keyset
from matching.types import Pay, PayPeriod, ProfileKind, Role, Shift, WorkMode
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import to_id
from schema.pagination import Connection, keyset_after, keyset_connection, page_size
from schema.types import LanguageLevel, Money, MoneyInput, euros_to_cents

ProfileStatusType = strawberry.enum(ProfileStatus, name="ProfileStatus")


@strawberry.type(name="ProfileCompetency")
class ProfileCompetencyType:
    phrase: str
    concept_id: str | None
    confidence: float
    level: int | None


@strawberry.type(
    name="Profile", description="A pseudonymous profile: never a name or contact data."
)
class ProfileType:
    id: strawberry.ID
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
    ambitions: list[Role]
    shifts: list[Shift]
    work_modes: list[WorkMode]
    min_pay: Money | None
    transferable_sectors: list[str]
    competencies: list[ProfileCompetencyType]
    languages: list[LanguageLevel]
    consent_expires_at: dt.datetime | None
    pending_until: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_domain(cls, p: Profile) -> ProfileType:
        return cls(
            id=to_id(p.id),
            pseudonym=p.pseudonym,
            kind=p.kind,
            status=p.status,
            headline=p.headline,
            not_fit_reason=p.not_fit_reason,
            present_role=p.present_role,
            postcode_area=p.postcode_area,
            max_travel_km=p.max_travel_km,
            hours_min=p.hours_min,
            hours_max=p.hours_max,
            available_from=p.available_from,
            ambitions=list(p.ambitions),
            shifts=list(p.shifts),
            work_modes=list(p.work_modes),
            min_pay=(
                Money(amount=p.min_pay.amount_cents / 100, period=p.min_pay.period)
                if p.min_pay
                else None
            ),
            transferable_sectors=list(p.transferable_sectors),
            # The domain's competencies and languages have exactly the attributes these
            # types expose, and fields without resolvers read attributes: no copy of each.
            competencies=cast("list[ProfileCompetencyType]", list(p.competencies)),
            languages=cast("list[LanguageLevel]", list(p.languages)),
            consent_expires_at=p.consent_expires_at,
            pending_until=p.pending_until,
            created_at=p.created_at,
        )


@strawberry.input
class CompetencyInputType:
    phrase: str
    level: int | None = None


@strawberry.input
class LanguageInputType:
    language: str
    level: str = strawberry.field(description="A1, A2, B1, B2, C1, C2 or NATIVE")


@strawberry.input
class ProfileInputType:
    kind: ProfileKind
    postcode_area: str
    max_travel_km: int
    hours_min: int
    hours_max: int
    available_from: dt.date
    competencies: list[CompetencyInputType]
    languages: list[LanguageInputType] = strawberry.field(default_factory=list)
    headline: str | None = None
    not_fit_reason: str | None = None
    present_role: Role | None = None
    ambitions: list[Role] = strawberry.field(default_factory=list)
    shifts: list[Shift] = strawberry.field(default_factory=list)
    work_modes: list[WorkMode] = strawberry.field(default_factory=list)
    min_pay: MoneyInput | None = None
    transferable_sectors: list[str] = strawberry.field(default_factory=list)

    def to_domain(self) -> ProfileInput:
        return ProfileInput(
            kind=self.kind,
            postcode_area=self.postcode_area,
            max_travel_km=self.max_travel_km,
            hours_min=self.hours_min,
            hours_max=self.hours_max,
            available_from=self.available_from,
            competencies=tuple(CompetencyInput(c.phrase, c.level) for c in self.competencies),
            languages=tuple(LanguageInput(lang.language, lang.level) for lang in self.languages),
            headline=self.headline,
            not_fit_reason=self.not_fit_reason,
            present_role=self.present_role,
            ambitions=tuple(self.ambitions),
            shifts=tuple(self.shifts),
            work_modes=tuple(self.work_modes),
            min_pay=(
                Pay(euros_to_cents(self.min_pay.amount), PayPeriod(self.min_pay.period))
                if self.min_pay
                else None
            ),
            transferable_sectors=tuple(s.strip().lower() for s in self.transferable_sectors),
        )


@strawberry.input
class ContactInputType:
    full_name: str
    email: str
    phone: str | None = None


@strawberry.input
class ShareProfileInputType:
    profile: ProfileInputType
    contact: ContactInputType
    language: str = "nl"


@strawberry.type
class ShareProfilePayload:
    profile: ProfileType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="Profiles the caller's organisation shared, newest first.")
    async def shared_profiles(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: ProfileStatus | None = None,
    ) -> Connection[ProfileType]:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.PROFILES_READ)
        limit = page_size(first, info.context.settings.max_page_size)
        keyset = keyset_after(after)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await service.list_shared_profiles(
                conn, caller, status=status, limit=limit, after=keyset
            )
        return keyset_connection(
            page,
            lambda p: ProfileType.from_domain(p),
            lambda p: Keyset(p.created_at, p.id),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Share a profile with the person's contact data; it waits for their consent."
    )
    async def share_profile(
        self, info: strawberry.Info[Context, None], input: ShareProfileInputType
    ) -> ShareProfilePayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.PROFILES_WRITE)
        data = ShareProfileInput(
            profile=input.profile.to_domain(),
            contact=ContactInput(input.contact.full_name, input.contact.email, input.contact.phone),
            language=input.language,
        )
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                profile = await service.share_profile(
                    conn,
                    caller,
                    info.context.services.normalizer,
                    data,
                    settings=info.context.settings,
                )
        except UserError as error:
            return ShareProfilePayload(user_errors=user_errors(error))
        return ShareProfilePayload(profile=ProfileType.from_domain(profile))
