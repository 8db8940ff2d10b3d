"""GraphQL hardening: document limits, the error policy, and the HTTP guard in front of /graphql.

Where each limit is enforced:

* body size: FastAPI's ``max_body_size`` on the GraphQL router (``entrypoints.app``),
  before parsing;
* method, content type, batching, WebSockets: :func:`graphql_request_guard`, a router
  dependency that runs before the context (and so before authentication or any database use);
* bodies JSON cannot decode (bad UTF-8, nesting beyond the interpreter's stack): 400 from
  :class:`HardenedGraphQLRouter` instead of strawberry's 500;
* tokens: strawberry's ``MaxTokensLimiter`` (the parser stops counting at the limit);
* depth and aliases: :func:`document_limits_rule`, linear in the document even when
  fragments fan out (strawberry's limiters walk every fragment spread again and again,
  which takes exponential time on a chain of fragments that each spread the next twice);
* circular fragments: graphql-core's ``NoFragmentCyclesRule`` (a specified rule);
* introspection: graphql-core's ``NoSchemaIntrospectionCustomRule`` outside development;
* masking, error codes and suggestions: :class:`HardenedSchema` and :class:`MaskInternalErrors`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import strawberry
import structlog
from fastapi import HTTPException, status
from graphql import (
    ASTValidationRule,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
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
from schema.errors import add_error_codes, should_mask_error

log = structlog.get_logger("tussendeur.graphql")

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"
_SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)


# --- depth and alias limits ------------------------------------------------------------


@dataclass
class _Measure:
    """What one operation or fragment contributes on its own, and where it spreads others."""

    depth: int = 0
    aliases: int = 0
    spreads: list[tuple[str, int]] = field(default_factory=list)  # (fragment, field depth)


def _measure(selection_set: SelectionSetNode | None) -> _Measure:
    """Field depth and aliases of one selection set, without following fragment spreads.

    Iterative, so a deeply nested document cannot exhaust the interpreter's stack here.
    Subtrees of introspection fields (``__schema``, ``__type``) do not count towards the
    depth: they are refused outright outside development, and GraphiQL needs them.
    """
    result = _Measure()
    stack: list[tuple[SelectionSetNode, int]] = [(selection_set, 0)] if selection_set else []
    while stack:
        current, depth = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    result.aliases += 1
                if selection.name.value.startswith("__"):
                    continue
                result.depth = max(result.depth, depth + 1)
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, depth + 1))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth))
            elif isinstance(selection, FragmentSpreadNode):
                result.spreads.append((selection.name.value, depth))
    return result


def measure_document(definitions: Iterable[ExecutableDefinitionNode]) -> tuple[int, int]:
    """The deepest operation and the total aliases of all operations, spreads expanded.

    Each fragment is measured once and its totals memoised, so the work is linear in
    the size of the document. A spread that closes a cycle counts as empty: the cycle
    itself is reported by graphql-core's ``NoFragmentCyclesRule``.
    """
    fragments: dict[str, _Measure] = {}
    operations: list[_Measure] = []
    for definition in definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = _measure(definition.selection_set)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(_measure(definition.selection_set))

    totals: dict[str, tuple[int, int]] = {}
    visiting: set[str] = set()

    def resolve(name: str) -> tuple[int, int]:
        # Post-order over the spread graph with an explicit stack.
        work: list[tuple[str, bool]] = [(name, False)]
        while work:
            current, expanded = work.pop()
            if current in totals or current not in fragments:
                continue
            if expanded:
                visiting.discard(current)
                totals[current] = _combine(fragments[current], totals)
                continue
            if current in visiting:
                continue
            visiting.add(current)
            work.append((current, True))
            for child, _ in fragments[current].spreads:
                if child not in totals and child not in visiting:
                    work.append((child, False))
        return totals.get(name, (0, 0))

    for fragment_name in fragments:
        resolve(fragment_name)
    depth = max((_combine(op, totals)[0] for op in operations), default=0)
    aliases = sum(_combine(op, totals)[1] for op in operations)
    return depth, aliases


def _combine(own: _Measure, totals: dict[str, tuple[int, int]]) -> tuple[int, int]:
    depth, aliases = own.depth, own.aliases
    for name, at_depth in own.spreads:
        child_depth, child_aliases = totals.get(name, (0, 0))  # unknown or cyclic: empty
        depth = max(depth, at_depth + child_depth)
        aliases += child_aliases
    return depth, aliases


def document_limits_rule(*, max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing documents deeper than ``max_depth`` or with too many aliases."""

    class DocumentLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            depth, aliases = measure_document(
                d for d in context.document.definitions if isinstance(d, ExecutableDefinitionNode)
            )
            if depth > max_depth:
                self.report_error(
                    GraphQLError(f"The query is {depth} levels deep; at most {max_depth} allowed.")
                )
            if aliases > max_aliases:
                shown = f"{aliases}" if aliases < 10**9 else "more than a billion"
                self.report_error(
                    GraphQLError(f"The query uses {shown} aliases; at most {max_aliases} allowed.")
                )

    return DocumentLimitsRule


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
    the unexpected ones, so the log keeps what the response must not show.
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
                    exc_info=original,
                )


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The hardening extensions, as factories (strawberry builds them per request)."""
    rules: list[type[ASTValidationRule]] = [
        document_limits_rule(
            max_depth=settings.graphql_max_depth, max_aliases=settings.graphql_max_aliases
        )
    ]
    if not settings.is_development:
        rules.append(NoSchemaIntrospectionCustomRule)
    max_tokens = settings.graphql_max_tokens
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(rules),
        MaskInternalErrors,
    ]


def schema_config(settings: Settings) -> StrawberryConfig:
    return StrawberryConfig(
        auto_camel_case=True, disable_field_suggestions=not settings.is_development
    )


# --- the HTTP guard --------------------------------------------------------------------


class HardenedGraphQLRouter(GraphQLRouter[Context, None]):
    """strawberry's router, answering 400 for bodies its JSON parsing turns into a 500."""

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
