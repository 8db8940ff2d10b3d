"""The consortium's partners: the list, registering one, suspending and reinstating."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.admin.models import SuspensionReason
from exchange.admin.service import (
    register_partner,
    reinstate_partner,
    suspend_partner,
    suspension_preview,
)
from exchange.partners.service import list_partners
from infra.caller import Caller
from infra.errors import NotFound, UserError
from portal.admin_access import (
    admin_caller,
    admin_transaction,
    not_found,
    parsed_id,
    refusal,
    render_admin,
    render_form_page,
)
from portal.web import Page, checked_form, portal_page, redirect, text

router = APIRouter()

PARTNERS = "/portal/admin/partners"
DONE = ("registered", "suspended", "reinstated")


async def _render(page: Page, caller: Caller, *, error: UserError | None = None,
                  **form: str) -> Response:  # fmt: skip
    async with admin_transaction(page, caller) as conn:
        partners = await list_partners(conn, caller)
    context: dict[str, Any] = {
        "partners": partners,
        "done_kinds": DONE,
        "form": {"name": "", "slug": "", "city": "", **form},
    }
    return render_form_page(page, "admin_partners.html", error, **context)


@router.get(PARTNERS)
async def partners_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    return await _render(page, caller)


@router.post(PARTNERS)
async def register(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    form = await checked_form(page)
    if caller is None:
        return refusal(page)
    name, slug, city = text(form, "name"), text(form, "slug"), text(form, "city")
    try:
        async with admin_transaction(page, caller) as conn:
            await register_partner(conn, caller, name=name, slug=slug or None, city=city or None)
    except UserError as error:
        return await _render(page, caller, error=error, name=name, slug=slug, city=city)
    return redirect(page, f"{PARTNERS}?done=registered")


@router.get(PARTNERS + "/{partner_id}/suspend")
async def suspend_confirmation(partner_id: str, page: Page = Depends(portal_page)) -> Response:
    """What a suspension would do, the reason, and the one button that does it."""
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    found = parsed_id(partner_id)
    if found is None:
        return not_found(page)
    try:
        async with admin_transaction(page, caller) as conn:
            partner, effect = await suspension_preview(conn, caller, partner_id=found)
    except NotFound:
        return not_found(page)
    return render_admin(
        page,
        "admin_partner_suspend.html",
        partner=partner,
        effect=effect,
        reasons=list(SuspensionReason),
    )


@router.post(PARTNERS + "/{partner_id}/suspend")
async def suspend(partner_id: str, page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    form = await checked_form(page)
    if caller is None:
        return refusal(page)
    found = parsed_id(partner_id)
    if found is None:
        return not_found(page)
    reason_text = text(form, "reason")
    reason = (
        SuspensionReason(reason_text)
        if reason_text in SuspensionReason.__members__
        else SuspensionReason.OTHER
    )
    try:
        async with admin_transaction(page, caller) as conn:
            await suspend_partner(conn, caller, partner_id=found, reason=reason)
    except UserError as error:
        return await _render(page, caller, error=error)
    return redirect(page, f"{PARTNERS}?done=suspended")


@router.post(PARTNERS + "/{partner_id}/reinstate")
async def reinstate(partner_id: str, page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    await checked_form(page)
    if caller is None:
        return refusal(page)
    found = parsed_id(partner_id)
    if found is None:
        return not_found(page)
    try:
        async with admin_transaction(page, caller) as conn:
            await reinstate_partner(conn, caller, partner_id=found)
    except UserError as error:
        return await _render(page, caller, error=error)
    return redirect(page, f"{PARTNERS}?done=reinstated")
