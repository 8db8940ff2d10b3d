"""The catalogue of audit actions: every step of the exchange, and how each event is shaped.

Use the constants, never literal strings. Conventions for every event:

* ``subject_kind`` / ``subject_id`` name the thing acted on by its pseudonymous id
  (a profile's, vacancy's, introduction's ... UUID; never a name, email or phone);
* ``partner_id`` is the partner on whose behalf the actor acted (null for the person
  themselves, consortium admins and background jobs);
* ``details`` hold ids, codes and counts only: never free text a person wrote.

The statistics read these events, so the details listed per action below are a contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACTION_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    action: str
    subject_kind: str | None
    description: str
    details: tuple[str, ...] = ()


# ---------------------------------------------------------------- sharing and consent
PROFILE_SHARED = "profile.shared"
PROFILE_UPDATED = "profile.updated"
PROFILE_PAUSED = "profile.paused"
PROFILE_RESUMED = "profile.resumed"
CONSENT_GRANTED = "consent.granted"
CONSENT_CHANGED = "consent.changed"
CONSENT_RENEWED = "consent.renewed"
CONSENT_REFUSED = "consent.refused"
CONSENT_WITHDRAWN = "consent.withdrawn"
CONSENT_EXPIRED = "consent.expired"
CONSENT_REQUEST_EXPIRED = "consent.request_expired"  # no answer in 14 days: pending profile deleted

# ---------------------------------------------------------------- matching
PROFILE_SHOWN_IN_MATCHES = "profile.shown_in_matches"
PROFILE_OPENED = "profile.opened"
PLACEMENT_PROPOSALS_SHOWN = "placement.proposals_shown"
SHORTLIST_ADDED = "shortlist.added"
SHORTLIST_REMOVED = "shortlist.removed"

# ---------------------------------------------------------------- introductions and placements
INTRODUCTION_REQUESTED = "introduction.requested"
INTRODUCTION_ACCEPTED = "introduction.accepted"
INTRODUCTION_DECLINED = "introduction.declined"
INTRODUCTION_EXPIRED = "introduction.expired"
INTRODUCTION_WITHDRAWN = "introduction.withdrawn"
CONTACT_REVEALED = "contact.revealed"
PLACEMENT_RECORDED = "placement.recorded"
PLACEMENT_OUTCOME_RECORDED = "placement.outcome_recorded"

# ---------------------------------------------------------------- vacancies
VACANCY_CREATED = "vacancy.created"
VACANCY_UPDATED = "vacancy.updated"
VACANCY_CLOSED = "vacancy.closed"

# ---------------------------------------------------------------- the person's rights and retention
DATA_EXPORTED = "person.data_exported"
DATA_ERASED = "person.data_erased"
RETENTION_RUN = "retention.run"

# ---------------------------------------------------------------- administration and identity
CONSORTIUM_CREATED = "consortium.created"
PARTNER_REGISTERED = "partner.registered"
PARTNER_SUSPENDED = "partner.suspended"
PARTNER_REINSTATED = "partner.reinstated"
API_CLIENT_CREATED = "api_client.created"
API_CLIENT_REVOKED = "api_client.revoked"
STAFF_USER_ADDED = "staff_user.added"
SIGNED_IN = "auth.signed_in"
SIGN_IN_LINK_SENT = "auth.sign_in_link_sent"
KEY_ROTATED = "auth.key_rotated"

# ---------------------------------------------------------------- webhooks and erasure notices
WEBHOOK_ENDPOINT_REGISTERED = "webhook.endpoint_registered"
WEBHOOK_ENDPOINT_UPDATED = "webhook.endpoint_updated"
WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 (an action name)
WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
WEBHOOK_REDELIVERED = "webhook.redelivered"
WEBHOOK_ESCALATED = "webhook.escalated"
ERASURE_NOTICE_ISSUED = "erasure.notice_issued"
ERASURE_CONFIRMED = "erasure.confirmed"


CATALOGUE: dict[str, ActionSpec] = {
    spec.action: spec
    for spec in (
        ActionSpec(PROFILE_SHARED, "profile", "a partner shared a profile (consent requested)",
                   ("kind", "competencies")),
        ActionSpec(PROFILE_UPDATED, "profile", "the person or sharing partner changed a profile",
                   ("fields",)),
        ActionSpec(PROFILE_PAUSED, "profile", "a profile was hidden (e.g. after a placement)",
                   ("reason",)),
        ActionSpec(PROFILE_RESUMED, "profile", "the person made a paused profile visible again"),
        ActionSpec(CONSENT_GRANTED, "profile", "the person confirmed sharing",
                   ("consent_record_id", "scope_kind", "expires_at", "text_version")),
        ActionSpec(CONSENT_CHANGED, "profile", "the person changed scope or duration",
                   ("consent_record_id", "scope_kind", "expires_at")),
        ActionSpec(CONSENT_RENEWED, "profile", "the person renewed consent before expiry",
                   ("consent_record_id", "expires_at")),
        ActionSpec(CONSENT_REFUSED, "profile", "the person refused sharing; profile deleted",
                   ("consent_record_id",)),
        ActionSpec(CONSENT_WITHDRAWN, "profile", "the person withdrew consent",
                   ("consent_record_id",)),
        ActionSpec(CONSENT_EXPIRED, "profile", "consent ran out; profile hidden",
                   ("consent_record_id",)),
        ActionSpec(CONSENT_REQUEST_EXPIRED, "profile",
                   "no answer to the consent request in time; pending profile deleted"),
        ActionSpec(PROFILE_SHOWN_IN_MATCHES, "vacancy",
                   "one match query: the profiles a partner was shown for its vacancy",
                   ("profiles", "offset")),
        ActionSpec(PROFILE_OPENED, "profile", "a partner opened one profile",
                   ("vacancy_id",)),
        ActionSpec(PLACEMENT_PROPOSALS_SHOWN, None,
                   "placement proposals shown to a partner", ("profiles", "vacancy_ids")),
        ActionSpec(SHORTLIST_ADDED, "vacancy", "a partner put a profile on a vacancy's shortlist",
                   ("profile_id",)),
        ActionSpec(SHORTLIST_REMOVED, "vacancy",
                   "a partner took a profile off a vacancy's shortlist", ("profile_id",)),
        ActionSpec(INTRODUCTION_REQUESTED, "introduction", "a partner asked for an introduction",
                   ("profile_id", "vacancy_id", "sharing_partner_id")),
        ActionSpec(INTRODUCTION_ACCEPTED, "introduction", "the person accepted an introduction",
                   ("profile_id", "vacancy_id")),
        ActionSpec(INTRODUCTION_DECLINED, "introduction", "the person declined an introduction",
                   ("profile_id", "vacancy_id")),
        ActionSpec(INTRODUCTION_EXPIRED, "introduction", "an introduction went unanswered",
                   ("profile_id", "vacancy_id")),
        ActionSpec(INTRODUCTION_WITHDRAWN, "introduction", "an introduction was withdrawn",
                   ("profile_id", "vacancy_id", "reason")),
        ActionSpec(CONTACT_REVEALED, "introduction",
                   "contact data was shown to the partner of an accepted introduction",
                   ("profile_id",)),
        ActionSpec(PLACEMENT_RECORDED, "placement", "a partner recorded a placement",
                   ("introduction_id", "profile_id", "vacancy_id", "sharing_partner_id")),
        ActionSpec(PLACEMENT_OUTCOME_RECORDED, "placement",
                   "a partner recorded whether the person stayed", ("at_3_months", "at_6_months")),
        ActionSpec(VACANCY_CREATED, "vacancy", "a partner posted a vacancy",
                   ("requirements", "languages")),
        ActionSpec(VACANCY_UPDATED, "vacancy", "a partner changed a vacancy"),
        ActionSpec(VACANCY_CLOSED, "vacancy", "a partner closed a vacancy"),
        ActionSpec(DATA_EXPORTED, "person", "the person downloaded all their data"),
        ActionSpec(DATA_ERASED, "person", "the person's data was erased",
                   ("profiles", "introductions")),
        ActionSpec(RETENTION_RUN, None, "the retention job ran", ("counts",)),
        ActionSpec(CONSORTIUM_CREATED, "consortium", "a consortium was set up", ("slug",)),
        ActionSpec(PARTNER_REGISTERED, "partner", "an admin registered a partner", ("slug",)),
        ActionSpec(PARTNER_SUSPENDED, "partner", "an admin suspended a partner",
                   ("reason", "open_vacancies", "active_profiles", "api_clients")),
        ActionSpec(PARTNER_REINSTATED, "partner", "an admin reinstated a partner"),
        ActionSpec(API_CLIENT_CREATED, "api_client", "an admin created an API client",
                   ("scopes",)),
        ActionSpec(API_CLIENT_REVOKED, "api_client", "an admin revoked an API client"),
        ActionSpec(STAFF_USER_ADDED, "staff_user", "an admin gave someone a staff account",
                   ("role",)),
        ActionSpec(SIGNED_IN, "staff_user", "someone signed in", ("method",)),
        ActionSpec(SIGN_IN_LINK_SENT, "staff_user", "a sign-in link was sent"),
        ActionSpec(KEY_ROTATED, None, "the platform signing key was rotated", ("kid",)),
        ActionSpec(WEBHOOK_ENDPOINT_REGISTERED, "webhook_endpoint",
                   "a partner's webhook endpoint was registered", ("partner_id", "event_types")),
        ActionSpec(WEBHOOK_ENDPOINT_UPDATED, "webhook_endpoint",
                   "a webhook endpoint's URL or events changed", ("event_types",)),
        ActionSpec(WEBHOOK_SECRET_ROTATED, "webhook_endpoint",
                   "a webhook endpoint got a new signing secret", ("secret_version",)),
        ActionSpec(WEBHOOK_ENDPOINT_DISABLED, "webhook_endpoint",
                   "a webhook endpoint was disabled (by its partner, or it answered 410)",
                   ("reason",)),
        ActionSpec(WEBHOOK_REDELIVERED, "webhook_message",
                   "a webhook message was queued for delivery again", ("endpoint_id",)),
        ActionSpec(WEBHOOK_ESCALATED, "webhook_message",
                   "an erasure event could not be delivered: the admins were told",
                   ("endpoint_id", "event_type")),
        ActionSpec(ERASURE_NOTICE_ISSUED, "erasure_notice",
                   "a partner was told to erase what it holds of a person",
                   ("partner_id", "reason", "erase_by")),
        ActionSpec(ERASURE_CONFIRMED, "erasure_notice",
                   "a partner confirmed it erased what it held", ("method",)),
    )
}  # fmt: skip


def is_valid_action(action: str) -> bool:
    return bool(ACTION_PATTERN.match(action)) and len(action) <= 64
