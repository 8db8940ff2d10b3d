"""The person's own operations (candidate callers only): profile, consents, rights."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from consent.models import CollectionMethod
from exchange.consent_flow import rights
from exchange.consent_flow import service as flow
from exchange.consent_flow.updates import MyProfileUpdate
from exchange.profiles.models import CompetencyInput, LanguageInput
from infra.caller import Caller, CallerRole, Scope
from infra.errors import UserError
from matching.types import Pay, PayPeriod, Role, Shift, WorkMode
from schema.consent import (
    ConsentRecordType,
    GrantConsentInput,
    GrantConsentPayload,
    WithdrawConsentPayload,
)
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import to_id
from schema.pagination import Connection, build_connection, decode_cursor, page_size
from schema.profiles import CompetencyInputType, LanguageInputType, ProfileType
from schema.types import MoneyInput, euros_to_cents


class AccessKind(StrEnum):
    SHOWN_IN_MATCHES = "SHOWN_IN_MATCHES"
    SHOWN_IN_PROPOSALS = "SHOWN_IN_PROPOSALS"
    OPENED = "OPENED"
    CONTACT_REQUESTED = "CONTACT_REQUESTED"
    CONTACT_REVEALED = "CONTACT_REVEALED"
    PLACEMENT_RECORDED = "PLACEMENT_RECORDED"


AccessKindType = strawberry.enum(AccessKind, name="AccessKind")


@strawberry.type(name="AccessLogEntry")
class AccessLogEntryType:
    occurred_at: dt.datetime
    kind: AccessKind
    partner_id: strawberry.ID
    partner_name: str


@strawberry.input(name="UpdateMyProfileInput")
class UpdateMyProfileInput:
    headline: str | None = None
    postcode_area: str | None = None
    max_travel_km: int | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    available_from: dt.date | None = None
    competencies: list[CompetencyInputType] | None = None
    languages: list[LanguageInputType] | None = None
    present_role: Role | None = None
    ambitions: list[Role] | None = None
    shifts: list[Shift] | None = None
    work_modes: list[WorkMode] | None = None
    min_pay: MoneyInput | None = None
    clear_min_pay: bool = False
    transferable_sectors: list[str] | None = None
    full_name: str | None = None
    phone: str | None = strawberry.field(default=None, description='"" removes the number.')

    def to_domain(self) -> MyProfileUpdate:
        def listed(values: list[object] | None) -> tuple[object, ...] | None:
            return tuple(values) if values is not None else None

        return MyProfileUpdate(
            headline=self.headline,
            postcode_area=self.postcode_area,
            max_travel_km=self.max_travel_km,
            hours_min=self.hours_min,
            hours_max=self.hours_max,
            available_from=self.available_from,
            competencies=(
                tuple(CompetencyInput(c.phrase, c.level) for c in self.competencies)
                if self.competencies is not None
                else None
            ),
            languages=(
                tuple(LanguageInput(lang.language, lang.level) for lang in self.languages)
                if self.languages is not None
                else None
            ),
            present_role=self.present_role,
            ambitions=tuple(self.ambitions) if self.ambitions is not None else None,
            shifts=tuple(self.shifts) if self.shifts is not None else None,
            work_modes=tuple(self.work_modes) if self.work_modes is not None else None,
            min_pay=(
                Pay(euros_to_cents(self.min_pay.amount), PayPeriod(self.min_pay.period))
                if self.min_pay
                else None
            ),
            clear_min_pay=self.clear_min_pay,
            transferable_sectors=(
                tuple(s.strip().lower() for s in self.transferable_sectors)
                if self.transferable_sectors is not None
                else None
            ),
            full_name=self.full_name,
            phone=self.phone,
        )


@strawberry.type
class UpdateMyProfilePayload:
    profile: ProfileType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class EraseMyDataPayload:
    erased: bool = False
    profiles: int = 0
    partners_notified: int = 0
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


def _person(info: strawberry.Info[Context, None]) -> Caller:
    return info.context.require(CallerRole.CANDIDATE, Scope.ME)


@strawberry.type
class Query:
    @strawberry.field(description="The person's own pseudonymous profile.")
    async def my_profile(self, info: strawberry.Info[Context, None]) -> ProfileType | None:
        caller = _person(info)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            try:
                profile = await rights.my_profile(conn, caller)
            except UserError:
                return None
        return ProfileType.from_domain(profile)

    @strawberry.field(description="The person's consent history, oldest first, with receipts.")
    async def my_consents(self, info: strawberry.Info[Context, None]) -> list[ConsentRecordType]:
        caller = _person(info)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            items = await rights.my_consents(conn, caller, info.context.settings)
        return [ConsentRecordType.from_domain(i.record, i.receipt) for i in items]

    @strawberry.field(
        description="Which partner saw the profile in matches, opened it, asked for or "
        "received contact data, and when; newest first."
    )
    async def my_access_log(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AccessLogEntryType]:
        caller = _person(info)
        limit = page_size(first, info.context.settings.max_page_size)
        cursor = decode_cursor(after)
        before_seq = None
        if cursor is not None:
            if not cursor.isdigit():
                raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid")
            before_seq = int(cursor)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            entries, more = await rights.my_access_log(
                conn, caller, limit=limit, before_seq=before_seq
            )
        return build_connection(
            [
                AccessLogEntryType(
                    occurred_at=e.occurred_at,
                    kind=AccessKind(e.kind),
                    partner_id=to_id(e.partner_id),
                    partner_name=e.partner_name,
                )
                for e in entries
            ],
            [str(e.seq) for e in entries],
            has_next_page=more,
        )

    @strawberry.field(description="Everything the exchange holds about the person, as JSON.")
    async def export_my_data(self, info: strawberry.Info[Context, None]) -> JSON:
        caller = _person(info)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            document = await rights.export_my_data(conn, caller, info.context.settings)
        return cast(JSON, document)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Correct the own profile (and own name or phone).")
    async def update_my_profile(
        self, info: strawberry.Info[Context, None], input: UpdateMyProfileInput
    ) -> UpdateMyProfilePayload:
        caller = _person(info)
        try:
            update = input.to_domain()
            async with info.context.database.transaction(caller.access_scope()) as conn:
                profile = await rights.update_my_profile(
                    conn, caller, info.context.services.normalizer, update
                )
        except UserError as error:
            return UpdateMyProfilePayload(user_errors=user_errors(error))
        return UpdateMyProfilePayload(profile=ProfileType.from_domain(profile))

    @strawberry.mutation(
        description="Confirm a pending profile, change the scope, or renew (with a duration)."
    )
    async def grant_consent(
        self, info: strawberry.Info[Context, None], input: GrantConsentInput
    ) -> GrantConsentPayload:
        caller = _person(info)
        try:
            choice = input.to_domain()
            async with info.context.database.transaction(caller.access_scope()) as conn:
                outcome = await flow.grant_consent(
                    conn, caller, choice, method=CollectionMethod.API,
                    settings=info.context.settings,
                )  # fmt: skip
        except UserError as error:
            return GrantConsentPayload(user_errors=user_errors(error))
        return GrantConsentPayload(
            consent=ConsentRecordType.from_domain(outcome.record), profile_status=outcome.status
        )

    @strawberry.mutation(description="Withdraw consent: no partner sees the profile from now.")
    async def withdraw_consent(
        self, info: strawberry.Info[Context, None]
    ) -> WithdrawConsentPayload:
        caller = _person(info)
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                outcome = await flow.withdraw_consent(conn, caller, method=CollectionMethod.API)
        except UserError as error:
            return WithdrawConsentPayload(user_errors=user_errors(error))
        return WithdrawConsentPayload(consent=ConsentRecordType.from_domain(outcome.record))

    @strawberry.mutation(description="Erase all the person's data at once.")
    async def erase_my_data(self, info: strawberry.Info[Context, None]) -> EraseMyDataPayload:
        caller = _person(info)
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                counts = await rights.erase_my_data(conn, caller, info.context.settings)
        except UserError as error:
            return EraseMyDataPayload(user_errors=user_errors(error))
        return EraseMyDataPayload(
            erased=True,
            profiles=counts["profiles"],
            partners_notified=counts["partners_notified"],
        )
