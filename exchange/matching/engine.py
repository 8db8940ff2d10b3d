"""The process-wide matcher: an in-memory index built from PostgreSQL and kept fresh.

At start the engine loads every live profile. Afterwards a dedicated connection
LISTENs for ``tussendeur_profile_changed`` / ``tussendeur_partner_changed`` and
re-reads just the profiles named, so every replica follows every write. When that
connection drops, the engine reconnects with back-off, LISTENs again and rebuilds
the whole index (LISTEN first, so nothing committed meanwhile is missed); until then
``stale_since`` tells readiness checks that new and changed profiles may be missing.
The index only proposes candidates: each request re-checks them against PostgreSQL
under the caller's row-level security, so a withdrawn consent hides a profile at once.

The index is read and changed only on the engine's own thread (:meth:`MatchEngine.read`):
a search at 100k profiles takes tens of milliseconds of CPU, which on the event loop
stalled every other request (writes waited behind readers); there the loop stays free.
One thread, because reads also fold pending postings in and fill caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias, TypeVar
from uuid import UUID

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy

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
LISTENER_APPLICATION_NAME = "tussendeur-match-listener"  # shows in pg_stat_activity
CLOSE_TIMEOUT_SECONDS = 1.0  # a polite goodbye, but never a slow stop
HEAVY_READS_AT_ONCE = 2
# Below this many profiles a search takes a few milliseconds: handing it to the index's
# thread would cost more (a thread wake-up, the GIL changing hands) than it frees.
OFF_LOOP_FROM_PROFILES = 50_000

# What asyncpg hands to notification and termination callbacks.
AnyConnection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
T = TypeVar("T")


class ListenerState(StrEnum):
    IDLE = "idle"  # not following writes: never started (build only), or stopped
    LISTENING = "listening"  # every commit reaches the index
    RECONNECTING = "reconnecting"  # the connection dropped: the index may be stale


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits before each reconnect: doubling from ``first_seconds`` up to ``max_seconds``,
    each drawn between half and all of that (jitter keeps replicas from stampeding)."""

    first_seconds: float = 0.5
    max_seconds: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.first_seconds
        while True:
            yield random.uniform(delay / 2, delay)
            delay = min(delay * 2, self.max_seconds)


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


@contextlib.asynccontextmanager
async def _collector_paused() -> AsyncIterator[None]:
    """The cyclic garbage collector off meanwhile (process-wide, so only for a build).

    The build allocates millions of objects that all stay alive (rows, profiles, their
    parts): each allocation burst started a collection that walked them all again, more
    than half of the build's own CPU at 100k profiles. Reference counting still frees
    everything acyclic meanwhile; the collector catches up once it is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class MatchEngine:
    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        backoff: Backoff | None = None,
        liveness_interval_seconds: float = 30.0,
        liveness_timeout_seconds: float = 10.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.index = MatchIndex(policy_for(taxonomy))
        self._index_thread: ThreadPoolExecutor | None = None  # started by the first read
        self._on_thread = 0  # reads and writes handed to it and not yet done
        # Matches requests doing their CPU-heavy part at once; the others wait their turn
        # before starting it, so the event loop's queue holds few heavy steps and a write
        # (or any short request) waits behind those few, not behind every reader.
        self.heavy_reads = asyncio.Semaphore(HEAVY_READS_AT_ONCE)
        self.hidden_partner_ids: frozenset[UUID] = frozenset()
        self.version = 0  # bumps on every change; caches key on it
        self._lock = asyncio.Lock()
        self._pending: set[UUID] = set()
        self._partners_dirty = False
        self._wakeup = asyncio.Event()
        self._listener: asyncpg.Connection[asyncpg.Record] | None = None
        self._lost = False
        self._worker: asyncio.Task[None] | None = None
        self._backoff = backoff or Backoff()
        self._liveness_interval = liveness_interval_seconds
        self._liveness_timeout = liveness_timeout_seconds
        self.listener_state = ListenerState.IDLE
        self.stale_since: dt.datetime | None = None  # set while the listener is down

    async def read(self, reader: Callable[[MatchIndex], T]) -> T:
        """``reader(index)`` on the index's thread, the event loop free meanwhile.

        A small index is read right here when the thread has nothing in hand: the loop
        runs one thing at a time, so nothing else touches the index meanwhile.
        """
        index = self.index
        if self._on_thread == 0 and len(index) < OFF_LOOP_FROM_PROFILES:
            return reader(index)
        if self._index_thread is None:
            self._index_thread = ThreadPoolExecutor(1, thread_name_prefix="match-index")
        loop = asyncio.get_running_loop()
        job = self._index_thread.submit(reader, index)
        self._on_thread += 1  # until the job has really ended, even if its waiter is cancelled
        job.add_done_callback(lambda _: loop.call_soon_threadsafe(self._thread_job_done))
        return await asyncio.wrap_future(job)

    def _thread_job_done(self) -> None:
        self._on_thread -= 1

    async def build(self, database: Database) -> BuildReport:
        started = time.perf_counter()
        index = MatchIndex(self.index.policy, regions=self.index.regions)
        async with database.transaction(AccessScope.system()) as conn, _collector_paused():
            # The next batch is read while this one is indexed (a new index: no reader
            # yet): PostgreSQL produces rows meanwhile instead of waiting for the asking.
            batches = repository.iter_live_profiles(conn)
            reading = asyncio.ensure_future(anext(batches))
            try:
                while True:
                    try:
                        batch = await reading
                    except StopAsyncIteration:
                        break
                    reading = asyncio.ensure_future(anext(batches))
                    await asyncio.to_thread(index.add_many, batch)
            finally:
                reading.cancel()  # on a failure: the read's own error, if any, is secondary
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await reading
                await batches.aclose()
            hidden = frozenset(await repository.suspended_partner_ids(conn))
        async with self._lock:
            self.index = index
            self.hidden_partner_ids = hidden
            self.version += 1
        report = BuildReport(len(index), time.perf_counter() - started, index.memory_bytes())
        log.info(
            "match_index_built",
            profiles=report.profiles,
            seconds=round(report.seconds, 3),
            memory_mib=round(report.memory_bytes / 2**20, 1),
        )
        return report

    async def refresh(self, database: Database, profile_ids: Iterable[UUID]) -> None:
        """Re-read these profiles: live ones are (re)indexed, the others dropped."""
        wanted = list(set(profile_ids))
        if not wanted:
            return
        async with database.transaction(AccessScope.system()) as conn:
            live = await repository.live_profiles(conn, profile_ids=wanted)

        def apply(index: MatchIndex) -> None:
            live_ids = {p.profile_id for p in live}
            for profile_id in wanted:
                if profile_id not in live_ids:
                    index.remove(profile_id)
            for profile in live:
                index.upsert(profile)

        async with self._lock:
            await self.read(apply)
            self.version += 1

    async def refresh_partners(self, database: Database) -> None:
        async with database.transaction(AccessScope.system()) as conn:
            hidden = frozenset(await repository.suspended_partner_ids(conn))
        async with self._lock:
            self.hidden_partner_ids = hidden
            self.version += 1

    # -- following writes from every replica ----------------------------------

    async def start_listening(self, app_dsn: str, database: Database) -> None:
        """LISTEN, build the index, then follow every commit until :meth:`stop`.

        A dropped connection is detected (termination callback, or a liveness ping when
        quiet), re-opened with capped, jittered exponential back-off, LISTENed again and
        the index rebuilt; meanwhile :attr:`stale_since` says since when it may be stale.
        """
        try:
            await self._listen(app_dsn)
            # LISTEN before the build: a change committed during it is re-read after it.
            await self.build(database)
        except BaseException:
            await self._close_listener()
            raise
        self.listener_state = ListenerState.LISTENING
        self._worker = asyncio.create_task(
            self._follow(app_dsn, database), name="match-index-listener"
        )

    async def stop(self) -> None:
        """Stop following (also mid back-off): no task and no connection is left behind."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        await self._close_listener()
        self.listener_state = ListenerState.IDLE
        thread, self._index_thread = self._index_thread, None
        if thread is not None:
            thread.shutdown(wait=False)  # a read in flight finishes; the next starts anew

    async def _listen(self, app_dsn: str) -> None:
        self._lost = False
        self._listener = await asyncpg.connect(
            app_dsn,
            timeout=self._liveness_timeout,
            server_settings={"application_name": LISTENER_APPLICATION_NAME},
        )
        self._listener.add_termination_listener(self._on_termination)
        await self._listener.add_listener(PROFILE_CHANNEL, self._on_profile_notify)
        await self._listener.add_listener(PARTNER_CHANNEL, self._on_partner_notify)

    async def _close_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is None or conn.is_closed():
            return
        try:
            await conn.close(timeout=CLOSE_TIMEOUT_SECONDS)
        except Exception:  # a dead peer: drop the socket without a goodbye
            conn.terminate()

    def _on_profile_notify(
        self, _conn: AnyConnection, _pid: int, _channel: str, payload: object
    ) -> None:
        with contextlib.suppress(ValueError):
            self._pending.add(UUID(str(payload)))
            self._wakeup.set()

    def _on_partner_notify(
        self, _conn: AnyConnection, _pid: int, _channel: str, _payload: object
    ) -> None:
        self._partners_dirty = True
        self._wakeup.set()

    def _on_termination(self, conn: AnyConnection) -> None:
        if conn is self._listener:  # not an older connection closed on purpose
            self._lost = True
            self._wakeup.set()

    async def _follow(self, app_dsn: str, database: Database) -> None:
        try:
            while True:
                await self._apply_changes(database)  # returns once the connection is lost
                self.listener_state = ListenerState.RECONNECTING
                self.stale_since = dt.datetime.now(dt.UTC)
                log.warning("match_listener_lost")
                await self._close_listener()
                await self._reconnect(app_dsn, database)
        except Exception:  # never silently: readiness keeps reporting the index stale
            log.exception("match_listener_failed")
            self.listener_state = ListenerState.RECONNECTING
            self.stale_since = self.stale_since or dt.datetime.now(dt.UTC)

    async def _apply_changes(self, database: Database) -> None:
        while not self._lost:
            try:
                async with asyncio.timeout(self._liveness_interval):
                    await self._wakeup.wait()
            except TimeoutError:
                await self._check_alive()
                continue
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
                self._partners_dirty |= partners_dirty
                await asyncio.sleep(1)
                self._wakeup.set()

    async def _check_alive(self) -> None:
        """A quiet connection may have died without a word (a network cut): ask it."""
        conn = self._listener
        try:
            if conn is None:
                raise ConnectionError("no listener connection")
            async with asyncio.timeout(self._liveness_timeout):
                await repository.ping(conn)
        except Exception as exc:
            log.warning("match_listener_unresponsive", error=type(exc).__name__)
            self._lost = True

    async def _reconnect(self, app_dsn: str, database: Database) -> None:
        """Back off, LISTEN again, rebuild; until one attempt stays connected throughout."""
        for attempt, delay in enumerate(self._backoff.delays(), 1):
            await asyncio.sleep(delay)
            try:
                await self._listen(app_dsn)
                await self.build(database)
                if self._lost:  # dropped again mid-build: what it missed may be missing
                    raise ConnectionError("listener connection lost during the rebuild")
            except Exception as exc:
                await self._close_listener()
                log.warning(
                    "match_listener_reconnect_failed", attempt=attempt, error=type(exc).__name__
                )
                continue
            since, self.stale_since = self.stale_since, None
            self.listener_state = ListenerState.LISTENING
            stale = (dt.datetime.now(dt.UTC) - since).total_seconds() if since else 0.0
            log.info("match_listener_reconnected", attempts=attempt, stale_seconds=round(stale, 1))
            return
