"""What the consent page shows: who shared the profile and why, what partners will and will
not see, the partners to choose from, the consent text, and the current state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from consent import repository as consent_repository
from consent.models import ConsentScope, ConsentText, Purpose
from consent.retention import RetentionRules, rules_from
from exchange.consent_flow import repository as flow_repository
from exchange.consent_flow.exceptions import ConsentTextNotFound, ProfileNotFound
from exchange.consent_flow.service import own_profile
from exchange.partners import repository as partners_repository
from exchange.partners.models import PartnerStatus
from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import Profile, ProfileStatus
from infra.caller import Caller
from infra.db import Connection
from infra.settings import Settings


@dataclass(frozen=True, slots=True)
class PartnerChoice:
    id: UUID
    name: str
    city: str | None


@dataclass(frozen=True, slots=True)
class ConsentOverview:
    profile: Profile  # exactly the pseudonymous fields partners are shown
    status: ProfileStatus
    sharing_partner: str
    consortium: str
    partners: tuple[PartnerChoice, ...]  # the ones a scope can name (not the sharer)
    text: ConsentText
    scope: ConsentScope | None
    expires_at: dt.datetime | None
    pending_until: dt.datetime | None
    ended_at: dt.datetime | None
    erase_on: dt.datetime | None  # after an end: when the data goes unless granted again
    contact_name: str | None  # the person's own contact data, shown as what stays hidden
    contact_email: str | None
    contact_phone: str | None
    rules: RetentionRules


async def consent_overview(
    conn: Connection, caller: Caller, *, language: str, settings: Settings
) -> ConsentOverview:
    row = await own_profile(conn, caller)
    profiles = await profiles_repository.get_profiles(conn, profile_ids=[row.id])
    if not profiles:
        raise ProfileNotFound()
    profile = profiles[0]
    lang = language if language in ("nl", "en") else "nl"
    text = await consent_repository.current_text(
        conn, purpose=Purpose.EXCHANGE_MATCHING, language=lang
    )
    if text is None:
        raise ConsentTextNotFound()
    partners = await partners_repository.list_partners(conn, consortium_id=profile.consortium_id)
    names = {p.id: p.name for p in partners}
    consortium = await consent_repository.consortium_name(conn, consortium_id=profile.consortium_id)
    person = await flow_repository.person_row(conn, person_id=profile.person_id)
    rules = rules_from(settings)
    ended = row.consent_ended_at
    return ConsentOverview(
        profile=profile,
        status=row.status,
        sharing_partner=names.get(profile.partner_id, ""),
        consortium=consortium or "",
        partners=tuple(
            PartnerChoice(p.id, p.name, p.city)
            for p in partners
            if p.id != profile.partner_id and p.status is PartnerStatus.ACTIVE
        ),
        text=text,
        scope=row.consent_scope,
        expires_at=row.consent_expires_at,
        pending_until=row.pending_until,
        ended_at=ended,
        erase_on=rules.erase_after(ended) if ended else None,
        contact_name=person.full_name if person else None,
        contact_email=person.email if person else None,
        contact_phone=person.phone if person else None,
        rules=rules,
    )
