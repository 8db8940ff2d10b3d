"""The one place that starts and stops the server's background work.

- the matcher's index, followed by LISTEN/NOTIFY (``MatchEngine.start_listening``);
- mail delivery from the outbox, every ``DELIVERY_INTERVAL_SECONDS``;
- consent retention, every ``TUSSENDEUR_RETENTION_INTERVAL_SECONDS``;
- audit checkpoints, every ``TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS``;
- webhook delivery, every ``TUSSENDEUR_WEBHOOK_DELIVERY_INTERVAL_SECONDS``.

An interval of 0 means the server never runs that job (the CLI still can). Each job is
one round repeated by :func:`infra.periodic.periodic`. Only a process that owns its pool
runs them: an app handed a single connection (the tests' ``database=``) builds the index
once and runs nothing in the background, as concurrent use of that connection would fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from exchange.audit.jobs import FIRST_RUN_DELAY_SECONDS, checkpoint_round
from exchange.consent_flow.retention import retention_round
from exchange.matching.engine import MatchEngine
from exchange.webhooks.delivery import config_from_settings, delivery_round
from infra.db import Database
from infra.mail import DELIVERY_INTERVAL_SECONDS, MailSender, deliver_pending
from infra.periodic import periodic
from infra.runtime import Runtime
from infra.settings import Settings

HOURLY_JITTER = 0.1  # replicas started together spread their hourly rounds apart


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Callable[[], Awaitable[object]]
    interval_seconds: float
    first_delay_seconds: float = 0.0
    jitter: float = 0.0


def periodic_jobs(
    settings: Settings,
    database: Database,
    sender_of: Callable[[], MailSender],
    engine: MatchEngine | None = None,
) -> list[Job]:
    """The periodic jobs the settings ask for. ``sender_of`` names the mail sender at each
    round (tests may swap it after start-up); ``engine`` ranks ``matches.new``."""

    async def deliver() -> None:
        await deliver_pending(database, sender_of())

    jobs = [Job("mail", deliver, DELIVERY_INTERVAL_SECONDS)]
    if settings.retention_interval_seconds > 0:
        retention = partial(retention_round, database, settings)
        jobs.append(
            Job("retention", retention, settings.retention_interval_seconds, jitter=HOURLY_JITTER)
        )
    if settings.audit_checkpoint_interval_seconds > 0:
        interval = settings.audit_checkpoint_interval_seconds
        first = min(FIRST_RUN_DELAY_SECONDS, interval)
        checkpoints = partial(checkpoint_round, database)
        jobs.append(Job("audit-checkpoints", checkpoints, interval, first, HOURLY_JITTER))
    if settings.webhook_delivery_interval_seconds > 0:
        webhooks = partial(
            delivery_round,
            database,
            config_from_settings(settings),
            engine=engine,
            matches_min_score=settings.webhook_matches_min_score,
        )
        jobs.append(Job("webhooks", webhooks, settings.webhook_delivery_interval_seconds))
    return jobs


@asynccontextmanager
async def running_jobs(
    *,
    settings: Settings,
    database: Database,
    engine: MatchEngine,
    runtime: Runtime | None,
    sender_of: Callable[[], MailSender],
) -> AsyncIterator[None]:
    """Start the index and every periodic job; on the way out stop them all and wait."""
    if runtime is None:
        await engine.build(database)
        yield
        return
    tasks: list[asyncio.Task[None]] = []
    try:
        await engine.start_listening(runtime.listen_dsn, database)
        for job in periodic_jobs(settings, database, sender_of, engine):
            loop = periodic(
                job.name,
                job.run,
                interval_seconds=job.interval_seconds,
                first_delay_seconds=job.first_delay_seconds,
                jitter=job.jitter,
            )
            tasks.append(asyncio.create_task(loop, name=f"job:{job.name}"))
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.stop()
