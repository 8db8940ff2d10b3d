"""Introductions: partner HR asks (`requestIntroduction`, `introductions`); the person
answers (`myIntroductions`, `respondToIntroduction`)."""

from __future__ import annotations

import datetime as dt

import strawberry

from exchange.introductions import service
from exchange.introductions.models import (
    Introduction,
    IntroductionRules,
    IntroductionStatus,
    Offer,
)
from exchange.introductions.models import MyIntroduction as MyIntroductionRecord
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from infra.pagination import Keyset
from matching.types import Role, Shift, WorkMode
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id, to_id
from schema.pagination import Connection, keyset_after, keyset_connection, page_size
from schema.types import PayRangeType

IntroductionStatusType = strawberry.enum(IntroductionStatus, name="IntroductionStatus")


@strawberry.type(description="The person's contact data: only on an accepted introduction.")
class IntroductionContact:
    full_name: str
    email: str
    phone: str | None


@strawberry.type(name="Introduction", description="An introduction request you made.")
class IntroductionType:
    id: strawberry.ID
    status: IntroductionStatus
    profile_id: strawberry.ID | None
    profile_pseudonym: str | None = strawberry.field(
        description="Null once the profile is no longer visible to you."
    )
    vacancy_id: strawberry.ID
    vacancy_title: str
    sharing_partner_id: strawberry.ID
    message: str | None
    response_message: str | None
    requested_at: dt.datetime
    responded_at: dt.datetime | None
    expires_at: dt.datetime
    contact: IntroductionContact | None = strawberry.field(
        description="Name, email and phone: set only when the person ACCEPTED, null otherwise."
    )

    @classmethod
    def from_domain(cls, i: Introduction) -> IntroductionType:
        contact = None
        if i.contact is not None:
            contact = IntroductionContact(
                full_name=i.contact.full_name, email=i.contact.email, phone=i.contact.phone
            )
        return cls(
            id=to_id(i.id),
            status=i.status,
            profile_id=to_id(i.profile_id) if i.profile_id else None,
            profile_pseudonym=i.profile_pseudonym,
            vacancy_id=to_id(i.vacancy_id),
            vacancy_title=i.vacancy_title,
            sharing_partner_id=to_id(i.sharing_partner_id),
            message=i.message,
            response_message=i.response_message,
            requested_at=i.requested_at,
            responded_at=i.responded_at,
            expires_at=i.expires_at,
            contact=contact,
        )


@strawberry.type(description="What the vacancy behind an introduction offers.")
class IntroductionOffer:
    vacancy_id: strawberry.ID
    title: str
    description: str
    role: Role
    role_level: int
    partner_name: str
    partner_city: str | None
    postcode_area: str
    hours_min: int
    hours_max: int
    pay: PayRangeType | None
    shifts: list[Shift]
    work_mode: WorkMode
    training_offered: str
    start_date: dt.date

    @classmethod
    def from_domain(cls, o: Offer) -> IntroductionOffer:
        pay = None
        if o.pay_period is not None and o.pay_min_cents is not None and o.pay_max_cents is not None:
            pay = PayRangeType(
                min=o.pay_min_cents / 100, max=o.pay_max_cents / 100, period=o.pay_period
            )
        return cls(
            vacancy_id=to_id(o.vacancy_id),
            title=o.title,
            description=o.description,
            role=o.role,
            role_level=o.role_level,
            partner_name=o.partner_name,
            partner_city=o.partner_city,
            postcode_area=o.postcode_area,
            hours_min=o.hours_min,
            hours_max=o.hours_max,
            pay=pay,
            shifts=list(o.shifts),
            work_mode=o.work_mode,
            training_offered=o.training_offered,
            start_date=o.start_date,
        )


@strawberry.type(description="An introduction a partner asked you for.")
class MyIntroduction:
    id: strawberry.ID
    status: IntroductionStatus
    is_open: bool = strawberry.field(description="Awaiting your answer and not expired.")
    message: str | None
    response_message: str | None
    requested_at: dt.datetime
    responded_at: dt.datetime | None
    expires_at: dt.datetime
    offer: IntroductionOffer

    @classmethod
    def from_domain(cls, i: MyIntroductionRecord) -> MyIntroduction:
        return cls(
            id=to_id(i.id),
            status=i.status,
            is_open=i.is_open(dt.datetime.now(dt.UTC)),
            message=i.message,
            response_message=i.response_message,
            requested_at=i.requested_at,
            responded_at=i.responded_at,
            expires_at=i.expires_at,
            offer=IntroductionOffer.from_domain(i.offer),
        )


@strawberry.type
class RequestIntroductionPayload:
    introduction: IntroductionType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class RespondToIntroductionPayload:
    introduction: MyIntroduction | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


def rules_from(context: Context) -> IntroductionRules:
    settings = context.settings
    return IntroductionRules(
        daily_cap=settings.introduction_daily_cap, public_url=settings.public_url
    )


@strawberry.type
class Query:
    @strawberry.field(description="Introductions you requested, newest first.")
    async def introductions(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: IntroductionStatus | None = None,
    ) -> Connection[IntroductionType]:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
        limit = page_size(first, info.context.settings.max_page_size)
        keyset = keyset_after(after)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await service.list_introductions(
                conn, caller, status=status, limit=limit, after=keyset
            )
        return keyset_connection(
            page,
            lambda i: IntroductionType.from_domain(i),
            lambda i: Keyset(i.requested_at, i.id),
        )

    @strawberry.field(description="One introduction you requested; null when it is not yours.")
    async def introduction(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> IntroductionType | None:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
        introduction_id = parse_id(id, "id")
        async with info.context.database.transaction(caller.access_scope()) as conn:
            found = await service.get_introduction(conn, caller, introduction_id)
        return IntroductionType.from_domain(found) if found else None

    @strawberry.field(description="Introductions partners asked you for, newest first.")
    async def my_introductions(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: IntroductionStatus | None = None,
    ) -> Connection[MyIntroduction]:
        caller = info.context.require(CallerRole.CANDIDATE, Scope.ME)
        limit = page_size(first, info.context.settings.max_page_size)
        keyset = keyset_after(after)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await service.list_my_introductions(
                conn, caller, status=status, limit=limit, after=keyset
            )
        return keyset_connection(
            page,
            lambda i: MyIntroduction.from_domain(i),
            lambda i: Keyset(i.requested_at, i.id),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Ask the person behind a profile you can see to meet, for one of your "
        "open vacancies. They are mailed; contact data follows only if they accept."
    )
    async def request_introduction(
        self,
        info: strawberry.Info[Context, None],
        profile_id: strawberry.ID,
        vacancy_id: strawberry.ID,
        message: str | None = None,
    ) -> RequestIntroductionPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.INTRODUCTIONS_WRITE)
        try:
            profile = parse_id(profile_id, "profileId")
            vacancy = parse_id(vacancy_id, "vacancyId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                introduction = await service.request_introduction(
                    conn,
                    caller,
                    profile_id=profile,
                    vacancy_id=vacancy,
                    message=message,
                    rules=rules_from(info.context),
                )
        except UserError as error:
            return RequestIntroductionPayload(user_errors=user_errors(error))
        return RequestIntroductionPayload(introduction=IntroductionType.from_domain(introduction))

    @strawberry.mutation(
        description="Accept (your name, email and phone go to that partner only) or decline."
    )
    async def respond_to_introduction(
        self,
        info: strawberry.Info[Context, None],
        id: strawberry.ID,
        accept: bool,
        message: str | None = None,
    ) -> RespondToIntroductionPayload:
        caller = info.context.require(CallerRole.CANDIDATE, Scope.ME)
        try:
            introduction_id = parse_id(id, "id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                answered = await service.respond_to_introduction(
                    conn, caller, introduction_id, accept=accept, message=message
                )
        except UserError as error:
            return RespondToIntroductionPayload(user_errors=user_errors(error))
        return RespondToIntroductionPayload(introduction=MyIntroduction.from_domain(answered))
