"""A webhook delivery worker as its own process (``python -m tests.support.webhook_worker
APP_DSN``): delivers until three rounds in a row find nothing, then prints how many it
delivered. Loopback receivers allowed; the KEK comes from the environment."""

from __future__ import annotations

import asyncio
import sys

from exchange.webhooks.address_guard import AddressPolicy
from exchange.webhooks.delivery import DeliveryConfig, deliver_due
from infra.db import PoolDatabase, create_pool
from infra.key_encryption import key_encryption_keys
from infra.settings import Environment, Settings


async def main(app_dsn: str) -> None:
    settings = Settings(env=Environment.TEST)
    config = DeliveryConfig(
        keks=key_encryption_keys(settings),
        policy=AddressPolicy(require_https=False, allow_loopback=True),
    )
    pool = await create_pool(app_dsn, min_size=1, max_size=2)
    delivered, idle = 0, 0
    try:
        while idle < 3:
            report = await deliver_due(PoolDatabase(pool), config, batch_size=5)
            delivered += report.delivered
            idle = idle + 1 if report.delivered == 0 else 0
            await asyncio.sleep(0.05 if report.delivered == 0 else 0)
    finally:
        await pool.close()
    print(delivered, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
