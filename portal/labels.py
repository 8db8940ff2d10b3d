"""Words for codes (roles, shifts, scopes ...) in the page's language.

The ``N_`` marker only lets the catalog extractor find the English source strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    return message


CODES: dict[str, str] = {
    # profile kinds
    "REJECTED_CANDIDATE": N_("applicant who was not a fit for one client"),
    "READY_TO_MOVE": N_("agent ready for a next step"),
    # roles
    "AGENT": N_("agent"),
    "SENIOR_AGENT": N_("senior agent"),
    "SPECIALIST": N_("specialist"),
    "QUALITY_COACH": N_("quality coach"),
    "TRAINER": N_("trainer"),
    "WORKFORCE_PLANNER": N_("workforce planner"),
    "TEAM_LEAD": N_("team lead"),
    "PROCESS_IMPROVEMENT": N_("process improvement"),
    "MARKETING": N_("marketing"),
    # shifts and work modes
    "DAY": N_("day"),
    "EVENING": N_("evening"),
    "WEEKEND": N_("weekend"),
    "NIGHT": N_("night"),
    "REMOTE": N_("remote"),
    "HYBRID": N_("hybrid"),
    "ON_SITE": N_("on site"),
    # sectors whose experience a profile may list (stored as Dutch words)
    "horeca": N_("hospitality"),
    "retail": N_("retail"),
    "zorg": N_("care"),
    "onderwijs": N_("education"),
    "toerisme": N_("tourism"),
    "logistiek": N_("logistics"),
    "overig": N_("other sector"),
    # pay periods
    "HOUR": N_("per hour"),
    "MONTH": N_("per month"),
    # languages and levels
    "NATIVE": N_("native"),
    # consent
    "ALL_PARTNERS": N_("all employers"),
    "ONLY": N_("only the employers I tick"),
    "ALL_EXCEPT": N_("all employers except the ones I tick"),
    "GRANTED": N_("granted"),
    "CHANGED": N_("changed"),
    "RENEWED": N_("renewed"),
    "WITHDRAWN": N_("withdrawn"),
    "REFUSED": N_("refused"),
    "EXPIRED": N_("expired"),
    "PENDING_CONSENT": N_("waiting for your answer"),
    "ACTIVE": N_("visible to the employers you chose"),
    "PAUSED": N_("paused"),
    # access log
    "SHOWN_IN_MATCHES": N_("showed your profile among its matches"),
    "OPENED": N_("opened your profile"),
    "CONTACT_REQUESTED": N_("asked for an introduction"),
    "CONTACT_REVEALED": N_("received your contact details"),
    "PLACEMENT_RECORDED": N_("recorded your placement"),
    # erasure notices
    "CONSENT_WITHDRAWN": N_("consent withdrawn"),
    "CONSENT_EXPIRED": N_("consent expired"),
    "PERSON_ERASED": N_("data erased"),
    "DELETED": N_("deleted"),
    "ANONYMISED": N_("anonymised"),
}

LANGUAGE_NAMES = {
    "nl": N_("Dutch"),
    "en": N_("English"),
    "de": N_("German"),
    "fr": N_("French"),
    "tr": N_("Turkish"),
    "ar": N_("Arabic"),
    "pl": N_("Polish"),
    "es": N_("Spanish"),
}


class Labels:
    def __init__(self, gettext: Callable[[str], str]) -> None:
        self._ = gettext

    def code(self, value: Any) -> str:
        key = getattr(value, "value", value)
        source = CODES.get(str(key))
        return self._(source) if source else str(key)

    def codes(self, values: Any) -> str:
        return ", ".join(self.code(v) for v in values)

    def language(self, code: str) -> str:
        source = LANGUAGE_NAMES.get(code)
        return self._(source) if source else code

    def error(self, error: Any) -> str:
        return error_message(self._, error.field, error.code, error.message)

    def level(self, value: Any) -> str:
        key = getattr(value, "value", value)
        return self.code(key) if key == "NATIVE" else str(key)


ERRORS: dict[str, str] = {
    "REQUIRED": N_("Tick at least one employer, or choose all employers."),
    "NOT_ALLOWED": N_("Leave the employers unticked when you choose all employers."),
    "TOO_MANY": N_("That is more employers than a choice can hold."),
    "OWN_PARTNER": N_("The employer that shared your profile never sees it anyway."),
    "INVALID": N_("Choose one of the options."),
    "INVALID_ID": N_("That choice is not valid."),
    "OUT_OF_RANGE": N_("Choose between 1 and 12 months."),
    "UNSUPPORTED_LANGUAGE": N_("Choose Dutch or English."),
}


FIELD_ERRORS: dict[tuple[str, str], str] = {
    ("email", "INVALID_EMAIL"): N_("Enter a valid email address."),
    ("input.textVersion", "NOT_FOUND"): N_(
        "This consent text is no longer current; please read it again."
    ),
    ("input.scope.partnerIds", "NOT_FOUND"): N_("That employer is not part of this exchange."),
    ("profile", "CONFLICT"): N_("Your profile no longer waits for an answer."),
    ("profile", "CLOSED"): N_("There is no consent in force."),
    ("noticeId", "NOT_FOUND"): N_("This erasure notice is not one of yours."),
    ("noticeId", "CONFLICT"): N_("This erasure was confirmed already."),
    # correcting one's own profile (portal.pages.my_profile)
    ("input.headline", "TOO_LONG"): N_("The headline can be at most 200 characters."),
    ("input.postcodeArea", "INVALID_POSTCODE"): N_(
        "Enter the four digits of a Dutch postcode, such as 6211."
    ),
    ("input.maxTravelKm", "INVALID"): N_("Enter a whole number of kilometres."),
    ("input.maxTravelKm", "OUT_OF_RANGE"): N_("Enter a distance from 0 to 300 km."),
    ("input.hoursMin", "INVALID"): N_("Enter a whole number of hours."),
    ("input.hoursMax", "INVALID"): N_("Enter a whole number of hours."),
    ("input.hoursMin", "OUT_OF_RANGE"): N_("Enter from 1 to 48 hours a week."),
    ("input.hoursMax", "OUT_OF_RANGE"): N_(
        "Enter from 1 to 48 hours a week, and at least the hours you gave as the least."
    ),
    ("input.availableFrom", "INVALID"): N_("Enter a date, such as 2027-03-01."),
    ("input.availableFrom", "OUT_OF_RANGE"): N_(
        "Choose a date from a year ago up to two years ahead."
    ),
    ("input.competencies", "REQUIRED"): N_("Name at least one skill."),
    ("input.competencies", "TOO_MANY"): N_("That is more skills than a profile can hold."),
    ("input.competencies.level", "OUT_OF_RANGE"): N_("Choose a level from 1 to 5."),
    ("input.competencies.phrase", "TOO_LONG"): N_("A skill can be at most 200 characters."),
    ("input.fullName", "OUT_OF_RANGE"): N_("Enter your name, at most 200 characters."),
    ("input.phone", "INVALID_PHONE"): N_("Enter a phone number, such as 06 12345678."),
    ("input.minPay.amount", "INVALID"): N_("Enter an amount in euros, such as 14,50."),
    ("input.minPay.amount", "OUT_OF_RANGE"): N_(
        "Enter a plausible amount: at most 200 euros an hour or 20,000 a month."
    ),
    ("input.languages", "TOO_MANY"): N_("That is more languages than a profile can hold."),
    ("input.languages.language", "DUPLICATE"): N_("You listed this language twice."),
    ("input.languages.language", "INVALID_LANGUAGE"): N_("Choose a language."),
    ("input.languages.level", "INVALID_CEFR_LEVEL"): N_("Choose a level."),
}


def error_message(gettext: Callable[[str], str], field: str, code: str, fallback: str) -> str:
    """The page's words for a field error: by field and code, else by code (list indexes in
    the field, as in ``input.scope.partnerIds.2``, do not count), else the use case's own."""
    source = FIELD_ERRORS.get((re.sub(r"\.\d+", "", field), code)) or ERRORS.get(code)
    return gettext(source) if source else fallback
