"""SQL that feeds the matcher: live profiles as MatchProfile values, and visibility re-checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

import asyncpg

from infra.db import Connection
from matching.types import (
    CefrLevel,
    Competency,
    ConsentScope,
    ConsentScopeKind,
    LanguageSkill,
    MatchProfile,
    Pay,
    PayPeriod,
    ProfileKind,
    Role,
    Shift,
    WorkMode,
)

_LIVE = "status = 'ACTIVE' and consent_expires_at > now()"
_PROFILE_COLUMNS = """id, partner_id, kind, present_role, postcode_area, max_travel_km, hours_min,
    hours_max, available_from, ambitions, shifts, work_modes, min_pay_cents, min_pay_period,
    transferable_sectors, consent_scope_kind, consent_scope_partner_ids"""


def _match_profile(
    row: asyncpg.Record, competencies: Sequence[Competency], languages: Sequence[LanguageSkill]
) -> MatchProfile:
    min_pay = None
    if row["min_pay_period"] is not None:
        min_pay = Pay(row["min_pay_cents"], PayPeriod(row["min_pay_period"]))
    return MatchProfile(
        profile_id=row["id"],
        partner_id=row["partner_id"],
        kind=ProfileKind(row["kind"]),
        competencies=tuple(competencies),
        languages=tuple(languages),
        postcode_area=row["postcode_area"],
        max_travel_km=row["max_travel_km"],
        hours_min=row["hours_min"],
        hours_max=row["hours_max"],
        available_from=row["available_from"],
        consent_scope=ConsentScope(
            ConsentScopeKind(row["consent_scope_kind"]),
            frozenset(row["consent_scope_partner_ids"]),
        ),
        shifts=frozenset(Shift(s) for s in row["shifts"]),
        work_modes=frozenset(WorkMode(m) for m in row["work_modes"]),
        min_pay=min_pay,
        ambitions=tuple(Role(a) for a in row["ambitions"]),
        current_role=Role(row["present_role"]) if row["present_role"] else None,
        transferable_sectors=tuple(row["transferable_sectors"]),
    )


async def _with_children(conn: Connection, rows: Sequence[asyncpg.Record]) -> list[MatchProfile]:
    ids = [r["id"] for r in rows]
    competencies: dict[UUID, list[Competency]] = defaultdict(list)
    languages: dict[UUID, list[LanguageSkill]] = defaultdict(list)
    for r in await conn.fetch(
        """select profile_id, phrase, normalized, concept_id, confidence, level
           from profile_competency where profile_id = any($1::uuid[])
           order by profile_id, position""",
        ids,
    ):
        competencies[r["profile_id"]].append(
            Competency(
                phrase=r["phrase"],
                normalized=r["normalized"],
                concept_id=r["concept_id"],
                confidence=float(r["confidence"]),
                level=r["level"],
            )
        )
    for r in await conn.fetch(
        """select profile_id, language, level from profile_language
           where profile_id = any($1::uuid[])""",
        ids,
    ):
        languages[r["profile_id"]].append(LanguageSkill(r["language"], CefrLevel(r["level"])))
    return [_match_profile(r, competencies[r["id"]], languages[r["id"]]) for r in rows]


async def iter_live_profiles(
    conn: Connection, *, batch_size: int = 5_000
) -> AsyncIterator[list[MatchProfile]]:
    """Every profile that may currently be matched, in batches (system scope)."""
    last_id: UUID | None = None
    while True:
        rows = await conn.fetch(
            f"""select {_PROFILE_COLUMNS} from profile
                where {_LIVE} and ($1::uuid is null or id > $1)
                order by id limit $2""",
            last_id,
            batch_size,
        )
        if not rows:
            return
        yield await _with_children(conn, rows)
        last_id = rows[-1]["id"]


async def live_profiles(conn: Connection, *, profile_ids: Sequence[UUID]) -> list[MatchProfile]:
    rows = await conn.fetch(
        f"select {_PROFILE_COLUMNS} from profile where {_LIVE} and id = any($1::uuid[])",
        list(profile_ids),
    )
    return await _with_children(conn, rows)


async def visible_live_profile_ids(conn: Connection, *, profile_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these the transaction's caller may see now (RLS decides, not the index)."""
    rows = await conn.fetch(
        f"select id from profile where {_LIVE} and id = any($1::uuid[])", list(profile_ids)
    )
    return {r["id"] for r in rows}


async def suspended_partner_ids(conn: Connection) -> set[UUID]:
    rows = await conn.fetch("select id from partner where status = 'SUSPENDED'")
    return {r["id"] for r in rows}
