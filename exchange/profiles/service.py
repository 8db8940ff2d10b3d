"""Profile use cases for partner HR: share a profile (pending consent), list what was shared."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid

from consent.retention import rules_from
from exchange import validation
from exchange.audit.actions import PROFILE_SHARED
from exchange.audit.service import record_caller_event
from exchange.competencies import CompetencyNormalizer, expand
from exchange.consent_flow import service as consent_flow
from exchange.profiles import repository
from exchange.profiles.models import (
    MAX_COMPETENCIES,
    MAX_LANGUAGES,
    SECTORS,
    ContactInput,
    Profile,
    ProfileCompetency,
    ProfileInput,
    ProfileLanguage,
    ProfileStatus,
    ShareProfileInput,
)
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import Collector
from infra.pagination import Keyset, Page
from infra.settings import Settings, get_settings
from matching.types import CefrLevel

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{6,20}$")
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_PAY_CENTS = {"HOUR": 20_000, "MONTH": 2_000_000}


def new_pseudonym(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(8))


def validate_profile_input(
    errors: Collector, data: ProfileInput, *, field: str, today: dt.date
) -> None:
    validation.check_postcode_area(errors, f"{field}.postcodeArea", data.postcode_area)
    if not 0 <= data.max_travel_km <= 300:
        errors.add(f"{field}.maxTravelKm", "OUT_OF_RANGE", "must be between 0 and 300")
    validation.check_hours(errors, f"{field}.hours", data.hours_min, data.hours_max)
    validation.check_date_window(errors, f"{field}.availableFrom", data.available_from, today=today)
    validation.check_text(errors, f"{field}.headline", data.headline, max_length=200)
    validation.check_text(errors, f"{field}.notFitReason", data.not_fit_reason, max_length=2_000)
    validation.check_phrases(
        errors,
        f"{field}.competencies",
        [c.phrase for c in data.competencies],
        max_count=MAX_COMPETENCIES,
        required=True,
    )
    if len(data.competencies) <= MAX_COMPETENCIES:
        for i, competency in enumerate(data.competencies):
            if competency.level is not None and not 1 <= competency.level <= 5:
                errors.add(
                    f"{field}.competencies.{i}.level", "OUT_OF_RANGE", "must be between 1 and 5"
                )
    if len(data.languages) > MAX_LANGUAGES:
        errors.add(f"{field}.languages", "TOO_MANY", f"at most {MAX_LANGUAGES} allowed")
    else:
        seen: set[str] = set()
        for i, lang in enumerate(data.languages):
            validation.check_language(errors, f"{field}.languages.{i}", lang.language, lang.level)
            if lang.language in seen:
                errors.add(f"{field}.languages.{i}.language", "DUPLICATE", "listed twice")
            seen.add(lang.language)
    if (
        data.min_pay is not None
        and not 0 < data.min_pay.amount_cents <= MAX_PAY_CENTS[data.min_pay.period.value]
    ):
        errors.add(f"{field}.minPay.amount", "OUT_OF_RANGE", "must be a positive, plausible amount")
    for i, sector in enumerate(data.transferable_sectors):
        if sector not in SECTORS:
            errors.add(
                f"{field}.transferableSectors.{i}",
                "UNKNOWN_SECTOR",
                f"use one of {', '.join(SECTORS)}",
            )


def validate_contact(errors: Collector, contact: ContactInput, *, field: str) -> ContactInput:
    """The contact as stored (trimmed, the address normalised), with errors collected."""
    validation.check_text(
        errors, f"{field}.fullName", contact.full_name, max_length=200, required=True
    )
    email = validation.check_email(errors, f"{field}.email", contact.email)
    if contact.phone is not None and not PHONE_PATTERN.match(contact.phone):
        errors.add(f"{field}.phone", "INVALID_PHONE", "must be a phone number")
    return ContactInput(
        full_name=contact.full_name.strip(),
        email=email,
        phone=contact.phone.strip() if contact.phone else None,
    )


async def build_competencies(
    conn: Connection, normalizer: CompetencyNormalizer, data: ProfileInput
) -> tuple[tuple[ProfileCompetency, ...], tuple[ProfileLanguage, ...]]:
    normalized = await normalizer.normalize(conn, [c.phrase.strip() for c in data.competencies])
    # One phrase may list several competencies ("empathisch en geduldig"): each part is
    # stored as a competency of its own, with the phrase as written and the same level.
    competencies = tuple(
        ProfileCompetency(n.phrase, n.normalized, n.concept_id, n.confidence, c.level)
        for c, n in expand(data.competencies, normalized)
    )
    languages = tuple(
        ProfileLanguage(lang.language, CefrLevel(lang.level)) for lang in data.languages
    )
    return competencies, languages


async def share_profile(
    conn: Connection,
    caller: Caller,
    normalizer: CompetencyNormalizer,
    data: ShareProfileInput,
    *,
    settings: Settings | None = None,
    request_consent: bool = True,
) -> Profile:
    """Store a profile PENDING_CONSENT with the person's contact data kept apart, and mail
    the person the one-time link to the consent page (``request_consent=False`` only for
    the demo's invented people, who are never mailed)."""
    caller.require(CallerRole.PARTNER_HR, Scope.PROFILES_WRITE)
    assert caller.partner_id is not None
    settings = settings or get_settings()
    now = dt.datetime.now(dt.UTC)
    errors = Collector()
    validate_profile_input(errors, data.profile, field="input.profile", today=now.date())
    contact = validate_contact(errors, data.contact, field="input.contact")
    if data.language not in ("nl", "en"):
        errors.add("input.language", "UNSUPPORTED_LANGUAGE", "use nl or en")
    errors.raise_if_any()
    competencies, languages = await build_competencies(conn, normalizer, data.profile)
    person_id = uuid.uuid4()
    await repository.insert_person(
        conn,
        person_id=person_id,
        consortium_id=caller.consortium_id,
        pseudonym=new_pseudonym("P"),
        partner_id=caller.partner_id,
        language=data.language,
        contact=contact,
    )
    p = data.profile
    profile = Profile(
        id=uuid.uuid4(),
        consortium_id=caller.consortium_id,
        partner_id=caller.partner_id,
        person_id=person_id,
        pseudonym=new_pseudonym("TD"),
        kind=p.kind,
        status=ProfileStatus.PENDING_CONSENT,
        headline=p.headline.strip() if p.headline else None,
        not_fit_reason=p.not_fit_reason.strip() if p.not_fit_reason else None,
        present_role=p.present_role,
        postcode_area=p.postcode_area,
        max_travel_km=p.max_travel_km,
        hours_min=p.hours_min,
        hours_max=p.hours_max,
        available_from=p.available_from,
        ambitions=tuple(dict.fromkeys(p.ambitions)),
        shifts=tuple(dict.fromkeys(p.shifts)),
        work_modes=tuple(dict.fromkeys(p.work_modes)),
        min_pay=p.min_pay,
        transferable_sectors=tuple(dict.fromkeys(p.transferable_sectors)),
        consent_scope=None,
        consent_expires_at=None,
        pending_until=rules_from(settings).pending_until(now),
        created_at=now,
        updated_at=now,
        competencies=competencies,
        languages=languages,
    )
    await repository.insert_profile(conn, profile=profile)
    await record_caller_event(
        conn,
        caller,
        action=PROFILE_SHARED,
        subject_kind="profile",
        subject_id=str(profile.id),
        details={"kind": profile.kind.value, "competencies": len(competencies)},
    )
    if request_consent:
        await consent_flow.request_consent(
            conn,
            caller,
            profile=profile,
            email=contact.email,
            language=data.language,
            settings=settings,
        )
    return profile


async def list_shared_profiles(
    conn: Connection,
    caller: Caller,
    *,
    status: ProfileStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Profile]:
    caller.require(CallerRole.PARTNER_HR, Scope.PROFILES_READ)
    assert caller.partner_id is not None
    return await repository.list_shared_profiles(
        conn, partner_id=caller.partner_id, status=status, limit=limit, after=after
    )
