"""Benchmark of webhook delivery: messages/s to a loopback receiver, 1 and 4 workers.

    python -m bench.webhooks [--messages 2000] [--workers 1 4] [--batch 20] [--keep]

Runs on a fresh database (``bench_webhooks_<random>``) on the configured PostgreSQL:
``DATABASE_URL`` when set, else the embedded server under ``TUSSENDEUR_DATA_DIR``. The
receiver is uvicorn in its own process on 127.0.0.1 answering 204 to every POST. For each
worker count, ``--messages`` events are queued, then that many workers (each its own
``deliver_due`` loop on a shared pool: as replicas would, they meet only in PostgreSQL)
deliver until nothing is due; prints messages/s and the delivery latency p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import asyncpg

from exchange.webhooks import service
from exchange.webhooks.address_guard import AddressPolicy
from exchange.webhooks.delivery import DeliveryConfig, deliver_due
from exchange.webhooks.events import emit
from exchange.webhooks.models import EventType
from infra.caller import Caller
from infra.db import PoolDatabase, create_pool, dsn_for_role
from infra.keywrap import KeyEncryptionKeys, parse_kek
from infra.migrate import migrate
from infra.runtime import resolve_owner_dsn, with_database
from infra.scope import AccessScope
from infra.settings import Settings

BENCH_KEK = base64.b64encode(b"bench only: not a secret 32 byte").decode()
POLICY = AddressPolicy(require_https=False, allow_loopback=True)


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The loopback receiver: read the body, answer 204."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_receiver(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.webhooks:receiver_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    )


async def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError("the receiver did not start")


async def setup(
    database: PoolDatabase, keks: KeyEncryptionKeys, port: int
) -> tuple[uuid.UUID, uuid.UUID]:
    consortium_id, partner_id = uuid.uuid4(), uuid.uuid4()
    async with database.transaction(AccessScope.system()) as conn:
        await conn.execute(
            "insert into consortium (id, slug, name) values ($1, $2, 'Bench')",
            consortium_id, f"bench-{consortium_id.hex[:8]}",
        )  # fmt: skip
        await conn.execute(
            """insert into partner (id, consortium_id, slug, name, city)
               values ($1, $2, 'ats', 'Bench ATS', 'Heerlen')""",
            partner_id, consortium_id,
        )  # fmt: skip
    caller = Caller.system(consortium_id, actor="bench")
    context = service.WebhookContext(POLICY, _no_dns, keks)
    async with database.transaction(caller.access_scope()) as conn:
        await service.register_endpoint(
            conn, caller, context, url=f"http://127.0.0.1:{port}/hook",
            event_types=[EventType.PARTNER_SUSPENDED.value], partner_id=partner_id,
        )  # fmt: skip
    return consortium_id, partner_id


async def _no_dns(host: str, port: int) -> list[Any]:
    raise RuntimeError("the bench resolves no names")


async def queue(
    database: PoolDatabase, consortium_id: uuid.UUID, partner_id: uuid.UUID, n: int
) -> None:
    async with database.transaction(AccessScope.system()) as conn:
        for index in range(n):
            await emit(
                conn, consortium_id=consortium_id, partner_id=partner_id,
                event_type=EventType.PARTNER_SUSPENDED, data={"n": index},
            )  # fmt: skip


async def run(
    database: PoolDatabase, keks: KeyEncryptionKeys, *, workers: int, batch: int
) -> tuple[int, float, list[int]]:
    config = DeliveryConfig(keks=keks, policy=POLICY, resolver=_no_dns)
    latencies: list[int] = []

    async def worker() -> int:
        delivered, idle = 0, 0
        while idle < 3:  # a worker stops after three empty rounds in a row
            report = await deliver_due(database, config, batch_size=batch)
            delivered += report.delivered
            latencies.extend(report.latencies_ms)
            idle = idle + 1 if report.delivered == 0 else 0
            if report.delivered == 0:
                await asyncio.sleep(0.01)
        return delivered

    started = time.perf_counter()
    counts = await asyncio.gather(*(worker() for _ in range(workers)))
    return sum(counts), time.perf_counter() - started, latencies


def _percentile(values: list[int], q: float) -> float:
    if not values:
        return 0.0
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else float(values[0])


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    server_dsn, server = await resolve_owner_dsn(settings)
    name = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
    keks = KeyEncryptionKeys(parse_kek(BENCH_KEK))
    port = _free_port()
    receiver = start_receiver(port)
    owner = await asyncpg.connect(server_dsn)
    await owner.execute(f'create database "{name}"')
    await owner.close()
    try:
        owner_dsn = with_database(server_dsn, name)
        password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
        await migrate(owner_dsn, app_role=settings.app_db_role, app_password=password)
        pool = await create_pool(
            dsn_for_role(owner_dsn, settings.app_db_role, password), min_size=1, max_size=8
        )
        database = PoolDatabase(pool)
        await wait_for_port(port)
        try:
            consortium_id, partner_id = await setup(database, keks, port)
            print(f"database: {name}; receiver: 127.0.0.1:{port} (its own process)")
            for workers in args.workers:
                await queue(database, consortium_id, partner_id, args.messages)
                delivered, seconds, latencies = await run(
                    database, keks, workers=workers, batch=args.batch
                )
                p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
                print(
                    f"{workers} worker(s): {delivered} messages in {seconds:.2f} s = "
                    f"{delivered / seconds:.0f} messages/s; latency p50 {p50:.0f} ms, "
                    f"p95 {p95:.0f} ms"
                )
        finally:
            await pool.close()
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
        if not args.keep:
            owner = await asyncpg.connect(server_dsn)
            await owner.execute(f'drop database if exists "{name}" with (force)')
            await owner.close()
        if server is not None:
            server.cleanup()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
