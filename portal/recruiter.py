"""What the recruiter's pages (``portal/pages/hr_*.py``) share: who may open them, the
app's collaborators they use, ids from the path, and field errors in the page's words.

Only a signed-in partner HR staff user is a recruiter: no session or a candidate's session
gets the staff sign-in page (401), a consortium admin's session a refusal (403). Another
partner's vacancy, match or introduction answers exactly as a random id does: 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from fastapi.responses import Response

from exchange.competencies import CompetencyNormalizer
from exchange.matching.engine import MatchEngine
from exchange.matching.proposals import ProposalCache
from exchange.vacancies import service as vacancies
from exchange.vacancies.models import Vacancy
from infra.caller import Caller, CallerRole
from infra.db import Database
from infra.errors import FieldError
from infra.settings import Settings
from matching.types import RequirementExplanation
from portal.labels import N_
from portal.web import Page, render

HR_HOME = "/portal/hr"
PAGE_SIZE = 10


class RecruiterServices(Protocol):
    """What the recruiter's pages use of the app's collaborators (``entrypoints.app.Services``)."""

    settings: Settings
    database: Database
    normalizer: CompetencyNormalizer
    match_engine: MatchEngine | None
    proposal_cache: ProposalCache


def services(page: Page) -> RecruiterServices:
    return cast(RecruiterServices, page.services)


def engine(page: Page) -> MatchEngine:
    found = services(page).match_engine
    if found is None:  # only before the app's start-up built it
        raise RuntimeError("the match index is not built yet")
    return found


@dataclass(frozen=True, slots=True)
class Explained:
    """One line of a match's explanation, with the concept's name in the page's language."""

    line: RequirementExplanation
    concept: str | None


def explained(page: Page, lines: tuple[RequirementExplanation, ...]) -> list[Explained]:
    taxonomy = engine(page).taxonomy
    shown = []
    for line in lines:
        concept = taxonomy.get(line.concept_id) if line.concept_id else None
        shown.append(Explained(line, concept.label(page.language) if concept else None))
    return shown


def recruiter(page: Page) -> Caller | None:
    staff = page.staff
    return staff if staff is not None and staff.role is CallerRole.PARTNER_HR else None


def refuse(page: Page) -> Response:
    """The answer to anyone who is not a signed-in recruiter."""
    if page.staff is not None and page.staff.role is CallerRole.CONSORTIUM_ADMIN:
        return render(page, "hr_not_recruiter.html", status_code=403)
    return render(page, "staff_no_session.html", status_code=401)


def not_found(page: Page) -> Response:
    return render(page, "not_found.html", status_code=404)


def parse_id(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


async def recruiters_vacancy(page: Page, vacancy_id: str) -> tuple[Caller, Vacancy] | Response:
    """The signed-in recruiter and their partner's vacancy ``vacancy_id`` — or the answer
    instead: :func:`refuse` for anyone else, 404 for a malformed, unknown or other
    partner's id."""
    caller = recruiter(page)
    if caller is None:
        return refuse(page)
    wanted = parse_id(vacancy_id)
    if wanted is None:
        return not_found(page)
    async with page.database.transaction(caller.access_scope()) as conn:
        vacancy = await vacancies.get_vacancy(conn, caller, wanted)
    return not_found(page) if vacancy is None else (caller, vacancy)


def show(page: Page, template: str, *, status_code: int = 200, **context: Any) -> Response:
    """A recruiter page: base.html's summary stays empty; ours links every error to its field."""
    context.setdefault("form_errors", [])
    context["field_errors"] = {e.field_id: e.text for e in context["form_errors"]}
    return render(page, template, status_code=status_code, **context)


# ---------------------------------------------------------------- field errors


@dataclass(frozen=True, slots=True)
class ShownError:
    """One field error as the page shows it: the form control's id, its label, the words."""

    field_id: str
    label: str
    text: str


CODE_TEXT: dict[str, str] = {
    "REQUIRED": N_("Fill this in."),
    "TOO_LONG": N_("This is too long."),
    "TOO_MANY": N_("That is more than the form can hold."),
    "INVALID_POSTCODE": N_("Enter a 4-digit postcode area, such as 6211."),
    "INVALID_NUMBER": N_("Enter a whole number."),
    "INVALID_AMOUNT": N_("Enter an amount in euros, such as 16.50."),
    "INVALID_DATE": N_("Enter a date."),
    "INVALID_CHOICE": N_("Choose one of the options."),
    "INVALID_LANGUAGE": N_("Choose a language."),
    "INVALID_CEFR_LEVEL": N_("Choose a level."),
    "DUPLICATE": N_("This language is listed twice."),
    "INVALID_EMAIL": N_("Enter a valid email address."),
    "INVALID_CHARACTERS": N_("This contains characters we cannot store."),
    "CLOSED": N_("This is closed."),
    "NOT_FOUND": N_("This is no longer available to you."),
    "CONFLICT": N_("This was done already."),
    "LIMIT_REACHED": N_("You reached today's limit for this person; try again tomorrow."),
    "NOTHING_TO_RECORD": N_("Give at least one outcome."),
    "TOO_EARLY": N_("You can answer this once that many months have passed since the start."),
    "BEFORE_START": N_("This date is before the start date."),
    "IN_FUTURE": N_("This date is in the future."),
    "INVALID_LEFT_REASON": N_("Choose one of the reasons."),
    "BEFORE_INTRODUCTION": N_("The start cannot be before the introduction was requested."),
    "TOO_FAR_AHEAD": N_("Choose a start within a year from today."),
    "INVALID_PHONE": N_("Enter a phone number."),
    "UNKNOWN_SECTOR": N_("Choose one of the sectors."),
    "UNSUPPORTED_LANGUAGE": N_("Choose Dutch or English."),
}

RANGE_TEXT: dict[str, str] = {
    "hours": N_("Enter hours between 1 and 48; the maximum at least the minimum."),
    "date": N_("Choose a date from a year ago up to two years ahead."),
    "level": N_("Choose a level from 1 to 5."),
    "pay": N_("Enter a plausible amount; the maximum at least the minimum."),
    "weight": N_("Enter a weight above 0 and at most 10."),
    "soft": N_("Enter a weight from 0 to 3."),
    "travel": N_("Enter a distance from 0 to 300 km."),
    "other": N_("This value is out of range."),
}


def shown_errors(
    page: Page,
    errors: list[FieldError],
    fields: Mapping[str, tuple[str, str, str]],
) -> list[ShownError]:
    """The use case's field errors in the page's words. ``fields`` maps an input path with
    ``N`` for list indexes (``input.requirements.N.phrase``) to (control id with ``{n}``,
    label, kind of range); unknown paths fall back to the first control."""
    shown = []
    for error in errors:
        parts = error.field.split(".")
        numbers = [p for p in parts if p.isdigit()]
        key = ".".join("N" if p.isdigit() else p for p in parts)
        default = next(iter(fields.values()))
        field_id, label, range_kind = fields.get(key, default)
        if numbers:
            field_id = field_id.replace("{n}", numbers[0])
            label = page.gettext(label) + f" {int(numbers[0]) + 1}"
        else:
            field_id = field_id.replace("{n}", "0")
            label = page.gettext(label)
        if error.code == "OUT_OF_RANGE":
            text = page.gettext(RANGE_TEXT.get(range_kind, RANGE_TEXT["other"]))
        elif error.code in CODE_TEXT:
            text = page.gettext(CODE_TEXT[error.code])
        else:
            text = error.message
        shown.append(ShownError(field_id, label, text))
    return shown
