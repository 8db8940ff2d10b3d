"""The admin pages' words for codes and field errors (the catalog extractor finds the
English sources through ``N_``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from exchange.audit import actions
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


ACTIONS: dict[str, str] = {
    actions.PROFILE_SHARED: N_("profile shared (consent asked)"),
    actions.PROFILE_UPDATED: N_("profile changed"),
    actions.PROFILE_PAUSED: N_("profile paused"),
    actions.PROFILE_RESUMED: N_("profile visible again"),
    actions.CONSENT_GRANTED: N_("consent given"),
    actions.CONSENT_CHANGED: N_("consent changed"),
    actions.CONSENT_RENEWED: N_("consent renewed"),
    actions.CONSENT_REFUSED: N_("consent refused"),
    actions.CONSENT_WITHDRAWN: N_("consent withdrawn"),
    actions.CONSENT_EXPIRED: N_("consent ran out"),
    actions.CONSENT_REQUEST_EXPIRED: N_("consent request unanswered"),
    actions.PROFILE_SHOWN_IN_MATCHES: N_("match shown"),
    actions.PROFILE_OPENED: N_("profile opened"),
    actions.PLACEMENT_PROPOSALS_SHOWN: N_("placement proposals shown"),
    actions.SHORTLIST_ADDED: N_("put on a shortlist"),
    actions.SHORTLIST_REMOVED: N_("taken off a shortlist"),
    actions.INTRODUCTION_REQUESTED: N_("introduction requested"),
    actions.INTRODUCTION_ACCEPTED: N_("introduction accepted"),
    actions.INTRODUCTION_DECLINED: N_("introduction declined"),
    actions.INTRODUCTION_EXPIRED: N_("introduction unanswered"),
    actions.INTRODUCTION_WITHDRAWN: N_("introduction withdrawn"),
    actions.CONTACT_REVEALED: N_("contact details revealed"),
    actions.PLACEMENT_RECORDED: N_("placement recorded"),
    actions.PLACEMENT_OUTCOME_RECORDED: N_("placement outcome recorded"),
    actions.VACANCY_CREATED: N_("vacancy posted"),
    actions.VACANCY_UPDATED: N_("vacancy changed"),
    actions.VACANCY_CLOSED: N_("vacancy closed"),
    actions.DATA_EXPORTED: N_("person downloaded their data"),
    actions.DATA_ERASED: N_("person's data erased"),
    actions.RETENTION_RUN: N_("retention job ran"),
    actions.CONSORTIUM_CREATED: N_("consortium set up"),
    actions.PARTNER_REGISTERED: N_("partner registered"),
    actions.PARTNER_SUSPENDED: N_("partner suspended"),
    actions.PARTNER_REINSTATED: N_("partner reinstated"),
    actions.API_CLIENT_CREATED: N_("API client created"),
    actions.API_CLIENT_REVOKED: N_("API client revoked"),
    actions.STAFF_USER_ADDED: N_("staff account added"),
    actions.SIGNED_IN: N_("signed in"),
    actions.SIGN_IN_LINK_SENT: N_("sign-in link sent"),
    actions.KEY_ROTATED: N_("signing key rotated"),
    actions.WEBHOOK_ENDPOINT_REGISTERED: N_("webhook endpoint registered"),
    actions.WEBHOOK_ENDPOINT_UPDATED: N_("webhook endpoint changed"),
    actions.WEBHOOK_SECRET_ROTATED: N_("webhook secret replaced"),
    actions.WEBHOOK_ENDPOINT_DISABLED: N_("webhook endpoint disabled"),
    actions.WEBHOOK_REDELIVERED: N_("webhook message sent again"),
    actions.WEBHOOK_ESCALATED: N_("erasure message undeliverable (admins told)"),
    actions.ERASURE_NOTICE_ISSUED: N_("partner told to erase a person's data"),
    actions.ERASURE_CONFIRMED: N_("partner confirmed an erasure"),
}

ACTOR_KINDS: dict[str, str] = {
    "api_client": N_("a partner's or the consortium's system (API client)"),
    "staff_user": N_("staff (recruiter or administrator)"),
    "person": N_("the person themselves"),
    "system": N_("the platform (background job)"),
}

BREAKS: dict[str, str] = {
    "HASH_MISMATCH": N_("an event was changed after it was written"),
    "PREV_LINK_MISMATCH": N_("an event does not point at the one before it"),
    "SEQUENCE_GAP": N_("an event is missing"),
    "CHECKPOINT_MISMATCH": N_("the history differs from a signed checkpoint"),
}


def action_label(gettext: Callable[[str], str], action: str) -> str:
    source = ACTIONS.get(action)
    return gettext(source) if source else action
