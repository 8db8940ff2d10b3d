"""The one mapping of the error tree (``infra.errors``) to GraphQL.

A mutation catches ``UserError`` (with its refusals) into its payload's ``userErrors``
through ``user_errors``; anything else the tree raises becomes a GraphQL error whose
``extensions.code`` is the class's code; every other exception is masked."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from infra.errors import FieldError, Forbidden, ServiceUnavailable, Unauthenticated, UserError


@strawberry.type(name="UserError")
class UserErrorType:
    field: str
    code: str
    message: str

    @classmethod
    def from_domain(cls, error: FieldError) -> UserErrorType:
        return cls(field=error.field, code=error.code, message=error.message)


def user_errors(error: UserError) -> list[UserErrorType]:
    return [UserErrorType.from_domain(e) for e in error.errors]


def should_mask_error(error: GraphQLError) -> bool:
    """Mask everything except the expected, caller-facing failures."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False  # syntax, validation and input coercion errors from graphql-core
    return not isinstance(original, Unauthenticated | Forbidden | UserError | ServiceUnavailable)


def add_error_codes(error: GraphQLError) -> None:
    """``extensions.code`` from the error tree (see ``infra.errors`` for the codes)."""
    original = error.original_error
    if isinstance(original, Unauthenticated | Forbidden | ServiceUnavailable):
        error.extensions = {**(error.extensions or {}), "code": original.code}
    elif isinstance(original, UserError):
        error.extensions = {
            **(error.extensions or {}),
            "code": original.code,
            "userErrors": [
                {"field": e.field, "code": e.code, "message": e.message} for e in original.errors
            ],
        }
    elif isinstance(original, GraphQLError):  # a variable that does not fit its type
        error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
    elif original is None and error.path is None and not (error.extensions or {}).get("code"):
        parse_failed = error.message.startswith("Syntax Error")
        code = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**(error.extensions or {}), "code": code}
