"""Matches for one of the recruiter's vacancies: ranked pseudonymous profiles, each with its
score as a bar and the explanation per requirement; filters, pages, the shortlist, and
"request introduction" with a message.

Over ``matching.service.find_matches`` (the GraphQL ``matches``; it audits what is shown),
``shortlists.service`` and ``introductions.service.request_introduction``. Looking at the
matches records the recruiter's visit, so the dashboard counts what is new after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.introductions import service as introductions
from exchange.introductions.models import IntroductionRules
from exchange.matching import service as matching
from exchange.matching.service import MatchFilters, RankedProfile
from exchange.shortlists import service as shortlists
from exchange.vacancies.models import Vacancy, VacancyStatus
from infra.caller import Caller
from infra.errors import FieldError, UserError
from matching.types import ProfileKind, WorkMode
from portal.errors import http_status
from portal.labels import N_
from portal.recruiter import (
    PAGE_SIZE,
    Explained,
    engine,
    explained,
    not_found,
    parse_id,
    recruiters_vacancy,
    show,
    shown_errors,
)
from portal.web import Page, checked_form, portal_page, redirect, text

router = APIRouter()

VACANCY_PATH = "/portal/hr/vacancies/{vacancy_id}"
MAX_PAGE = 49  # find_matches ranks MAX_MATCH_DEPTH (500) deep: 50 pages of 10

FILTER_FIELDS = {
    "minScore": ("min_score", N_("Minimum score"), "other"),
    "kind": ("kind", N_("Kind"), "other"),
    "workMode": ("work_mode", N_("Work mode"), "other"),
    "availableBy": ("available_by", N_("Available from"), "date"),
    "message": ("message-{profile}", N_("Your message"), "other"),
    "profileId": ("message-{profile}", N_("Your message"), "other"),
    "vacancyId": ("message-{profile}", N_("Your message"), "other"),
}


@dataclass(frozen=True, slots=True)
class Card:
    item: RankedProfile
    explained: list[Explained]
    shortlisted: bool
    new: bool


@dataclass
class FilterForm:
    min_score: str = ""
    kind: str = ""
    work_mode: str = ""
    available_by: str = ""

    def query(self, page_number: int) -> str:
        values = {k: v for k, v in vars(self).items() if v}
        if page_number:
            values["page"] = str(page_number)
        return urlencode(values)


def _filters(form: FilterForm) -> tuple[float, MatchFilters, list[FieldError]]:
    errors: list[FieldError] = []
    min_score = 0.0
    if form.min_score:
        try:
            min_score = float(form.min_score.replace(",", "."))
        except ValueError:
            errors.append(FieldError("minScore", "INVALID_NUMBER", "must be a number"))
        else:
            if not 0 <= min_score <= 100:
                errors.append(FieldError("minScore", "OUT_OF_RANGE", "0 to 100"))
                min_score = 0.0
    kind = work_mode = available_by = None
    try:
        kind = ProfileKind(form.kind) if form.kind else None
    except ValueError:
        errors.append(FieldError("kind", "INVALID_CHOICE", "choose one"))
    try:
        work_mode = WorkMode(form.work_mode) if form.work_mode else None
    except ValueError:
        errors.append(FieldError("workMode", "INVALID_CHOICE", "choose one"))
    try:
        available_by = dt.date.fromisoformat(form.available_by) if form.available_by else None
    except ValueError:
        errors.append(FieldError("availableBy", "INVALID_DATE", "must be a date"))
    return min_score, MatchFilters(kind, work_mode, available_by), errors


async def _matches_page(
    page: Page,
    caller: Caller,
    vacancy: Vacancy,
    form: FilterForm,
    page_number: int,
    *,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
    message: str = "",
    message_for: uuid.UUID | None = None,
) -> Response:
    min_score, filters, filter_errors = _filters(form)
    shown = list(errors or []) + filter_errors
    if vacancy.status is not VacancyStatus.OPEN:
        return show(page, "hr_matches_closed.html", status_code=409, section="vacancies", v=vacancy)
    found = engine(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        visits = await shortlists.last_visits(conn, caller, vacancy_ids=[vacancy.id])
        result = await matching.find_matches(
            conn,
            caller,
            found,
            vacancy_id=vacancy.id,
            first=PAGE_SIZE,
            offset=page_number * PAGE_SIZE,
            min_score=min_score,
            filters=filters,
        )
        listed = await shortlists.shortlisted_ids(conn, caller, vacancy_id=vacancy.id)
        current = await matching.matching_profile_ids(conn, caller, found, vacancies=[vacancy])
        await shortlists.record_visit(
            conn, caller, vacancy_id=vacancy.id, seen_profile_ids=current.get(vacancy.id, [])
        )
    visit = visits.get(vacancy.id)
    cards = [
        Card(
            item,
            explained(page, item.result.explanation),
            item.profile.id in listed,
            visit is not None and item.profile.id not in visit.seen_profile_ids,
        )
        for item in result.items
    ]
    return show(
        page,
        "hr_matches.html",
        status_code=422 if filter_errors else status_code,
        section="vacancies",
        v=vacancy,
        cards=cards,
        filters=form,
        page_number=page_number,
        previous_query=form.query(page_number - 1) if page_number > 0 else None,
        next_query=form.query(page_number + 1) if result.has_next_page else None,
        form_errors=[
            dataclasses.replace(e, field_id=e.field_id.replace("{profile}", str(message_for)))
            for e in shown_errors(page, shown, FILTER_FIELDS)
        ],
        kinds=[k.value for k in ProfileKind],
        work_modes=[m.value for m in WorkMode],
        message=message,
        message_for=message_for,
        first_visit=visit is None,
    )


def _filter_form(page: Page) -> tuple[FilterForm, int]:
    params = page.request.query_params
    form = FilterForm(
        min_score=params.get("min_score", "").strip(),
        kind=params.get("kind", "").strip(),
        work_mode=params.get("work_mode", "").strip(),
        available_by=params.get("available_by", "").strip(),
    )
    number = params.get("page", "0")
    page_number = min(int(number), MAX_PAGE) if number.isdigit() and len(number) < 4 else 0
    return form, page_number


@router.get(VACANCY_PATH + "/matches")
async def matches(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    caller, vacancy = found
    form, page_number = _filter_form(page)
    return await _matches_page(page, caller, vacancy, form, page_number)


@router.post(VACANCY_PATH + "/introductions")
async def request_introduction(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    form_data = await checked_form(page)
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    caller, vacancy = found
    profile_id = parse_id(text(form_data, "profile_id"))
    message = text(form_data, "message")
    settings = page.settings
    rules = IntroductionRules(
        daily_cap=settings.introduction_daily_cap, public_url=settings.public_url
    )
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            introduction = await introductions.request_introduction(
                conn,
                caller,
                profile_id=profile_id or uuid.uuid4(),
                vacancy_id=vacancy.id,
                message=message or None,
                rules=rules,
            )
    except UserError as error:
        form, page_number = _filter_form(page)
        return await _matches_page(
            page,
            caller,
            vacancy,
            form,
            page_number,
            errors=error.errors,
            status_code=http_status(error),
            message=message,
            message_for=profile_id,
        )
    return redirect(page, f"/portal/hr/introductions/{introduction.id}?done=requested")


@router.post(VACANCY_PATH + "/shortlist")
async def change_shortlist(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    form_data = await checked_form(page)
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    caller, vacancy = found
    profile_id = parse_id(text(form_data, "profile_id"))
    if profile_id is None:
        return not_found(page)
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            if text(form_data, "op") == "remove":
                await shortlists.remove_from_shortlist(
                    conn, caller, vacancy_id=vacancy.id, profile_id=profile_id
                )
            else:
                await shortlists.add_to_shortlist(
                    conn, caller, vacancy_id=vacancy.id, profile_id=profile_id
                )
    except UserError:
        return not_found(page)
    back = text(form_data, "back")
    base = f"/portal/hr/vacancies/{vacancy.id}/"
    return redirect(page, back if back.startswith(base) else base + "shortlist")


@router.get(VACANCY_PATH + "/shortlist")
async def shortlist(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    caller, vacancy = found
    async with page.database.transaction(caller.access_scope()) as conn:
        profiles = await shortlists.shortlist(conn, caller, vacancy_id=vacancy.id)
    return show(page, "hr_shortlist.html", section="vacancies", v=vacancy, profiles=profiles)
