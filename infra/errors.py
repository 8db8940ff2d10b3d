"""The one tree of expected failures every use case may raise, and the codes they carry.

Every failure the caller can act on is a ``TussendeurError`` with a machine ``code``. The
faces map the tree in one place each: GraphQL in ``schema/errors.py``, the portal in
``portal/errors.py``, the audit publication in ``entrypoints/audit_routes.py``.

    TussendeurError
    ├── Unauthenticated      UNAUTHENTICATED  no valid credentials
    ├── Forbidden            FORBIDDEN        the role or token scope does not allow it
    ├── ServiceUnavailable   SERVICE_UNAVAILABLE  no database connection: none free in time, or down
    │   └── DeadlineExceeded TIMEOUT          a statement or the whole request ran too long
    └── UserError            BAD_USER_INPUT   the caller can correct it; one FieldError per field
        └── Refusal          (one field, the code of its situation; nothing was written)
            ├── NotFound     NOT_FOUND
            ├── Closed       CLOSED
            ├── Conflict     CONFLICT
            └── LimitReached LIMIT_REACHED

Each situation has exactly one code across the whole API (GraphQL payload ``userErrors``,
GraphQL ``extensions.code``, portal, HTTP routes). A domain package names its own refusals
in its ``exceptions.py`` as subclasses of the four refusals (``VacancyNotFound(NotFound)``);
the subclass fixes the default field and message, never the code.

The codes, one per situation:

NOT_FOUND       No such thing *for this caller*: it does not exist, belongs to another
                partner, or is hidden from the caller (consent scope, suspension). These
                look the same on purpose: no answer tells whether something exists
                elsewhere. (A node query such as ``vacancy(id:)`` answers ``null``.)
CLOSED          The thing exists but has ended and takes no more of this: a closed vacancy,
                an introduction answered or expired, a consent that ended, a revoked client.
CONFLICT        The request clashes with the current state: the same thing exists already
                (a taken slug or address, an open introduction, a recorded placement), or
                the thing is not in the state this needs (already / not suspended, not
                pending, not paused, an introduction not accepted).
LIMIT_REACHED   A cap on how often something may be done was reached.
REQUIRED        A value is missing or empty.
TOO_LONG        A text is longer than allowed.
TOO_MANY        A list is longer than allowed.
OUT_OF_RANGE    A number, date or period outside its bounds.
DUPLICATE       An item listed twice in one input.
NOT_ALLOWED     A value that this combination of inputs forbids.
INVALID         A malformed value. ``INVALID_<FORMAT>`` names the format expected: ID,
                CURSOR, EMAIL, PHONE, POSTCODE, LANGUAGE, CEFR_LEVEL, SCOPE, ROLE,
                LEFT_REASON, CHARACTERS, LINK; ``UNSUPPORTED_LANGUAGE`` likewise.
SERVICE_UNAVAILABLE  The service cannot answer now (no database connection came free
                within ``db_acquire_timeout_seconds``, or the database cannot be reached:
                restarting, or the connection dropped mid-transaction); nothing was
                written (a dropped COMMIT is the one exception PostgreSQL itself cannot
                rule out), try again.
TIMEOUT         The request ran past its deadline (a statement past
                ``db_statement_timeout_ms``, or the whole request past
                ``request_timeout_seconds``); nothing was written, try again.
(one rule)      A rule of one field named by its code: OWN_PARTNER, NOTHING_TO_RECORD,
                TOO_EARLY, BEFORE_START, BEFORE_INTRODUCTION, TOO_FAR_AHEAD, IN_FUTURE,
                CONTRADICTS_LEFT_ON.

HTTP routes answer ``SERVICE_UNAVAILABLE`` and ``TIMEOUT`` with status 503 and
``Retry-After``; GraphQL with a GraphQL error carrying that code.

GraphQL: a mutation answers a ``UserError`` in its payload's ``userErrors``; a query raises
it as a GraphQL error whose ``extensions.code`` is the class's code (``NOT_FOUND`` ...,
``BAD_USER_INPUT`` for field validation) with the field errors in ``extensions.userErrors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str  # camelCase input path, e.g. "input.requirements.3.phrase"
    code: str
    message: str


class TussendeurError(Exception):
    code: ClassVar[str] = "ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(TussendeurError):
    """A request the caller can correct; reported in the mutation payload."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field: str, code: str, message: str) -> UserError:
        return cls([FieldError(field, code, message)])


class Refusal(UserError):
    """A refusal of one field with the code of its situation; nothing was written.

    Subclasses in the domains' ``exceptions.py`` set ``default_field`` and
    ``default_message``; a raise site may name the field (the argument it came in).
    """

    default_field: ClassVar[str] = "id"
    default_message: ClassVar[str] = "refused"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(
            [FieldError(field or self.default_field, self.code, message or self.default_message)]
        )


class NotFound(Refusal):
    """The thing does not exist *for this caller* (never tells whether it exists for others)."""

    code = "NOT_FOUND"
    default_message = "not found"


class Closed(Refusal):
    """The thing has ended (closed, answered, expired, withdrawn, revoked)."""

    code = "CLOSED"
    default_message = "this is closed"


class Conflict(Refusal):
    """The request clashes with the current state (exists already, wrong state)."""

    code = "CONFLICT"
    default_message = "this clashes with the current state"


class LimitReached(Refusal):
    """A cap on how often something may be done was reached."""

    code = "LIMIT_REACHED"
    default_message = "the limit is reached"


class Unauthenticated(TussendeurError):
    code = "UNAUTHENTICATED"


class Forbidden(TussendeurError):
    code = "FORBIDDEN"


class ServiceUnavailable(TussendeurError):
    """The service cannot answer now; the caller may try again (HTTP 503)."""

    code = "SERVICE_UNAVAILABLE"


class DeadlineExceeded(ServiceUnavailable):
    """A statement or the whole request ran past its deadline; its transaction rolled back."""

    code = "TIMEOUT"


class Collector:
    """Gathers field errors so a use case can report them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise UserError(list(self.errors))
