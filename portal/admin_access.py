"""What every consortium admin page shares: who may open it, and refusals in the page's words.

Only a signed-in consortium admin (``page.staff`` with role ``CONSORTIUM_ADMIN``) gets an
admin page. No session (or a candidate's): 401 with the staff sign-in link; partner staff:
403. The use cases check the role and scope again themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from fastapi.responses import Response

from infra.caller import Caller, CallerRole
from infra.db import Connection
from infra.errors import FieldError, UserError
from portal import admin_labels
from portal.errors import http_status
from portal.web import Page, render


@dataclass(frozen=True, slots=True)
class Problem:
    """A refused form's field error, worded in the page's language."""

    field: str
    message: str


def admin_caller(page: Page) -> Caller | None:
    staff = page.staff
    return staff if staff is not None and staff.role is CallerRole.CONSORTIUM_ADMIN else None


def refusal(page: Page) -> Response:
    """The page for anyone who is not a signed-in consortium admin."""
    if page.staff is None:
        return render(page, "staff_no_session.html", status_code=401)
    return render(page, "admin_forbidden.html", status_code=403)


@asynccontextmanager
async def admin_transaction(page: Page, caller: Caller) -> AsyncIterator[Connection]:
    """One transaction in the admin's own scope (row-level security sees the caller)."""
    async with page.database.transaction(caller.access_scope()) as conn:
        yield conn


def problems(page: Page, error: UserError) -> list[Problem]:
    return [Problem(e.field, _message(page, e)) for e in error.errors]


def _message(page: Page, error: FieldError) -> str:
    return admin_labels.error_message(page.gettext, error.field, error.code, error.message)


def render_admin(
    page: Page,
    template: str,
    *,
    status_code: int = 200,
    problems: list[Problem] | None = None,
    **context: Any,
) -> Response:
    """An admin page: ``admin_code`` words codes, ``problems`` fill the error summary."""
    return render(
        page,
        template,
        status_code=status_code,
        problems=problems or [],
        admin_code=partial(admin_labels.admin_code, page.gettext),
        **context,
    )


def render_form_page(
    page: Page, template: str, error: UserError | None, **context: Any
) -> Response:
    """A page with a form: as asked, with ``done`` (the query's word for what was just
    done), or, after a refused ``error``, again with the use case's field errors under the
    error tree's status."""
    if error is None:
        return render_admin(page, template, done=page.request.query_params.get("done"), **context)
    return render_admin(
        page,
        template,
        status_code=http_status(error),
        problems=problems(page, error),
        done=None,
        **context,
    )


def parsed_id(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def not_found(page: Page) -> Response:
    return render_admin(page, "admin_not_found.html", status_code=404)
