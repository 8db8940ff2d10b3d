"""Placeholder until JWT validation lands: rejects every bearer token."""

from __future__ import annotations

from starlette.requests import Request

from infra.caller import Caller
from infra.db import Database
from infra.errors import Unauthenticated
from infra.settings import Settings


class BearerAuthenticator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def authenticate(self, request: Request, database: Database) -> Caller | None:
        if "authorization" not in request.headers:
            return None
        raise Unauthenticated("invalid bearer token")
