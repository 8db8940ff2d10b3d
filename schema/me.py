"""`me`: who the caller is."""

from __future__ import annotations

import strawberry

from infra.caller import CallerRole
from schema.context import Context

CallerRoleType = strawberry.enum(CallerRole, name="CallerRole")


@strawberry.type
class Me:
    role: CallerRole
    subject: str
    consortium_id: strawberry.ID
    partner_id: strawberry.ID | None
    scopes: list[str]
    language: str


@strawberry.type
class Query:
    @strawberry.field(description="The authenticated caller.")
    def me(self, info: strawberry.Info[Context, None]) -> Me:
        caller = info.context.authenticated()
        return Me(
            role=caller.role,
            subject=caller.subject,
            consortium_id=strawberry.ID(str(caller.consortium_id)),
            partner_id=strawberry.ID(str(caller.partner_id)) if caller.partner_id else None,
            scopes=sorted(caller.scopes),
            language=info.context.language,
        )
