"""The profile correction form's values: from the profile, from a POST, and the
correction they make (:class:`exchange.consent_flow.updates.MyProfileUpdate`).

Every field is text as the form holds it; :func:`correction` sends only the fields that
differ from the profile as it stands, parsed, and names the ones that do not parse with
the GraphQL input's field names (``input.hoursMin`` …), so that a form error and a use
case error land on the same field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from exchange.consent_flow.overview import ConsentOverview
from exchange.consent_flow.updates import MyProfileUpdate
from exchange.profiles.models import SECTORS, CompetencyInput, LanguageInput
from infra.errors import FieldError, UserError
from matching.types import CefrLevel, Pay, PayPeriod, Role, Shift, WorkMode
from portal.labels import LANGUAGE_NAMES
from portal.web import text

EMPTY_ROWS = 3  # room to add skills (and 2 languages) without JavaScript
MAX_ROWS = 100  # more than a profile holds: the use case says "too many"
SHIFTS = tuple(s.value for s in Shift)
WORK_MODES = tuple(m.value for m in WorkMode)
ROLES = tuple(r.value for r in Role)
LEVELS = tuple(level.value for level in CefrLevel)
PAY_PERIODS = tuple(p.value for p in PayPeriod)
AMOUNT = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")


@dataclass
class ProfileForm:
    full_name: str = ""
    phone: str = ""
    headline: str = ""
    present_role: str = ""
    postcode_area: str = ""
    max_travel_km: str = ""
    hours_min: str = ""
    hours_max: str = ""
    available_from: str = ""
    min_pay_amount: str = ""
    min_pay_period: str = "HOUR"
    skills: list[tuple[str, str]] = field(default_factory=list)  # (phrase, level or "")
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, CEFR level)
    ambitions: set[str] = field(default_factory=set)
    shifts: set[str] = field(default_factory=set)
    work_modes: set[str] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)


def amount_text(cents: int, language: str) -> str:
    """Cents as the form shows euros: ``14,50`` (Dutch), ``14.50``, or ``2400``."""
    if cents % 100 == 0:
        return str(cents // 100)
    value = f"{cents // 100}.{cents % 100:02d}"
    return value.replace(".", ",") if language == "nl" else value


def form_of(o: ConsentOverview, language: str) -> ProfileForm:
    p = o.profile
    return ProfileForm(
        full_name=o.contact_name or "",
        phone=o.contact_phone or "",
        headline=p.headline or "",
        present_role=p.present_role.value if p.present_role else "",
        postcode_area=p.postcode_area,
        max_travel_km=str(p.max_travel_km),
        hours_min=str(p.hours_min),
        hours_max=str(p.hours_max),
        available_from=p.available_from.isoformat(),
        min_pay_amount=amount_text(p.min_pay.amount_cents, language) if p.min_pay else "",
        min_pay_period=p.min_pay.period.value if p.min_pay else "HOUR",
        skills=[(c.phrase, str(c.level) if c.level else "") for c in p.competencies],
        languages=[(lang.language, lang.level.value) for lang in p.languages],
        ambitions={r.value for r in p.ambitions},
        shifts={s.value for s in p.shifts},
        work_modes={m.value for m in p.work_modes},
        sectors=set(p.transferable_sectors),
    )


def _rows(form: FormData, count: str, first: str, second: str) -> list[tuple[str, str]]:
    wanted = text(form, count)
    rows = []
    for i in range(min(int(wanted), MAX_ROWS) if wanted.isdigit() else 0):
        value = text(form, f"{first}-{i}")
        if value:
            rows.append((value, text(form, f"{second}-{i}")))
    return rows


def _ticked(form: FormData, name: str, allowed: tuple[str, ...]) -> set[str]:
    return {str(v) for v in form.getlist(name) if v in allowed}


def form_from(form: FormData) -> ProfileForm:
    role = text(form, "presentRole")
    period = text(form, "minPayPeriod")
    return ProfileForm(
        full_name=text(form, "fullName"),
        phone=text(form, "phone"),
        headline=text(form, "headline"),
        present_role=role if role in ROLES else "",
        postcode_area=text(form, "postcodeArea"),
        max_travel_km=text(form, "maxTravelKm"),
        hours_min=text(form, "hoursMin"),
        hours_max=text(form, "hoursMax"),
        available_from=text(form, "availableFrom"),
        min_pay_amount=text(form, "minPayAmount"),
        min_pay_period=period if period in PAY_PERIODS else "HOUR",
        skills=_rows(form, "skillRows", "skill", "level"),
        languages=_rows(form, "languageRows", "language", "languageLevel"),
        ambitions=_ticked(form, "ambitions", ROLES),
        shifts=_ticked(form, "shifts", SHIFTS),
        work_modes=_ticked(form, "workModes", WORK_MODES),
        sectors=_ticked(form, "sectors", SECTORS),
    )


def language_choices(values: ProfileForm) -> list[str]:
    """The languages a row can name: the ones the portal has words for, and any other
    the profile already lists."""
    listed = [code for code, _ in values.languages if code not in LANGUAGE_NAMES]
    return [*LANGUAGE_NAMES, *listed]


def correction(before: ProfileForm, after: ProfileForm) -> MyProfileUpdate:
    """The fields that differ, parsed; a :class:`UserError` names the ones that do not parse."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}

    def changed(name: str) -> bool:
        return bool(getattr(before, name) != getattr(after, name))

    numbers = (("max_travel_km", "maxTravelKm"), ("hours_min", "hoursMin"))
    for name, key in (*numbers, ("hours_max", "hoursMax")):
        if changed(name):
            value = getattr(after, name)
            if value.isdigit() and len(value) <= 6:
                values[name] = int(value)
            else:
                errors.append(FieldError(f"input.{key}", "INVALID", "not a whole number"))
    if changed("available_from"):
        try:
            values["available_from"] = dt.date.fromisoformat(after.available_from)
        except ValueError:
            errors.append(FieldError("input.availableFrom", "INVALID", "not a date"))
    if changed("min_pay_amount") or changed("min_pay_period"):
        if not after.min_pay_amount:
            values["clear_min_pay"] = bool(before.min_pay_amount)
        elif cents := _cents(after.min_pay_amount):
            values["min_pay"] = Pay(cents, PayPeriod(after.min_pay_period))
        else:
            errors.append(FieldError("input.minPay.amount", "INVALID", "not an amount"))
    if errors:
        raise UserError(errors)
    if changed("skills"):
        values["competencies"] = tuple(
            CompetencyInput(phrase, int(level) if level.isdigit() else None)
            for phrase, level in after.skills
        )
    if changed("languages"):
        values["languages"] = tuple(LanguageInput(code, level) for code, level in after.languages)
    for name in ("full_name", "phone", "headline"):
        if changed(name):
            values[name] = getattr(after, name)
    if changed("postcode_area"):
        values["postcode_area"] = after.postcode_area
    if changed("present_role") and after.present_role:
        values["present_role"] = Role(after.present_role)
    for name, kind, order in (
        ("ambitions", Role, ROLES),
        ("shifts", Shift, SHIFTS),
        ("work_modes", WorkMode, WORK_MODES),
    ):
        if changed(name):
            values[name] = tuple(kind(v) for v in order if v in getattr(after, name))
    if changed("sectors"):
        values["transferable_sectors"] = tuple(s for s in SECTORS if s in after.sectors)
    return MyProfileUpdate(**values)


def _cents(amount: str) -> int | None:
    if not AMOUNT.match(amount):
        return None
    try:
        cents = int(Decimal(amount.replace(",", ".")) * 100)
    except InvalidOperation:
        return None
    return cents or None
