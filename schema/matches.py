"""`matches`: ranked, explained, pseudonymous profiles for one of the caller's vacancies."""

from __future__ import annotations

import strawberry

from exchange.matching import proposals, service
from exchange.matching.engine import MatchEngine
from infra.caller import CallerRole, Scope
from infra.errors import UserError
from matching.taxonomy import Taxonomy
from matching.types import RequirementExplanation
from schema.context import Context
from schema.ids import parse_id
from schema.pagination import Connection, build_connection, decode_cursor, page_size
from schema.profiles import ProfileType
from schema.types import LocalizedString
from schema.vacancies import VacancyType


@strawberry.type
class Concept:
    id: str
    label: LocalizedString


@strawberry.type
class MatchExplanation:
    requirement: str
    kind: str = strawberry.field(description="COMPETENCY, LANGUAGE, GROWTH or TRANSFERABLE")
    matched_phrase: str | None
    concept: Concept | None
    similarity: float
    weight: float
    points: float = strawberry.field(description="Contribution to the score; all add up to it.")
    met: bool
    must_have: bool

    @classmethod
    def from_domain(
        cls, item: RequirementExplanation, taxonomy: Taxonomy, language: str
    ) -> MatchExplanation:
        concept = None
        if item.concept_id is not None:
            known = taxonomy.get(item.concept_id)
            nl = known.label("nl") if known else item.concept_id
            en = known.label("en") if known else item.concept_id
            concept = Concept(id=item.concept_id, label=LocalizedString.of(nl, en, language))
        return cls(
            requirement=item.requirement,
            kind=item.kind,
            matched_phrase=item.matched_phrase,
            concept=concept,
            similarity=item.similarity,
            weight=item.weight,
            points=item.points,
            met=item.met,
            must_have=item.must_have,
        )


@strawberry.type
class Match:
    rank: int
    score: float
    profile: ProfileType
    explanation: list[MatchExplanation]


@strawberry.type
class PlacementProposal:
    rank: int
    score: float
    vacancy: VacancyType
    profile: ProfileType
    explanation: list[MatchExplanation]


def _offset(after: str | None) -> int:
    decoded = decode_cursor(after)
    if decoded is None:
        return 0
    if not (decoded.isascii() and decoded.isdigit()) or len(decoded) > 9:
        raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid")
    return int(decoded) + 1


def engine_of(context: Context) -> MatchEngine:
    engine = context.services.match_engine
    if engine is None:  # only before the app's start-up built it
        raise RuntimeError("the match index is not built yet")
    return engine


@strawberry.type
class Query:
    @strawberry.field(description="Profiles ranked for one of your open vacancies, explained.")
    async def matches(
        self,
        info: strawberry.Info[Context, None],
        vacancy_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        min_score: float = 0.0,
    ) -> Connection[Match]:
        context = info.context
        caller = context.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
        limit = page_size(first, context.settings.max_page_size)
        offset = _offset(after)
        parsed_id = parse_id(vacancy_id, "vacancyId")
        engine = engine_of(context)
        async with (
            engine.heavy_reads,
            context.database.transaction(caller.access_scope()) as conn,
        ):
            page = await service.find_matches(
                conn,
                caller,
                engine,
                vacancy_id=parsed_id,
                first=limit,
                offset=offset,
                min_score=min_score,
            )
        return build_connection(
            [
                Match(
                    rank=item.rank + 1,
                    score=item.result.score,
                    profile=ProfileType.from_domain(item.profile),
                    explanation=[
                        MatchExplanation.from_domain(e, engine.taxonomy, context.language)
                        for e in item.result.explanation
                    ],
                )
                for item in page.items
            ],
            [str(item.rank) for item in page.items],
            has_next_page=page.has_next_page,
        )

    @strawberry.field(
        description="Proposed placements for your open vacancies, from one consortium-wide "
        "optimal assignment (each person proposed where the consortium gains most)."
    )
    async def placement_proposals(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PlacementProposal]:
        context = info.context
        caller = context.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
        limit = page_size(first, context.settings.max_page_size)
        offset = _offset(after)
        engine = engine_of(context)
        # before the transaction: holding a pooled connection, never wait for another
        assignment = await proposals.consortium_assignment(
            context.database, caller, engine=engine, cache=context.services.proposal_cache
        )
        async with context.database.transaction(caller.access_scope()) as conn:
            page = await proposals.placement_proposals(
                conn, caller, assignment=assignment, first=limit, offset=offset
            )
        return build_connection(
            [
                PlacementProposal(
                    rank=offset + i + 1,
                    score=item.proposal.score,
                    vacancy=VacancyType.from_domain(item.vacancy),
                    profile=ProfileType.from_domain(item.profile),
                    explanation=[
                        MatchExplanation.from_domain(e, engine.taxonomy, context.language)
                        for e in item.proposal.explanation
                    ],
                )
                for i, item in enumerate(page.items)
            ],
            [str(offset + i) for i in range(len(page.items))],
            has_next_page=page.has_next_page,
        )
