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
    # pay periods
    "HOUR": N_("per hour"),
    "MONTH": N_("per month"),
    # languages and levels
    "NATIVE": N_("native"),
    # consent
    "ALL_PARTNERS": N_("all partners"),
    "ONLY": N_("only the partners I tick"),
    "ALL_EXCEPT": N_("all partners except the ones I tick"),
    "GRANTED": N_("granted"),
    "CHANGED": N_("changed"),
    "RENEWED": N_("renewed"),
    "WITHDRAWN": N_("withdrawn"),
    "REFUSED": N_("refused"),
    "EXPIRED": N_("expired"),
    "PENDING_CONSENT": N_("waiting for your answer"),
    "ACTIVE": N_("visible to the partners you chose"),
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
    "REQUIRED": N_("Tick at least one partner, or choose all partners."),
    "NOT_ALLOWED": N_("Leave the partners unticked when you choose all partners."),
    "TOO_MANY": N_("That is more partners than a choice can hold."),
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
    ("input.scope.partnerIds", "NOT_FOUND"): N_("That partner is not part of this exchange."),
    ("profile", "CONFLICT"): N_("Your profile no longer waits for an answer."),
    ("profile", "CLOSED"): N_("There is no consent in force."),
    ("noticeId", "NOT_FOUND"): N_("This erasure notice is not one of yours."),
    ("noticeId", "CONFLICT"): N_("This erasure was confirmed already."),
}


def error_message(gettext: Callable[[str], str], field: str, code: str, fallback: str) -> str:
    """The page's words for a field error: by field and code, else by code (list indexes in
    the field, as in ``input.scope.partnerIds.2``, do not count), else the use case's own."""
    source = FIELD_ERRORS.get((re.sub(r"\.\d+", "", field), code)) or ERRORS.get(code)
    return gettext(source) if source else fallback
