"""HTTP routes of the audit trail, outside GraphQL.

* ``GET /audit/checkpoints`` (public): the signed checkpoints, newest first, as a JSON
  list, each with the public key that signed it. Partners fetch and keep them; a chain
  rewritten inside the database is caught against a kept copy
  (``tussendeur audit verify --checkpoint FILE``). ``?consortium=`` (slug or id) and
  ``?limit=`` narrow it. No personal data: ids, sequence numbers, hashes, times.
* ``GET /audit/events.csv`` (consortium admin bearer token, scope ``audit:read``): the
  caller's consortium's events matching ``partner``, ``action``, ``subject``, ``from``,
  ``to``, ``actor`` (as ``auditEvents``), oldest first, streamed.

The use cases arrive through an :class:`AuditFeed` (``exchange.audit.publication``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Protocol
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from exchange.audit.models import AuditFilter
from infra.caller import Caller
from infra.db import Database
from infra.errors import Forbidden, Unauthenticated, UserError


class AuditFeed(Protocol):
    async def checkpoints(
        self, database: Database, *, consortium: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Published checkpoints, newest first (``consortium``: a slug or id)."""
        ...

    def events_csv(
        self, database: Database, caller: Caller, audit_filter: AuditFilter
    ) -> AsyncIterator[str]:
        """CSV text (header first) of the caller's consortium's matching events.

        Raises ``Forbidden`` / ``UserError`` before yielding anything when it cannot serve.
        """
        ...


def _problem(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def _text(value: str | None, field: str) -> str | None:
    """Query text PostgreSQL can store: no NUL character, no unpaired surrogate."""
    if value is not None and any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in value):
        raise UserError.single(field, "INVALID", "contains a character that is not text")
    return value


def _time(value: str | None, field: str) -> dt.datetime | None:
    """An ISO 8601 instant (UTC when it names no offset) that PostgreSQL can compare."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)  # OverflowError past year 1 or 9999 in UTC
    except (ValueError, OverflowError) as exc:
        raise UserError.single(field, "INVALID", "use ISO 8601, e.g. 2025-01-31T00:00Z") from exc


def _bad_request(error: UserError) -> JSONResponse:
    errors = [{"field": e.field, "code": e.code, "message": e.message} for e in error.errors]
    return _problem(400, "BAD_USER_INPUT", error.message, userErrors=errors)


def _uuid(value: str | None, field: str) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError as exc:
        raise UserError.single(field, "INVALID_ID", "not a valid id") from exc


def audit_router(feed: AuditFeed) -> APIRouter:
    router = APIRouter(tags=["audit"])

    @router.get("/audit/checkpoints")
    async def checkpoints(
        request: Request,
        consortium: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> JSONResponse:
        services = request.app.state.services
        try:
            consortium = _text(consortium, "consortium")
        except UserError as exc:
            return _bad_request(exc)
        entries = await feed.checkpoints(services.database, consortium=consortium, limit=limit)
        return JSONResponse(entries, headers={"Cache-Control": "public, max-age=60"})

    @router.get("/audit/events.csv", response_model=None)
    async def events_csv(
        request: Request,
        partner: Annotated[str | None, Query(max_length=64)] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        subject: Annotated[str | None, Query(max_length=200)] = None,
        from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        to: Annotated[str | None, Query(max_length=40)] = None,
        actor: Annotated[str | None, Query(max_length=20)] = None,
    ) -> Response:
        services = request.app.state.services
        try:
            caller = await services.authenticator.authenticate(request, services.database)
            if caller is None:
                raise Unauthenticated("a consortium admin's bearer token is required")
            audit_filter = AuditFilter(
                partner_id=_uuid(partner, "partner"),
                action=_text(action, "action"),
                subject_id=_text(subject, "subject"),
                occurred_from=_time(from_, "from"),
                occurred_to=_time(to, "to"),
                actor_kind=_text(actor, "actorKind"),
            )
            chunks = feed.events_csv(services.database, caller, audit_filter)
            first = await anext(chunks)  # refusals surface here, before any byte is sent
        except Unauthenticated as exc:
            return _problem(401, exc.code, exc.message)
        except Forbidden as exc:
            return _problem(403, exc.code, exc.message)
        except UserError as exc:
            return _bad_request(exc)

        async def body() -> AsyncIterator[str]:
            yield first
            async for chunk in chunks:
                yield chunk

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="audit-events-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return router
