"""SQL for people, contact data and pseudonymous profiles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from consent.models import ConsentScope, ScopeKind
from exchange.profiles.models import (
    ContactInput,
    Profile,
    ProfileCompetency,
    ProfileInput,
    ProfileLanguage,
    ProfileStatus,
)
from infra.db import Connection
from infra.pagination import Keyset, Page
from infra.repository import fetch_keyset_page
from matching.types import (
    CefrLevel,
    Pay,
    PayPeriod,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)

_COLUMNS = """id, consortium_id, partner_id, person_id, pseudonym, kind, status, headline,
    not_fit_reason, present_role, postcode_area, max_travel_km, hours_min, hours_max,
    available_from, ambitions, shifts, work_modes, min_pay_cents, min_pay_period,
    transferable_sectors, consent_scope_kind, consent_scope_partner_ids, consent_expires_at,
    pending_until, created_at, updated_at"""


def _profile(
    row: asyncpg.Record,
    competencies: Sequence[ProfileCompetency] = (),
    languages: Sequence[ProfileLanguage] = (),
) -> Profile:
    min_pay = None
    if row["min_pay_period"] is not None:
        min_pay = Pay(row["min_pay_cents"], PayPeriod(row["min_pay_period"]))
    return Profile(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        person_id=row["person_id"],
        pseudonym=row["pseudonym"],
        kind=ProfileKind(row["kind"]),
        status=ProfileStatus(row["status"]),
        headline=row["headline"],
        not_fit_reason=row["not_fit_reason"],
        present_role=Role(row["present_role"]) if row["present_role"] else None,
        postcode_area=row["postcode_area"],
        max_travel_km=row["max_travel_km"],
        hours_min=row["hours_min"],
        hours_max=row["hours_max"],
        available_from=row["available_from"],
        ambitions=tuple(Role(a) for a in row["ambitions"]),
        shifts=tuple(Shift(s) for s in row["shifts"]),
        work_modes=tuple(WorkMode(m) for m in row["work_modes"]),
        min_pay=min_pay,
        transferable_sectors=tuple(row["transferable_sectors"]),
        consent_scope=(
            ConsentScope(
                ScopeKind(row["consent_scope_kind"]), frozenset(row["consent_scope_partner_ids"])
            )
            if row["consent_scope_kind"]
            else None
        ),
        consent_expires_at=row["consent_expires_at"],
        pending_until=row["pending_until"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        competencies=tuple(competencies),
        languages=tuple(languages),
    )


async def insert_person(
    conn: Connection,
    *,
    person_id: UUID,
    consortium_id: UUID,
    pseudonym: str,
    partner_id: UUID,
    language: str,
    contact: ContactInput,
) -> None:
    await conn.execute(
        """insert into person (id, consortium_id, pseudonym, created_by_partner_id, language)
           values ($1, $2, $3, $4, $5)""",
        person_id,
        consortium_id,
        pseudonym,
        partner_id,
        language,
    )
    await conn.execute(
        """insert into person_contact (person_id, consortium_id, full_name, email, phone,
               created_by_partner_id)
           values ($1, $2, $3, $4, $5, $6)""",
        person_id,
        consortium_id,
        contact.full_name,
        contact.email,
        contact.phone,
        partner_id,
    )


async def insert_profile(conn: Connection, *, profile: Profile) -> None:
    p = profile
    await conn.execute(
        f"""insert into profile ({_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
            $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)""",
        p.id,
        p.consortium_id,
        p.partner_id,
        p.person_id,
        p.pseudonym,
        p.kind.value,
        p.status.value,
        p.headline,
        p.not_fit_reason,
        p.present_role.value if p.present_role else None,
        p.postcode_area,
        p.max_travel_km,
        p.hours_min,
        p.hours_max,
        p.available_from,
        [a.value for a in p.ambitions],
        [s.value for s in p.shifts],
        [m.value for m in p.work_modes],
        p.min_pay.amount_cents if p.min_pay else None,
        p.min_pay.period.value if p.min_pay else None,
        list(p.transferable_sectors),
        p.consent_scope.kind.value if p.consent_scope else None,
        p.consent_scope.sorted_ids() if p.consent_scope else [],
        p.consent_expires_at,
        p.pending_until,
        p.created_at,
        p.updated_at,
    )
    await replace_children(conn, profile=p)


async def replace_children(conn: Connection, *, profile: Profile) -> None:
    await conn.execute("delete from profile_competency where profile_id = $1", profile.id)
    await conn.execute("delete from profile_language where profile_id = $1", profile.id)
    await conn.executemany(
        """insert into profile_competency (id, profile_id, position, phrase, normalized,
               concept_id, confidence, level) values ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [
            (uuid4(), profile.id, i, c.phrase, c.normalized, c.concept_id, c.confidence, c.level)
            for i, c in enumerate(profile.competencies)
        ],
    )
    await conn.executemany(
        "insert into profile_language (profile_id, language, level) values ($1, $2, $3)",
        [(profile.id, lang.language, lang.level.value) for lang in profile.languages],
    )


_CEFR_LEVELS = {level.value: level for level in CefrLevel}


async def _attach_children(conn: Connection, rows: Sequence[asyncpg.Record]) -> list[Profile]:
    ids = [r["id"] for r in rows]
    competencies: dict[UUID, list[ProfileCompetency]] = defaultdict(list)
    languages: dict[UUID, list[ProfileLanguage]] = defaultdict(list)
    # Equal rows share one (frozen) value: a page of 50 profiles has ~900 competency rows
    # but far fewer distinct ones, and building each was a visible share of `matches`.
    known: dict[tuple[Any, ...], ProfileCompetency] = {}
    for profile_id, *values in await conn.fetch(
        """select profile_id, phrase, normalized, concept_id, confidence, level
           from profile_competency where profile_id = any($1::uuid[])
           order by profile_id, position""",
        ids,
    ):
        key = tuple(values)
        competency = known.get(key)
        if competency is None:
            phrase, normalized, concept_id, confidence, level = values
            competency = known[key] = ProfileCompetency(
                phrase, normalized, concept_id, float(confidence), level
            )
        competencies[profile_id].append(competency)
    for profile_id, language, level in await conn.fetch(
        """select profile_id, language, level from profile_language
           where profile_id = any($1::uuid[]) order by profile_id, language""",
        ids,
    ):
        languages[profile_id].append(ProfileLanguage(language, _CEFR_LEVELS[level]))
    return [_profile(r, competencies[r["id"]], languages[r["id"]]) for r in rows]


async def get_profiles(conn: Connection, *, profile_ids: Sequence[UUID]) -> list[Profile]:
    rows = await conn.fetch(
        f"select {_COLUMNS} from profile where id = any($1::uuid[])", list(profile_ids)
    )
    return await _attach_children(conn, rows)


async def list_shared_profiles(
    conn: Connection,
    *,
    partner_id: UUID,
    status: ProfileStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Profile]:
    rows, more = await fetch_keyset_page(
        conn,
        f"""select {_COLUMNS} from profile
            where partner_id = $1 and ($2::text is null or status = $2)""",
        partner_id,
        status.value if status else None,
        after=after,
        limit=limit,
        time_column="created_at",
    )
    return Page(items=await _attach_children(conn, rows), has_next_page=more)


async def update_profile_details(
    conn: Connection, *, profile_id: UUID, details: ProfileInput, now: dt.datetime
) -> None:
    """Write the person's corrections (the fields a person may change; children apart)."""
    await conn.execute(
        """update profile set headline = $2, postcode_area = $3, max_travel_km = $4,
               hours_min = $5, hours_max = $6, available_from = $7, present_role = $8,
               ambitions = $9, shifts = $10, work_modes = $11, min_pay_cents = $12,
               min_pay_period = $13, transferable_sectors = $14, updated_at = $15
           where id = $1""",
        profile_id,
        details.headline.strip() if details.headline else None,
        details.postcode_area,
        details.max_travel_km,
        details.hours_min,
        details.hours_max,
        details.available_from,
        details.present_role.value if details.present_role else None,
        [a.value for a in dict.fromkeys(details.ambitions)],
        [s.value for s in dict.fromkeys(details.shifts)],
        [m.value for m in dict.fromkeys(details.work_modes)],
        details.min_pay.amount_cents if details.min_pay else None,
        details.min_pay.period.value if details.min_pay else None,
        list(dict.fromkeys(details.transferable_sectors)),
        now,
    )
