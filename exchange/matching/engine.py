"""The process-wide matcher: an in-memory index built from PostgreSQL and kept fresh.

At start the engine loads every live profile. Afterwards a dedicated connection
LISTENs for ``tussendeur_profile_changed`` / ``tussendeur_partner_changed`` and
re-reads just the profiles named, so every replica follows every write. The index
only proposes candidates: each request re-checks them against PostgreSQL under the
caller's row-level security, so a withdrawn consent hides a profile at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import structlog

from exchange.matching import repository
from infra.db import Database
from infra.scope import AccessScope
from matching.index import MatchIndex
from matching.policy import MatchPolicy
from matching.taxonomy import Taxonomy

log = structlog.get_logger(__name__)

PROFILE_CHANNEL = "tussendeur_profile_changed"
PARTNER_CHANNEL = "tussendeur_partner_changed"
CUSTOMER_CONTACT_CATEGORIES = frozenset({"customer_contact", "channel", "complaints", "soft_skill"})


@dataclass(frozen=True, slots=True)
class BuildReport:
    profiles: int
    seconds: float
    memory_bytes: int


def policy_for(taxonomy: Taxonomy) -> MatchPolicy:
    concepts = list(taxonomy)
    return MatchPolicy(
        soft_skill_concepts=frozenset(c.id for c in concepts if c.soft_skill),
        customer_contact_concepts=frozenset(
            c.id for c in concepts if c.category in CUSTOMER_CONTACT_CATEGORIES
        ),
    )


class MatchEngine:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.index = MatchIndex(policy_for(taxonomy))
        self.hidden_partner_ids: frozenset[UUID] = frozenset()
        self.version = 0  # bumps on every change; caches key on it
        self._lock = asyncio.Lock()
        self._pending: set[UUID] = set()
        self._partners_dirty = False
        self._wakeup = asyncio.Event()
        self._listener: asyncpg.Connection[asyncpg.Record] | None = None
        self._worker: asyncio.Task[None] | None = None

    async def build(self, database: Database) -> BuildReport:
        started = time.perf_counter()
        index = MatchIndex(self.index.policy, regions=self.index.regions)
        async with database.transaction(AccessScope.system()) as conn:
            async for batch in repository.iter_live_profiles(conn):
                index.add_many(batch)
            hidden = frozenset(await repository.suspended_partner_ids(conn))
        async with self._lock:
            self.index = index
            self.hidden_partner_ids = hidden
            self.version += 1
        report = BuildReport(len(index), time.perf_counter() - started, index.memory_bytes())
        log.info("match_index_built", profiles=report.profiles, seconds=round(report.seconds, 3))
        return report

    async def refresh(self, database: Database, profile_ids: Iterable[UUID]) -> None:
        """Re-read these profiles: live ones are (re)indexed, the others dropped."""
        wanted = list(set(profile_ids))
        if not wanted:
            return
        async with database.transaction(AccessScope.system()) as conn:
            live = await repository.live_profiles(conn, profile_ids=wanted)
        async with self._lock:
            live_ids = {p.profile_id for p in live}
            for profile_id in wanted:
                if profile_id not in live_ids:
                    self.index.remove(profile_id)
            for profile in live:
                self.index.upsert(profile)
            self.version += 1

    async def refresh_partners(self, database: Database) -> None:
        async with database.transaction(AccessScope.system()) as conn:
            hidden = frozenset(await repository.suspended_partner_ids(conn))
        async with self._lock:
            self.hidden_partner_ids = hidden
            self.version += 1

    # -- following writes from every replica ----------------------------------

    async def start_listening(self, app_dsn: str, database: Database) -> None:
        self._listener = await asyncpg.connect(app_dsn)
        await self._listener.add_listener(PROFILE_CHANNEL, self._on_profile_notify)
        await self._listener.add_listener(PARTNER_CHANNEL, self._on_partner_notify)
        self._worker = asyncio.create_task(self._apply_changes(database))
        # Changes committed between the initial build and LISTEN would be missed.
        await self.build(database)

    def _on_profile_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        with contextlib.suppress(ValueError):
            self._pending.add(UUID(str(payload)))
            self._wakeup.set()

    def _on_partner_notify(self, _conn: object, _pid: int, _channel: str, _payload: object) -> None:
        self._partners_dirty = True
        self._wakeup.set()

    async def _apply_changes(self, database: Database) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            changed, self._pending = self._pending, set()
            partners_dirty, self._partners_dirty = self._partners_dirty, False
            try:
                if changed:
                    await self.refresh(database, changed)
                if partners_dirty:
                    await self.refresh_partners(database)
            except Exception:  # keep following; the next request re-checks via RLS anyway
                log.exception("match_index_refresh_failed", profiles=len(changed))
                self._pending |= changed
                await asyncio.sleep(1)
                self._wakeup.set()

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._listener is not None:
            await self._listener.close()
