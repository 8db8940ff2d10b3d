"""Placement proposals: one consortium-wide optimal assignment, shown per partner.

The assignment over all open vacancies × live profiles is system work (like the
index build) and cached until the index or the open vacancies change. Each caller
then sees only the proposals for its own vacancies, re-checked under its RLS.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from exchange.audit.actions import PLACEMENT_PROPOSALS_SHOWN
from exchange.audit.service import record_caller_event
from exchange.matching import repository
from exchange.matching.engine import MatchEngine
from exchange.matching.service import match_vacancy
from exchange.profiles import repository as profiles_repository
from exchange.profiles.models import Profile
from exchange.vacancies import repository as vacancies_repository
from exchange.vacancies.models import Vacancy
from infra.caller import Caller, CallerRole, Scope
from infra.db import Connection, Database
from infra.scope import AccessScope
from matching.proposals import propose_placements
from matching.types import Proposal

PROFILE_CAPACITY = 2  # a person is proposed to at most this many vacancies
VACANCY_CAPACITY = 5  # a vacancy is given at most this many people


@dataclass(frozen=True, slots=True)
class ShownProposal:
    proposal: Proposal
    profile: Profile
    vacancy: Vacancy


@dataclass(frozen=True, slots=True)
class ProposalPage:
    items: list[ShownProposal]
    has_next_page: bool


class ProposalCache:
    """The last assignment per consortium, valid while its inputs are unchanged."""

    def __init__(self) -> None:
        self._entries: dict[UUID, tuple[tuple[object, ...], list[Proposal]]] = {}
        self._lock = asyncio.Lock()

    async def assignment(
        self, database: Database, engine: MatchEngine, consortium_id: UUID, today: dt.date
    ) -> list[Proposal]:
        async with self._lock:
            async with database.transaction(AccessScope.system()) as conn:
                stamp = await repository.open_vacancies_stamp(conn, consortium_id=consortium_id)
                key = (engine.version, stamp.open, stamp.changed, today)
                cached = self._entries.get(consortium_id)
                if cached is not None and cached[0] == key:
                    return cached[1]
                ids = await repository.open_vacancy_ids(conn, consortium_id=consortium_id)
                vacancies = await vacancies_repository.get_vacancies(conn, vacancy_ids=ids)
            proposals = await asyncio.to_thread(
                propose_placements,
                engine.index,
                [match_vacancy(v) for v in vacancies],
                per_profile_capacity=PROFILE_CAPACITY,
                per_vacancy_capacity=VACANCY_CAPACITY,
                today=today,
                hidden_partner_ids=engine.hidden_partner_ids,
            )
            self._entries[consortium_id] = (key, proposals)
            return proposals


async def placement_proposals(
    conn: Connection,
    caller: Caller,
    *,
    database: Database,
    engine: MatchEngine,
    cache: ProposalCache,
    first: int,
    offset: int,
    today: dt.date | None = None,
) -> ProposalPage:
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
    assignment = await cache.assignment(
        database, engine, caller.consortium_id, today or dt.date.today()
    )
    own_ids = await repository.partner_open_vacancy_ids(conn, partner_id=caller.partner_id)
    mine = [p for p in assignment if p.vacancy_id in own_ids]
    visible = await repository.visible_live_profile_ids(
        conn, profile_ids=[p.profile_id for p in mine]
    )
    allowed = [p for p in mine if p.profile_id in visible]
    window = allowed[offset : offset + first]
    profiles = {
        p.id: p
        for p in await profiles_repository.get_profiles(
            conn, profile_ids=[p.profile_id for p in window]
        )
    }
    vacancies = {
        v.id: v
        for v in await vacancies_repository.get_vacancies(
            conn, vacancy_ids=list({p.vacancy_id for p in window})
        )
    }
    items = [
        ShownProposal(p, profiles[p.profile_id], vacancies[p.vacancy_id])
        for p in window
        if p.profile_id in profiles
    ]
    if items:
        await record_caller_event(
            conn,
            caller,
            action=PLACEMENT_PROPOSALS_SHOWN,
            details={
                "profiles": sorted({str(i.profile.id) for i in items}),
                "vacancy_ids": sorted({str(i.vacancy.id) for i in items}),
            },
        )
    return ProposalPage(items=items, has_next_page=len(allowed) > offset + first)
