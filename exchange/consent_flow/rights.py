"""The person's rights, answered at once: see and correct the profile, consents and
receipts, who looked, a copy of everything, and erasure."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from uuid import UUID

from consent import repository as consent_repository
from consent.models import ConsentRecord
from consent.receipt import ReceiptContext, ReceiptParty, build_receipt
from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.competencies import CompetencyNormalizer
from exchange.consent_flow import repository as flow_repository
from exchange.consent_flow.erasure import erase_person
from exchange.consent_flow.exceptions import PersonNotFound, ProfileNotFound, ReceiptNotFound
from exchange.consent_flow.models import PersonIntroduction, PersonPlacement
from exchange.consent_flow.service import now_utc, own_profile, require_person
from exchange.consent_flow.updates import MyProfileUpdate, apply_update, save_profile
from exchange.partners import repository as partners_repository
from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import Profile
from exchange.profiles.service import PHONE_PATTERN, build_competencies, validate_profile_input
from infra.caller import Caller
from infra.db import Connection
from infra.errors import Collector
from infra.settings import Settings

ACCESS_ACTIONS = {
    actions.PROFILE_SHOWN_IN_MATCHES: "SHOWN_IN_MATCHES",
    actions.PLACEMENT_PROPOSALS_SHOWN: "SHOWN_IN_PROPOSALS",
    actions.PROFILE_OPENED: "OPENED",
    actions.INTRODUCTION_REQUESTED: "CONTACT_REQUESTED",
    actions.CONTACT_REVEALED: "CONTACT_REVEALED",
    actions.PLACEMENT_RECORDED: "PLACEMENT_RECORDED",
}
MAX_ACCESS_PAGE = 200  # one page of myAccessLog
EXPORT_ACCESS_PAGE = 1_000  # the export reads the whole log in pages of this size


@dataclass(frozen=True, slots=True)
class AccessLogEntry:
    seq: int
    occurred_at: dt.datetime
    kind: str  # SHOWN_IN_MATCHES, OPENED, CONTACT_REQUESTED, CONTACT_REVEALED, PLACEMENT_RECORDED
    partner_id: UUID
    partner_name: str


@dataclass(frozen=True, slots=True)
class ConsentWithReceipt:
    record: ConsentRecord
    receipt: dict[str, Any]


# ---------------------------------------------------------------- profile


async def my_profile(conn: Connection, caller: Caller) -> Profile:
    row = await own_profile(conn, caller)
    profiles = await profiles_repository.get_profiles(conn, profile_ids=[row.id])
    if not profiles:
        raise ProfileNotFound()
    return profiles[0]


async def update_my_profile(
    conn: Connection,
    caller: Caller,
    normalizer: CompetencyNormalizer,
    update: MyProfileUpdate,
) -> Profile:
    """Correct the pseudonymous profile (and the person's own name and phone)."""
    current = await my_profile(conn, caller)
    now = now_utc()
    merged = apply_update(current, update, today=now.date())
    errors = Collector()
    validate_profile_input(errors, merged, field="input", today=now.date())
    contact = await flow_repository.person_row(conn, person_id=current.person_id)
    full_name = update.full_name.strip() if update.full_name is not None else None
    phone = update.phone.strip() if update.phone is not None else None
    if full_name is not None and not 1 <= len(full_name) <= 200:
        errors.add("input.fullName", "OUT_OF_RANGE", "between 1 and 200 characters")
    if phone and not PHONE_PATTERN.match(phone):
        errors.add("input.phone", "INVALID_PHONE", "must be a phone number")
    errors.raise_if_any()
    competencies, languages = await build_competencies(conn, normalizer, merged)
    changed = update.changed_fields()
    await save_profile(
        conn,
        current=current,
        merged=merged,
        competencies=competencies,
        languages=languages,
        now=now,
    )
    if contact is not None and (full_name is not None or update.phone is not None):
        await flow_repository.update_contact(
            conn,
            person_id=current.person_id,
            full_name=full_name or contact.full_name or "",
            phone=(phone or None) if update.phone is not None else contact.phone,
            now=now,
        )
    await record_caller_event(
        conn,
        caller,
        action=actions.PROFILE_UPDATED,
        subject_kind="profile",
        subject_id=str(current.id),
        details={"fields": sorted(changed)},
    )
    return await my_profile(conn, caller)


# ---------------------------------------------------------------- consents and receipts


def _party(settings: Settings, name: str) -> ReceiptParty:
    email = parseaddr(settings.mail_from)[1] or "privacy@tussendeur.local"
    return ReceiptParty(name=name, email=email, url=settings.public_url.rstrip("/"))


async def receipt_context(
    conn: Connection,
    settings: Settings,
    *,
    consortium_id: UUID,
    collector_id: UUID,
    pseudonym: str,
    language: str,
) -> ReceiptContext:
    partners = await partners_repository.list_partners(conn, consortium_id=consortium_id)
    names = {p.id: p.name for p in partners}
    consortium = await consent_repository.consortium_name(conn, consortium_id=consortium_id)
    base = settings.public_url.rstrip("/")
    return ReceiptContext(
        jurisdiction="NL",
        policy_url=f"{base}/portal/privacy?lang={language}",
        consortium=_party(settings, consortium or "Tussendeur"),
        collecting_partner=_party(settings, names.get(collector_id, "partner")),
        partner_names=names,
        pii_principal_id=pseudonym,
    )


async def my_consents(
    conn: Connection, caller: Caller, settings: Settings
) -> list[ConsentWithReceipt]:
    """Every consent record of the person, oldest first, each with its receipt."""
    person_id = require_person(caller)
    person = await flow_repository.person_row(conn, person_id=person_id)
    if person is None:
        return []
    records = await consent_repository.records_for_person(conn, person_id=person_id)
    contexts: dict[UUID, ReceiptContext] = {}
    result = []
    for record in records:
        ctx = contexts.get(record.collected_by_partner_id)
        if ctx is None:
            ctx = await receipt_context(
                conn,
                settings,
                consortium_id=record.consortium_id,
                collector_id=record.collected_by_partner_id,
                pseudonym=person.pseudonym,
                language=record.language,
            )
            contexts[record.collected_by_partner_id] = ctx
        result.append(ConsentWithReceipt(record, build_receipt(record, ctx)))
    return result


async def my_receipt(
    conn: Connection, caller: Caller, settings: Settings, *, receipt_id: UUID
) -> dict[str, Any]:
    for item in await my_consents(conn, caller, settings):
        if item.record.receipt_id == receipt_id:
            return item.receipt
    raise ReceiptNotFound()


# ---------------------------------------------------------------- who looked


async def my_access_log(
    conn: Connection, caller: Caller, *, limit: int, before_seq: int | None = None
) -> tuple[list[AccessLogEntry], bool]:
    """Which partner saw the profile in matches, opened it, asked for or received contact
    data, and when; newest first. Returns the page and whether more follow."""
    return await _access_log_page(
        conn, caller, limit=max(1, min(limit, MAX_ACCESS_PAGE)), before_seq=before_seq
    )


async def full_access_log(conn: Connection, caller: Caller) -> list[AccessLogEntry]:
    """The whole access log, newest first, read a page at a time by sequence number."""
    entries: list[AccessLogEntry] = []
    before_seq: int | None = None
    while True:
        page, more = await _access_log_page(
            conn, caller, limit=EXPORT_ACCESS_PAGE, before_seq=before_seq
        )
        entries.extend(page)
        if not more:
            return entries
        before_seq = page[-1].seq


async def _access_log_page(
    conn: Connection, caller: Caller, *, limit: int, before_seq: int | None
) -> tuple[list[AccessLogEntry], bool]:
    person_id = require_person(caller)
    row = await flow_repository.person_profile_row(conn, person_id=person_id)
    if row is None:
        return [], False
    introductions = await flow_repository.person_introductions(conn, person_id=person_id)
    # the right is established above under the person's scope; the audit trail is read
    # with the system scope because its match events name profiles only in their details
    async with flow_repository.system_step(conn, caller.access_scope()):
        events = await flow_repository.access_events(
            conn,
            consortium_id=caller.consortium_id,
            profile_ids=[str(row.id)],
            introduction_ids=[str(i.id) for i in introductions],
            actions=list(ACCESS_ACTIONS),
            before_seq=before_seq,
            limit=limit + 1,
        )
    entries = [
        AccessLogEntry(
            seq=e.seq,
            occurred_at=e.occurred_at,
            kind=ACCESS_ACTIONS[e.action],
            partner_id=e.partner_id,
            partner_name=e.partner_name or "",
        )
        for e in events[:limit]
    ]
    return entries, len(events) > limit


# ---------------------------------------------------------------- export and erasure


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _fields(value: PersonIntroduction | PersonPlacement) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


async def export_my_data(conn: Connection, caller: Caller, settings: Settings) -> dict[str, Any]:
    """Everything the exchange holds about the person, as one JSON document."""
    person_id = require_person(caller)
    person = await flow_repository.person_row(conn, person_id=person_id)
    if person is None:
        raise PersonNotFound()
    profile_row = await flow_repository.person_profile_row(conn, person_id=person_id)
    profile = await my_profile(conn, caller) if profile_row is not None else None
    consents = await my_consents(conn, caller, settings)
    introductions = await flow_repository.person_introductions(conn, person_id=person_id)
    placements = await flow_repository.person_placements(conn, person_id=person_id)
    access = await full_access_log(conn, caller)
    partners = await partners_repository.list_partners(conn, consortium_id=caller.consortium_id)
    names = {p.id: p.name for p in partners}
    document = {
        "format": "tussendeur-export-v1",
        "exportedAt": now_utc(),
        "person": {
            "id": person_id,
            "pseudonym": person.pseudonym,
            "language": person.language,
            "createdAt": person.created_at,
            "sharedBy": names.get(person.created_by_partner_id)
            if person.created_by_partner_id
            else None,
        },
        "contact": {
            "fullName": person.full_name,
            "email": person.email,
            "phone": person.phone,
        },
        "profile": profile,
        "consents": [{"record": c.record, "receipt": c.receipt} for c in consents],
        "introductions": [
            {**_fields(i), "requestingPartner": names.get(i.requesting_partner_id)}
            for i in introductions
        ],
        "placements": [
            {**_fields(p), "hiringPartner": names.get(p.hiring_partner_id)} for p in placements
        ],
        "accessLog": access,
    }
    await record_caller_event(
        conn,
        caller,
        action=actions.DATA_EXPORTED,
        subject_kind="person",
        subject_id=str(person_id),
    )
    exported: dict[str, Any] = _jsonable(document)
    return exported


async def erase_my_data(conn: Connection, caller: Caller, settings: Settings) -> dict[str, int]:
    """Erase the person at once; returns the counts of what went."""
    person_id = require_person(caller)
    counts = await erase_person(
        conn,
        person_id=person_id,
        consortium_id=caller.consortium_id,
        settings=settings,
        restore=caller.access_scope(),
    )
    await record_caller_event(
        conn,
        caller,
        action=actions.DATA_ERASED,
        subject_kind="person",
        subject_id=str(person_id),
        details={
            "profiles": counts["profiles"],
            "introductions": counts["introductions"],
            "notices": counts["notices"],
            "reason": "REQUEST",
        },
    )
    return counts
