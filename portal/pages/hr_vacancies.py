"""The recruiter's vacancies: list, post, edit and close, with the full model.

The form's "Check requirements" button re-renders it with what each phrase maps to (the
write-time normaliser, ``vacancies.service.preview_requirements``) and saves nothing; "More
rows" adds requirement rows. A refused form comes back as typed, each error naming its field.

With JavaScript on, ``static/hr.js`` shows the same mapping while a phrase is typed, from
``PREVIEW_PATH`` (an HTML fragment); only the form's page allows that one script by its CSP.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.vacancies import service
from exchange.vacancies.models import RequirementPreview, Vacancy, VacancyStatus
from infra.caller import Caller
from infra.errors import UserError
from portal import vacancy_form
from portal.errors import http_status
from portal.labels import LANGUAGE_NAMES
from portal.recruiter import (
    not_found,
    parse_id,
    recruiter,
    recruiters_vacancy,
    refuse,
    services,
    show,
    shown_errors,
)
from portal.vacancy_form import VacancyForm
from portal.web import Page, checked_form, portal_page, redirect, text, with_own_scripts

router = APIRouter()

LIST_PATH = "/portal/hr/vacancies"
NEW_PATH = "/portal/hr/vacancies/new"
PREVIEW_PATH = "/portal/hr/vacancies/preview"
LOW_CONFIDENCE = 0.75


def _form_page(
    page: Page,
    form: VacancyForm,
    *,
    vacancy: Vacancy | None,
    status_code: int = 200,
    errors: UserError | None = None,
    previews: list[RequirementPreview] | None = None,
) -> Response:
    per_row: dict[int, list[RequirementPreview]] = {}
    for preview in previews or []:
        per_row.setdefault(preview.source, []).append(preview)
    response = show(
        page,
        "hr_vacancy_form.html",
        status_code=status_code,
        section="vacancies",
        form=form,
        vacancy=vacancy,
        action=f"{LIST_PATH}/{vacancy.id}/edit" if vacancy else NEW_PATH,
        form_errors=shown_errors(page, errors.errors, vacancy_form.FIELDS) if errors else [],
        previews=per_row,
        checked=previews is not None,
        low_confidence=LOW_CONFIDENCE,
        roles=vacancy_form.ROLES,
        shifts=vacancy_form.SHIFTS,
        work_modes=vacancy_form.WORK_MODES,
        pay_periods=vacancy_form.PAY_PERIODS,
        cefr_levels=vacancy_form.CEFR_LEVELS,
        language_codes=list(LANGUAGE_NAMES),
        preview_path=PREVIEW_PATH,
    )
    return with_own_scripts(response, connect=True)


@router.get(LIST_PATH)
async def vacancy_list(page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        listed = await service.list_vacancies(conn, caller, status=None, limit=100, after=None)
    return show(
        page,
        "hr_vacancies.html",
        section="vacancies",
        open_ones=[v for v in listed.items if v.status is VacancyStatus.OPEN],
        closed_ones=[v for v in listed.items if v.status is VacancyStatus.CLOSED],
        done=page.request.query_params.get("done"),
    )


@router.get(PREVIEW_PATH)
async def preview(page: Page = Depends(portal_page), phrase: str = "") -> Response:
    """What one phrase maps to, as the form's preview line (for ``static/hr.js``)."""
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            previews = await service.preview_requirements(
                conn, caller, services(page).normalizer, [phrase], language=page.language
            )
    except UserError:
        previews = []
    return show(page, "hr_preview_line.html", lines=previews, low_confidence=LOW_CONFIDENCE)


@router.get(NEW_PATH)
async def new_vacancy(page: Page = Depends(portal_page)) -> Response:
    if recruiter(page) is None:
        return refuse(page)
    return _form_page(page, VacancyForm().pad(), vacancy=None)


async def _submit(page: Page, caller: Caller, vacancy: Vacancy | None) -> Response:
    form_data = await checked_form(page)
    form = vacancy_form.read_form(form_data)
    action = text(form_data, "action")
    normalizer = services(page).normalizer
    if action == "more":
        return _form_page(page, form.pad(more_requirements=vacancy_form.MORE_ROWS), vacancy=vacancy)
    if action == "check":
        try:
            async with page.database.transaction(caller.access_scope()) as conn:
                previews = await service.preview_requirements(
                    conn,
                    caller,
                    normalizer,
                    [r.phrase for r in form.requirements],
                    language=page.language,
                )
        except UserError as error:
            return _form_page(page, form.pad(), vacancy=vacancy, status_code=422, errors=error)
        return _form_page(page, form.pad(), vacancy=vacancy, previews=previews)
    try:
        data = vacancy_form.to_input(form)
        async with page.database.transaction(caller.access_scope()) as conn:
            if vacancy is None:
                saved = await service.create_vacancy(conn, caller, normalizer, data)
            else:
                saved = await service.update_vacancy(conn, caller, normalizer, vacancy.id, data)
    except UserError as error:
        return _form_page(
            page, form.pad(), vacancy=vacancy, status_code=http_status(error), errors=error
        )
    return redirect(
        page, f"{LIST_PATH}/{saved.id}?done={'created' if vacancy is None else 'saved'}"
    )


@router.post(NEW_PATH)
async def create_vacancy(page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    return await _submit(page, caller, None)


@router.get(LIST_PATH + "/{vacancy_id}")
async def vacancy_page(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    _caller, vacancy = found
    return show(
        page,
        "hr_vacancy.html",
        section="vacancies",
        v=vacancy,
        done=page.request.query_params.get("done"),
    )


@router.get(LIST_PATH + "/{vacancy_id}/edit")
async def edit_vacancy(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    _caller, vacancy = found
    if vacancy.status is VacancyStatus.CLOSED:
        return redirect(page, f"{LIST_PATH}/{vacancy.id}")
    return _form_page(page, vacancy_form.from_vacancy(vacancy).pad(), vacancy=vacancy)


@router.post(LIST_PATH + "/{vacancy_id}/edit")
async def save_vacancy(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    found = await recruiters_vacancy(page, vacancy_id)
    if isinstance(found, Response):
        return found
    caller, vacancy = found
    return await _submit(page, caller, vacancy)


@router.post(LIST_PATH + "/{vacancy_id}/close")
async def close_vacancy(vacancy_id: str, page: Page = Depends(portal_page)) -> Response:
    await checked_form(page)
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    wanted = parse_id(vacancy_id) or uuid.uuid4()
    try:
        async with page.database.transaction(caller.access_scope()) as conn:
            await service.close_vacancy(conn, caller, wanted)
    except UserError as error:
        if http_status(error) == 404:
            return not_found(page)
        return redirect(page, f"{LIST_PATH}/{wanted}")
    return redirect(page, f"{LIST_PATH}/{wanted}?done=closed")
