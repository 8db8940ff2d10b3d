"""The per-request GraphQL context: caller, database, DataLoaders, language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.fastapi import BaseContext

from infra.caller import Caller, CallerRole, Scope, require_caller
from infra.db import Database
from infra.errors import Forbidden, Unauthenticated
from infra.settings import Settings


@dataclass
class Context(BaseContext):
    settings: Settings
    database: Database
    caller: Caller | None
    language: str = "nl"
    request_id: str = ""
    services: Any = None  # entrypoints.app.Services: long-lived collaborators (matcher index, keys)
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
