"""One whole exchange through the use cases, for the admin's views of it: A shares a
profile (consent active), B posts a vacancy, B's matches show the profile, B asks for an
introduction, the person accepts, B records the placement and later its outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exchange.introductions.models import Introduction
from exchange.matching import service as matching_service
from exchange.matching.engine import MatchEngine
from exchange.placements import service as placements_service
from exchange.placements.models import Placement, PlacementOutcomeInput
from infra.db import ConnectionDatabase
from tests.support import factories, introductions
from tests.support.introductions import World


@dataclass
class Exchanged:
    world: World
    introduction: Introduction
    placement: Placement
    shown_profile_ids: list[str]


async def run_exchange(db: ConnectionDatabase) -> Exchanged:
    world = await introductions.build_world(db)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.build(db)
    async with db.transaction(world.hr_b.access_scope()) as conn:
        found = await matching_service.find_matches(
            conn, world.hr_b, engine, vacancy_id=world.vacancy_b.id, first=20, offset=0,
            min_score=0,
        )  # fmt: skip
    shown = [str(item.profile.id) for item in found.items]
    intro = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await introductions.respond(db, world.person, intro.id, accept=True)
    async with db.transaction(world.hr_b.access_scope()) as conn:
        placement = await placements_service.record_placement(
            conn, world.hr_b, introduction_id=intro.id, start_date=dt.date.today()
        )
    async with db.transaction(world.hr_b.access_scope()) as conn:
        placement = await placements_service.record_placement_outcome(
            conn,
            world.hr_b,
            placement.id,
            PlacementOutcomeInput(employed_at_3_months=True),
            now=dt.datetime.now(dt.UTC) + dt.timedelta(days=100),  # asked three months on
        )
    return Exchanged(world, intro, placement, shown)
