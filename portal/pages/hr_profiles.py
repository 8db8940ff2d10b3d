"""Sharing a profile from the recruiter's pages: the form for a rejected applicant or an
agent ready to move, with the person's contact data (a consent mail goes out, nothing is
visible until the person confirms), and the list of what this partner shared with each
profile's consent state. Over ``profiles.service`` (the GraphQL ``shareProfile``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.profiles import service
from exchange.profiles.models import ProfileStatus
from infra.errors import UserError
from matching.types import PayPeriod, Role, Shift, WorkMode
from portal import sharing_form
from portal.errors import http_status
from portal.labels import LANGUAGE_NAMES, N_
from portal.recruiter import recruiter, refuse, services, show, shown_errors
from portal.sharing_form import ShareForm
from portal.vacancy_form import CEFR_LEVELS
from portal.web import Page, checked_form, portal_page, redirect

router = APIRouter()

LIST_PATH = "/portal/hr/profiles"
SHARE_PATH = "/portal/hr/profiles/share"

CONSENT_STATE = {
    ProfileStatus.PENDING_CONSENT: N_("waiting for the person's consent"),
    ProfileStatus.ACTIVE: N_("consent given: visible as a match"),
    ProfileStatus.PAUSED: N_("paused (placed, or paused by the person)"),
    ProfileStatus.EXPIRED: N_("consent expired"),
    ProfileStatus.WITHDRAWN: N_("consent withdrawn"),
}


def _form_page(
    page: Page, form: ShareForm, *, status_code: int = 200, errors: UserError | None = None
) -> Response:
    return show(
        page,
        "hr_share_profile.html",
        status_code=status_code,
        section="profiles",
        form=form,
        form_errors=shown_errors(page, errors.errors, sharing_form.FIELDS) if errors else [],
        kinds=sharing_form.KINDS,
        roles=[r.value for r in Role],
        shifts=[s.value for s in Shift],
        work_modes=[m.value for m in WorkMode],
        pay_periods=[p.value for p in PayPeriod],
        sectors=sharing_form.SECTOR_CODES,
        cefr_levels=CEFR_LEVELS,
        language_codes=list(LANGUAGE_NAMES),
    )


@router.get(SHARE_PATH)
async def share_form(page: Page = Depends(portal_page)) -> Response:
    if recruiter(page) is None:
        return refuse(page)
    return _form_page(page, ShareForm(language=page.language).pad())


@router.post(SHARE_PATH)
async def share(page: Page = Depends(portal_page)) -> Response:
    form_data = await checked_form(page)
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    form = sharing_form.read_form(form_data)
    try:
        data = sharing_form.to_input(form)
        async with page.database.transaction(caller.access_scope()) as conn:
            await service.share_profile(
                conn, caller, services(page).normalizer, data, settings=page.settings
            )
    except UserError as error:
        return _form_page(page, form.pad(), status_code=http_status(error), errors=error)
    return redirect(page, f"{LIST_PATH}?done=shared")


@router.get(LIST_PATH)
async def shared_profiles(page: Page = Depends(portal_page)) -> Response:
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        listed = await service.list_shared_profiles(
            conn, caller, status=None, limit=100, after=None
        )
    return show(
        page,
        "hr_profiles.html",
        section="profiles",
        profiles=[(p, page.gettext(CONSENT_STATE[p.status])) for p in listed.items],
        more=listed.has_next_page,
        done=page.request.query_params.get("done"),
    )
