"""Erasure notices for consortium admins: which partners were told to erase a person's
copy (their contact data from an accepted introduction), when, and whether the mail went."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.consent_flow.erasure import erasure_notices
from portal.admin_access import admin_caller, admin_transaction, refusal, render_admin
from portal.web import Page, portal_page

router = APIRouter()

ERASURE = "/portal/admin/erasure"


@router.get(ERASURE)
async def erasure_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    async with admin_transaction(page, caller) as conn:
        notices = await erasure_notices(conn, caller)
    outstanding = [n for n in notices if n.status != "SENT"]
    return render_admin(page, "admin_erasure.html", notices=notices, outstanding=outstanding)
