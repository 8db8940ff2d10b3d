"""Placement proposals: one consortium-wide optimal assignment, shown per partner.

The assignment over all open vacancies × live profiles is system work (like the
index build) and cached until the index or the open vacancies change. Each caller
then sees only the proposals for its own vacancies, re-checked under its RLS.

A request takes the assignment *before* it opens its own transaction
(:func:`consortium_assignment`, then :func:`placement_proposals`): code holding a pooled
connection never waits for a second one. Concurrent requests of one consortium share one
computation; it runs on a worker thread, in a task of its own, so a request that gives up
(its deadline) neither stops it nor holds anything while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
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

_Key = tuple[object, ...]  # (index version, open vacancies stamp, day)


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
    """The last assignment per consortium, valid while its inputs are unchanged, and the
    one computation per consortium under way."""

    def __init__(self) -> None:
        self._entries: dict[UUID, tuple[_Key, list[Proposal]]] = {}
        self._running: dict[UUID, tuple[_Key, asyncio.Task[list[Proposal]]]] = {}

    async def assignment(
        self, database: Database, engine: MatchEngine, consortium_id: UUID, today: dt.date
    ) -> list[Proposal]:
        """Call it holding no transaction: it opens its own (short) ones."""
        key = await self._current_key(database, engine, consortium_id, today)
        cached = self._entries.get(consortium_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        running = self._running.get(consortium_id)
        if running is None or running[0] != key:
            task = asyncio.create_task(
                self._compute(database, engine, consortium_id, today),
                name=f"placement-proposals-{consortium_id}",
            )
            task.add_done_callback(lambda done: self._finished(consortium_id, done))
            running = (key, task)
            self._running[consortium_id] = running
        # shielded: a waiter cancelled by its deadline leaves the computation to the others
        return await asyncio.shield(running[1])

    @staticmethod
    async def _current_key(
        database: Database, engine: MatchEngine, consortium_id: UUID, today: dt.date
    ) -> _Key:
        async with database.transaction(AccessScope.system()) as conn:
            stamp = await repository.open_vacancies_stamp(conn, consortium_id=consortium_id)
        return (engine.version, stamp.open, stamp.changed, today)

    async def _compute(
        self, database: Database, engine: MatchEngine, consortium_id: UUID, today: dt.date
    ) -> list[Proposal]:
        version = engine.version
        async with database.transaction(AccessScope.system()) as conn:
            stamp = await repository.open_vacancies_stamp(conn, consortium_id=consortium_id)
            ids = await repository.open_vacancy_ids(conn, consortium_id=consortium_id)
            vacancies = await vacancies_repository.get_vacancies(conn, vacancy_ids=ids)
        wanted, hidden = [match_vacancy(v) for v in vacancies], engine.hidden_partner_ids
        proposals = await engine.read(  # the index's own thread: never beside a write
            lambda index: propose_placements(
                index,
                wanted,
                per_profile_capacity=PROFILE_CAPACITY,
                per_vacancy_capacity=VACANCY_CAPACITY,
                today=today,
                hidden_partner_ids=hidden,
            )
        )
        # keyed by the inputs it read, which may be newer than the key it was started for
        self._entries[consortium_id] = ((version, stamp.open, stamp.changed, today), proposals)
        return proposals

    def _finished(self, consortium_id: UUID, task: asyncio.Task[list[Proposal]]) -> None:
        running = self._running.get(consortium_id)
        if running is not None and running[1] is task:
            del self._running[consortium_id]
        if not task.cancelled():
            with contextlib.suppress(Exception):
                task.exception()  # retrieved: its waiters (if any) raise it themselves


async def consortium_assignment(
    database: Database,
    caller: Caller,
    *,
    engine: MatchEngine,
    cache: ProposalCache,
    today: dt.date | None = None,
) -> list[Proposal]:
    """The consortium's current assignment; call it before opening the caller's transaction."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    return await cache.assignment(database, engine, caller.consortium_id, today or dt.date.today())


async def placement_proposals(
    conn: Connection,
    caller: Caller,
    *,
    assignment: list[Proposal],
    first: int,
    offset: int,
) -> ProposalPage:
    """The caller's page of ``assignment`` (from :func:`consortium_assignment`)."""
    caller.require(CallerRole.PARTNER_HR, Scope.MATCHES_READ)
    assert caller.partner_id is not None
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
