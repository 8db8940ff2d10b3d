"""The delivery worker under faults: retries on the schedule (clock moved, never slept),
the timeout, 410, Retry-After, redelivery, and two workers that never send one message twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import sys
from collections import Counter
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from entrypoints.jobs import periodic_jobs
from exchange.webhooks import repository, service
from exchange.webhooks.delivery import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    deliver_due,
    delivery_round,
    parse_retry_after,
)
from exchange.webhooks.events import emit
from exchange.webhooks.models import EventType
from infra.db import ConnectionDatabase, dsn_for_role
from infra.mail import MemorySender
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support import factories
from tests.support.as_system import system_fetch, system_fetchrow
from tests.support.consent import withdraw
from tests.support.databases import APP_ROLE, app_database
from tests.support.http import TEST_BASE_URL
from tests.support.introductions import World, build_world, request, respond
from tests.support.webhooks import (
    PRODUCTION_POLICY,
    Clock,
    FakeReceiver,
    context,
    delivery_config,
    register,
    resolver_of,
    serving,
)

EVENTS = ["introduction.requested", "introduction.accepted", "partner.suspended"]


async def _world_with_endpoint(
    db: ConnectionDatabase, url: str = "http://127.0.0.1:9/hook"
) -> World:
    world = await build_world(db)
    await register(db, world.hr_b, url, EVENTS)
    return world


async def _message(db: ConnectionDatabase) -> dict[str, object]:
    row = await system_fetchrow(db, "select * from webhook_message order by created_at limit 1")
    return dict(row)


async def test_three_500s_then_200_is_delivered_once_on_the_back_off_schedule(
    db: ConnectionDatabase,
) -> None:
    world = await _world_with_endpoint(db)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    receiver = FakeReceiver(statuses=[500, 500, 500, 200])
    clock = Clock()
    config = delivery_config(transport=receiver.transport(), clock=clock)
    for attempt in range(1, 4):
        report = await deliver_due(db, config)
        assert report.retrying == 1
        message = await _message(db)
        delay = message["next_attempt_at"] - clock.at  # type: ignore[operator]
        base = RETRY_DELAYS[attempt - 1]
        assert base * 0.8 <= delay <= base * 1.2
        clock.move(delay - dt.timedelta(seconds=1))
        assert (await deliver_due(db, config)).delivered == 0  # not due yet
        clock.move(dt.timedelta(seconds=1))
    assert (await deliver_due(db, config)).delivered == 1
    clock.move(dt.timedelta(days=4))
    assert (await deliver_due(db, config)).delivered == 0
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 4 and len(set(ids)) == 1
    message = await _message(db)
    assert (message["status"], message["attempts"]) == ("DELIVERED", 4)
    attempts = await system_fetch(
        db, "select outcome, status_code from webhook_attempt order by id"
    )
    assert [(a["outcome"], a["status_code"]) for a in attempts] == [
        ("RETRY", 500),
        ("RETRY", 500),
        ("RETRY", 500),
        ("DELIVERED", 200),
    ]
    body = json.loads(receiver.requests[-1].content)
    assert body["type"] == "introduction.requested"
    assert set(body) == {"type", "timestamp", "data"}


def test_the_schedule_spans_about_three_days() -> None:
    total = sum(RETRY_DELAYS, dt.timedelta())
    assert dt.timedelta(days=2.5) < total < dt.timedelta(days=3.5)
    assert all(a <= b for a, b in itertools.pairwise(RETRY_DELAYS))


async def test_retry_after_asks_for_longer(db: ConnectionDatabase) -> None:
    world = await _world_with_endpoint(db)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    receiver = FakeReceiver(
        statuses=[lambda _: httpx.Response(503, headers={"Retry-After": "7200"})]
    )
    clock = Clock()
    await deliver_due(db, delivery_config(transport=receiver.transport(), clock=clock))
    message = await _message(db)
    assert message["next_attempt_at"] == clock.at + dt.timedelta(hours=2)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == dt.timedelta(minutes=1)
    assert parse_retry_after("soon", now) is None


async def test_redirects_are_not_followed(db: ConnectionDatabase) -> None:
    world = await _world_with_endpoint(db)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    redirect = httpx.Response(307, headers={"Location": "http://169.254.169.254/latest"})
    receiver = FakeReceiver(statuses=[lambda _: redirect])
    report = await deliver_due(db, delivery_config(transport=receiver.transport()))
    assert report.retrying == 1 and len(receiver.requests) == 1


async def test_410_disables_the_endpoint_and_tells_staff_and_admins(
    db: ConnectionDatabase,
) -> None:
    world = await _world_with_endpoint(db)
    _, hr_address = await factories.create_staff(db, world.b)
    _, admin_address = await factories.create_staff(db, world.b, role="consortium_admin")
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    receiver = FakeReceiver(statuses=[410])
    report = await deliver_due(db, delivery_config(transport=receiver.transport()))
    assert report.gone == 1
    endpoint = await system_fetchrow(db, "select status, disabled_reason from webhook_endpoint")
    assert (endpoint["status"], endpoint["disabled_reason"]) == ("DISABLED", "GONE")
    assert (await _message(db))["status"] == "ENDPOINT_GONE"
    mailed = await system_fetch(
        db, "select to_address from mail_outbox where template = 'webhook_endpoint_gone'"
    )
    assert {m["to_address"] for m in mailed} == {hr_address, admin_address}


async def test_a_hanging_receiver_is_cut_at_the_timeout(db: ConnectionDatabase) -> None:
    """A real loopback socket that accepts and never answers; the settings' timeout cuts it."""
    accepted: list[asyncio.StreamWriter] = []

    async def hang(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        world = await _world_with_endpoint(db, f"http://127.0.0.1:{port}/hook")
        await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
        settings = Settings(
            env=Environment.TEST, public_url=TEST_BASE_URL, webhook_timeout_seconds=0.5
        )
        config = delivery_config(timeout_seconds=settings.webhook_timeout_seconds)
        started = asyncio.get_running_loop().time()
        report = await deliver_due(db, config)
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        for writer in accepted:
            writer.close()
        server.close()
    assert report.retrying == 1 and accepted
    assert 0.4 < elapsed < 3
    attempt = await system_fetchrow(db, "select outcome, error, latency_ms from webhook_attempt")
    assert (attempt["outcome"], attempt["error"]) == ("RETRY", "timed out")
    assert 400 <= attempt["latency_ms"] < 3000


async def test_each_delivery_rechecks_the_address_against_dns_rebinding(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    public = resolver_of({"hooks.partner.example": "93.184.216.34"})
    await register(
        db, world.hr_b, "https://hooks.partner.example/h", EVENTS,
        policy=PRODUCTION_POLICY, resolver=public,
    )  # fmt: skip
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    rebound = resolver_of({"hooks.partner.example": "10.0.0.7"})
    receiver = FakeReceiver()  # fails the test on any non-loopback connection
    config = delivery_config(
        transport=receiver.transport(), policy=PRODUCTION_POLICY, resolver=rebound
    )
    report = await deliver_due(db, config)
    assert report.retrying == 1 and receiver.requests == []
    attempt = await system_fetchrow(db, "select outcome from webhook_attempt")
    assert attempt["outcome"] == "REFUSED"


async def test_a_manual_redelivery_sends_the_same_webhook_id_again(
    db: ConnectionDatabase,
) -> None:
    world = await _world_with_endpoint(db)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    receiver = FakeReceiver()
    config = delivery_config(transport=receiver.transport())
    await deliver_due(db, config)
    message = await _message(db)
    async with db.transaction(world.hr_b.access_scope()) as conn:
        await service.redeliver(conn, world.hr_b, message_id=message["id"])  # type: ignore[arg-type]
        log = await service.deliveries(conn, world.hr_b, endpoint_id=message["endpoint_id"])  # type: ignore[arg-type]
    assert [m.status.value for m, _ in log] == ["PENDING"]
    assert (await deliver_due(db, config)).delivered == 1
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 2


async def test_two_workers_never_deliver_one_message_twice(fresh_database: str) -> None:
    async with app_database(fresh_database) as one, app_database(fresh_database) as two:
        world = await build_world(one)  # type: ignore[arg-type]
        await register(one, world.hr_b, "http://127.0.0.1:9/hook", EVENTS)
        for _ in range(3):
            vacancy = await factories.create_vacancy(one, world.hr_b)
            await request(one, world.hr_b, world.profile.id, vacancy.id)  # type: ignore[arg-type]
        for _ in range(30):
            async with one.transaction(world.hr_b.access_scope()) as conn:
                await emit(
                    conn, consortium_id=world.consortium.id, partner_id=world.b.id,
                    event_type=EventType.PARTNER_SUSPENDED, data={"n": 1},
                )  # fmt: skip
        seen: Counter[str] = Counter()

        async def slow(request: httpx.Request) -> httpx.Response:
            seen[request.headers["webhook-id"]] += 1
            await asyncio.sleep(0.005)
            return httpx.Response(204)

        transport = httpx.MockTransport(slow)

        async def worker(database: object) -> int:
            delivered = 0
            config = delivery_config(transport=transport)
            while True:
                report = await deliver_due(database, config, batch_size=4)  # type: ignore[arg-type]
                delivered += report.delivered
                if report.delivered == 0:
                    return delivered

        async with one.transaction(AccessScope.system()) as conn:  # events → messages first
            await repository.fan_out(conn, limit=500, now=dt.datetime.now(dt.UTC))
        counts = await asyncio.gather(worker(one), worker(two))
    assert sum(counts) == 33 == len(seen)
    assert set(seen.values()) == {1}
    assert all(counts), "both workers took a share"


def test_the_interval_setting_starts_or_leaves_out_the_job() -> None:
    def names(interval: int) -> list[str]:
        settings = Settings(
            env=Environment.TEST, public_url=TEST_BASE_URL,
            webhook_delivery_interval_seconds=interval,
        )  # fmt: skip
        return [j.name for j in periodic_jobs(settings, None, MemorySender)]  # type: ignore[arg-type]

    assert "webhooks" in names(5)
    assert "webhooks" not in names(0)


async def test_after_rotation_deliveries_no_longer_verify_with_the_old_secret(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    created = await register(db, world.hr_b, "http://127.0.0.1:9/hook", EVENTS)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    receiver = FakeReceiver()
    config = delivery_config(transport=receiver.transport())
    await deliver_due(db, config)
    async with db.transaction(world.hr_b.access_scope()) as conn:
        rotated = await service.rotate_secret(
            conn, world.hr_b, context(), endpoint_id=created.endpoint.id
        )
        message = (await service.deliveries(conn, world.hr_b, endpoint_id=created.endpoint.id))[0][
            0
        ]
        await service.redeliver(conn, world.hr_b, message_id=message.id)
    await deliver_due(db, config)
    before, after = receiver.requests

    def verify(secret: str, sent: httpx.Request) -> object:
        return Webhook(secret).verify(sent.content, dict(sent.headers))

    assert verify(created.secret, before)
    assert verify(rotated.secret, after)
    with pytest.raises(WebhookVerificationError):
        verify(created.secret, after)


async def test_an_erasure_event_to_a_gone_endpoint_is_escalated_to_the_admins(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    _, admin_address = await factories.create_staff(db, world.b, role="consortium_admin")
    await register(
        db, world.hr_b, "http://127.0.0.1:9/hook", ["introduction.accepted", "consent.withdrawn"]
    )
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    receiver = FakeReceiver(statuses=[200, 410])
    config = delivery_config(transport=receiver.transport())
    assert (await deliver_due(db, config)).delivered == 1
    await withdraw(db, world.person)
    report = await deliver_due(db, config)
    assert (report.gone, report.escalated) == (1, 1)
    rows = await system_fetch(
        db, "select event_type, status from webhook_message order by event_type"
    )
    assert [(r["event_type"], r["status"]) for r in rows] == [
        ("consent.withdrawn", "ESCALATED"),
        ("introduction.accepted", "DELIVERED"),
    ]
    mailed = await system_fetch(
        db, "select to_address from mail_outbox where template = 'webhook_escalated'"
    )
    assert [m["to_address"] for m in mailed] == [admin_address]
    escalated = await system_fetch(
        db, "select 1 from audit_event where action = 'webhook.escalated'"
    )
    assert len(escalated) == 1


async def test_an_erasure_event_that_never_gets_through_is_escalated_after_the_last_try(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    await register(db, world.hr_b, "http://127.0.0.1:9/hook", ["consent.withdrawn"])
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    await withdraw(db, world.person)
    receiver = FakeReceiver(default=503)
    clock = Clock()
    config = delivery_config(transport=receiver.transport(), clock=clock)
    for _ in range(MAX_ATTEMPTS):
        await deliver_due(db, config)
        clock.move(dt.timedelta(days=1, hours=1))
    assert len(receiver.requests) == MAX_ATTEMPTS
    message = await _message(db)
    assert (message["status"], message["attempts"]) == ("ESCALATED", MAX_ATTEMPTS)
    clock.move(dt.timedelta(days=5))
    assert (await deliver_due(db, config)).retrying == 0


async def test_two_worker_processes_never_deliver_one_message_twice(fresh_database: str) -> None:
    seen: Counter[str] = Counter()

    async def count(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers", []))
        seen[headers[b"webhook-id"].decode()] += 1
        await asyncio.sleep(0.002)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with app_database(fresh_database) as database, serving(count) as port:
        world = await build_world(database)  # type: ignore[arg-type]
        await register(database, world.hr_b, f"http://127.0.0.1:{port}/hook", EVENTS)
        async with database.transaction(AccessScope.system()) as conn:
            for index in range(60):
                await emit(
                    conn, consortium_id=world.consortium.id, partner_id=world.b.id,
                    event_type=EventType.PARTNER_SUSPENDED, data={"n": index},
                )  # fmt: skip
            await repository.fan_out(conn, limit=500, now=dt.datetime.now(dt.UTC))
        app_dsn = dsn_for_role(fresh_database, APP_ROLE, None)
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.support.webhook_worker",
                app_dsn,
                stdout=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [await asyncio.wait_for(w.communicate(), timeout=120) for w in workers]
    counts = [int(out.decode().strip()) for out, _ in outputs]
    assert sum(counts) == 60 == len(seen)
    assert set(seen.values()) == {1}


async def test_settled_messages_are_forgotten_after_thirty_days(db: ConnectionDatabase) -> None:
    world = await _world_with_endpoint(db)
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    clock = Clock()
    config = delivery_config(transport=FakeReceiver().transport(), clock=clock)
    await delivery_round(db, config)
    assert len(await system_fetch(db, "select 1 from webhook_attempt")) == 1
    clock.move(dt.timedelta(days=29))
    await delivery_round(db, config)
    assert len(await system_fetch(db, "select 1 from webhook_message")) == 1
    clock.move(dt.timedelta(days=2))
    await delivery_round(db, config)
    assert await system_fetch(db, "select 1 from webhook_message") == []
    assert await system_fetch(db, "select 1 from webhook_attempt") == []
