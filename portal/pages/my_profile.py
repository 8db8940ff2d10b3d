"""Correcting one's own profile: the form behind "Correct your profile" on the person's
page.

A thin handler over the use case behind GraphQL's ``updateMyProfile``
(:func:`exchange.consent_flow.rights.update_my_profile`): the form shows the profile's
fields as they stand, and only the fields that differ are sent as the correction, so
the audit trail names what the person actually changed. Field names follow the GraphQL
input's (``postcodeArea``, ``hoursMin`` …), so the use case's errors land on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.datastructures import FormData

from exchange.consent_flow import rights
from exchange.consent_flow.overview import ConsentOverview, consent_overview
from exchange.consent_flow.updates import MyProfileUpdate
from exchange.profiles.models import CompetencyInput
from infra.caller import Caller
from infra.errors import FieldError, NotFound, UserError
from matching.types import Shift, WorkMode
from portal.errors import http_status
from portal.web import Page, checked_form, portal_page, redirect, render, text

router = APIRouter()

PATH = "/portal/me/profile"
EMPTY_SKILL_ROWS = 3  # room to add skills without JavaScript
MAX_SKILL_ROWS = 100  # more than a profile holds (60): the use case says "too many"
SHIFTS = tuple(s.value for s in Shift)
WORK_MODES = tuple(m.value for m in WorkMode)


@dataclass
class ProfileForm:
    """What the form's fields hold, as text."""

    full_name: str = ""
    phone: str = ""
    headline: str = ""
    postcode_area: str = ""
    max_travel_km: str = ""
    hours_min: str = ""
    hours_max: str = ""
    available_from: str = ""
    skills: list[tuple[str, str]] = field(default_factory=list)  # (phrase, level or "")
    shifts: set[str] = field(default_factory=set)
    work_modes: set[str] = field(default_factory=set)


def form_of(o: ConsentOverview) -> ProfileForm:
    p = o.profile
    return ProfileForm(
        full_name=o.contact_name or "",
        phone=o.contact_phone or "",
        headline=p.headline or "",
        postcode_area=p.postcode_area,
        max_travel_km=str(p.max_travel_km),
        hours_min=str(p.hours_min),
        hours_max=str(p.hours_max),
        available_from=p.available_from.isoformat(),
        skills=[(c.phrase, str(c.level) if c.level else "") for c in p.competencies],
        shifts={s.value for s in p.shifts},
        work_modes={m.value for m in p.work_modes},
    )


def form_from(form: FormData) -> ProfileForm:
    rows = text(form, "skillRows")
    skills = []
    for i in range(min(int(rows), MAX_SKILL_ROWS) if rows.isdigit() else 0):
        phrase = text(form, f"skill-{i}")
        if phrase:
            skills.append((phrase, text(form, f"level-{i}")))
    return ProfileForm(
        full_name=text(form, "fullName"),
        phone=text(form, "phone"),
        headline=text(form, "headline"),
        postcode_area=text(form, "postcodeArea"),
        max_travel_km=text(form, "maxTravelKm"),
        hours_min=text(form, "hoursMin"),
        hours_max=text(form, "hoursMax"),
        available_from=text(form, "availableFrom"),
        skills=skills,
        shifts={str(v) for v in form.getlist("shifts") if v in SHIFTS},
        work_modes={str(v) for v in form.getlist("workModes") if v in WORK_MODES},
    )


def correction(before: ProfileForm, after: ProfileForm) -> MyProfileUpdate:
    """The fields that differ, parsed; a :class:`UserError` names the ones that do not parse."""
    errors: list[FieldError] = []

    def number(name: str, value: str) -> int | None:
        if value.isdigit() and len(value) <= 6:
            return int(value)
        errors.append(FieldError(f"input.{name}", "INVALID", "not a whole number"))
        return None

    def changed(name: str) -> bool:
        return bool(getattr(before, name) != getattr(after, name))

    values: dict[str, Any] = {}
    for name, key in (
        ("max_travel_km", "maxTravelKm"),
        ("hours_min", "hoursMin"),
        ("hours_max", "hoursMax"),
    ):
        if changed(name):
            values[name] = number(key, getattr(after, name))
    if changed("available_from"):
        try:
            values["available_from"] = dt.date.fromisoformat(after.available_from)
        except ValueError:
            errors.append(FieldError("input.availableFrom", "INVALID", "not a date"))
    if changed("skills"):
        competencies = []
        for i, (phrase, level) in enumerate(after.skills):
            if level and not (level.isdigit() and len(level) == 1):
                errors.append(FieldError(f"input.competencies.{i}.level", "OUT_OF_RANGE", "1-5"))
            competencies.append(CompetencyInput(phrase, int(level) if level.isdigit() else None))
        values["competencies"] = tuple(competencies)
    if errors:
        raise UserError(errors)
    for name in ("full_name", "phone", "headline", "postcode_area"):
        if changed(name):
            values[name] = getattr(after, name)
    if changed("shifts"):
        values["shifts"] = tuple(Shift(s) for s in SHIFTS if s in after.shifts)
    if changed("work_modes"):
        values["work_modes"] = tuple(WorkMode(m) for m in WORK_MODES if m in after.work_modes)
    return MyProfileUpdate(**values)


def _show(
    page: Page,
    values: ProfileForm,
    *,
    status_code: int = 200,
    errors: list[FieldError] | None = None,
) -> Response:
    rows = values.skills + [("", "")] * EMPTY_SKILL_ROWS
    return render(
        page,
        "my_profile.html",
        status_code=status_code,
        errors=errors,
        f=values,
        skill_rows=rows,
        shifts=SHIFTS,
        work_modes=WORK_MODES,
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
async def profile_form(page: Page = Depends(portal_page)) -> Response:
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    overview = await _overview(page, caller)
    if overview is None:
        return render(page, "not_found.html", status_code=404)
    return _show(page, form_of(overview))


@router.post(PATH)
async def correct_profile(page: Page = Depends(portal_page)) -> Response:
    form = await checked_form(page)
    caller = page.caller
    if caller is None:
        return render(page, "no_session.html", status_code=401)
    overview = await _overview(page, caller)
    if overview is None:
        return render(page, "not_found.html", status_code=404)
    values = form_from(form)
    try:
        update = correction(form_of(overview), values)
        if not update.changed_fields():
            return redirect(page, "/portal/me")
        async with page.database.transaction(caller.access_scope()) as conn:
            await rights.update_my_profile(conn, caller, page.services.normalizer, update)
    except UserError as error:
        return _show(page, values, status_code=http_status(error), errors=error.errors)
    return redirect(page, "/portal/me?done=corrected")
