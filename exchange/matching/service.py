"""Match use cases for partner HR: ranked, explained, pseudonymous profiles for a vacancy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from exchange.audit.actions import PROFILE_SHOWN_IN_MATCHES
from exchange.audit.service import record_caller_event
from exchange.matching import repository
from exchange.matching.engine import MatchEngine
from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import Profile
from exchange.vacancies import repository as vacancies_repository
from exchange.vacancies.exceptions import VacancyClosed, VacancyNotFound
from exchange.vacancies.models import Vacancy, VacancyStatus
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection
from infra.errors import UserError
from matching.scoring import search
from matching.types import (
    MatchResult,
    MatchVacancy,
    Pay,
    ProfileKind,
    WorkMode,
)

MAX_MATCH_DEPTH = 500  # how far down the ranking a caller may page
RECHECK_SLACK = 25  # extra candidates fetched to make up for ones RLS hides


@dataclass(frozen=True, slots=True)
class RankedProfile:
    rank: int  # 0-based position in the ranking
    result: MatchResult
    profile: Profile


@dataclass(frozen=True, slots=True)
class MatchFilters:
    """A recruiter's narrowing of the ranking; ``None`` leaves a criterion open."""

    kind: ProfileKind | None = None
    work_mode: WorkMode | None = None
    available_by: dt.date | None = None  # available from this day or earlier

    @property
    def any(self) -> bool:
        return self.kind is not None or self.work_mode is not None or self.available_by is not None


@dataclass(frozen=True, slots=True)
class MatchPage:
    items: list[RankedProfile]
    has_next_page: bool


def match_vacancy(vacancy: Vacancy) -> MatchVacancy:
    pay_min = pay_max = None
    if vacancy.pay is not None:
        pay_min = Pay(vacancy.pay.min_cents, vacancy.pay.period)
        pay_max = Pay(vacancy.pay.max_cents, vacancy.pay.period)
    return MatchVacancy(
        vacancy_id=vacancy.id,
        partner_id=vacancy.partner_id,
        requirements=vacancy.requirements,
        languages=vacancy.languages,
        postcode_area=vacancy.postcode_area,
        hours_min=vacancy.hours_min,
        hours_max=vacancy.hours_max,
        start_date=vacancy.start_date,
        role=vacancy.role,
        shifts=frozenset(vacancy.shifts),
        work_mode=vacancy.work_mode,
        pay_min=pay_min,
        pay_max=pay_max,
        soft_skill_weight=vacancy.soft_skill_weight,
    )


async def find_matches(
    conn: Connection,
    caller: Caller,
    engine: MatchEngine,
    *,
    vacancy_id: UUID,
    first: int,
    offset: int,
    min_score: float,
    filters: MatchFilters | None = None,
    today: dt.date | None = None,
) -> MatchPage:
    """Rank profiles for one of the caller's open vacancies; audit which were shown.
    With ``filters`` the whole ranking (``MAX_MATCH_DEPTH`` deep) is narrowed before the
    page is cut, so pages stay consistent."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    if not 0 <= min_score <= 100:
        raise UserError.single("minScore", "OUT_OF_RANGE", "must be between 0 and 100")
    if offset + first > MAX_MATCH_DEPTH:
        raise UserError.single(
            "after", "OUT_OF_RANGE", f"matches are ranked {MAX_MATCH_DEPTH} deep at most"
        )
    vacancy = await vacancies_repository.get_vacancy(
        conn, vacancy_id=vacancy_id, partner_id=caller.partner_id
    )
    if vacancy is None:
        raise VacancyNotFound(field="vacancyId")
    if vacancy.status is not VacancyStatus.OPEN:
        raise VacancyClosed("matches are for open vacancies", field="vacancyId")
    wanted = offset + first
    narrowing = filters is not None and filters.any
    wanted_vacancy, viewer, hidden = (
        match_vacancy(vacancy),
        caller.partner_id,
        engine.hidden_partner_ids,
    )
    day = today or dt.date.today()
    depth = (MAX_MATCH_DEPTH if narrowing else wanted) + RECHECK_SLACK
    ranked = await engine.read(
        lambda index: search(
            index,
            wanted_vacancy,
            viewer_partner_id=viewer,
            k=depth,
            min_score=min_score,
            hidden_partner_ids=hidden,
            today=day,
        )
    )
    visible = await repository.visible_live_profile_ids(
        conn, profile_ids=[r.profile_id for r in ranked]
    )
    if filters is not None and narrowing:
        visible &= await repository.profile_ids_passing(
            conn,
            profile_ids=list(visible),
            kind=filters.kind,
            work_mode=filters.work_mode,
            available_by=filters.available_by,
        )
    allowed = [r for r in ranked if r.profile_id in visible]
    window = allowed[offset:wanted]
    profiles = {
        p.id: p
        for p in await profiles_repository.get_profiles(
            conn, profile_ids=[r.profile_id for r in window]
        )
    }
    items = [
        RankedProfile(rank=offset + i, result=r, profile=profiles[r.profile_id])
        for i, r in enumerate(window)
        if r.profile_id in profiles
    ]
    if items:
        await record_caller_event(
            conn,
            caller,
            action=PROFILE_SHOWN_IN_MATCHES,
            subject_kind="vacancy",
            subject_id=str(vacancy.id),
            details={"profiles": [str(i.profile.id) for i in items], "offset": offset},
        )
    return MatchPage(items=items, has_next_page=len(allowed) > wanted)


_RankedKey = tuple[int, int, UUID, dt.datetime, dt.date]
_RANKED_IDS: dict[_RankedKey, list[UUID]] = {}
_RANKED_IDS_SIZE = 2048


async def _ranked_ids(engine: MatchEngine, vacancy: Vacancy, today: dt.date) -> list[UUID]:
    """The vacancy's ranking as ids, kept until the index or the vacancy changes (a
    dashboard counts every open vacancy's matches on each visit)."""
    key = (id(engine), engine.version, vacancy.id, vacancy.updated_at, today)
    found = _RANKED_IDS.get(key)
    if found is None:
        wanted_vacancy, hidden = match_vacancy(vacancy), engine.hidden_partner_ids
        results = await engine.read(
            lambda index: search(
                index,
                wanted_vacancy,
                viewer_partner_id=vacancy.partner_id,
                k=MAX_MATCH_DEPTH,
                hidden_partner_ids=hidden,
                today=today,
            )
        )
        if len(_RANKED_IDS) >= _RANKED_IDS_SIZE:
            _RANKED_IDS.clear()
        found = _RANKED_IDS[key] = [r.profile_id for r in results]
    return found


async def matching_profile_ids(
    conn: Connection,
    caller: Caller,
    engine: MatchEngine,
    *,
    vacancies: list[Vacancy],
    today: dt.date | None = None,
) -> dict[UUID, list[UUID]]:
    """Per open vacancy of the caller's, the ids of the profiles it matches now (ranked,
    ``MAX_MATCH_DEPTH`` deep, re-checked under RLS): for counts, so nothing is shown and
    nothing is audited."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    day = today or dt.date.today()
    ranked = {
        v.id: await _ranked_ids(engine, v, day)
        for v in vacancies
        if v.partner_id == caller.partner_id and v.status is VacancyStatus.OPEN
    }
    visible = await repository.visible_live_profile_ids(
        conn, profile_ids=sorted({i for ids in ranked.values() for i in ids})
    )
    return {v: [i for i in ids if i in visible] for v, ids in ranked.items()}
