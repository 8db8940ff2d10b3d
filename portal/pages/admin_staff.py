"""Staff accounts: who may sign in, and adding recruiters (partner HR) and admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.partners.service import list_partners
from exchange.staff.service import add_staff_user, list_staff_users
from infra.caller import Caller, CallerRole
from infra.errors import UserError
from portal.admin_access import (
    admin_caller,
    admin_transaction,
    parsed_id,
    refusal,
    render_form_page,
)
from portal.web import Page, checked_form, portal_page, redirect, text

router = APIRouter()

STAFF = "/portal/admin/staff"
ROLES = (CallerRole.PARTNER_HR, CallerRole.CONSORTIUM_ADMIN)


async def _render(page: Page, caller: Caller, *, error: UserError | None = None,
                  **form: str) -> Response:  # fmt: skip
    async with admin_transaction(page, caller) as conn:
        partners = await list_partners(conn, caller)
        staff = await list_staff_users(conn, caller)
    context: dict[str, Any] = {
        "partners": partners,
        "partner_names": {p.id: p.name for p in partners},
        "staff": staff,
        "roles": ROLES,
        "form": {"email": "", "display_name": "", "role": "partner_hr", "partner": "",
                 "language": page.language, **form},
    }  # fmt: skip
    return render_form_page(page, "admin_staff.html", error, **context)


@router.get(STAFF)
async def staff_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    return await _render(page, caller)


@router.post(STAFF)
async def add(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    form = await checked_form(page)
    if caller is None:
        return refusal(page)
    values = {k: text(form, k) for k in ("email", "display_name", "role", "partner", "language")}
    role = CallerRole(values["role"]) if values["role"] in {r.value for r in ROLES} else None
    partner_id = parsed_id(values["partner"]) if values["partner"] else None
    try:
        if role is None:
            raise UserError.single("input.role", "INVALID_ROLE", "choose a role")
        if values["partner"] and partner_id is None:
            raise UserError.single("input.partnerId", "NOT_FOUND", "partner not found")
        async with admin_transaction(page, caller) as conn:
            await add_staff_user(
                conn,
                caller,
                email=values["email"],
                display_name=values["display_name"],
                role=role,
                # an admin belongs to no partner: a partner chosen for one is ignored
                partner_id=partner_id if role is CallerRole.PARTNER_HR else None,
                language=values["language"] or "nl",
            )
    except UserError as error:
        return await _render(page, caller, error=error, **values)
    return redirect(page, f"{STAFF}?done=added")
