"""Vacancies: partner HR posts, edits, closes and lists its own."""

from __future__ import annotations

import datetime as dt

import strawberry

from exchange.vacancies import service
from exchange.vacancies.models import (
    LanguageRequirementInput,
    PayRange,
    RequirementInput,
    Vacancy,
    VacancyInput,
    VacancyStatus,
)
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from infra.pagination import Keyset
from matching.types import CefrLevel, PayPeriod, Role, Shift, WorkMode
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id, to_id
from schema.pagination import Connection, keyset_after, keyset_connection, page_size
from schema.types import PayRangeInputType, PayRangeType, euros_to_cents

VacancyStatusType = strawberry.enum(VacancyStatus, name="VacancyStatus")


@strawberry.type(name="Requirement")
class RequirementType:
    phrase: str
    concept_id: str | None
    confidence: float
    must_have: bool
    weight: float
    min_level: int | None


@strawberry.type(name="LanguageRequirement")
class LanguageRequirementType:
    language: str
    min_level: CefrLevel
    must_have: bool


@strawberry.type(name="Vacancy")
class VacancyType:
    id: strawberry.ID
    title: str
    description: str
    role: Role
    role_level: int
    status: VacancyStatus
    postcode_area: str
    hours_min: int
    hours_max: int
    pay: PayRangeType | None
    shifts: list[Shift]
    work_mode: WorkMode
    training_offered: str
    soft_skill_weight: float
    start_date: dt.date
    requirements: list[RequirementType]
    languages: list[LanguageRequirementType]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @classmethod
    def from_domain(cls, v: Vacancy) -> VacancyType:
        pay = None
        if v.pay is not None:
            pay = PayRangeType(
                min=v.pay.min_cents / 100, max=v.pay.max_cents / 100, period=v.pay.period
            )
        return cls(
            id=to_id(v.id),
            title=v.title,
            description=v.description,
            role=v.role,
            role_level=v.role_level,
            status=v.status,
            postcode_area=v.postcode_area,
            hours_min=v.hours_min,
            hours_max=v.hours_max,
            pay=pay,
            shifts=list(v.shifts),
            work_mode=v.work_mode,
            training_offered=v.training_offered,
            soft_skill_weight=v.soft_skill_weight,
            start_date=v.start_date,
            requirements=[
                RequirementType(
                    phrase=r.phrase,
                    concept_id=r.concept_id,
                    confidence=r.confidence,
                    must_have=r.must_have,
                    weight=r.weight,
                    min_level=r.min_level,
                )
                for r in v.requirements
            ],
            languages=[
                LanguageRequirementType(
                    language=lang.language, min_level=lang.min_level, must_have=lang.must_have
                )
                for lang in v.languages
            ],
            created_at=v.created_at,
            updated_at=v.updated_at,
            closed_at=v.closed_at,
        )


@strawberry.input
class RequirementInputType:
    phrase: str
    must_have: bool = False
    weight: float = 1.0
    min_level: int | None = None


@strawberry.input
class LanguageRequirementInputType:
    language: str
    min_level: str = strawberry.field(description="A1, A2, B1, B2, C1, C2 or NATIVE")
    must_have: bool = True


@strawberry.input
class VacancyInputType:
    title: str
    postcode_area: str
    hours_min: int
    hours_max: int
    start_date: dt.date
    description: str = ""
    role: Role = Role.AGENT
    role_level: int = 1
    pay: PayRangeInputType | None = None
    shifts: list[Shift] = strawberry.field(default_factory=list)
    work_mode: WorkMode = WorkMode.ON_SITE
    training_offered: str = ""
    soft_skill_weight: float = 1.0
    requirements: list[RequirementInputType] = strawberry.field(default_factory=list)
    languages: list[LanguageRequirementInputType] = strawberry.field(default_factory=list)

    def to_domain(self) -> VacancyInput:
        pay = None
        if self.pay is not None:
            pay = PayRange(
                euros_to_cents(self.pay.min),
                euros_to_cents(self.pay.max),
                PayPeriod(self.pay.period),
            )
        return VacancyInput(
            title=self.title,
            postcode_area=self.postcode_area,
            hours_min=self.hours_min,
            hours_max=self.hours_max,
            start_date=self.start_date,
            description=self.description,
            role=self.role,
            role_level=self.role_level,
            pay=pay,
            shifts=tuple(self.shifts),
            work_mode=self.work_mode,
            training_offered=self.training_offered,
            soft_skill_weight=self.soft_skill_weight,
            requirements=tuple(
                RequirementInput(r.phrase, r.must_have, r.weight, r.min_level)
                for r in self.requirements
            ),
            languages=tuple(
                LanguageRequirementInput(lang.language, lang.min_level, lang.must_have)
                for lang in self.languages
            ),
        )


@strawberry.type
class VacancyPayload:
    vacancy: VacancyType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's own vacancies, newest first.")
    async def vacancies(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: VacancyStatus | None = None,
    ) -> Connection[VacancyType]:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.VACANCIES_READ)
        limit = page_size(first, info.context.settings.max_page_size)
        keyset = keyset_after(after)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await service.list_vacancies(
                conn, caller, status=status, limit=limit, after=keyset
            )
        return keyset_connection(
            page,
            lambda v: VacancyType.from_domain(v),
            lambda v: Keyset(v.created_at, v.id),
        )

    @strawberry.field(description="One of the caller's vacancies; null when it is not theirs.")
    async def vacancy(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> VacancyType | None:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.VACANCIES_READ)
        vacancy_id = parse_id(id, "id")
        async with info.context.database.transaction(caller.access_scope()) as conn:
            vacancy = await service.get_vacancy(conn, caller, vacancy_id)
        return VacancyType.from_domain(vacancy) if vacancy else None


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_vacancy(
        self, info: strawberry.Info[Context, None], input: VacancyInputType
    ) -> VacancyPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                vacancy = await service.create_vacancy(
                    conn, caller, info.context.services.normalizer, input.to_domain()
                )
        except UserError as error:
            return VacancyPayload(user_errors=user_errors(error))
        return VacancyPayload(vacancy=VacancyType.from_domain(vacancy))

    @strawberry.mutation
    async def update_vacancy(
        self, info: strawberry.Info[Context, None], id: strawberry.ID, input: VacancyInputType
    ) -> VacancyPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
        try:
            vacancy_id = parse_id(id, "id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                vacancy = await service.update_vacancy(
                    conn, caller, info.context.services.normalizer, vacancy_id, input.to_domain()
                )
        except UserError as error:
            return VacancyPayload(user_errors=user_errors(error))
        return VacancyPayload(vacancy=VacancyType.from_domain(vacancy))

    @strawberry.mutation
    async def close_vacancy(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> VacancyPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.VACANCIES_WRITE)
        try:
            vacancy_id = parse_id(id, "id")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                vacancy = await service.close_vacancy(conn, caller, vacancy_id)
        except UserError as error:
            return VacancyPayload(user_errors=user_errors(error))
        return VacancyPayload(vacancy=VacancyType.from_domain(vacancy))
