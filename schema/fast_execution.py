"""A graphql-core executor that completes plain sub-trees without per-field machinery.

graphql-core completes every field of every list item through the same generic path:
a ``Path``, a ``GraphQLResolveInfo``, an awaitable check, argument coercion and a
recursive ``complete_value``. For a ``matches(first: 50)`` page that is ~4,500 fields,
and it was the largest share of a request's CPU (py-spy). Most of those fields are
*basic*: strawberry resolves them by reading an attribute and ignores the info.

:class:`PlainSubtreeExecutor` compiles, once per request and selection, an object's
selection into a plan when every field below it is basic (no resolver, no arguments,
no ``@defer``/``@stream``, no abstract or ``is_type_of`` types), and completes such an
object by reading attributes and coercing leaves directly. The result is the same
dict graphql-core would build. Anything unusual — a null in a non-null field, a value
a scalar refuses, an exception or awaitable as a value — abandons the plan for that
object and lets graphql-core complete it the ordinary way, so errors, their paths and
null propagation stay exactly graphql-core's.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from enum import Enum
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Completer = Callable[[Any], Any]
_ALLOWED_DIRECTIVES = frozenset({"skip", "include"})  # already applied by field collection
_MAX_INT = 2**31 - 1
_MIN_INT = -(2**31)


class _Abandon(Exception):
    """This object needs graphql-core's own completion (an error, a null, an odd value)."""


def _leaf(leaf_type: GraphQLLeafType) -> Completer:
    coerce = leaf_type.coerce_output_value
    if leaf_type is GraphQLString:

        def string(value: Any) -> Any:
            return value if type(value) is str else _checked(coerce(value))

        return string
    if leaf_type is GraphQLFloat:

        def float_(value: Any) -> Any:
            if type(value) is float and math.isfinite(value):
                return value
            return _checked(coerce(value))

        return float_
    if leaf_type is GraphQLInt:

        def int_(value: Any) -> Any:
            if type(value) is int and _MIN_INT <= value <= _MAX_INT:
                return value
            return _checked(coerce(value))

        return int_
    if leaf_type is GraphQLBoolean:

        def boolean(value: Any) -> Any:
            return value if type(value) is bool else _checked(coerce(value))

        return boolean
    if leaf_type is GraphQLID:

        def id_(value: Any) -> Any:
            return value if type(value) is str else _checked(coerce(value))

        return id_
    if isinstance(leaf_type, GraphQLEnumType):
        names: dict[Enum, Any] = {}  # a member's name is fixed: coerce each member once

        def enum(value: Any) -> Any:
            if isinstance(value, Enum):
                name = names.get(value)
                if name is None:
                    name = names[value] = _checked(coerce(value))
                return name
            return _checked(coerce(value))

        return enum

    def scalar(value: Any) -> Any:
        return _checked(coerce(value))

    return scalar


def _checked(coerced: Any) -> Any:
    if coerced is None or coerced is Undefined:
        raise _Abandon
    return coerced


class PlainSubtreeExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, completing all-basic object selections from a cached plan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id(field details)) -> (the details kept alive, the plan or None)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[object, Completer | None]] = {}

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if position_context is None and not self._has_middleware():
            plan = self._object_plan(return_type, field_details_list)
            if plan is not None:
                try:
                    return plan(result)
                except Exception:  # noqa: S110 - graphql-core redoes it and reports properly
                    pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _has_middleware(self) -> bool:
        manager = self.middleware_manager  # strawberry passes one, empty without resolve hooks
        return manager is not None and bool(manager.middlewares)

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Completer | None:
        key = (object_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        try:
            plan = self._build_object_plan(object_type, field_details_list)
        except Exception:  # e.g. graphql-core or strawberry internals changed: no plan
            plan = None
        self._plans[key] = (field_details_list, plan)
        return plan

    def _build_object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Completer | None:
        if object_type.is_type_of is not None:
            return None
        grouped, new_defer_usages, forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages or forbidden:
            return None
        steps: list[tuple[str, Completer | None, Completer]] = []
        for response_name, sub_details in grouped.items():
            node = sub_details[0].node
            if any(
                d.node.arguments
                or any(x.name.value not in _ALLOWED_DIRECTIVES for x in d.node.directives or ())
                for d in sub_details
            ):
                return None
            field_name = node.name.value
            if field_name == "__typename":
                steps.append((response_name, None, _constant(object_type.name)))
                continue
            field_def = self.schema.get_field(object_type, field_name)
            if field_def is None or field_def.args:
                return None
            resolve = _basic_reader(field_def.resolve)
            if resolve is None:
                return None
            completer = self._type_plan(field_def.type, sub_details)
            if completer is None:
                return None
            steps.append((response_name, resolve, completer))
        return _object_completer(tuple(steps), self.is_awaitable)

    def _type_plan(
        self, output_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Completer | None:
        if isinstance(output_type, GraphQLNonNull):
            inner = self._type_plan(output_type.of_type, field_details_list)
            if inner is None:
                return None
            return _non_null(inner)
        if isinstance(output_type, GraphQLList):
            item = self._type_plan(output_type.of_type, field_details_list)
            return None if item is None else _nullable(_list(item))
        if isinstance(output_type, GraphQLLeafType):
            return _nullable(_leaf(output_type))
        if isinstance(output_type, GraphQLObjectType):
            plan = self._object_plan(output_type, field_details_list)
            return None if plan is None else _nullable(plan)
        return None  # interfaces and unions: graphql-core resolves their runtime type


def _basic_reader(resolve: Callable[..., Any] | None) -> Completer | None:
    """How to read a basic strawberry field (marked ``_is_default``) off its source.

    Its resolver ignores the info and calls ``field.get_result``, which for a field
    without resolver is ``default_resolver(source, python_name)``; with the default
    ``getattr`` that is an attribute read, done here without the two calls around it.
    """
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    cells = dict(zip(resolve.__code__.co_freevars, resolve.__closure__ or (), strict=False))
    field = cells["field"].cell_contents if "field" in cells else None
    if (
        field is not None
        and getattr(field, "base_resolver", True) is None
        and getattr(field, "default_resolver", None) is getattr
        and isinstance(getattr(field, "python_name", None), str)
    ):
        return operator.attrgetter(field.python_name)
    return lambda source: resolve(source, None)


def _object_completer(
    steps: tuple[tuple[str, Completer | None, Completer], ...],
    is_awaitable: Callable[[Any], bool],
) -> Completer:
    def complete(source: Any) -> dict[str, Any]:
        if isinstance(source, Exception) or is_awaitable(source):
            raise _Abandon
        out: dict[str, Any] = {}
        for response_name, resolve, completer in steps:
            value = resolve(source) if resolve is not None else None
            out[response_name] = completer(value)
        return out

    return complete


def _constant(value: str) -> Completer:
    return lambda _ignored: value


def _non_null(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Abandon  # graphql-core raises the non-null error with its path
        return completed

    return complete


def _nullable(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            raise _Abandon
        return inner(value)

    return complete


def _list(item: Completer) -> Completer:
    def complete(value: Any) -> list[Any]:
        if type(value) is not list and type(value) is not tuple:
            raise _Abandon  # iterables, async iterables, streams: graphql-core's path
        return [item(v) for v in value]

    return complete
