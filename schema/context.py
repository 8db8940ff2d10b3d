"""The per-request GraphQL context: caller, database, language, the app's services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from strawberry.fastapi import BaseContext

from exchange.competencies import CompetencyNormalizer
from exchange.matching.engine import MatchEngine
from exchange.matching.proposals import ProposalCache
from exchange.webhooks.address_guard import Resolver
from infra.caller import Caller, CallerRole, Scope, require_caller
from infra.db import Database
from infra.errors import Forbidden, Unauthenticated
from infra.settings import Settings


class GraphQLServices(Protocol):
    """What resolvers use of the app's long-lived collaborators (``entrypoints.app.Services``
    has them): the write-time normaliser, the matcher's index and the proposals cache."""

    normalizer: CompetencyNormalizer
    match_engine: MatchEngine | None
    proposal_cache: ProposalCache

    @property
    def webhook_resolver(self) -> Resolver: ...


@dataclass
class Context(BaseContext):
    settings: Settings
    database: Database
    caller: Caller | None
    services: GraphQLServices
    language: str = "nl"
    request_id: str = ""
    auth_error: Unauthenticated | None = None

    def __post_init__(self) -> None:
        super().__init__()

    def authenticated(self) -> Caller:
        if self.auth_error is not None:
            raise self.auth_error
        return require_caller(self.caller)

    def require(self, role: CallerRole, scope: Scope | None = None) -> Caller:
        caller = self.authenticated()
        caller.require(role, scope)
        return caller

    def require_any(self, *roles: CallerRole) -> Caller:
        caller = self.authenticated()
        if caller.role not in roles:
            raise Forbidden("this operation is not available to your role")
        return caller
