"""The recruiter's introductions as a pipeline — requested → accepted / declined / expired →
placed → outcome at 3 and 6 months — with the placement and its outcome recorded from here.

Contact data appears only on an accepted introduction, to the partner that asked (the
use case and RLS decide; this page only shows what it is given). Over
``introductions.service`` and ``placements.service`` (the GraphQL ``introductions``,
``recordPlacement`` and ``recordPlacementOutcome``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.introductions import service as introductions
from exchange.introductions.models import Introduction, IntroductionStatus
from exchange.placements import service as placements
from exchange.placements.models import LeftReason, Placement, PlacementOutcomeInput
from infra.caller import Caller
from infra.errors import Collector, UserError
from portal.errors import http_status
from portal.labels import N_
from portal.recruiter import not_found, parse_id, recruiter, refuse, show, shown_errors
from portal.web import Page, checked_form, portal_page, redirect, text

router = APIRouter()

LIST_PATH = "/portal/hr/introductions"
PLACEMENTS_READ = 200

STATUS = {
    IntroductionStatus.REQUESTED: N_("requested, waiting for an answer"),
    IntroductionStatus.ACCEPTED: N_("accepted"),
    IntroductionStatus.DECLINED: N_("declined"),
    IntroductionStatus.EXPIRED: N_("expired without an answer"),
    IntroductionStatus.WITHDRAWN: N_("withdrawn (the person's consent ended)"),
}

LEFT_REASONS = {
    LeftReason.PAY: N_("pay"),
    LeftReason.NO_GROWTH: N_("no room to grow"),
    LeftReason.WORKLOAD: N_("workload"),
    LeftReason.SCHEDULE: N_("schedule"),
    LeftReason.COMMUTE: N_("commute"),
    LeftReason.ROLE_MISMATCH: N_("the role did not fit"),
    LeftReason.PERSONAL: N_("personal reasons"),
    LeftReason.DISMISSED: N_("dismissed"),
    LeftReason.OTHER: N_("other"),
}

FIELDS = {
    "startDate": ("start_date", N_("Start date"), "date"),
    "introductionId": ("start_date", N_("Start date"), "date"),
    "employedAt3Months": ("at3-yes", N_("Employed after 3 months"), "other"),
    "employedAt6Months": ("at6-yes", N_("Employed after 6 months"), "other"),
    "leftOn": ("left_on", N_("Left on"), "date"),
    "leftReason": ("left_reason", N_("Why the person left"), "other"),
    "input": ("at3-yes", N_("Outcome"), "other"),
    "placementId": ("at3-yes", N_("Outcome"), "other"),
}


def _stage(introduction: Introduction, placement: Placement | None) -> str:
    if placement is not None:
        return "placed"
    if introduction.status is IntroductionStatus.REQUESTED:
        return "requested"
    if introduction.status is IntroductionStatus.ACCEPTED:
        return "accepted"
    return "ended"


async def _placements_by_introduction(page: Page, caller: Caller) -> dict[uuid.UUID, Placement]:
    async with page.database.transaction(caller.access_scope()) as conn:
        listed = await placements.list_placements(conn, caller, limit=PLACEMENTS_READ, after=None)
    return {p.introduction_id: p for p in listed.items if p.hiring_partner_id == caller.partner_id}


@router.get(LIST_PATH)
async def pipeline(page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        listed = await introductions.list_introductions(
            conn, caller, status=None, limit=100, after=None
        )
    placed = await _placements_by_introduction(page, caller)
    stages: dict[str, list[tuple[Introduction, str, Placement | None]]] = {
        "requested": [],
        "accepted": [],
        "placed": [],
        "ended": [],
    }
    for i in listed.items:
        placement = placed.get(i.id)
        stages[_stage(i, placement)].append((i, page.gettext(STATUS[i.status]), placement))
    return show(page, "hr_introductions.html", section="introductions", stages=stages)


async def _detail(
    page: Page,
    caller: Caller,
    introduction_id: str,
    *,
    errors: UserError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The introduction's page; with the ``errors`` of a refused form (and its status) and
    what was ``typed`` in it."""
    wanted = parse_id(introduction_id)
    if wanted is None:
        return not_found(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        introduction = await introductions.get_introduction(conn, caller, wanted)
    if introduction is None:
        return not_found(page)
    placement = (await _placements_by_introduction(page, caller)).get(introduction.id)
    today = dt.date.today()
    return show(
        page,
        "hr_introduction.html",
        status_code=http_status(errors) if errors else 200,
        section="introductions",
        i=introduction,
        status_text=page.gettext(STATUS[introduction.status]),
        stage=_stage(introduction, placement),
        placement=placement,
        due=placements.outcomes_due(placement, today) if placement else (),
        left_reasons=[(r.value, page.gettext(words)) for r, words in LEFT_REASONS.items()],
        left_reason_text=(
            page.gettext(LEFT_REASONS[placement.left_reason])
            if placement and placement.left_reason
            else ""
        ),
        form_errors=shown_errors(page, errors.errors, FIELDS) if errors else [],
        typed=typed or {},
        done=page.request.query_params.get("done"),
    )


@router.get(LIST_PATH + "/{introduction_id}")
async def introduction_page(introduction_id: str, page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    return await _detail(page, caller, introduction_id)


@router.post(LIST_PATH + "/{introduction_id}/placement")
async def record_placement(introduction_id: str, page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    wanted = parse_id(introduction_id)
    if wanted is None:
        return not_found(page)
    typed = {"start_date": text(form, "start_date")}
    try:
        start = _date(typed["start_date"], "startDate", required=True)
        assert start is not None
        async with page.database.transaction(caller.access_scope()) as conn:
            await placements.record_placement(
                conn, caller, introduction_id=wanted, start_date=start
            )
    except UserError as error:
        if http_status(error) == 404:
            return not_found(page)
        return await _detail(page, caller, introduction_id, errors=error, typed=typed)
    return redirect(page, f"{LIST_PATH}/{wanted}?done=placed")


def _date(value: str, field: str, *, required: bool = False) -> dt.date | None:
    if not value:
        if required:
            raise UserError.single(field, "REQUIRED", "must not be empty")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError.single(field, "INVALID_DATE", "must be a date") from exc


def _answer(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@router.post(LIST_PATH + "/{introduction_id}/outcome")
async def record_outcome(introduction_id: str, page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    wanted = parse_id(introduction_id)
    placement = (await _placements_by_introduction(page, caller)).get(wanted) if wanted else None
    if wanted is None or placement is None:
        return not_found(page)
    typed = {name: text(form, name) for name in ("at3", "at6", "left_on", "left_reason")}
    try:
        errors = Collector()
        left_on = None
        try:
            left_on = _date(typed["left_on"], "leftOn")
        except UserError as error:
            errors.errors.extend(error.errors)
        errors.raise_if_any()
        data = PlacementOutcomeInput(
            employed_at_3_months=_answer(typed["at3"]),
            employed_at_6_months=_answer(typed["at6"]),
            left_on=left_on,
            left_reason=typed["left_reason"] or None,
        )
        async with page.database.transaction(caller.access_scope()) as conn:
            await placements.record_placement_outcome(conn, caller, placement.id, data)
    except UserError as error:
        return await _detail(page, caller, introduction_id, errors=error, typed=typed)
    return redirect(page, f"{LIST_PATH}/{wanted}?done=outcome")
