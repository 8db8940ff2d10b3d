"""`exchangeStatistics`: flows, reciprocity, placements and consent for consortium admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from exchange.statistics import models
from exchange.statistics.service import exchange_statistics
from infra.caller import CallerRole, Scope
from schema.context import Context


def _id(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type
class PartnerActivity:
    partner_id: strawberry.ID
    slug: str
    name: str
    status: str
    profiles_shared: int
    profiles_seen: int = strawberry.field(description="Distinct profiles of others shown to it.")
    introductions_requested: int
    introductions_received: int = strawberry.field(description="Requests for profiles it shared.")
    placements_given: int = strawberry.field(description="Its people placed by other partners.")
    placements_received: int = strawberry.field(description="People it hired via the exchange.")
    reciprocity_balance: int = strawberry.field(description="Placements given minus received.")
    requests_per_profile_seen: float | None = strawberry.field(
        description="Introduction requests per profile seen: high with little sharing = only takes."
    )

    @classmethod
    def from_domain(cls, p: models.PartnerActivity) -> PartnerActivity:
        return cls(
            partner_id=_id(p.partner_id),
            slug=p.slug,
            name=p.name,
            status=p.status.value,
            profiles_shared=p.profiles_shared,
            profiles_seen=p.profiles_seen,
            introductions_requested=p.introductions_requested,
            introductions_received=p.introductions_received,
            placements_given=p.placements_given,
            placements_received=p.placements_received,
            reciprocity_balance=p.reciprocity_balance,
            requests_per_profile_seen=p.requests_per_profile_seen,
        )


@strawberry.type(description="One cell of the flow matrix: from the sharing partner to another.")
class PartnerFlow:
    from_partner_id: strawberry.ID
    to_partner_id: strawberry.ID
    shared: int = strawberry.field(description="Distinct profiles shown to `to`.")
    introduced: int
    placed: int


@strawberry.type
class RetentionFigure:
    due: int
    known: int
    retained: int
    rate: float | None


@strawberry.type
class PlacementFigures:
    placements: int
    median_days_to_placement: float | None
    p90_days_to_placement: float | None
    retention_3_months: RetentionFigure
    retention_6_months: RetentionFigure


@strawberry.type
class ConsentFunnel:
    requested: int
    confirmed: int
    refused: int
    unanswered: int
    pending: int
    withdrawn: int
    expired: int


@strawberry.type
class VacancyActivity:
    vacancy_id: strawberry.ID
    partner_id: strawberry.ID
    title: str
    status: str
    match_queries: int
    profiles_shown: int
    introductions_requested: int
    introductions_accepted: int
    placements: int


@strawberry.type
class ExchangeStatistics:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    partners: list[PartnerActivity]
    flows: list[PartnerFlow]
    placements: PlacementFigures
    consent_funnel: ConsentFunnel
    vacancies: list[VacancyActivity]


def _retention(r: models.Retention) -> RetentionFigure:
    return RetentionFigure(due=r.due, known=r.known, retained=r.retained, rate=r.rate)


def to_graphql(s: models.ExchangeStatistics) -> ExchangeStatistics:
    f = s.consent_funnel
    return ExchangeStatistics(
        from_=s.period.first_day,
        to=s.period.last_day,
        partners=[PartnerActivity.from_domain(p) for p in s.partners],
        flows=[
            PartnerFlow(
                from_partner_id=_id(x.from_partner_id),
                to_partner_id=_id(x.to_partner_id),
                shared=x.shared,
                introduced=x.introduced,
                placed=x.placed,
            )
            for x in s.flows
        ],
        placements=PlacementFigures(
            placements=s.placements.placements,
            median_days_to_placement=s.placements.median_days_to_placement,
            p90_days_to_placement=s.placements.p90_days_to_placement,
            retention_3_months=_retention(s.placements.retention_3_months),
            retention_6_months=_retention(s.placements.retention_6_months),
        ),
        consent_funnel=ConsentFunnel(
            requested=f.requested,
            confirmed=f.confirmed,
            refused=f.refused,
            unanswered=f.unanswered,
            pending=f.pending,
            withdrawn=f.withdrawn,
            expired=f.expired,
        ),
        vacancies=[
            VacancyActivity(
                vacancy_id=_id(v.vacancy_id),
                partner_id=_id(v.partner_id),
                title=v.title,
                status=v.status.value,
                match_queries=v.match_queries,
                profiles_shown=v.profiles_shown,
                introductions_requested=v.introductions_requested,
                introductions_accepted=v.introductions_accepted,
                placements=v.placements,
            )
            for v in s.vacancies
        ],
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="Exchange figures for whole days `from`..`to` (both included, UTC; "
        "default: the last 365 days)."
    )
    async def exchange_statistics(
        self,
        info: strawberry.Info[Context, None],
        from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
        to: dt.date | None = None,
    ) -> ExchangeStatistics:
        caller = info.context.require(CallerRole.CONSORTIUM_ADMIN, Scope.AUDIT_READ)
        async with info.context.database.transaction(caller.access_scope()) as conn:
            stats = await exchange_statistics(conn, caller, first_day=from_, last_day=to)
        return to_graphql(stats)
