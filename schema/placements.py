"""Placements: the hiring partner records a start and the outcome; the sharing partner
reads them (reciprocity); the person resumes a profile paused by a placement."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from exchange.placements import service
from exchange.placements.models import (
    LeftReason,
    Placement,
    PlacementOutcomeInput,
    PlacementRole,
    ResumedProfile,
)
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from infra.pagination import Keyset
from schema.context import Context
from schema.errors import UserErrorType, user_errors
from schema.ids import parse_id, to_id
from schema.pagination import Connection, keyset_after, keyset_connection, page_size

LeftReasonType = strawberry.enum(LeftReason, name="LeftReason")
PlacementRoleType = strawberry.enum(PlacementRole, name="PlacementRole")


@strawberry.type(name="Placement")
class PlacementType:
    id: strawberry.ID
    introduction_id: strawberry.ID
    profile_id: strawberry.ID | None
    vacancy_id: strawberry.ID
    hiring_partner_id: strawberry.ID
    sharing_partner_id: strawberry.ID
    your_role: PlacementRole = strawberry.field(
        description="HIRING: you placed the person; SHARING: you shared the profile (credit)."
    )
    shared_at: dt.datetime
    start_date: dt.date
    employed_at_3_months: bool | None
    employed_at_6_months: bool | None
    left_on: dt.date | None
    left_reason: LeftReason | None
    recorded_at: dt.datetime
    outcome_recorded_at: dt.datetime | None

    @classmethod
    def from_domain(cls, p: Placement, *, viewer: UUID | None) -> PlacementType:
        return cls(
            id=to_id(p.id),
            introduction_id=to_id(p.introduction_id),
            profile_id=to_id(p.profile_id) if p.profile_id else None,
            vacancy_id=to_id(p.vacancy_id),
            hiring_partner_id=to_id(p.hiring_partner_id),
            sharing_partner_id=to_id(p.sharing_partner_id),
            your_role=p.role_of(viewer) if viewer else PlacementRole.HIRING,
            shared_at=p.shared_at,
            start_date=p.start_date,
            employed_at_3_months=p.employed_at_3_months,
            employed_at_6_months=p.employed_at_6_months,
            left_on=p.left_on,
            left_reason=p.left_reason,
            recorded_at=p.recorded_at,
            outcome_recorded_at=p.outcome_recorded_at,
        )


@strawberry.type
class PlacementPayload:
    placement: PlacementType | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)


@strawberry.type
class ResumeMyProfilePayload:
    profile_id: strawberry.ID | None = None
    status: str | None = None
    user_errors: list[UserErrorType] = strawberry.field(default_factory=list)

    @classmethod
    def from_domain(cls, resumed: ResumedProfile) -> ResumeMyProfilePayload:
        return cls(profile_id=to_id(resumed.profile_id), status=resumed.status)


@strawberry.type
class Query:
    @strawberry.field(
        description="Placements you made, and placements of profiles you shared, newest first."
    )
    async def placements(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PlacementType]:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
        limit = page_size(first, info.context.settings.max_page_size)
        keyset = keyset_after(after)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            page = await service.list_placements(conn, caller, limit=limit, after=keyset)
        return keyset_connection(
            page,
            lambda p: PlacementType.from_domain(p, viewer=caller.partner_id),
            lambda p: Keyset(p.recorded_at, p.id),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Record that the person of your accepted introduction starts; their "
        "profile is paused (hidden from matching) until they resume it."
    )
    async def record_placement(
        self,
        info: strawberry.Info[Context, None],
        introduction_id: strawberry.ID,
        start_date: dt.date,
    ) -> PlacementPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
        try:
            parsed = parse_id(introduction_id, "introductionId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                placement = await service.record_placement(
                    conn, caller, introduction_id=parsed, start_date=start_date
                )
        except UserError as error:
            return PlacementPayload(user_errors=user_errors(error))
        return PlacementPayload(
            placement=PlacementType.from_domain(placement, viewer=caller.partner_id)
        )

    @strawberry.mutation(
        description="Record whether the placed person is still employed at 3 and 6 months, "
        "or when and why they left. Arguments left out keep what was recorded before."
    )
    async def record_placement_outcome(
        self,
        info: strawberry.Info[Context, None],
        placement_id: strawberry.ID,
        employed_at_3_months: bool | None = None,
        employed_at_6_months: bool | None = None,
        left_on: dt.date | None = None,
        left_reason: LeftReason | None = None,
    ) -> PlacementPayload:
        caller = info.context.require(CallerRole.PARTNER_HR, Scope.PLACEMENTS_WRITE)
        data = PlacementOutcomeInput(
            employed_at_3_months=employed_at_3_months,
            employed_at_6_months=employed_at_6_months,
            left_on=left_on,
            left_reason=left_reason.value if left_reason else None,
        )
        try:
            parsed = parse_id(placement_id, "placementId")
            async with info.context.database.transaction(caller.access_scope()) as conn:
                placement = await service.record_placement_outcome(conn, caller, parsed, data)
        except UserError as error:
            return PlacementPayload(user_errors=user_errors(error))
        return PlacementPayload(
            placement=PlacementType.from_domain(placement, viewer=caller.partner_id)
        )

    @strawberry.mutation(description="Make your paused profile visible to partners again.")
    async def resume_my_profile(
        self, info: strawberry.Info[Context, None], profile_id: strawberry.ID | None = None
    ) -> ResumeMyProfilePayload:
        caller = info.context.require(CallerRole.CANDIDATE, Scope.ME)
        try:
            parsed = parse_id(profile_id, "profileId") if profile_id is not None else None
            async with info.context.database.transaction(caller.access_scope()) as conn:
                resumed = await service.resume_my_profile(conn, caller, profile_id=parsed)
        except UserError as error:
            return ResumeMyProfilePayload(user_errors=user_errors(error))
        return ResumeMyProfilePayload.from_domain(resumed)
