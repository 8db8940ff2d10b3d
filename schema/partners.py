"""Partners of the caller's consortium."""

from __future__ import annotations

import datetime as dt

import strawberry

from exchange.partners import service
from exchange.partners.models import Partner, PartnerStatus
from schema.context import Context

PartnerStatusType = strawberry.enum(PartnerStatus, name="PartnerStatus")


@strawberry.type(name="Partner")
class PartnerType:
    id: strawberry.ID
    slug: str
    name: str
    city: str | None
    status: PartnerStatus
    created_at: dt.datetime

    @classmethod
    def from_domain(cls, partner: Partner) -> PartnerType:
        return cls(
            id=strawberry.ID(str(partner.id)),
            slug=partner.slug,
            name=partner.name,
            city=partner.city,
            status=partner.status,
            created_at=partner.created_at,
        )


@strawberry.type
class Query:
    @strawberry.field(description="All partners of the caller's consortium.")
    async def partners(self, info: strawberry.Info[Context, None]) -> list[PartnerType]:
        caller = info.context.authenticated()
        async with info.context.database.transaction(caller.access_scope()) as conn:
            partners = await service.list_partners(conn, caller)
        return [PartnerType.from_domain(p) for p in partners]
