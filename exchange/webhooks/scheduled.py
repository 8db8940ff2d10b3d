"""Time-based webhook events, produced by the server's webhook job before each delivery.

- ``placement.outcome_due``: the 3- or 6-month outcome of a placement is due and not yet
  recorded (once per placement and milestone);
- ``matches.new``: profiles scoring at least ``webhook_matches_min_score`` for an open
  vacancy that were never announced for it, at most once per vacancy per day. The ranking
  comes from the process's match index and is re-checked under the partner's own
  row-level security, as a ``matches`` request is; the announcement is audited as the
  profiles shown to that partner.

Only partners with an active endpoint for the event are considered.
"""

from __future__ import annotations

import datetime as dt

from exchange.audit import actions
from exchange.audit.service import record_event
from exchange.matching import repository as matching_repository
from exchange.matching.engine import MatchEngine
from exchange.matching.service import match_vacancy
from exchange.vacancies import repository as vacancies_repository
from exchange.vacancies.models import VacancyStatus
from exchange.webhooks.events import emit
from exchange.webhooks.models import EventType
from exchange.webhooks.timed import repository as timed_repository
from infra.caller import Caller
from infra.db import Database
from infra.scope import AccessScope
from matching.scoring import search

MATCHES_PER_ANNOUNCEMENT = 50
WEBHOOK_ACTOR = "tussendeur-webhooks"


async def announce_outcomes_due(database: Database, *, today: dt.date) -> int:
    async with database.transaction(AccessScope.system()) as conn:
        due = await timed_repository.claim_outcomes_due(conn, today=today)
        for item in due:
            await emit(
                conn,
                consortium_id=item.consortium_id,
                partner_id=item.hiring_partner_id,
                event_type=EventType.PLACEMENT_OUTCOME_DUE,
                data={
                    "placementId": str(item.placement_id),
                    "vacancyId": str(item.vacancy_id),
                    "months": item.months,
                },
            )
    return len(due)


async def announce_new_matches(
    database: Database, engine: MatchEngine, *, min_score: float, now: dt.datetime
) -> int:
    """One ``matches.new`` per watched vacancy with profiles never announced; how many."""
    async with database.transaction(AccessScope.system()) as conn:
        watched = await timed_repository.vacancies_watched_for_matches(conn, day=now.date())
    sent = 0
    for item in watched:
        partner = Caller.api_client(item.consortium_id, WEBHOOK_ACTOR, partner_id=item.partner_id)
        async with database.transaction(partner.access_scope()) as conn:
            vacancy = await vacancies_repository.get_vacancy(
                conn, vacancy_id=item.vacancy_id, partner_id=item.partner_id
            )
            if vacancy is None or vacancy.status is not VacancyStatus.OPEN:
                continue
            ranked = search(
                engine.index,
                match_vacancy(vacancy),
                viewer_partner_id=item.partner_id,
                k=MATCHES_PER_ANNOUNCEMENT,
                min_score=min_score,
                hidden_partner_ids=engine.hidden_partner_ids,
                today=now.date(),
            )
            visible = await matching_repository.visible_live_profile_ids(
                conn, profile_ids=[r.profile_id for r in ranked]
            )
        candidates = [r.profile_id for r in ranked if r.profile_id in visible]
        if not candidates:
            continue
        async with database.transaction(AccessScope.system()) as conn:
            new = await timed_repository.announce_matches(
                conn, vacancy=item, profile_ids=candidates, day=now.date()
            )
            if not new:
                continue
            await emit(
                conn,
                consortium_id=item.consortium_id,
                partner_id=item.partner_id,
                event_type=EventType.MATCHES_NEW,
                data={
                    "vacancyId": str(item.vacancy_id),
                    "profileIds": [str(p) for p in new],
                    "minScore": min_score,
                },
                now=now,
            )
            await record_event(
                conn,
                consortium_id=item.consortium_id,
                actor_kind="system",
                actor_id=WEBHOOK_ACTOR,
                partner_id=item.partner_id,
                action=actions.PROFILE_SHOWN_IN_MATCHES,
                subject_kind="vacancy",
                subject_id=str(item.vacancy_id),
                details={"profiles": [str(p) for p in new], "offset": 0},
            )
            sent += 1
    return sent
