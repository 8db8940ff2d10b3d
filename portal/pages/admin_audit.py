"""The audit trail for consortium admins: search with filters and pages, one event with
its details and hashes, verifying the chain, the signed checkpoints, and CSV export of
the filtered set — over the same use cases as ``auditEvents`` / ``verifyAuditTrail`` and
``GET /audit/events.csv``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import Response, StreamingResponse

from exchange.audit import oversight
from exchange.audit.actions import CATALOGUE
from exchange.audit.models import ACTOR_KINDS, AuditFilter
from exchange.audit.publication import AuditPublication
from exchange.audit.signing import load_checkpoint_keys
from exchange.partners.service import list_partners
from infra.caller import Caller
from infra.errors import Collector, UserError
from portal import admin_labels
from portal.admin_access import (
    admin_caller,
    admin_transaction,
    not_found,
    parsed_id,
    problems,
    refusal,
    render_admin,
)
from portal.web import SECURITY_HEADERS, Page, checked_form, portal_page, redirect

router = APIRouter()

AUDIT = "/portal/admin/audit"
PAGE_SIZE = 50
FILTER_FIELDS = ("partner", "action", "actor", "subject", "from", "to")


@dataclass(frozen=True, slots=True)
class FilterForm:
    """The filter as typed (to fill the form again) and as the use case takes it."""

    values: dict[str, str]
    audit_filter: AuditFilter

    def query(self, **extra: str) -> str:
        kept = {k: v for k, v in self.values.items() if v}
        return urlencode({**kept, **extra})


def _day(errors: Collector, field: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(field, "INVALID", "use YYYY-MM-DD")
        return None


def filter_form(page: Page) -> FilterForm:
    """The filter from the query string; days are whole UTC days, both ends included."""
    params = page.request.query_params
    values = {name: (params.get(name) or "").strip()[:200] for name in FILTER_FIELDS}
    errors = Collector()
    partner_id = parsed_id(values["partner"]) if values["partner"] else None
    if values["partner"] and partner_id is None:
        errors.add("partner", "INVALID_ID", "not a valid id")
    first, last = _day(errors, "from", values["from"]), _day(errors, "to", values["to"])
    audit_filter = AuditFilter(
        partner_id=partner_id,
        action=values["action"] or None,
        subject_id=values["subject"] or None,
        actor_kind=values["actor"] or None,
        occurred_from=dt.datetime.combine(first, dt.time(), dt.UTC) if first else None,
        occurred_to=(
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC) if last else None
        ),
    )
    try:
        oversight.validate_filter(audit_filter, field="")
    except UserError as error:
        for e in error.errors:
            errors.add(e.field, e.code, e.message)
    errors.raise_if_any()  # every mistake at once
    return FilterForm(values, audit_filter)


def _action_choices(page: Page) -> list[tuple[str, str]]:
    prefixes = sorted({a.split(".")[0] for a in CATALOGUE})
    choices = [(f"{p}.*", page.gettext("all of %(group)s") % {"group": p}) for p in prefixes]
    labelled = [(a, f"{admin_labels.action_label(page.gettext, a)} ({a})") for a in CATALOGUE]
    return choices + sorted(labelled, key=lambda c: c[0])


async def _context(page: Page, caller: Caller) -> dict[str, Any]:
    async with admin_transaction(page, caller) as conn:
        partners = await list_partners(conn, caller)
    return {
        "partners": partners,
        "partner_names": {p.id: p.name for p in partners},
        "action_choices": _action_choices(page),
        "actor_kinds": [(k, page.gettext(admin_labels.ACTOR_KINDS[k])) for k in ACTOR_KINDS],
        "action_label": lambda a: admin_labels.action_label(page.gettext, a),
    }


@router.get(AUDIT)
async def audit_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    context = await _context(page, caller)
    after_text = page.request.query_params.get("after", "")
    try:
        form = filter_form(page)
        if after_text and (not after_text.isdigit() or len(after_text) > 18):
            raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid")
        async with admin_transaction(page, caller) as conn:
            found = await oversight.search_events(
                conn,
                caller,
                form.audit_filter,
                limit=PAGE_SIZE,
                after_seq=int(after_text) if after_text else None,
            )
    except UserError as error:
        params = page.request.query_params
        values = {name: params.get(name, "") for name in FILTER_FIELDS}
        return render_admin(
            page, "admin_audit.html", status_code=422, problems=problems(page, error),
            values=values, events=[], next_query=None, csv_query=None, first_page=True,
            **context,
        )  # fmt: skip
    last = found.items[-1].seq if found.items else None
    return render_admin(
        page,
        "admin_audit.html",
        values=form.values,
        events=found.items,
        next_query=form.query(after=str(last)) if found.has_next_page and last else None,
        csv_query=form.query(),
        first_page=not after_text,
        **context,
    )


@router.get(AUDIT + "/events/{seq}")
async def event_page(seq: str, page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    if not seq.isdigit() or len(seq) > 18:
        return not_found(page)
    async with admin_transaction(page, caller) as conn:
        event = await oversight.event_at(conn, caller, seq=int(seq))
        following = await oversight.event_at(conn, caller, seq=int(seq) + 1)
        partners = {p.id: p.name for p in await list_partners(conn, caller)}
    if event is None:
        return not_found(page)
    return render_admin(
        page,
        "admin_audit_event.html",
        event=event,
        has_next=following is not None,
        partner_name=partners.get(event.partner_id) if event.partner_id else None,
        details_pretty=json.dumps(event.details, indent=2, ensure_ascii=False, sort_keys=True),
        action_text=admin_labels.action_label(page.gettext, event.action),
        actor_text=page.gettext(admin_labels.ACTOR_KINDS.get(event.actor_kind, event.actor_kind)),
    )


@router.get(AUDIT + "/verify")
async def verify_form(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    return render_admin(page, "admin_audit_verify.html", report=None, break_text="")


@router.post(AUDIT + "/verify")
async def verify(page: Page = Depends(portal_page)) -> Response:
    """Recompute the chain against the signed checkpoints (a read, but heavy: a button,
    never a link a browser might prefetch)."""
    caller = admin_caller(page)
    await checked_form(page)
    if caller is None:
        return refusal(page)
    keys = await load_checkpoint_keys(page.database, signing=False)
    async with admin_transaction(page, caller) as conn:
        report = await oversight.verify_trail(conn, caller, keys)
    kind = report.break_kind.value if report.break_kind else ""
    return render_admin(
        page,
        "admin_audit_verify.html",
        report=report,
        break_text=page.gettext(admin_labels.BREAKS[kind]) if kind else "",
    )


@router.get(AUDIT + "/checkpoints")
async def checkpoints_page(page: Page = Depends(portal_page)) -> Response:
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    async with admin_transaction(page, caller) as conn:
        checkpoints = await oversight.consortium_checkpoints(conn, caller)
    return render_admin(page, "admin_audit_checkpoints.html", checkpoints=checkpoints)


@router.get(AUDIT + "/events.csv", response_model=None)
async def events_csv(page: Page = Depends(portal_page)) -> Response:
    """Every event the filter finds, oldest first, as ``GET /audit/events.csv`` gives it."""
    caller = admin_caller(page)
    if caller is None:
        return refusal(page)
    try:
        form = filter_form(page)
    except UserError:
        return redirect(page, f"{AUDIT}?{page.request.url.query}")  # the page names the errors
    chunks = AuditPublication().events_csv(page.database, caller, form.audit_filter)

    async def body() -> AsyncIterator[str]:
        async for chunk in chunks:
            yield chunk

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f'attachment; filename="audit-events-{stamp}.csv"',
    }
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)
