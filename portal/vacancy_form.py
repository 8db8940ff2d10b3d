"""The vacancy form: its fields as typed (so a refused form comes back as it was sent),
read into the use case's ``VacancyInput``, and filled from a stored vacancy for editing.

Requirements and languages are numbered rows (``req-0-phrase``, ``lang-0-code`` …); empty
rows are dropped, and the remaining ones renumbered, before the use case sees them, so its
error paths (``input.requirements.2.weight``) name the rows the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import FormData

from exchange.vacancies.models import (
    LanguageRequirementInput,
    PayRange,
    RequirementInput,
    Vacancy,
    VacancyInput,
)
from infra.errors import Collector
from matching.types import CefrLevel, PayPeriod, Role, Shift, WorkMode
from portal.labels import N_

EXTRA_REQUIREMENT_ROWS = 3
EXTRA_LANGUAGE_ROWS = 2
MORE_ROWS = 5
MAX_ROWS = 40

_Choice = TypeVar("_Choice", bound=StrEnum)

FIELDS: dict[str, tuple[str, str, str]] = {
    "input.title": ("title", N_("Job title"), "other"),
    "input.description": ("description", N_("Description"), "other"),
    "input.role": ("role", N_("Role"), "other"),
    "input.roleLevel": ("role_level", N_("Role level"), "level"),
    "input.postcodeArea": ("postcode_area", N_("Postcode area"), "other"),
    "input.hoursMin": ("hours_min", N_("Hours per week, at least"), "hours"),
    "input.hoursMax": ("hours_max", N_("Hours per week, at most"), "hours"),
    "input.shifts": ("shift-DAY", N_("Shifts"), "other"),
    "input.workMode": ("work_mode-ON_SITE", N_("Work mode"), "other"),
    "input.pay.min": ("pay_min", N_("Pay from"), "pay"),
    "input.pay.max": ("pay_max", N_("Pay up to"), "pay"),
    "input.pay.period": ("pay_period", N_("Pay per"), "pay"),
    "input.trainingOffered": ("training_offered", N_("Training offered"), "other"),
    "input.softSkillWeight": ("soft_skill_weight", N_("Weight of soft skills"), "soft"),
    "input.startDate": ("start_date", N_("Start date"), "date"),
    "input.requirements": ("req-0-phrase", N_("Requirements"), "other"),
    "input.requirements.N.phrase": ("req-{n}-phrase", N_("Requirement"), "other"),
    "input.requirements.N.weight": ("req-{n}-weight", N_("Weight of requirement"), "weight"),
    "input.requirements.N.minLevel": ("req-{n}-level", N_("Minimum level of requirement"), "level"),
    "input.languages": ("lang-0-code", N_("Languages"), "other"),
    "input.languages.N.language": ("lang-{n}-code", N_("Language"), "other"),
    "input.languages.N.level": ("lang-{n}-level", N_("Level of language"), "other"),
}


@dataclass
class RequirementRow:
    phrase: str = ""
    must_have: bool = False
    weight: str = "1"
    level: str = ""


@dataclass
class LanguageRow:
    code: str = ""
    level: str = ""
    must_have: bool = True


@dataclass
class VacancyForm:
    title: str = ""
    description: str = ""
    role: str = Role.AGENT.value
    role_level: str = "1"
    postcode_area: str = ""
    hours_min: str = ""
    hours_max: str = ""
    shifts: list[str] = field(default_factory=list)
    work_mode: str = WorkMode.ON_SITE.value
    pay_min: str = ""
    pay_max: str = ""
    pay_period: str = PayPeriod.HOUR.value
    training_offered: str = ""
    soft_skill_weight: str = "1"
    start_date: str = ""
    requirements: list[RequirementRow] = field(default_factory=list)
    languages: list[LanguageRow] = field(default_factory=list)
    requirement_rows: int = 0
    language_rows: int = 0

    def pad(self, *, more_requirements: int = 0) -> VacancyForm:
        """Room for new rows: the filled ones and a few empty ones."""
        wanted = (
            max(self.requirement_rows, len(self.requirements) + EXTRA_REQUIREMENT_ROWS)
            + more_requirements
        )
        self.requirement_rows = min(wanted, MAX_ROWS)
        self.language_rows = padded_rows(
            self.language_rows, len(self.languages), EXTRA_LANGUAGE_ROWS
        )
        self.requirements += [
            RequirementRow() for _ in range(self.requirement_rows - len(self.requirements))
        ]
        self.languages += [
            LanguageRow(must_have=False) for _ in range(self.language_rows - len(self.languages))
        ]
        return self


def value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def rows(form: FormData, name: str) -> int:
    count = value(form, name)
    return min(int(count), MAX_ROWS) if count.isdigit() else 0


def many(form: FormData, name: str) -> list[str]:
    """Every value of a repeated field (ticked checkboxes)."""
    return [v for v in form.getlist(name) if isinstance(v, str)]


def padded_rows(shown: int, filled: int, extra: int) -> int:
    """How many numbered rows a form shows: as many as before, or the filled ones and
    ``extra`` empty ones, whichever is more, up to :data:`MAX_ROWS`."""
    return min(max(shown, filled + extra), MAX_ROWS)


@dataclass(frozen=True)
class SentLanguageRow:
    index: int
    code: str
    level: str


def language_rows_of(form: FormData, count: int) -> list[SentLanguageRow]:
    """The sent language rows (``lang-N-code``, ``lang-N-level``) that name a language or
    a level, in order; the index is the row's as sent, for its other fields."""
    sent = (
        SentLanguageRow(i, value(form, f"lang-{i}-code"), value(form, f"lang-{i}-level"))
        for i in range(count)
    )
    return [row for row in sent if row.code or row.level]


def read_form(form: FormData) -> VacancyForm:
    """The form as sent, with empty requirement and language rows dropped."""
    requirement_rows, language_rows = rows(form, "req_rows"), rows(form, "lang_rows")
    languages = [
        LanguageRow(row.code, row.level, value(form, f"lang-{row.index}-must") == "yes")
        for row in language_rows_of(form, language_rows)
    ]
    requirements = [
        RequirementRow(
            phrase=value(form, f"req-{i}-phrase"),
            must_have=value(form, f"req-{i}-must") == "yes",
            weight=value(form, f"req-{i}-weight") or "1",
            level=value(form, f"req-{i}-level"),
        )
        for i in range(requirement_rows)
    ]
    return VacancyForm(
        title=value(form, "title"),
        description=value(form, "description"),
        role=value(form, "role"),
        role_level=value(form, "role_level"),
        postcode_area=value(form, "postcode_area"),
        hours_min=value(form, "hours_min"),
        hours_max=value(form, "hours_max"),
        shifts=many(form, "shifts"),
        work_mode=value(form, "work_mode"),
        pay_min=value(form, "pay_min"),
        pay_max=value(form, "pay_max"),
        pay_period=value(form, "pay_period"),
        training_offered=value(form, "training_offered"),
        soft_skill_weight=value(form, "soft_skill_weight") or "1",
        start_date=value(form, "start_date"),
        requirements=[r for r in requirements if r.phrase],
        languages=languages,
        requirement_rows=requirement_rows,
        language_rows=language_rows,
    )


def integer(errors: Collector, path: str, value: str, *, required: bool = True) -> int | None:
    if not value:
        if required:
            errors.add(path, "REQUIRED", "must not be empty")
        return None
    if not value.lstrip("-").isdigit() or len(value) > 6:
        errors.add(path, "INVALID_NUMBER", "must be a whole number")
        return None
    return int(value)


def date(errors: Collector, path: str, value: str) -> dt.date | None:
    if not value:
        errors.add(path, "REQUIRED", "must not be empty")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(path, "INVALID_DATE", "must be a date")
        return None


def cents(errors: Collector, path: str, value: str) -> int | None:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.add(path, "INVALID_AMOUNT", "must be an amount in euros")
        return None
    if not amount.is_finite() or abs(amount) > 1_000_000:
        errors.add(path, "INVALID_AMOUNT", "must be an amount in euros")
        return None
    return int((amount * 100).to_integral_value())


def _weight(errors: Collector, path: str, value: str) -> float:
    try:
        weight = float(Decimal(value.replace(",", ".")))
    except InvalidOperation:
        errors.add(path, "INVALID_NUMBER", "must be a number")
        return 1.0
    return weight


def choice(errors: Collector, path: str, kind: type[_Choice], value: str) -> _Choice | None:
    try:
        return kind(value)
    except ValueError:
        errors.add(path, "INVALID_CHOICE", "choose one of the options")
        return None


def to_input(form: VacancyForm) -> VacancyInput:
    """The use case's input; a ``UserError`` naming each field that is not even a number,
    a date or one of the choices (the use case checks the rest)."""
    errors = Collector()
    role = choice(errors, "input.role", Role, form.role)
    work_mode = choice(errors, "input.workMode", WorkMode, form.work_mode)
    shifts = [choice(errors, "input.shifts", Shift, s) for s in form.shifts]
    role_level = integer(errors, "input.roleLevel", form.role_level)
    hours_min = integer(errors, "input.hoursMin", form.hours_min)
    hours_max = integer(errors, "input.hoursMax", form.hours_max)
    start_date = date(errors, "input.startDate", form.start_date)
    pay = None
    if form.pay_min or form.pay_max:
        period = choice(errors, "input.pay.period", PayPeriod, form.pay_period)
        low = cents(errors, "input.pay.min", form.pay_min or form.pay_max)
        high = cents(errors, "input.pay.max", form.pay_max or form.pay_min)
        if period is not None and low is not None and high is not None:
            pay = PayRange(low, high, period)
    requirements = []
    for i, row in enumerate(form.requirements):
        level = integer(errors, f"input.requirements.{i}.minLevel", row.level, required=False)
        weight = _weight(errors, f"input.requirements.{i}.weight", row.weight)
        requirements.append(RequirementInput(row.phrase, row.must_have, weight, level))
    languages = tuple(
        LanguageRequirementInput(row.code, row.level, row.must_have) for row in form.languages
    )
    soft_skill_weight = _weight(errors, "input.softSkillWeight", form.soft_skill_weight)
    errors.raise_if_any()
    assert role is not None and work_mode is not None and start_date is not None
    assert role_level is not None and hours_min is not None and hours_max is not None
    return VacancyInput(
        title=form.title,
        postcode_area=form.postcode_area,
        hours_min=hours_min,
        hours_max=hours_max,
        start_date=start_date,
        description=form.description,
        role=role,
        role_level=role_level,
        pay=pay,
        shifts=tuple(s for s in shifts if s is not None),
        work_mode=work_mode,
        training_offered=form.training_offered,
        soft_skill_weight=soft_skill_weight,
        requirements=tuple(requirements),
        languages=languages,
    )


def _amount(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def from_vacancy(vacancy: Vacancy) -> VacancyForm:
    """The form filled with a stored vacancy (a phrase split into parts shows once)."""
    requirements: list[RequirementRow] = []
    seen: set[tuple[str, bool, float, int | None]] = set()
    for r in vacancy.requirements:
        key = (r.phrase, r.must_have, r.weight, r.min_level)
        if key in seen:
            continue
        seen.add(key)
        requirements.append(
            RequirementRow(
                r.phrase, r.must_have, f"{r.weight:g}", str(r.min_level) if r.min_level else ""
            )
        )
    return VacancyForm(
        title=vacancy.title,
        description=vacancy.description,
        role=vacancy.role.value,
        role_level=str(vacancy.role_level),
        postcode_area=vacancy.postcode_area,
        hours_min=str(vacancy.hours_min),
        hours_max=str(vacancy.hours_max),
        shifts=[s.value for s in vacancy.shifts],
        work_mode=vacancy.work_mode.value,
        pay_min=_amount(vacancy.pay.min_cents) if vacancy.pay else "",
        pay_max=_amount(vacancy.pay.max_cents) if vacancy.pay else "",
        pay_period=vacancy.pay.period.value if vacancy.pay else PayPeriod.HOUR.value,
        training_offered=vacancy.training_offered,
        soft_skill_weight=f"{vacancy.soft_skill_weight:g}",
        start_date=vacancy.start_date.isoformat(),
        requirements=requirements,
        languages=[
            LanguageRow(lang.language, lang.min_level.value, lang.must_have)
            for lang in vacancy.languages
        ],
    )


CEFR_LEVELS = [level.value for level in CefrLevel]
ROLES = [role.value for role in Role]
SHIFTS = [shift.value for shift in Shift]
WORK_MODES = [mode.value for mode in WorkMode]
PAY_PERIODS = [period.value for period in PayPeriod]
