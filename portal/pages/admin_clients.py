"""API clients: the list, creating one (its secret shown once) and revoking one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.admin.service import create_api_client, list_api_clients, revoke_api_client
from exchange.partners.service import list_partners
from infra.caller import ADMIN_SCOPES, PARTNER_SCOPES, Caller
from infra.errors import UserError
from portal.admin_access import (
    admin_caller,
    admin_transaction,
    parsed_id,
    refusal,
    render_admin,
    render_form_page,
)
from portal.web import Page, checked_form, portal_page, redirect, text, with_own_scripts

router = APIRouter()

CLIENTS = "/portal/admin/clients"
CONSORTIUM_CLIENT = "consortium"  # the partner choice for the consortium's own client


async def _render(page: Page, caller: Caller, *, error: UserError | None = None,
                  **form: object) -> Response:  # fmt: skip
    async with admin_transaction(page, caller) as conn:
        partners = await list_partners(conn, caller)
        clients = await list_api_clients(conn, caller)
    context: dict[str, Any] = {
        "partners": partners,
        "partner_names": {p.id: p.name for p in partners},
        "clients": clients,
        "partner_scopes": sorted(s.value for s in PARTNER_SCOPES),
        "admin_scopes": sorted(s.value for s in ADMIN_SCOPES),
        "form": {"partner": "", "name": "", "scopes": [], **form},
    }
    return render_form_page(page, "admin_clients.html", error, **context)


@router.get(CLIENTS)
async def clients_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    return await _render(page, caller)


@router.post(CLIENTS)
async def create(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    form = await checked_form(page)
    if caller is None:
        return refusal(page)
    partner_text, name = text(form, "partner"), text(form, "name")
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str)]
    try:
        partner_id = None if partner_text == CONSORTIUM_CLIENT else parsed_id(partner_text)
        if partner_id is None and partner_text != CONSORTIUM_CLIENT:
            raise UserError.single("partnerId", "INVALID_ID", "choose a partner")
        async with admin_transaction(page, caller) as conn:
            created = await create_api_client(
                conn, caller, partner_id=partner_id, name=name or None, scopes=scopes or None
            )
            partners = {p.id: p.name for p in await list_partners(conn, caller)}
    except UserError as error:
        return await _render(page, caller, error=error, partner=partner_text, name=name,
                             scopes=scopes)  # fmt: skip
    # Shown here once, never stored in a URL or the session: the response is no-store.
    created_page = render_admin(
        page,
        "admin_client_created.html",
        created=created,
        partner_name=partners.get(created.client.partner_id) if created.client.partner_id else None,
    )
    return with_own_scripts(created_page)


@router.post(CLIENTS + "/revoke")
async def revoke(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    form = await checked_form(page)
    if caller is None:
        return refusal(page)
    try:
        async with admin_transaction(page, caller) as conn:
            await revoke_api_client(conn, caller, client_id=text(form, "client_id"))
    except UserError as error:
        return await _render(page, caller, error=error)
    return redirect(page, f"{CLIENTS}?done=revoked")
