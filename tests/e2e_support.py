"""Helpers for the end-to-end exchange test (tests/test_exchange_end_to_end.py).

Everything here works from outside the app: GraphQL over HTTP with a bearer token, the
emailed links as a person would find them, the operator's one-time bootstrap, and a
scan of the whole database for strings that must be gone.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from entrypoints import cli_admin_ops as ops
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.partners.service import create_consortium
from infra.caller import CallerRole
from infra.db import Database
from infra.mail import MemorySender
from infra.scope import AccessScope

T = TypeVar("T")

LINK = re.compile(r"https?://\S+[?&]token=[A-Za-z0-9_\-%]+\S*")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONSOLE_MAIL = re.compile(r"^Mail to (\S+) \((\w+), (\w+)\)", re.MULTILINE)


# ---------------------------------------------------------------- the person


@dataclass(frozen=True, slots=True)
class Canary:
    """Contact data that must only ever surface where the design allows it."""

    full_name: str
    email: str
    phone: str

    @classmethod
    def new(cls) -> Canary:
        tag = secrets.token_hex(4)
        return cls(
            full_name=f"Canary Kx{tag} Qz",
            email=f"canary.{tag}@example.nl",
            phone=f"+31 6 {secrets.randbelow(10**8):08d}",
        )

    @property
    def values(self) -> tuple[str, str, str]:
        return (self.full_name, self.email, self.phone)

    def found_in(self, text: str) -> list[str]:
        lowered = text.lower()
        found = [value for value in (self.full_name, self.email) if value.lower() in lowered]
        if self.phone in text or self.phone.replace(" ", "") in text:
            found.append(self.phone)
        return found


# ---------------------------------------------------------------- GraphQL over HTTP


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def graphql_response(
    http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[httpx.Response, dict[str, Any]]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(token)
    )
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    return response, body


async def graphql(
    http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The ``data`` of a query that must succeed (no ``errors``, no ``userErrors``)."""
    response, body = await graphql_response(http, token, query, variables)
    assert response.status_code == 200 and not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    for payload in data.values():
        if isinstance(payload, dict) and "userErrors" in payload:
            assert payload["userErrors"] == [], payload
    return data


async def graphql_refused(
    http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[str, str]:
    """A call the caller may not make: (the first error's code, the whole response text)."""
    response, body = await graphql_response(http, token, query, variables)
    assert body.get("errors"), body
    code = str((body["errors"][0].get("extensions") or {}).get("code", ""))
    return code, response.text


# ---------------------------------------------------------------- mail


class Mailbox:
    """Finds the newest link mailed to an address, wherever the mail went.

    A mail's link is read from ``mail_outbox`` while the mail is still pending; once it
    was sent its stored body is redacted, and the link is read where it was delivered:
    the :class:`MemorySender` the test put into ``Services.mail_sender`` (used
    by deliveries that look the sender up, like the sign-in route's), or the console, for
    the periodic mail worker, which keeps the sender it was started with (captured with
    ``capsys``). Redaction happens only after delivery, so one of the three always has it.
    """

    def __init__(
        self, database: Database, memory: MemorySender, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.database = database
        self.memory = memory
        self.capsys = capsys
        self.console = ""
        self.from_outbox = self.from_memory = self.from_console = 0

    def _console_links(self, to: str, template: str) -> list[str]:
        captured = self.capsys.readouterr()
        self.console += captured.err + captured.out
        links: list[str] = []
        starts = list(CONSOLE_MAIL.finditer(self.console))
        for i, head in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(self.console)
            if head.group(1) == to and head.group(2) == template:
                links.extend(LINK.findall(self.console[head.end() : end]))
        return links

    async def link(self, to: str, template: str, *, after: int = 0) -> str:
        """The link of the newest ``template`` mail to ``to`` (the ``after``-th mail of
        that kind or a later one: pass the count seen before the action)."""
        deadline = time.monotonic() + 5
        while True:
            async with self.database.transaction(AccessScope.system()) as conn:
                rows = await conn.fetch(
                    """select id, body_text from mail_outbox
                       where lower(to_address) = lower($1) and template = $2
                       order by created_at, id""",
                    to,
                    template,
                )
            if len(rows) > after:
                newest = rows[-1]
                pending: list[str] = LINK.findall(newest["body_text"])  # none once redacted
                if pending:
                    self.from_outbox += 1
                    return pending[0]
                sent = [m for m in self.memory.sent if m.id == newest["id"]]
                if sent:
                    self.from_memory += 1
                    delivered: list[str] = LINK.findall(sent[0].body_text)
                    return delivered[0]
                console = self._console_links(to, template)
                if console:
                    self.from_console += 1
                    return console[-1]
            assert time.monotonic() < deadline, f"no {template} mail to {to}"
            await asyncio.sleep(0.02)

    async def count(self, to: str, template: str) -> int:
        async with self.database.transaction(AccessScope.system()) as conn:
            found = await conn.fetchval(
                """select count(*) from mail_outbox
                   where lower(to_address) = lower($1) and template = $2""",
                to,
                template,
            )
        return int(found or 0)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


# ---------------------------------------------------------------- the operator's bootstrap


@dataclass(frozen=True, slots=True)
class Bootstrapped:
    consortium_id: uuid.UUID
    admin_id: uuid.UUID
    admin_email: str


async def bootstrap_consortium(database: Database) -> Bootstrapped:
    """What an operator does once: set up a consortium (as ``tussendeur partner create
    --create-consortium`` does) and its first admin (``tussendeur staff add``)."""
    admin_email = f"beheer.{secrets.token_hex(4)}@example.nl"
    async with database.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug="zuid-limburg", name="Zuid-Limburg")
        await record_system_event(
            conn, consortium_id=consortium.id, job=ops.OPERATOR,
            action=actions.CONSORTIUM_CREATED, subject_kind="consortium",
            subject_id=str(consortium.id), details={"slug": consortium.slug},
        )  # fmt: skip
    _, admin = await ops.add_staff_user(
        database,
        consortium_slug=consortium.slug,
        email=admin_email,
        display_name="Beheer Zuid-Limburg",
        role=CallerRole.CONSORTIUM_ADMIN,
    )
    return Bootstrapped(consortium.id, admin.id, admin_email)


# ---------------------------------------------------------------- waiting and scanning


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 2.0, interval: float = 0.005
) -> tuple[T, int]:
    """Call ``probe`` until it returns something: (that, how many calls it took)."""
    deadline = time.perf_counter() + within
    calls = 0
    while True:
        calls += 1
        found = await probe()
        if found is not None:
            return found, calls
        assert time.perf_counter() < deadline, f"nothing after {within} s ({calls} calls)"
        await asyncio.sleep(interval)
