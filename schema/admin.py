"""Partner administration for consortium admins (scope ``admin``)."""

from __future__ import annotations

import datetime as dt

import strawberry

from exchange.admin import service
from exchange.admin.models import ApiClientInfo, SuspensionEffect, SuspensionReason
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id
from schema.partners import PartnerType

SuspensionReasonType = strawberry.enum(SuspensionReason, name="SuspensionReason")


@strawberry.type(name="ApiClient")
class ApiClientType:
    id: strawberry.ID
    client_id: str
    partner_id: strawberry.ID | None
    name: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_domain(cls, c: ApiClientInfo) -> ApiClientType:
        return cls(
            id=strawberry.ID(str(c.id)),
            client_id=c.client_id,
            partner_id=strawberry.ID(str(c.partner_id)) if c.partner_id else None,
            name=c.name,
            scopes=list(c.scopes),
            created_at=c.created_at,
            revoked_at=c.revoked_at,
            last_used_at=c.last_used_at,
        )


@strawberry.type(name="SuspensionEffect")
class SuspensionEffectType:
    open_vacancies: int
    active_profiles: int
    active_api_clients: int
    introductions_withdrawn: int

    @classmethod
    def from_domain(cls, e: SuspensionEffect) -> SuspensionEffectType:
        return cls(
            open_vacancies=e.open_vacancies,
            active_profiles=e.active_profiles,
            active_api_clients=e.active_api_clients,
            introductions_withdrawn=e.introductions_withdrawn,
        )


@strawberry.input
class RegisterPartnerInput:
    name: str
    slug: str | None = strawberry.field(
        default=None, description="Derived from the name if omitted"
    )
    city: str | None = None


@strawberry.input
class CreateApiClientInput:
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Omit for a consortium-level client (admin scopes)."
    )
    name: str | None = None
    scopes: list[str] | None = strawberry.field(
        default=None, description="Default: every scope a client of its kind may have."
    )


@strawberry.type
class PartnerPayload:
    partner: PartnerType | None = None
    suspension: SuspensionEffectType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class ApiClientPayload:
    client: ApiClientType | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once, when the client is created; never again."
    )
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="API clients of the consortium (admins); secrets never shown.")
    async def api_clients(
        self, info: strawberry.Info[Context, None], partner_id: strawberry.ID | None = None
    ) -> list[ApiClientType]:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        partner = parse_id(partner_id, "partnerId") if partner_id else None
        async with info.context.database.transaction(caller.access_scope()) as conn:
            clients = await service.list_api_clients(conn, caller, partner_id=partner)
        return [ApiClientType.from_domain(c) for c in clients]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_partner(
        self, info: strawberry.Info[Context, None], input: RegisterPartnerInput
    ) -> PartnerPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                partner = await service.register_partner(
                    conn, caller, name=input.name, slug=input.slug, city=input.city
                )
        except UserError as error:
            return PartnerPayload(user_errors=user_errors(error))
        return PartnerPayload(partner=PartnerType.from_domain(partner))

    @strawberry.mutation
    async def create_api_client(
        self, info: strawberry.Info[Context, None], input: CreateApiClientInput
    ) -> ApiClientPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            partner_id = parse_id(input.partner_id, "input.partnerId") if input.partner_id else None
            async with info.context.database.transaction(caller.access_scope()) as conn:
                created = await service.create_api_client(
                    conn, caller, partner_id=partner_id, name=input.name, scopes=input.scopes
                )
        except UserError as error:
            return ApiClientPayload(user_errors=user_errors(error))
        return ApiClientPayload(
            client=ApiClientType.from_domain(created.client), client_secret=created.client_secret
        )

    @strawberry.mutation
    async def revoke_api_client(
        self, info: strawberry.Info[Context, None], client_id: str
    ) -> ApiClientPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            async with info.context.database.transaction(caller.access_scope()) as conn:
                revoked = await service.revoke_api_client(conn, caller, client_id=client_id)
        except UserError as error:
            return ApiClientPayload(user_errors=user_errors(error))
        return ApiClientPayload(client=ApiClientType.from_domain(revoked))

    @strawberry.mutation
    async def suspend_partner(
        self,
        info: strawberry.Info[Context, None],
        partner_id: strawberry.ID,
        reason: SuspensionReason = SuspensionReason.OTHER,
    ) -> PartnerPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            partner = parse_id(partner_id, "partnerId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                suspended, effect = await service.suspend_partner(
                    conn, caller, partner_id=partner, reason=reason
                )
        except UserError as error:
            return PartnerPayload(user_errors=user_errors(error))
        return PartnerPayload(
            partner=PartnerType.from_domain(suspended),
            suspension=SuspensionEffectType.from_domain(effect),
        )

    @strawberry.mutation
    async def reinstate_partner(
        self, info: strawberry.Info[Context, None], partner_id: strawberry.ID
    ) -> PartnerPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            partner = parse_id(partner_id, "partnerId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                reinstated = await service.reinstate_partner(conn, caller, partner_id=partner)
        except UserError as error:
            return PartnerPayload(user_errors=user_errors(error))
        return PartnerPayload(partner=PartnerType.from_domain(reinstated))
