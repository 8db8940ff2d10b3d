"""Turning a request's credentials into a Caller."""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request

from infra.caller import Caller
from infra.db import Database


class Authenticator(Protocol):
    async def authenticate(self, request: Request, database: Database) -> Caller | None:
        """The caller, ``None`` when the request carries no credentials.

        Raises :class:`infra.errors.Unauthenticated` for credentials that do not hold.
        """
        ...
