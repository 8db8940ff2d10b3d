"""GraphQL hardening: document limits, the error policy, and the HTTP guard in front of /graphql.

Where each limit is enforced:

* body size: FastAPI's ``max_body_size`` on the GraphQL router (``entrypoints.app``),
  before parsing;
* method, content type, batching, WebSockets: :func:`graphql_request_guard`, a router
  dependency that runs before the context (and so before authentication or any database use);
* bodies JSON cannot decode (bad UTF-8, nesting beyond the interpreter's stack): 400 from
  :class:`HardenedGraphQLRouter` instead of strawberry's 500;
* tokens: strawberry's ``MaxTokensLimiter`` (the parser stops counting at the limit);
* depth, aliases and fields: :class:`DocumentLimits`, BEFORE graphql-core validates the
  document, linear in the document even when fragments fan out (strawberry's limiters walk
  every fragment spread again and again, which takes exponential time on a chain of
  fragments that each spread the next twice; graphql-core's overlapping-fields check is
  quadratic in the fields of a selection set, so the field cap bounds it); documents
  with many fields are validated on a worker thread, so the event loop keeps serving;
* text PostgreSQL cannot store (a NUL character, an unpaired surrogate) in a variable or in
  the document: refused by :class:`DocumentLimits` with the variable's path, before
  anything runs;
* circular fragments: graphql-core's ``NoFragmentCyclesRule`` (a specified rule);
* introspection: graphql-core's ``NoSchemaIntrospectionCustomRule`` outside development;
* masking, error codes and suggestions: :class:`HardenedSchema` and :class:`MaskInternalErrors`.
"""

from __future__ import annotations

import asyncio
import json
import re
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import strawberry
import structlog
from fastapi import HTTPException, status
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.exceptions import WebSocketException
from starlette.requests import HTTPConnection, Request
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.fastapi import GraphQLRouter
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from infra.settings import Settings
from schema.context import Context
from schema.errors import add_error_codes, should_mask_error

log = structlog.get_logger("tussendeur.graphql")

INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"
# Documents with more fields than this are validated on a worker thread.
INLINE_VALIDATION_MAX_FIELDS = 100
_SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)


# --- depth, alias and field limits ------------------------------------------------------------


@dataclass
class _Measure:
    """What one operation or fragment contributes on its own, and where it spreads others."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0
    spreads: list[tuple[str, int]] = field(default_factory=list)  # (fragment, field depth)


class DocumentSize(NamedTuple):
    depth: int  # the deepest operation
    aliases: int  # all operations, fragment spreads expanded
    fields: int  # all operations, fragment spreads expanded


def _measure(selection_set: SelectionSetNode | None) -> _Measure:
    """Field depth, aliases and fields of one selection set, without following fragment spreads.

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
                result.fields += 1
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


def measure_document(definitions: Iterable[ExecutableDefinitionNode]) -> DocumentSize:
    """The deepest operation, and the aliases and fields of all operations, spreads expanded.

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

    totals: dict[str, DocumentSize] = {}
    visiting: set[str] = set()

    def resolve(name: str) -> DocumentSize:
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
        return totals.get(name, _EMPTY)

    for fragment_name in fragments:
        resolve(fragment_name)
    sizes = [_combine(op, totals) for op in operations]
    return DocumentSize(
        depth=max((s.depth for s in sizes), default=0),
        aliases=sum(s.aliases for s in sizes),
        fields=sum(s.fields for s in sizes),
    )


_EMPTY = DocumentSize(0, 0, 0)


def _combine(own: _Measure, totals: dict[str, DocumentSize]) -> DocumentSize:
    depth, aliases, fields = own.depth, own.aliases, own.fields
    for name, at_depth in own.spreads:
        child = totals.get(name, _EMPTY)  # unknown or cyclic: empty
        depth = max(depth, at_depth + child.depth)
        aliases += child.aliases
        fields += child.fields
    return DocumentSize(depth, aliases, fields)


def _shown(count: int) -> str:
    return f"{count}" if count < 10**9 else "more than a billion"


def document_refusals(
    size: DocumentSize, *, max_depth: int, max_aliases: int, max_fields: int
) -> list[GraphQLError]:
    """What a document of this size is refused for (nothing: it may be validated)."""
    refusals = []
    if size.depth > max_depth:
        refusals.append(f"The query is {size.depth} levels deep; at most {max_depth} allowed.")
    if size.aliases > max_aliases:
        refusals.append(
            f"The query uses {_shown(size.aliases)} aliases; at most {max_aliases} allowed."
        )
    if size.fields > max_fields:
        refusals.append(
            f"The query selects {_shown(size.fields)} fields; at most {max_fields} allowed."
        )
    return [GraphQLError(message) for message in refusals]


_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _unstorable_text(value: object, path: str) -> Iterable[str]:
    """Paths of strings under ``value`` that PostgreSQL cannot store as text."""
    if isinstance(value, str):
        if _UNSTORABLE_TEXT.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable_text(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_text(item, f"{path}[{index}]")


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.unstorable: list[StringValueNode] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if _UNSTORABLE_TEXT.search(node.value):
            self.unstorable.append(node)


def unstorable_text_errors(
    document: DocumentNode, variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """A NUL character or an unpaired surrogate in a variable or a string literal.

    Named by path (``$input.title``); the value itself is never echoed or logged.
    """
    message = "contains a NUL character or an unpaired surrogate: send plain Unicode text"
    errors = [
        GraphQLError(
            f"Variable {path} {message}.",
            extensions={"code": "BAD_USER_INPUT", "field": path.removeprefix("$")},
        )
        for name, value in (variables or {}).items()
        for path in _unstorable_text(value, f"${name}")
    ]
    literals = _StringLiterals()
    visit(document, literals)
    errors += [
        GraphQLError(
            f"A string in the query {message}.", nodes=[node], extensions={"code": "BAD_USER_INPUT"}
        )
        for node in literals.unstorable
    ]
    return errors


class DocumentLimits(SchemaExtension):
    """Measures the parsed document before validation: refuses one that is too deep, too
    aliased or too large without validating it, and validates a large one off the event loop.

    It also refuses text PostgreSQL cannot store (:func:`unstorable_text_errors`).
    Setting ``pre_execution_errors`` before strawberry validates tells it that validation
    has run (an empty list: valid).
    """

    def __init__(self, *, max_depth: int, max_aliases: int, max_fields: int) -> None:
        self.limits = {"max_depth": max_depth, "max_aliases": max_aliases, "max_fields": max_fields}

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            size = measure_document(
                d for d in document.definitions if isinstance(d, ExecutableDefinitionNode)
            )
            refusals = document_refusals(size, **self.limits) or unstorable_text_errors(
                document, context.variables
            )
            if refusals:
                context.pre_execution_errors = refusals
            elif size.fields > INLINE_VALIDATION_MAX_FIELDS and context.validation_rules:
                context.pre_execution_errors = await asyncio.to_thread(
                    validate_document,
                    context.schema._schema,
                    document,
                    context.validation_rules,
                )
        yield


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
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(rules),
        lambda: DocumentLimits(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_fields=settings.graphql_max_fields,
        ),
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
