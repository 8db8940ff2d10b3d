"""The one mapping of the error tree (``infra.errors``) to the portal's HTTP status codes.

The pages render a refused form again with this status and the field errors in the page's
language (``portal.labels.error_message``); the GraphQL face maps the same tree in
``schema/errors.py``.
"""

from __future__ import annotations

from infra.errors import (
    Closed,
    Conflict,
    Forbidden,
    LimitReached,
    NotFound,
    TussendeurError,
    Unauthenticated,
)

_STATUS: tuple[tuple[type[TussendeurError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Closed, 409),
    (Conflict, 409),
    (LimitReached, 429),
)


def http_status(error: TussendeurError) -> int:
    """404/409/429 for the refusals, 401/403 for access, 422 for a form to correct."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 422
