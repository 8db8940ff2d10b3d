"""Document limits, measured on the parsed document BEFORE graphql-core validates it.

Depth, aliases and fields are counted linearly, fragment spreads expanded by memoised
totals (strawberry's own limiters walk every spread again and again: exponential on a
chain of fragments that each spread the next twice). graphql-core's overlapping-fields
check is quadratic in the fields of a selection set, so the field cap bounds it, and a
document with many fields is validated on a worker thread so the event loop keeps
serving. A document that passed is kept (:class:`ValidDocuments`) and not parsed or
validated again. Text PostgreSQL cannot store (a NUL character, an unpaired surrogate) is
refused here too, named by its path, before anything runs.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
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
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

# Documents with more fields than this are validated on a worker thread.
INLINE_VALIDATION_MAX_FIELDS = 100


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


_UNSTORABLE_MESSAGE = "contains a NUL character or an unpaired surrogate: send plain Unicode text"


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.unstorable: list[StringValueNode] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if _UNSTORABLE_TEXT.search(node.value):
            self.unstorable.append(node)


def unstorable_variable_errors(variables: dict[str, Any] | None) -> list[GraphQLError]:
    """A NUL character or an unpaired surrogate in a variable, named by path (``$input.title``).

    The value itself is never echoed or logged.
    """
    return [
        GraphQLError(
            f"Variable {path} {_UNSTORABLE_MESSAGE}.",
            extensions={"code": "BAD_USER_INPUT", "field": path.removeprefix("$")},
        )
        for name, value in (variables or {}).items()
        for path in _unstorable_text(value, f"${name}")
    ]


def unstorable_text_errors(
    document: DocumentNode, variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """A NUL character or an unpaired surrogate in a variable or a string literal."""
    literals = _StringLiterals()
    visit(document, literals)
    return unstorable_variable_errors(variables) + [
        GraphQLError(
            f"A string in the query {_UNSTORABLE_MESSAGE}.",
            nodes=[node],
            extensions={"code": "BAD_USER_INPUT"},
        )
        for node in literals.unstorable
    ]


class ValidDocuments:
    """Parsed documents that passed the limits, the literal check and validation, by query text.

    A bounded LRU, one per schema (the limits, token cap and validation rules are fixed
    per schema). Only documents with no error at all are kept, so a document refused by a
    limit or by validation is measured and validated again on every request: the cache can
    never let one through. What depends on the request (the variables) is checked every time.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, query: str | None) -> DocumentNode | None:
        if query is None:
            return None
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def add(self, query: str, document: DocumentNode) -> None:
        self._documents[query] = document
        self._documents.move_to_end(query)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)


class DocumentLimits(SchemaExtension):
    """Measures the parsed document before validation: refuses one that is too deep, too
    aliased or too large without validating it, and validates a large one off the event loop.

    It also refuses text PostgreSQL cannot store (:func:`unstorable_text_errors`). It
    validates every document itself and sets ``pre_execution_errors``, which tells
    strawberry that validation has run (an empty list: valid). A document that passed
    everything is kept in ``valid_documents``: the next request with the same text skips
    parsing, measuring and validating, and only its variables are checked.
    """

    def __init__(
        self,
        *,
        max_depth: int,
        max_aliases: int,
        max_fields: int,
        valid_documents: ValidDocuments | None = None,
    ) -> None:
        self.limits = {"max_depth": max_depth, "max_aliases": max_aliases, "max_fields": max_fields}
        self.valid_documents = valid_documents if valid_documents is not None else ValidDocuments(0)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None:
            context.graphql_document = self.valid_documents.get(context.query)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            if self.valid_documents.get(context.query) is document:
                context.pre_execution_errors = unstorable_variable_errors(context.variables)
            else:
                context.pre_execution_errors = await self._check(document)
        yield

    async def _check(self, document: DocumentNode) -> list[GraphQLError]:
        context = self.execution_context
        size = measure_document(
            d for d in document.definitions if isinstance(d, ExecutableDefinitionNode)
        )
        refusals = document_refusals(size, **self.limits) or unstorable_text_errors(
            document, context.variables
        )
        if refusals:
            return refusals
        rules = context.validation_rules
        if not rules:  # strawberry validates nothing then either
            errors: list[GraphQLError] = []
        elif size.fields > INLINE_VALIDATION_MAX_FIELDS:
            errors = await asyncio.to_thread(
                validate_document, context.schema._schema, document, rules
            )
        else:
            errors = validate_document(context.schema._schema, document, rules)
        if not errors and context.query is not None:
            self.valid_documents.add(context.query, document)
        return errors
