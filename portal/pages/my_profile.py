"""Correcting one's own profile: the form behind "Correct your profile" on the person's
page.

A thin handler over the use case behind GraphQL's ``updateMyProfile``
(:func:`exchange.consent_flow.rights.update_my_profile`): the form shows every field
employers see (and the person's own name and phone), and only the fields that differ
are sent as the correction (:mod:`portal.profile_form`), so the audit trail names what
the person actually changed.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from exchange.consent_flow import rights
from exchange.consent_flow.overview import ConsentOverview, consent_overview
from exchange.profiles.models import SECTORS
from infra.caller import Caller
from infra.errors import FieldError, NotFound, UserError
from portal import profile_form
from portal.errors import http_status
from portal.web import Page, checked_form, portal_page, redirect, render

router = APIRouter()

PATH = "/portal/me/profile"


def _show(
    page: Page,
    values: profile_form.ProfileForm,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
) -> Response:
    return render(
        page,
        "my_profile.html",
        status_code=status_code,
        errors=errors,
        f=values,
        skill_rows=values.skills + [("", "")] * profile_form.EMPTY_ROWS,
        language_rows=values.languages + [("", "")] * (profile_form.EMPTY_ROWS - 1),
        language_choices=profile_form.language_choices(values),
        levels=profile_form.LEVELS,
        roles=profile_form.ROLES,
        shifts=profile_form.SHIFTS,
        work_modes=profile_form.WORK_MODES,
        pay_periods=profile_form.PAY_PERIODS,
        sectors=SECTORS,
    )


async def _overview(page: Page, caller: Caller) -> ConsentOverview | None:
    async with page.database.transaction(caller.access_scope()) as conn:
        try:
            return await consent_overview(
                conn, caller, language=page.language, settings=page.settings
            )
        except NotFound:
            return None


@router.get(PATH)
async def profile_page(page: Page = Depends(portal_page)) -> Response:
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    overview = await _overview(page, caller)
    if overview is None:
        return render(page, "not_found.html", status_code=404)
    return _show(page, profile_form.form_of(overview, page.language))


@router.post(PATH)
async def correct_profile(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    overview = await _overview(page, caller)
    if overview is None:
        return render(page, "not_found.html", status_code=404)
    values = profile_form.form_from(form)
    try:
        update = profile_form.correction(profile_form.form_of(overview, page.language), values)
        if not update.changed_fields():
            return redirect(page, "/portal/me")
        async with page.database.transaction(caller.access_scope()) as conn:
            await rights.update_my_profile(conn, caller, page.services.normalizer, update)
    except UserError as error:
        return _show(page, values, status_code=http_status(error), errors=error.errors)
    return redirect(page, "/portal/me?done=corrected")
