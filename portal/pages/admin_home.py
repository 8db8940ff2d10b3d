"""The consortium admin's landing page: who is signed in, and a way to every admin page."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.admin.service import list_api_clients
from exchange.identity.service import staff_profile
from exchange.partners.models import PartnerStatus
from exchange.partners.service import list_partners
from exchange.staff.service import list_staff_users
from portal.admin_access import admin_caller, admin_transaction, refusal, render_admin
from portal.web import Page, portal_page

router = APIRouter()

ADMIN_HOME = "/portal/admin"


@router.get(ADMIN_HOME)
async def admin_home(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    who = await staff_profile(page.database, caller)
    if who is None:
        return refusal(page)
    async with admin_transaction(page, caller) as conn:
        partners = await list_partners(conn, caller)
        clients = await list_api_clients(conn, caller)
        staff = await list_staff_users(conn, caller)
    return render_admin(
        page,
        "admin_home.html",
        who=who,
        partners_active=sum(1 for p in partners if p.status is PartnerStatus.ACTIVE),
        partners_suspended=sum(1 for p in partners if p.status is PartnerStatus.SUSPENDED),
        clients_active=sum(1 for c in clients if c.revoked_at is None),
        staff_count=len(staff),
    )
