"""Both sign-in doors (``POST /auth/sign-in`` and the portal's form) are one flow: they
answer before anything is looked up, answer known and unknown addresses byte for byte
alike, and hold the per-address cap of links under parallel requests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI

from entrypoints.app import create_app
from exchange.identity.throttle import LIMITER_SCOPE
from infra.db import Connection, ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support import callers, factories
from tests.support.databases import one_connection
from tests.support.http import TEST_BASE_URL, asgi_client, started

CAP = 5  # links per address per link lifetime
PARALLEL = 40
CSRF = "c" * 43  # the portal's double-submit check compares cookie and field


@dataclass(frozen=True, slots=True)
class Door:
    path: str
    headers: dict[str, str]
    status: int

    def body(self, email: str) -> bytes:
        fields = {"email": email}
        if self.path.startswith("/portal"):
            fields["csrf_token"] = CSRF
        return urlencode(fields).encode()


DOORS = {
    "api": Door("/auth/sign-in", {"content-type": "application/x-www-form-urlencoded"}, 202),
    "portal": Door(
        "/portal/sign-in",
        {"content-type": "application/x-www-form-urlencoded", "cookie": f"td_csrf={CSRF}"},
        200,
    ),
}


async def new_person_address(db: ConnectionDatabase) -> str:
    """The contact address of a freshly shared profile: someone both doors know."""
    partner = await factories.create_partner(db, await factories.create_consortium(db))
    contact = factories.contact_input()
    await factories.share_profile(db, callers.partner_caller(partner), contact=contact)
    return contact.email


# ---------------------------------------------------------------- the cap, in parallel


@pytest.fixture
async def pooled_app(fresh_database: str) -> AsyncIterator[tuple[FastAPI, ConnectionDatabase]]:
    """The app on its own connection pool over a real database (real commits), with the
    owner's connection beside it for making people and counting links."""
    settings = Settings(
        env=Environment.TEST,
        database_url=fresh_database,
        public_url=TEST_BASE_URL,
        retention_interval_seconds=0,
        audit_checkpoint_interval_seconds=0,
        smtp_host=None,
        log_json=False,
        sign_in_requests_per_address=PARALLEL,  # the cap of links is measured, not the throttle
    )
    app = create_app(settings)
    async with one_connection(fresh_database) as owner, started(app):
        yield app, owner


async def sign_in_links(db: ConnectionDatabase, email: str) -> int:
    async with db.transaction(AccessScope.system()) as conn:
        count = await conn.fetchval(
            """select count(*) from sign_in_token t
               join person_contact c on c.person_id = t.person_id
               where t.purpose = 'SIGN_IN' and c.email = $1""",
            email,
        )
    return int(count)


@pytest.mark.slow
@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
async def test_parallel_requests_get_exactly_the_cap_of_links(
    pooled_app: tuple[FastAPI, ConnectionDatabase], door: Door
) -> None:
    app, owner = pooled_app
    email = await new_person_address(owner)
    async with asgi_client(app) as http:
        answers = await asyncio.gather(
            *(
                http.post(door.path, content=door.body(email), headers=door.headers)
                for _ in range(PARALLEL)
            )
        )
    assert {a.status_code for a in answers} == {door.status}
    assert await sign_in_links(owner, email) == CAP


# ---------------------------------------------------------------- the answer comes first


class GatedDatabase:
    """The test database, but while the gate is shut every transaction waits at it: a
    door that looked anything up before answering could not answer. Only the throttle's
    count passes (the anonymous scope without lookups: it can find no one, and it counts
    the source address, not the email address)."""

    def __init__(self, inner: ConnectionDatabase) -> None:
        self.inner = inner
        self.shut = False
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    @asynccontextmanager
    async def _gated(self, scope: AccessScope) -> AsyncIterator[Connection]:
        if self.shut and scope != LIMITER_SCOPE:
            self.reached.set()
            await self.opened.wait()
        async with self.inner.transaction(scope) as conn:
            yield conn

    def transaction(self, scope: AccessScope) -> AbstractAsyncContextManager[Connection]:
        return self._gated(scope)


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def post_while_gated(
    app: FastAPI, gate: GatedDatabase, door: Door, email: str
) -> tuple[Answer, bool]:
    """POST to the door with the gate shut; the answer as the client got it, and whether
    it was complete when the first database transaction reached the gate."""
    answer = Answer(0, [], b"")
    answered = asyncio.Event()
    request = door.body(email)
    headers = [(k.encode(), v.encode()) for k, v in door.headers.items()]
    headers.append((b"content-length", str(len(request)).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": door.path,
        "raw_path": door.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": request, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = [(bytes(k), bytes(v)) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")
            if not message.get("more_body", False):
                answered.set()

    gate.shut, gate.opened = True, asyncio.Event()
    gate.reached.clear()
    running = asyncio.create_task(app(scope, receive, send))
    try:
        await asyncio.wait_for(gate.reached.wait(), timeout=60)  # guards a hang only
        answered_first = answered.is_set()
    finally:
        gate.shut = False
        gate.opened.set()
        await running
    return answer, answered_first


@pytest.fixture
async def gated(
    db: ConnectionDatabase, app_settings: Settings
) -> AsyncIterator[tuple[FastAPI, GatedDatabase]]:
    gate = GatedDatabase(db)
    application = create_app(app_settings, database=gate)
    async with started(application):
        yield application, gate


def comparable(answer: Answer) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    headers = [(k, v) for k, v in answer.headers if k.lower() != b"x-request-id"]
    return answer.status, headers, answer.body


@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
async def test_the_answer_comes_before_any_lookup(
    gated: tuple[FastAPI, GatedDatabase], db: ConnectionDatabase, door: Door
) -> None:
    app, gate = gated
    email = await new_person_address(db)
    answer, answered_first = await post_while_gated(app, gate, door, email)
    assert answered_first, "the door looked the address up before it answered"
    assert answer.status == door.status
    # and once the gate opened, the link was made after all
    async with db.transaction(AccessScope.system()) as conn:
        made = await conn.fetchval(
            """select count(*) from sign_in_token t
               join person_contact c on c.person_id = t.person_id
               where t.purpose = 'SIGN_IN' and c.email = $1""",
            email,
        )
    assert made == 1


@pytest.mark.parametrize("door", DOORS.values(), ids=DOORS.keys())
async def test_known_and_unknown_addresses_get_the_same_bytes(
    gated: tuple[FastAPI, GatedDatabase], db: ConnectionDatabase, door: Door
) -> None:
    app, gate = gated
    known = await new_person_address(db)
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.nl"
    known_answer, known_first = await post_while_gated(app, gate, door, known)
    unknown_answer, unknown_first = await post_while_gated(app, gate, door, unknown)
    assert known_first and unknown_first
    assert comparable(known_answer) == comparable(unknown_answer)
    assert known_answer.status == door.status
