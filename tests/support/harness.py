"""The app with a fixed authenticator: every bearer token is the caller the test chose.

For tests about the HTTP surface itself (hardening, odd input, logging, metrics), which
need neither real tokens nor the key ring; ``Harness`` counts what a request touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from entrypoints.app import create_app
from infra.caller import Caller
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support.http import TEST_BASE_URL, asgi_client, started
from tests.support.tokens import bearer_header

TOKEN = "s3cret-bearer-token-value"


class FixedAuthenticator:
    """Any bearer token is ``caller``'s; counts how often it was asked."""

    def __init__(self, caller: Caller | None) -> None:
        self.caller = caller
        self.calls = 0

    async def authenticate(self, request: Any, database: Database) -> Caller | None:
        self.calls += 1
        return self.caller if request.headers.get("authorization") else None


class CountingDatabase:
    """The real test database, counting the transactions requests open."""

    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.transactions = 0

    def transaction(self, scope: AccessScope) -> Any:
        self.transactions += 1
        return self.inner.transaction(scope)


class Harness:
    def __init__(self, client: httpx.AsyncClient, db: CountingDatabase, auth: FixedAuthenticator):
        self.client = client
        self.db = db
        self.auth = auth

    async def post(
        self, query: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> httpx.Response:
        """POST ``{"query": query, **extra}`` to /graphql with the bearer token."""
        body = {"query": query, **extra}
        return await self.client.post(
            "/graphql", json=body, headers={**bearer_header(TOKEN), **(headers or {})}
        )

    async def errors(self, query: str) -> list[dict[str, Any]]:
        response = await self.post(query)
        assert response.status_code == 200, response.text
        errors: list[dict[str, Any]] = response.json().get("errors") or []
        return errors

    def untouched(self) -> bool:
        return self.db.transactions == 0 and self.auth.calls == 0


def production(**overrides: Any) -> Settings:
    """Production settings (no database URL: the test hands the app its database)."""
    return Settings(env=Environment.PRODUCTION, database_url=None, **overrides)


@asynccontextmanager
async def harness(
    settings: Settings, database: Database, caller: Caller | None
) -> AsyncIterator[Harness]:
    """The app on ``database`` with every bearer token standing for ``caller``."""
    counting = CountingDatabase(database)
    auth = FixedAuthenticator(caller)
    app = create_app(settings, database=counting, authenticator=auth)
    async with started(app), asgi_client(app, base_url=TEST_BASE_URL) as client:
        counting.transactions = 0  # start-up (the matcher index) does not count
        yield Harness(client, counting, auth)
