"""Webhook helpers: resolvers and transports that fail a test on any non-loopback
connection, registering an endpoint, running the worker with the clock moved."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

from exchange.identity.clients import insert_api_client, new_client_credentials
from exchange.partners.models import Partner
from exchange.webhooks import service
from exchange.webhooks.address_guard import AddressPolicy, IPAddress, Resolver
from exchange.webhooks.delivery import DeliveryConfig
from exchange.webhooks.models import NewSecret
from infra.caller import PARTNER_SCOPES, Caller
from infra.db import Database
from infra.keywrap import KeyEncryptionKeys, parse_kek
from infra.scope import AccessScope
from tests.support.processes import free_port

PRODUCTION_POLICY = AddressPolicy(require_https=True, allow_loopback=False)
LOOPBACK_POLICY = AddressPolicy(require_https=False, allow_loopback=True)


def test_keks() -> KeyEncryptionKeys:
    return KeyEncryptionKeys(parse_kek(os.environ["TUSSENDEUR_KEY_ENCRYPTION_KEY"]))


def resolver_of(names: dict[str, str]) -> Resolver:
    """A resolver that knows only ``names`` (host → address) and fails the test on any other
    lookup: no test ever asks the real DNS."""

    async def resolve(host: str, port: int) -> list[IPAddress]:
        if host not in names:
            pytest.fail(f"unexpected DNS lookup of {host!r}")
        return [ipaddress.ip_address(names[host])]

    return resolve


NO_DNS = resolver_of({})


def context(
    policy: AddressPolicy = LOOPBACK_POLICY, resolver: Resolver = NO_DNS
) -> service.WebhookContext:
    return service.WebhookContext(policy=policy, resolver=resolver, keks=test_keks())


async def register(
    db: Database,
    caller: Caller,
    url: str,
    event_types: Sequence[str],
    *,
    policy: AddressPolicy = LOOPBACK_POLICY,
    resolver: Resolver = NO_DNS,
) -> NewSecret:
    async with db.transaction(caller.access_scope()) as conn:
        return await service.register_endpoint(
            conn, caller, context(policy, resolver), url=url, event_types=event_types
        )


@dataclass
class FakeReceiver:
    """An httpx transport answering from a script of statuses; it fails the test if a
    request goes anywhere but a loopback address."""

    statuses: list[int | Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    default: int = 200
    requests: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            address = ipaddress.ip_address(request.url.host)
            if not address.is_loopback:
                pytest.fail(f"a delivery tried to connect to {address}")
            self.requests.append(request)
            step = self.statuses.pop(0) if self.statuses else self.default
            return step(request) if callable(step) else httpx.Response(step)

        return httpx.MockTransport(handle)


@dataclass
class Clock:
    """The worker's clock, moved by the test (never slept)."""

    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.at

    def move(self, delta: dt.timedelta) -> None:
        self.at += delta


def delivery_config(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    timeout_seconds: float = 15.0,
    policy: AddressPolicy = LOOPBACK_POLICY,
    resolver: Resolver = NO_DNS,
) -> DeliveryConfig:
    config = DeliveryConfig(
        keks=test_keks(),
        policy=policy,
        resolver=resolver,
        timeout_seconds=timeout_seconds,
        transport=transport,
    )
    if clock is not None:
        config.now = clock
    return config


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """``app`` (ASGI) under uvicorn on 127.0.0.1: its port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def partner_api_client(db: Database, partner: Partner) -> tuple[str, str]:
    """A new API client of ``partner`` with every partner scope: (client id, secret)."""
    credentials = new_client_credentials()
    async with db.transaction(AccessScope.system()) as conn:
        await insert_api_client(
            conn, consortium_id=partner.consortium_id, partner_id=partner.id, name="ATS",
            scopes=sorted(PARTNER_SCOPES), client_id=credentials.client_id,
            secret_hash=credentials.secret_hash,
        )  # fmt: skip
    return credentials.client_id, credentials.secret
