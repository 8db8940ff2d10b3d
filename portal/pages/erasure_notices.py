"""Erasure notices for a partner's HR: confirm it erased a person's contact details (the
same ``confirmErasure`` its systems call). Consortium admins follow every partner's notices
on their own page, ``/portal/admin/erasure`` (``portal/pages/admin_erasure.py``), where
this page sends them."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.webhooks import service
from exchange.webhooks.events import ERASURE_NOTICES_PATH
from exchange.webhooks.models import ErasureMethod, NoticeStatus
from infra.caller import CallerRole
from infra.errors import FieldError, UserError
from portal.pages.admin_erasure import ERASURE as ADMIN_ERASURE
from portal.web import Page, checked_form, portal_page, redirect, render, text

router = APIRouter()

NOTICES_PATH = ERASURE_NOTICES_PATH


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _show(
    page: Page,
    *,
    done: bool = False,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    staff = page.staff
    assert staff is not None
    now = _now()
    async with page.database.transaction(staff.access_scope()) as conn:
        notices = await service.erasure_notices(conn, staff, limit=200, now=now)
    notices.sort(key=lambda n: (n.confirmed_at is not None, n.erase_by))
    return render(
        page,
        "erasure_notices.html",
        status_code=status_code,
        errors=errors,
        section="erasure",
        form_errors=[],  # the recruiter layout's summary; refusals use the portal's own
        notices=notices,
        open_notices=[n for n in notices if n.status is NoticeStatus.OPEN],
        now=now,
        done=done,
        methods=list(ErasureMethod),
    )


@router.get(NOTICES_PATH)
async def erasure_notices(page: Page = Depends(portal_page), done: str | None = None) -> Response:
    if page.staff is None:
        return render(page, "staff_no_session.html", status_code=401)
    if page.staff.role is CallerRole.CONSORTIUM_ADMIN:
        return redirect(page, ADMIN_ERASURE)
    return await _show(page, done=done == "1")


@router.post(NOTICES_PATH + "/{notice_id}/confirm")
async def confirm_erasure(notice_id: str, page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    staff = page.staff
    if staff is None:
        return render(page, "staff_no_session.html", status_code=401)
    if staff.role is not CallerRole.PARTNER_HR:
        return render(page, "not_found.html", status_code=404)
    try:
        wanted = uuid.UUID(notice_id)
        method = ErasureMethod(text(form, "method"))
    except ValueError:
        error = FieldError("method", "INVALID", "choose how you erased the contact details")
        return await _show(page, errors=[error], status_code=400)
    try:
        async with page.database.transaction(staff.access_scope()) as conn:
            await service.confirm_erasure(conn, staff, notice_id=wanted, method=method)
    except UserError as refused:
        return await _show(page, errors=refused.errors, status_code=400)
    return redirect(page, NOTICES_PATH + "?done=1")
