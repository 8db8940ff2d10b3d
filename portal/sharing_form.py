"""The share-a-profile form: its fields as typed, read into the use case's
``ShareProfileInput``. Competency and language rows are numbered like the vacancy form's
(``comp-0-phrase``, ``lang-0-code``); empty rows are dropped and the rest renumbered."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from exchange.profiles.models import (
    SECTORS,
    CompetencyInput,
    ContactInput,
    LanguageInput,
    ProfileInput,
    ShareProfileInput,
)
from infra.errors import Collector
from matching.types import Pay, PayPeriod, ProfileKind, Role, Shift, WorkMode
from portal.labels import N_
from portal.vacancy_form import (
    cents,
    choice,
    date,
    integer,
    language_rows_of,
    many,
    padded_rows,
    rows,
    value,
)

EXTRA_ROWS = 3

FIELDS: dict[str, tuple[str, str, str]] = {
    "input.profile.kind": ("kind-REJECTED_CANDIDATE", N_("Kind"), "other"),
    "input.contact.fullName": ("full_name", N_("Name"), "other"),
    "input.contact.email": ("email", N_("Email address"), "other"),
    "input.contact.phone": ("phone", N_("Phone number"), "other"),
    "input.language": ("language", N_("The person's language"), "other"),
    "input.profile.headline": ("headline", N_("Headline"), "other"),
    "input.profile.notFitReason": ("not_fit_reason", N_("Why it was not a fit"), "other"),
    "input.profile.presentRole": ("present_role", N_("Present role"), "other"),
    "input.profile.postcodeArea": ("postcode_area", N_("Postcode area"), "other"),
    "input.profile.maxTravelKm": ("max_travel_km", N_("Travels up to (km)"), "travel"),
    "input.profile.hoursMin": ("hours_min", N_("Hours per week, at least"), "hours"),
    "input.profile.hoursMax": ("hours_max", N_("Hours per week, at most"), "hours"),
    "input.profile.availableFrom": ("available_from", N_("Available from"), "date"),
    "input.profile.minPay.amount": ("min_pay", N_("Minimum pay"), "pay"),
    "input.profile.competencies": ("comp-0-phrase", N_("Skills"), "other"),
    "input.profile.competencies.N.phrase": ("comp-{n}-phrase", N_("Skill"), "other"),
    "input.profile.competencies.N.level": ("comp-{n}-level", N_("Level of skill"), "level"),
    "input.profile.languages": ("lang-0-code", N_("Languages"), "other"),
    "input.profile.languages.N.language": ("lang-{n}-code", N_("Language"), "other"),
    "input.profile.languages.N.level": ("lang-{n}-level", N_("Level of language"), "other"),
    "input.profile.shifts": ("shift-DAY", N_("Shifts"), "other"),
    "input.profile.workModes": ("work_mode-ON_SITE", N_("Work mode"), "other"),
    "input.profile.ambitions": ("ambition-AGENT", N_("Ambitions"), "other"),
    "input.profile.transferableSectors": ("sector-0", N_("Experience from other sectors"), "other"),
    "input.profile.transferableSectors.N": (
        "sector-0",
        N_("Experience from other sectors"),
        "other",
    ),
}


@dataclass
class CompetencyRow:
    phrase: str = ""
    level: str = ""


@dataclass
class LanguageRow:
    code: str = ""
    level: str = ""


@dataclass
class ShareForm:
    kind: str = ProfileKind.REJECTED_CANDIDATE.value
    full_name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "nl"
    headline: str = ""
    not_fit_reason: str = ""
    present_role: str = ""
    postcode_area: str = ""
    max_travel_km: str = "25"
    hours_min: str = ""
    hours_max: str = ""
    available_from: str = ""
    min_pay: str = ""
    min_pay_period: str = PayPeriod.HOUR.value
    shifts: list[str] = field(default_factory=list)
    work_modes: list[str] = field(default_factory=list)
    ambitions: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    competencies: list[CompetencyRow] = field(default_factory=list)
    languages: list[LanguageRow] = field(default_factory=list)
    competency_rows: int = 0
    language_rows: int = 0

    def pad(self) -> ShareForm:
        self.competency_rows = padded_rows(self.competency_rows, len(self.competencies), EXTRA_ROWS)
        self.language_rows = padded_rows(self.language_rows, len(self.languages), 2)
        self.competencies += [
            CompetencyRow() for _ in range(self.competency_rows - len(self.competencies))
        ]
        self.languages += [LanguageRow() for _ in range(self.language_rows - len(self.languages))]
        return self


def read_form(form: FormData) -> ShareForm:
    competency_rows, language_rows = rows(form, "comp_rows"), rows(form, "lang_rows")
    competencies = [
        CompetencyRow(value(form, f"comp-{i}-phrase"), value(form, f"comp-{i}-level"))
        for i in range(competency_rows)
    ]
    languages = [LanguageRow(row.code, row.level) for row in language_rows_of(form, language_rows)]
    return ShareForm(
        kind=value(form, "kind"),
        full_name=value(form, "full_name"),
        email=value(form, "email"),
        phone=value(form, "phone"),
        language=value(form, "language"),
        headline=value(form, "headline"),
        not_fit_reason=value(form, "not_fit_reason"),
        present_role=value(form, "present_role"),
        postcode_area=value(form, "postcode_area"),
        max_travel_km=value(form, "max_travel_km"),
        hours_min=value(form, "hours_min"),
        hours_max=value(form, "hours_max"),
        available_from=value(form, "available_from"),
        min_pay=value(form, "min_pay"),
        min_pay_period=value(form, "min_pay_period"),
        shifts=many(form, "shifts"),
        work_modes=many(form, "work_modes"),
        ambitions=many(form, "ambitions"),
        sectors=many(form, "sectors"),
        competencies=[c for c in competencies if c.phrase],
        languages=languages,
        competency_rows=competency_rows,
        language_rows=language_rows,
    )


def to_input(form: ShareForm) -> ShareProfileInput:
    """The use case's input; a ``UserError`` for what is not even a number, date or choice."""
    errors = Collector()
    kind = choice(errors, "input.profile.kind", ProfileKind, form.kind)
    present_role = (
        choice(errors, "input.profile.presentRole", Role, form.present_role)
        if form.present_role
        else None
    )
    travel = integer(errors, "input.profile.maxTravelKm", form.max_travel_km)
    hours_min = integer(errors, "input.profile.hoursMin", form.hours_min)
    hours_max = integer(errors, "input.profile.hoursMax", form.hours_max)
    available_from = date(errors, "input.profile.availableFrom", form.available_from)
    min_pay = None
    if form.min_pay:
        period = choice(errors, "input.profile.minPay.amount", PayPeriod, form.min_pay_period)
        amount = cents(errors, "input.profile.minPay.amount", form.min_pay)
        if period is not None and amount is not None:
            min_pay = Pay(amount, period)
    shifts = [choice(errors, "input.profile.shifts", Shift, s) for s in form.shifts]
    modes = [choice(errors, "input.profile.workModes", WorkMode, m) for m in form.work_modes]
    ambitions = [choice(errors, "input.profile.ambitions", Role, a) for a in form.ambitions]
    competencies = []
    for i, row in enumerate(form.competencies):
        level = integer(errors, f"input.profile.competencies.{i}.level", row.level, required=False)
        competencies.append(CompetencyInput(row.phrase, level))
    errors.raise_if_any()
    assert kind is not None and available_from is not None
    assert travel is not None and hours_min is not None and hours_max is not None
    return ShareProfileInput(
        profile=ProfileInput(
            kind=kind,
            postcode_area=form.postcode_area,
            max_travel_km=travel,
            hours_min=hours_min,
            hours_max=hours_max,
            available_from=available_from,
            competencies=tuple(competencies),
            languages=tuple(LanguageInput(row.code, row.level) for row in form.languages),
            headline=form.headline or None,
            not_fit_reason=form.not_fit_reason or None,
            present_role=present_role,
            ambitions=tuple(a for a in ambitions if a is not None),
            shifts=tuple(s for s in shifts if s is not None),
            work_modes=tuple(m for m in modes if m is not None),
            min_pay=min_pay,
            transferable_sectors=tuple(form.sectors),
        ),
        contact=ContactInput(form.full_name, form.email, form.phone or None),
        language=form.language,
    )


KINDS = [kind.value for kind in ProfileKind]
SECTOR_CODES = list(SECTORS)
