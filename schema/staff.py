"""Staff accounts (partner HR users, consortium admins): consortium admins only."""

from __future__ import annotations

import datetime as dt

import strawberry

import schema.me  # noqa: F401 - registers the CallerRole enum
from exchange.staff import service
from exchange.staff.models import StaffUser
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id, to_id


@strawberry.type(name="StaffUser")
class StaffUserType:
    id: strawberry.ID
    partner_id: strawberry.ID | None
    role: CallerRole
    email: str
    display_name: str
    language: str
    created_at: dt.datetime

    @classmethod
    def from_domain(cls, staff: StaffUser) -> StaffUserType:
        return cls(
            id=to_id(staff.id),
            partner_id=to_id(staff.partner_id) if staff.partner_id else None,
            role=staff.role,
            email=staff.email,
            display_name=staff.display_name,
            language=staff.language,
            created_at=staff.created_at,
        )


@strawberry.input
class AddStaffUserInput:
    email: str
    display_name: str
    role: CallerRole
    partner_id: strawberry.ID | None = None
    language: str = "nl"


@strawberry.type
class StaffUserPayload:
    staff_user: StaffUserType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="Staff accounts of the consortium (admins).")
    async def staff_users(self, info: strawberry.Info[Context, None]) -> list[StaffUserType]:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            staff = await service.list_staff_users(conn, caller)
        return [StaffUserType.from_domain(s) for s in staff]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Give someone a staff account; they sign in with an emailed link."
    )
    async def add_staff_user(
        self, info: strawberry.Info[Context, None], input: AddStaffUserInput
    ) -> StaffUserPayload:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.ADMIN)
        try:
            partner_id = parse_id(input.partner_id, "input.partnerId") if input.partner_id else None
            async with info.context.database.transaction(caller.access_scope()) as conn:
                staff = await service.add_staff_user(
                    conn,
                    caller,
                    email=input.email,
                    display_name=input.display_name,
                    role=input.role,
                    partner_id=partner_id,
                    language=input.language,
                )
        except UserError as error:
            return StaffUserPayload(user_errors=user_errors(error))
        return StaffUserPayload(staff_user=StaffUserType.from_domain(staff))
