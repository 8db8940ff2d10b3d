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
)

MAX_MATCH_DEPTH = 500  # how far down the ranking a caller may page
RECHECK_SLACK = 25  # extra candidates fetched to make up for ones RLS hides


@dataclass(frozen=True, slots=True)
class RankedProfile:
    rank: int  # 0-based position in the ranking
    result: MatchResult
    profile: Profile


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
    today: dt.date | None = None,
) -> MatchPage:
    """Rank profiles for one of the caller's open vacancies; audit which were shown."""
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
    wanted_vacancy, viewer, hidden = (
        match_vacancy(vacancy),
        caller.partner_id,
        engine.hidden_partner_ids,
    )
    day = today or dt.date.today()
    ranked = await engine.read(
        lambda index: search(
            index,
            wanted_vacancy,
            viewer_partner_id=viewer,
            k=wanted + RECHECK_SLACK,
            min_score=min_score,
            hidden_partner_ids=hidden,
            today=day,
        )
    )
    visible = await repository.visible_live_profile_ids(
        conn, profile_ids=[r.profile_id for r in ranked]
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
