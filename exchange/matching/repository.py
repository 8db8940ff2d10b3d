"""SQL that feeds the matcher: live profiles as MatchProfile values, and visibility re-checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
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

E = TypeVar("E", bound=StrEnum)

_LIVE = "status = 'ACTIVE' and consent_expires_at > now()"
_PROFILE_COLUMNS = """id, partner_id, kind, present_role, postcode_area, max_travel_km, hours_min,
    hours_max, available_from, ambitions, shifts, work_modes, min_pay_cents, min_pay_period,
    transferable_sectors, consent_scope_kind, consent_scope_partner_ids"""
_PROFILE_COLUMN_COUNT = 17


_PROFILE_KINDS = {k.value: k for k in ProfileKind}
_PAY_PERIODS = {p.value: p for p in PayPeriod}
_SCOPE_KINDS = {k.value: k for k in ConsentScopeKind}
_SHIFTS = {s.value: s for s in Shift}
_WORK_MODES = {m.value: m for m in WorkMode}
_ROLES = {r.value: r for r in Role}
_CEFR = {c.value: c for c in CefrLevel}
_NO_COMPETENCIES: tuple[Competency, ...] = ()
_NO_LANGUAGES: tuple[LanguageSkill, ...] = ()

# Competency and LanguageSkill are frozen values: equal rows share one instance.
_CompetencyKey = tuple[str, str, str | None, float, int | None]
_CompetencyCache = dict[_CompetencyKey, Competency]


def _match_profile(
    row: asyncpg.Record,
    competencies: tuple[Competency, ...],
    languages: tuple[LanguageSkill, ...],
) -> MatchProfile:
    (
        profile_id,
        partner_id,
        kind,
        present_role,
        postcode_area,
        max_travel_km,
        hours_min,
        hours_max,
        available_from,
        ambitions,
        shifts,
        work_modes,
        min_pay_cents,
        min_pay_period,
        transferable_sectors,
        consent_scope_kind,
        consent_scope_partner_ids,
    ) = row[:_PROFILE_COLUMN_COUNT]
    min_pay = None
    if min_pay_period is not None:
        min_pay = Pay(min_pay_cents, _enum(_PAY_PERIODS, PayPeriod, min_pay_period))
    return MatchProfile(
        profile_id=profile_id,
        partner_id=partner_id,
        kind=_enum(_PROFILE_KINDS, ProfileKind, kind),
        competencies=competencies,
        languages=languages,
        postcode_area=postcode_area,
        max_travel_km=max_travel_km,
        hours_min=hours_min,
        hours_max=hours_max,
        available_from=available_from,
        consent_scope=ConsentScope(
            _enum(_SCOPE_KINDS, ConsentScopeKind, consent_scope_kind),
            frozenset(consent_scope_partner_ids),
        ),
        shifts=frozenset([_enum(_SHIFTS, Shift, s) for s in shifts]),
        work_modes=frozenset([_enum(_WORK_MODES, WorkMode, m) for m in work_modes]),
        min_pay=min_pay,
        ambitions=tuple([_enum(_ROLES, Role, a) for a in ambitions]),
        current_role=_enum(_ROLES, Role, present_role) if present_role else None,
        transferable_sectors=tuple(transferable_sectors),
    )


def _enum(members: dict[str, E], cls: type[E], value: str) -> E:
    """``cls(value)`` via a dict: the Enum constructor is slow in bulk."""
    found = members.get(value)
    return found if found is not None else cls(value)


async def _with_children(
    conn: Connection,
    rows: Sequence[asyncpg.Record],
    cache: _CompetencyCache | None = None,
) -> list[MatchProfile]:
    if cache is None:
        cache = {}
    ids = [r[0] for r in rows]
    # Children come back keyed by the profile's 1-based position in ``ids``
    # (cheaper to decode and look up than a uuid per row).
    competencies: list[list[Competency]] = [[] for _ in range(len(ids) + 1)]
    languages: list[list[LanguageSkill]] = [[] for _ in range(len(ids) + 1)]
    for n, phrase, normalized, concept_id, confidence, level in await conn.fetch(
        """select b.n::int4, c.phrase, c.normalized, c.concept_id, c.confidence, c.level
           from unnest($1::uuid[]) with ordinality as b(id, n)
           join profile_competency c on c.profile_id = b.id
           order by b.n, c.position""",
        ids,
    ):
        key = (phrase, normalized, concept_id, confidence, level)
        comp = cache.get(key)
        if comp is None:
            comp = cache[key] = Competency(
                phrase=phrase,
                normalized=normalized,
                concept_id=concept_id,
                confidence=float(confidence),
                level=level,
            )
        competencies[n].append(comp)
    for n, language, level in await conn.fetch(
        """select b.n::int4, l.language, l.level
           from unnest($1::uuid[]) with ordinality as b(id, n)
           join profile_language l on l.profile_id = b.id
           order by b.n, l.language""",
        ids,
    ):
        languages[n].append(LanguageSkill(language, _enum(_CEFR, CefrLevel, level)))
    return [
        _match_profile(
            r,
            tuple(competencies[n]) if competencies[n] else _NO_COMPETENCIES,
            tuple(languages[n]) if languages[n] else _NO_LANGUAGES,
        )
        for n, r in enumerate(rows, 1)
    ]


# The build reads ~18 competency rows per profile but only a few thousand distinct ones
# (1.75M rows, 5.9k distinct at 100k profiles): decoding each row's texts dominated the
# start-up. So the distinct competencies are read once, each with a 64-bit key of all its
# fields (a row's hash: no text is built for it, unlike hashing a concatenation, which
# cost twice as much), and every profile comes as
# one row with an array of its competencies' keys in position order (one array, not
# three: aggregating and decoding arrays is most of the read). A key the list lacks or
# two entries sharing a key send the read row by row.
_COMPETENCY_KEY = "hash_record_extended(row(phrase, normalized, concept_id, confidence, level), 0)"
_DISTINCT_COMPETENCIES = f"""
    select {_COMPETENCY_KEY}, confidence, level, phrase, normalized, concept_id
    from profile_competency group by phrase, normalized, concept_id, confidence, level"""
_LIVE_PROFILES_KEYED = f"""
    with keyed as (
        select profile_id, array_agg({_COMPETENCY_KEY} order by position) as keys
        from profile_competency group by profile_id),
    spoken as (
        select profile_id, array_agg(language order by language) as languages,
               array_agg(level order by language) as cefr
        from profile_language group by profile_id)
    select {_PROFILE_COLUMNS}, keyed.keys, spoken.languages, spoken.cefr
    from profile
    left join keyed on keyed.profile_id = profile.id
    left join spoken on spoken.profile_id = profile.id
    where {_LIVE}"""


async def iter_live_profiles(
    conn: Connection, *, batch_size: int = 5_000
) -> AsyncGenerator[list[MatchProfile], None]:
    """Every profile that may currently be matched, in batches (system scope).

    Equal to :func:`live_profiles` of every live id (a test compares them). A profile
    with a competency the distinct list lacks (written meanwhile) is re-read that way;
    should two distinct competencies ever share a key, every profile is read that way.
    """
    # Row-level security makes the planner expect huge costs and counts: without these it
    # spends seconds JIT-compiling each statement, and sorts 1.75M rows on disk for the
    # distinct list instead of hashing its few thousand groups (8 s against 0.9 s). That
    # list reads every competency row: at 1M profiles it may outlast a request's cap.
    await conn.execute(
        "set local jit = off; set local work_mem = '64MB'; set local enable_sort = off;"
        " set local statement_timeout = '10min'"
    )
    known: dict[int, Competency] = {}
    distinct = await conn.fetch(_DISTINCT_COMPETENCIES)
    await conn.execute("set local enable_sort = on")
    for key, confidence, level, phrase, normalized, concept_id in distinct:
        known[key] = Competency(phrase, normalized, concept_id, float(confidence), level)
    if len(known) < len(distinct):  # a key collision: fall back to reading every row
        async for read in _iter_live_profiles_rowwise(conn, batch_size=batch_size):
            yield read
        return
    languages_cache: dict[tuple[str, str], LanguageSkill] = {}
    async for rows in _cursor_batches(conn, _LIVE_PROFILES_KEYED, batch_size):
        batch: list[MatchProfile] = []
        unknown: list[UUID] = []
        for row in rows:
            keys, languages, cefr = row[-3:]
            competencies = _NO_COMPETENCIES
            if keys:
                try:
                    competencies = tuple([known[k] for k in keys])
                except KeyError:
                    unknown.append(row[0])
                    continue
            spoken = _NO_LANGUAGES
            if languages:
                spoken = tuple(
                    _language(languages_cache, language, level)
                    for language, level in zip(languages, cefr, strict=True)
                )
            batch.append(_match_profile(row, competencies, spoken))
        if unknown:
            batch += await live_profiles(conn, profile_ids=unknown)
        yield batch


async def _cursor_batches(
    conn: Connection, query: str, batch_size: int
) -> AsyncIterator[list[asyncpg.Record]]:
    cursor = await conn.cursor(query)
    while rows := await cursor.fetch(batch_size):
        yield rows


async def _iter_live_profiles_rowwise(
    conn: Connection, *, batch_size: int
) -> AsyncIterator[list[MatchProfile]]:
    last_id: UUID | None = None
    cache: _CompetencyCache = {}
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
        yield await _with_children(conn, rows, cache)
        last_id = rows[-1][0]


def _language(
    cache: dict[tuple[str, str], LanguageSkill], language: str, level: str
) -> LanguageSkill:
    skill = cache.get((language, level))
    if skill is None:
        skill = cache[language, level] = LanguageSkill(language, _enum(_CEFR, CefrLevel, level))
    return skill


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


async def profile_ids_passing(
    conn: Connection,
    *,
    profile_ids: Sequence[UUID],
    kind: ProfileKind | None,
    work_mode: WorkMode | None,
    available_by: dt.date | None,
) -> set[UUID]:
    """Which of these profiles pass a recruiter's filters (a profile naming no work mode
    accepts any)."""
    rows = await conn.fetch(
        """select id from profile
           where id = any($1::uuid[])
             and ($2::text is null or kind = $2)
             and ($3::text is null or work_modes = '{}' or $3 = any(work_modes))
             and ($4::date is null or available_from <= $4)""",
        list(profile_ids),
        kind.value if kind else None,
        work_mode.value if work_mode else None,
        available_by,
    )
    return {r["id"] for r in rows}


async def suspended_partner_ids(conn: Connection) -> set[UUID]:
    rows = await conn.fetch("select id from partner where status = 'SUSPENDED'")
    return {r["id"] for r in rows}


# ---------------------------------------------------------------- placement proposals


@dataclass(frozen=True, slots=True)
class OpenVacanciesStamp:
    """How many vacancies of a consortium are open and when one last changed: equal stamps
    mean the same open vacancies (what a cached assignment was computed from)."""

    open: int
    changed: dt.datetime | None


async def open_vacancies_stamp(conn: Connection, *, consortium_id: UUID) -> OpenVacanciesStamp:
    row = await conn.fetchrow(
        """select count(*) as open, max(updated_at) as changed from vacancy
           where consortium_id = $1 and status = 'OPEN'""",
        consortium_id,
    )
    assert row is not None  # an aggregate always returns one row
    return OpenVacanciesStamp(open=int(row["open"]), changed=row["changed"])


async def open_vacancy_ids(conn: Connection, *, consortium_id: UUID) -> list[UUID]:
    rows = await conn.fetch(
        "select id from vacancy where consortium_id = $1 and status = 'OPEN'", consortium_id
    )
    return [r["id"] for r in rows]


async def partner_open_vacancy_ids(conn: Connection, *, partner_id: UUID) -> set[UUID]:
    rows = await conn.fetch(
        "select id from vacancy where partner_id = $1 and status = 'OPEN'", partner_id
    )
    return {r["id"] for r in rows}


async def ping(conn: Connection) -> None:
    """A round trip that proves the connection still answers."""
    await conn.fetchval("select 1")
