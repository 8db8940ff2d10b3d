"""The engine's LISTEN connection: dropped, it reconnects, catches up and says so in /readyz.

Real commits on a fresh database. The listener's backend is killed with
``pg_terminate_backend`` while new connections to the database are refused, so the
engine stays disconnected for as long as the test needs; a silent network cut is a
local TCP relay that stops passing bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import asyncpg
import pytest

from entrypoints.app import create_app
from exchange.matching import service
from exchange.matching.engine import (
    LISTENER_APPLICATION_NAME,
    Backoff,
    ListenerState,
    MatchEngine,
)
from exchange.profiles.models import Profile
from infra.caller import Caller
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.settings import Environment, Settings
from tests.support import callers, factories
from tests.support.databases import APP_ROLE
from tests.support.http import client_of
from tests.support.waiting import eventually

FAST = Backoff(first_seconds=0.05, max_seconds=0.2)


@pytest.fixture
def app_dsn(fresh_database: str) -> str:
    return dsn_for_role(fresh_database, APP_ROLE, None)


@pytest.fixture
async def database(app_dsn: str) -> AsyncIterator[PoolDatabase]:
    # Opened up front: these connections outlive the refusal of new ones.
    pool = await create_pool(app_dsn, min_size=3, max_size=3)
    try:
        yield PoolDatabase(pool)
    finally:
        await pool.close()


@dataclass
class Owner:
    conn: asyncpg.Connection
    database: str

    async def allow_connections(self, allow: bool) -> None:
        clause = "true" if allow else "false"
        await self.conn.execute(f'alter database "{self.database}" allow_connections {clause}')

    async def cut_off(self) -> None:
        """Refuse new connections to the database, then kill the engine's listener."""
        await self.allow_connections(False)
        pids = await self.conn.fetch(
            "select pid from pg_stat_activity where datname = $1 and application_name = $2",
            self.database,
            LISTENER_APPLICATION_NAME,
        )
        assert len(pids) == 1
        assert await self.conn.fetchval("select pg_terminate_backend($1)", pids[0]["pid"])

    async def listeners(self) -> int:
        found: int = await self.conn.fetchval(
            "select count(*) from pg_stat_activity where datname = $1 and application_name = $2",
            self.database,
            LISTENER_APPLICATION_NAME,
        )
        return found


@pytest.fixture
async def owner(server_dsn: str, fresh_database: str) -> AsyncIterator[Owner]:
    """The database owner, connected to another database on the same server."""
    connection = await asyncpg.connect(server_dsn)
    owner = Owner(connection, urlsplit(fresh_database).path.lstrip("/"))
    try:
        yield owner
    finally:
        await owner.allow_connections(True)
        await connection.close()


class Relay:
    """A TCP relay to PostgreSQL that can go silent like a cut network: its sockets stay
    open, but no byte gets through, and connections of before the cut never recover."""

    def __init__(self, dsn: str) -> None:
        parts = urlsplit(dsn)
        query = parse_qs(parts.query)
        self.host = query.pop("host", [parts.hostname or "127.0.0.1"])[0]
        self.port = int(query.pop("port", [str(parts.port or 5432)])[0])
        self.dsn = parts._replace(query=urlencode(query, doseq=True)).geturl()
        self.silent = False
        self.generation = 0
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> str:
        """Start relaying; returns ``dsn`` pointed at the relay."""
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        parts = urlsplit(self.dsn)
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@127.0.0.1:{port}"
        return parts._replace(netloc=netloc).geturl()

    def cut(self) -> None:
        self.silent, self.generation = True, self.generation + 1

    def mend(self) -> None:
        self.silent = False

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.writers:
            writer.close()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.host.startswith("/"):  # a Unix socket directory, as the embedded server has
            path = f"{self.host}/.s.PGSQL.{self.port}"
            server_r, server_w = await asyncio.open_unix_connection(path)
        else:
            server_r, server_w = await asyncio.open_connection(self.host, self.port)
        self.writers += [client_w, server_w]
        born = self.generation
        await asyncio.gather(
            self._pipe(client_r, server_w, born), self._pipe(server_r, client_w, born)
        )

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, born: int) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await r.read(65536):
                if not self.silent and born == self.generation:
                    w.write(data)
                    await w.drain()
            w.close()


def _state(engine: MatchEngine) -> ListenerState:
    return engine.listener_state


async def _live_profile(database: PoolDatabase, sharer: Caller) -> Profile:
    profile = await factories.share_profile(database, sharer)
    await factories.activate_profile(database, profile)
    return profile


async def _wait(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    async def probe() -> bool | None:
        return True if condition() else None

    await eventually(probe, within=within, interval=0.01)


async def _matches(
    database: PoolDatabase, engine: MatchEngine, caller: Caller, vacancy_id: UUID
) -> set[UUID]:
    async with database.transaction(caller.access_scope()) as conn:
        page = await service.find_matches(
            conn, caller, engine, vacancy_id=vacancy_id, first=50, offset=0, min_score=0
        )
    return {item.profile.id for item in page.items}


async def test_a_dropped_listener_reconnects_catches_up_and_readyz_says_stale_meanwhile(
    database: PoolDatabase, app_dsn: str, owner: Owner
) -> None:
    consortium = await factories.create_consortium(database)
    sharer, hirer = [
        callers.partner_caller(await factories.create_partner(database, consortium, name=name))
        for name in ("Sharer", "Hirer")
    ]
    vacancy = await factories.create_vacancy(database, hirer)
    engine = MatchEngine(factories.normalizer().taxonomy, backoff=FAST)
    app = create_app(Settings(env=Environment.TEST, smtp_host=None), database=database)
    async with client_of(app) as client:
        app.state.services.match_engine = engine  # one that listens, with a short back-off
        await engine.start_listening(app_dsn, database)
        try:
            followed = await _live_profile(database, sharer)
            await _wait(lambda: followed.id in engine.index)
            assert _state(engine) == ListenerState.LISTENING
            assert (await client.get("/readyz")).json()["status"] == "ready"

            await owner.cut_off()
            await _wait(lambda: engine.stale_since is not None)
            assert _state(engine) == ListenerState.RECONNECTING
            missed = await _live_profile(database, sharer)  # committed while it is down
            stale = await client.get("/readyz")
            assert stale.status_code == 503
            assert engine.stale_since is not None
            assert stale.json() == {
                "status": "degraded",
                "index": "stale",
                "since": engine.stale_since.isoformat(),
            }
            assert missed.id not in engine.index

            await owner.allow_connections(True)
            await _wait(lambda: engine.stale_since is None)
            assert missed.id in engine.index
            assert _state(engine) == ListenerState.LISTENING
            assert await _matches(database, engine, hirer, vacancy.id) == {followed.id, missed.id}
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "ready"

            # and it follows commits again on the new connection
            after = await _live_profile(database, sharer)
            await _wait(lambda: after.id in engine.index)
        finally:
            await engine.stop()


async def test_a_silently_cut_listener_is_found_by_its_liveness_ping(
    database: PoolDatabase, app_dsn: str
) -> None:
    consortium = await factories.create_consortium(database)
    sharer = callers.partner_caller(await factories.create_partner(database, consortium))
    relay = Relay(app_dsn)
    engine = MatchEngine(
        factories.normalizer().taxonomy,
        backoff=FAST,
        liveness_interval_seconds=0.2,
        liveness_timeout_seconds=0.5,
    )
    await engine.start_listening(await relay.start(), database)
    try:
        relay.cut()  # no termination reaches the engine: only its ping can tell
        await _wait(lambda: engine.stale_since is not None)
        missed = await _live_profile(database, sharer)
        relay.mend()
        await _wait(lambda: engine.stale_since is None)
        assert missed.id in engine.index
    finally:
        await engine.stop()
        await relay.close()


async def test_stop_during_back_off_is_prompt_and_leaves_nothing_behind(
    database: PoolDatabase, app_dsn: str, owner: Owner
) -> None:
    engine = MatchEngine(
        factories.normalizer().taxonomy, backoff=Backoff(first_seconds=4, max_seconds=60)
    )
    await engine.start_listening(app_dsn, database)
    await owner.cut_off()
    await _wait(lambda: _state(engine) == ListenerState.RECONNECTING)  # now waiting 2-4 s
    started = time.perf_counter()
    await engine.stop()
    assert time.perf_counter() - started < 1.0
    assert _state(engine) == ListenerState.IDLE
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "match-index-listener"]
    await owner.allow_connections(True)
    assert await owner.listeners() == 0


async def test_stop_over_a_cut_network_is_prompt(database: PoolDatabase, app_dsn: str) -> None:
    relay = Relay(app_dsn)
    engine = MatchEngine(factories.normalizer().taxonomy)
    await engine.start_listening(await relay.start(), database)
    try:
        relay.cut()  # the goodbye will never be answered
        started = time.perf_counter()
        await engine.stop()
        assert time.perf_counter() - started < 3.0
    finally:
        await relay.close()


def test_back_off_doubles_with_jitter_up_to_its_cap() -> None:
    delays = Backoff(first_seconds=0.5, max_seconds=30).delays()
    drawn = [next(delays) for _ in range(12)]
    ceilings = [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30]
    assert all(c / 2 <= d <= c for d, c in zip(drawn, ceilings, strict=True))
    assert len(set(drawn[6:])) > 1  # jittered, not one fixed delay
