"""Field checks shared by the use cases' input: vacancies, profiles, staff."""

from __future__ import annotations

import datetime as dt
import re

from infra.email_address import normalize_email
from infra.errors import Collector, UserError
from matching.types import CefrLevel

POSTCODE_AREA = re.compile(r"^[1-9][0-9]{3}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
MAX_PHRASE_LENGTH = 200
MAX_HOURS_PER_WEEK = 48


def check_text(
    errors: Collector, field: str, value: str | None, *, max_length: int, required: bool = False
) -> None:
    if value is None or not value.strip():
        if required:
            errors.add(field, "REQUIRED", "must not be empty")
        return
    if len(value) > max_length:
        errors.add(field, "TOO_LONG", f"must be at most {max_length} characters")


def check_email(errors: Collector, field: str, value: str) -> str:
    """The normalised address (see :mod:`infra.email_address`), or a field error."""
    try:
        return normalize_email(value, field=field)
    except UserError as error:
        for found in error.errors:
            errors.add(found.field, found.code, found.message)
        return value


def check_postcode_area(errors: Collector, field: str, value: str) -> None:
    if not POSTCODE_AREA.match(value):
        errors.add(field, "INVALID_POSTCODE", "must be a 4-digit Dutch postcode area, e.g. 6211")


def check_hours(errors: Collector, field: str, hours_min: int, hours_max: int) -> None:
    if not 1 <= hours_min <= MAX_HOURS_PER_WEEK:
        errors.add(f"{field}Min", "OUT_OF_RANGE", f"must be between 1 and {MAX_HOURS_PER_WEEK}")
    if not 1 <= hours_max <= MAX_HOURS_PER_WEEK:
        errors.add(f"{field}Max", "OUT_OF_RANGE", f"must be between 1 and {MAX_HOURS_PER_WEEK}")
    elif hours_max < hours_min:
        errors.add(f"{field}Max", "OUT_OF_RANGE", "must be at least the minimum hours")


def check_language(errors: Collector, field: str, language: str, level: str) -> CefrLevel | None:
    if not LANGUAGE_CODE.match(language):
        errors.add(f"{field}.language", "INVALID_LANGUAGE", "use a 2-letter ISO 639-1 code")
    try:
        return CefrLevel(level)
    except ValueError:
        errors.add(f"{field}.level", "INVALID_CEFR_LEVEL", "use A1, A2, B1, B2, C1, C2 or NATIVE")
        return None


def check_phrases(
    errors: Collector, field: str, phrases: list[str], *, max_count: int, required: bool = False
) -> None:
    if required and not phrases:
        errors.add(field, "REQUIRED", "give at least one")
    if len(phrases) > max_count:
        errors.add(field, "TOO_MANY", f"at most {max_count} allowed")
        return
    for index, phrase in enumerate(phrases):
        check_text(
            errors, f"{field}.{index}.phrase", phrase, max_length=MAX_PHRASE_LENGTH, required=True
        )


def check_date_window(
    errors: Collector, field: str, value: dt.date, *, today: dt.date, years_ahead: int = 2
) -> None:
    if value < today - dt.timedelta(days=366) or value > today + dt.timedelta(
        days=366 * years_ahead
    ):
        errors.add(field, "OUT_OF_RANGE", "must be within a year ago and two years ahead")
