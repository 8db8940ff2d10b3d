"""GraphQL hardening: document limits, the error policy, and the HTTP guard in front of /graphql.

Where each limit is enforced:

* body size: FastAPI's ``max_body_size`` on the GraphQL router (``entrypoints.app``),
  before parsing;
* method, content type, batching, WebSockets: :func:`graphql_request_guard`, a router
  dependency that runs before the context (and so before authentication or any database use);
* bodies JSON cannot decode (bad UTF-8, nesting beyond the interpreter's stack): 400 from
  :class:`HardenedGraphQLRouter` instead of strawberry's 500;
* tokens: strawberry's ``MaxTokensLimiter`` (the parser stops counting at the limit);
* depth, aliases, fields and text PostgreSQL cannot store: ``schema.document_limits``,
  before graphql-core validates the document (large ones validate on a worker thread);
* circular fragments: graphql-core's ``NoFragmentCyclesRule`` (a specified rule);
* parsing and validation run once per distinct valid document: ``ValidDocuments`` keeps
  only documents that passed every check above, so a refused one is checked every time;
* introspection: graphql-core's ``NoSchemaIntrospectionCustomRule`` outside development;
* masking, error codes and suggestions: :class:`HardenedSchema` and :class:`MaskInternalErrors`.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import strawberry
import structlog
from fastapi import HTTPException, status
from graphql import (
    ASTValidationRule,
    GraphQLError,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.exceptions import WebSocketException
from starlette.requests import HTTPConnection, Request
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from infra.settings import Settings
from schema.context import Context
from schema.document_limits import DocumentLimits, ValidDocuments
from schema.errors import add_error_codes, should_mask_error

log = structlog.get_logger("tussendeur.graphql")

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"
# Distinct documents kept parsed and validated; clients send a handful of fixed documents.
VALID_DOCUMENTS_KEPT = 256
_SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)


# --- error policy ----------------------------------------------------------------------


class MaskInternalErrors(MaskErrors):
    """strawberry's masking, with ``extensions.code`` on the masked errors."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_ERROR_CODE}
        return masked


class HardenedSchema(strawberry.Schema):
    """Adds error codes, drops "Did you mean" outside development and logs unexpected errors.

    ``process_errors`` sees every error once, before :class:`MaskInternalErrors` replaces
    the unexpected ones, so the log keeps where it happened — the exception's type and
    traceback, never its message: messages of database and codec errors quote the values
    they refused, which may be a person's name or address.
    """

    def __init__(self, *args: Any, hide_suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        operation = execution_context.operation_name if execution_context else None
        for error in errors:
            add_error_codes(error)
            if self.hide_suggestions:
                error.message = _SUGGESTION.sub("", error.message)
            if should_mask_error(error):
                original = error.original_error
                log.error(
                    "graphql.unexpected_error",
                    operation=operation,
                    path=list(error.path or ()),
                    error_type=type(original).__name__,
                    traceback=_frames(original),
                )


def _frames(error: BaseException | None) -> str:
    return "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The hardening extensions, as factories (strawberry builds them per request)."""
    rules: list[type[ASTValidationRule]] = []
    if not settings.is_development:
        rules.append(NoSchemaIntrospectionCustomRule)
    max_tokens = settings.graphql_max_tokens
    valid_documents = ValidDocuments(VALID_DOCUMENTS_KEPT)  # shared by this schema's requests
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(rules),
        lambda: DocumentLimits(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_fields=settings.graphql_max_fields,
            valid_documents=valid_documents,
        ),
        MaskInternalErrors,
    ]


def schema_config(settings: Settings) -> StrawberryConfig:
    return StrawberryConfig(
        auto_camel_case=True, disable_field_suggestions=not settings.is_development
    )


# --- the HTTP guard --------------------------------------------------------------------


class HardenedGraphQLRouter(GraphQLRouter[Context, None]):
    """strawberry's router, answering 400 for bodies its JSON parsing turns into a 500,
    and encoding responses with orjson (a matches page of 50 profile cards is ~100 KB)."""

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except TypeError:  # what orjson refuses (an integer past 64 bits, a non-str key)
            return json.dumps(data, separators=(",", ":")).encode()

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except (UnicodeDecodeError, RecursionError) as exc:
            # strawberry answers 400 for JSONDecodeError (and 500 for anything else)
            raise json.JSONDecodeError(type(exc).__name__, "", 0) from exc


GRAPHQL_MEDIA_TYPE = "application/json"


def graphql_request_guard(settings: Settings) -> Callable[[HTTPConnection], Awaitable[None]]:
    """A router dependency refusing what is not one GraphQL operation POSTed as JSON.

    It runs before strawberry builds the context, so a refused request never reaches the
    authenticator or the database. The body is read through FastAPI's size limit (413
    when too large) and stays cached on the request for strawberry to parse.
    """
    ide_enabled = settings.is_development

    async def guard(connection: HTTPConnection) -> None:
        if not isinstance(connection, Request):
            raise WebSocketException(
                code=status.WS_1008_POLICY_VIOLATION, reason="GraphQL over WebSocket is not offered"
            )
        request = connection
        if request.method != "POST":
            if ide_enabled and "query" not in request.query_params:
                return  # the GraphiQL page, development only
            raise HTTPException(
                status.HTTP_405_METHOD_NOT_ALLOWED,
                "GraphQL accepts only POST with Content-Type: application/json.",
                headers={"Allow": "POST"},
            )
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != GRAPHQL_MEDIA_TYPE:
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json."
            )
        first = (await request.body()).lstrip()[:1]
        if first == b"[":
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                "Batched requests are not supported: send one operation per request.",
            )
        if first != b"{":
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                'The body must be a JSON object such as {"query": "...", "variables": {}}.',
            )

    return guard
