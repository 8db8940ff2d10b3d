"""The small tree of expected failures every use case may raise.

Each carries a machine ``code``; validation failures carry one entry per field.
The GraphQL layer turns ``UserError`` into payload ``userErrors`` and the
authorisation errors into ``UNAUTHENTICATED`` / ``FORBIDDEN``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str  # camelCase input path, e.g. "input.requirements.3.phrase"
    code: str
    message: str


class TussendeurError(Exception):
    code = "ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(TussendeurError):
    """A request the caller can correct; reported in the mutation payload."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, code: str, message: str) -> UserError:
        return cls([FieldError(field, code, message)])


class NotFound(UserError):
    """The thing does not exist *for this caller* (never tells whether it exists for others)."""

    def __init__(self, field: str, what: str) -> None:
        super().__init__([FieldError(field, "NOT_FOUND", f"{what} not found")])


class Unauthenticated(TussendeurError):
    code = "UNAUTHENTICATED"


class Forbidden(TussendeurError):
    code = "FORBIDDEN"


class Collector:
    """Gathers field errors so a use case can report them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise UserError(list(self.errors))
