"""The admin pages' words for codes and field errors (the catalog extractor finds the
English sources through ``N_``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.labels import N_

ADMIN_CODES: dict[str, str] = {
    "ACTIVE": N_("active"),
    "SUSPENDED": N_("suspended"),
    "CONTRACT_ENDED": N_("contract ended"),
    "POLICY_VIOLATION": N_("policy violation"),
    "SECURITY_INCIDENT": N_("security incident"),
    "PAYMENT": N_("payment"),
    "OTHER": N_("other"),
    "partner_hr": N_("recruiter (employer's HR)"),
    "consortium_admin": N_("consortium administrator"),
    "PENDING": N_("waiting to be sent"),
    "SENT": N_("sent"),
    "FAILED": N_("could not be delivered"),
}

FIELD_ERRORS: dict[tuple[str, str], str] = {
    ("input.name", "INVALID"): N_("Enter a name of 1 to 120 characters."),
    ("input.name", "REQUIRED"): N_("Enter the partner's name."),
    ("input.slug", "INVALID"): N_("Use lower-case letters, digits and hyphens (2-40)."),
    ("input.slug", "CONFLICT"): N_("A partner with this short name exists already."),
    ("input.city", "TOO_LONG"): N_("Enter a city of at most 80 characters."),
    ("input.email", "INVALID_EMAIL"): N_("Enter a valid email address."),
    ("input.email", "CONFLICT"): N_("This address has a staff account in this consortium."),
    ("input.displayName", "INVALID"): N_("Enter a name of 1 to 120 characters."),
    ("input.partnerId", "REQUIRED"): N_("Choose the partner this recruiter works for."),
    ("input.partnerId", "NOT_ALLOWED"): N_("A consortium administrator belongs to no partner."),
    ("input.partnerId", "NOT_FOUND"): N_("That partner is not part of this consortium."),
    ("input.role", "INVALID_ROLE"): N_("Choose a role."),
    ("input.language", "UNSUPPORTED_LANGUAGE"): N_("Choose Dutch or English."),
    ("partnerId", "NOT_FOUND"): N_("That partner is not part of this consortium."),
    ("partnerId", "CONFLICT"): N_(
        "The partner is not in the state this needs (suspended or active)."
    ),
    ("partnerId", "INVALID_ID"): N_("Choose a partner."),
    ("name", "INVALID"): N_("Use at most 120 printable characters."),
    ("scopes", "REQUIRED"): N_("Tick at least one permission."),
    ("scopes", "INVALID_SCOPE"): N_("That permission does not exist for this kind of client."),
    ("clientId", "NOT_FOUND"): N_("That API client does not exist."),
    ("clientId", "CLOSED"): N_("That API client is revoked already."),
    ("action", "INVALID"): N_("Choose an action from the list."),
    ("subject", "INVALID"): N_("Enter an id of 1 to 200 characters."),
    ("from", "INVALID"): N_("Enter a date as YYYY-MM-DD."),
    ("to", "INVALID"): N_("Enter a date as YYYY-MM-DD."),
    ("to", "OUT_OF_RANGE"): N_("The end must come after the start, within five years."),
    ("from", "OUT_OF_RANGE"): N_("The start must not come after the end."),
    ("partner", "INVALID_ID"): N_("Choose a partner from the list."),
    ("actorKind", "INVALID"): N_("Choose an actor kind from the list."),
    ("after", "INVALID_CURSOR"): N_("That page does not exist; start again from the first page."),
}


def error_message(gettext: Callable[[str], str], field: str, code: str, fallback: str) -> str:
    """By field and code (list indexes and a ``filter.`` prefix do not count), else the
    use case's own message."""
    key = re.sub(r"\.\d+", "", field).removeprefix("filter.")
    source = FIELD_ERRORS.get((key, code))
    return gettext(source) if source else fallback


def admin_code(gettext: Callable[[str], str], value: object) -> str:
    key = str(getattr(value, "value", value))
    source = ADMIN_CODES.get(key)
    return gettext(source) if source else key
