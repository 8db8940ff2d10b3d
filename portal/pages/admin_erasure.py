"""Erasure notices for consortium admins: every partner's notices from the one source of
truth, the ``erasure_notice`` table (``exchange.webhooks``) — reason, when told, the date
to erase by, confirmed or open (overdue ones stand out) — and the partners no notice can
reach. Partner HR confirm on their own page (``portal/pages/erasure_notices.py``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.partners import service as partners_service
from exchange.webhooks import service as notices_service
from exchange.webhooks.models import ErasureNotice, NoticeStatus
from portal.admin_access import admin_caller, admin_transaction, refusal, render_admin
from portal.web import Page, portal_page

router = APIRouter()

ERASURE = "/portal/admin/erasure"
SHOWN = 500  # the use case's ceiling; a consortium has far fewer open notices


def _status(value: str | None) -> NoticeStatus | None:
    try:
        return NoticeStatus(value) if value else None
    except ValueError:
        return None


def _listed_first(notice: ErasureNotice) -> tuple[bool, dt.datetime]:
    """Open notices first, the earliest due on top; confirmed ones after them."""
    return notice.confirmed_at is not None, notice.erase_by


@router.get(ERASURE)
async def erasure_page(
    page: Page = Depends(portal_page), status: str | None = None, overdue: str | None = None
) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    wanted = _status(status)
    only_overdue = overdue == "1"
    now = dt.datetime.now(dt.UTC)
    async with admin_transaction(page, caller) as conn:
        notices = await notices_service.erasure_notices(
            conn, caller, status=wanted, overdue=only_overdue, limit=SHOWN, now=now
        )
        unreachable = await notices_service.unreachable_partners(conn, caller)
        partners = await partners_service.list_partners(conn, caller)
    notices.sort(key=_listed_first)
    return render_admin(
        page,
        "admin_erasure.html",
        notices=notices,
        overdue_count=sum(1 for n in notices if n.overdue(now)),
        unreachable=unreachable,
        partner_names={p.id: p.name for p in partners},
        statuses=list(NoticeStatus),
        status=wanted,
        only_overdue=only_overdue,
        now=now,
    )
