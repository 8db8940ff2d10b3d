"""The delivery worker: fan events out to endpoints, sign, POST, retry, give up, escalate.

Safe in several processes at once: events are fanned out and messages claimed with
``for update skip locked``, and a claimed message is leased (its ``next_attempt_at``
moved past the timeout) in the claiming transaction, so no two workers send it.

Each try re-checks the endpoint's address and connects to the address checked (never
following redirects, cut at ``webhook_timeout_seconds``). 2xx: delivered. 410: the
endpoint is gone, so it is disabled and the partner's HR staff and the consortium's admins
are mailed; an erasure event is escalated to the admins instead of being dropped. Anything
else is retried on :data:`RETRY_DELAYS` (exponential, with jitter, about three days in
all; a ``Retry-After`` asks for longer), then given up (erasure events: escalated).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from standardwebhooks import Webhook

from exchange import mail_text
from exchange.audit import actions
from exchange.audit.service import record_event
from exchange.consent_flow import repository as flow_repository
from exchange.matching.engine import MatchEngine
from exchange.webhooks import repository
from exchange.webhooks.address_guard import AddressPolicy, Resolver, check_target, system_resolver
from exchange.webhooks.exceptions import EndpointAddressRefused
from exchange.webhooks.models import (
    AttemptOutcome,
    DisabledReason,
    DueMessage,
    EndpointStatus,
    MessageStatus,
)
from exchange.webhooks.scheduled import announce_new_matches, announce_outcomes_due
from exchange.webhooks.service import open_secret
from infra.db import Connection, Database
from infra.key_encryption import key_encryption_keys
from infra.keywrap import KeyEncryptionKeys
from infra.mail import enqueue_mail
from infra.scope import AccessScope
from infra.settings import Settings

log = logging.getLogger("tussendeur.webhooks")

# Delay before try n+1 after n failed tries: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
# 20 h, 20 h — about 72 hours from the first try to the last (11 tries).
RETRY_DELAYS: tuple[dt.timedelta, ...] = tuple(
    dt.timedelta(seconds=s)
    for s in (5, 60, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 72_000)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2  # each delay is moved by up to ±20 %
MAX_RETRY_AFTER = dt.timedelta(hours=24)
LEASE_MARGIN = dt.timedelta(seconds=30)
LOG_KEPT = dt.timedelta(days=30)  # settled messages and their tries stay readable this long


def retry_delay(
    attempts: int, *, jitter: float = JITTER, rng: random.Random | None = None
) -> dt.timedelta:
    """The delay after ``attempts`` failed tries (1-based), with jitter."""
    base = RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]
    spread = (rng or random).uniform(-jitter, jitter)
    return base * (1 + spread)


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a delay, capped at a day."""
    if not value:
        return None
    text = value.strip()
    delay: dt.timedelta | None = None
    if text.isdigit():
        delay = dt.timedelta(seconds=int(text))
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        delay = when - now
    return max(dt.timedelta(0), min(delay, MAX_RETRY_AFTER))


@dataclass
class DeliveryConfig:
    """What a worker needs; ``now`` and ``transport`` are the seams tests move and fake."""

    keks: KeyEncryptionKeys
    policy: AddressPolicy
    resolver: Resolver = system_resolver
    timeout_seconds: float = 15.0
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    transport: httpx.AsyncBaseTransport | None = None
    rng: random.Random | None = None

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.timeout_seconds) + LEASE_MARGIN


def config_from_settings(
    settings: Settings, *, resolver: Resolver = system_resolver
) -> DeliveryConfig:
    """The server's worker: the settings' address policy and timeout, the process's KEKs."""
    return DeliveryConfig(
        keks=key_encryption_keys(settings),
        policy=AddressPolicy.from_settings(settings),
        resolver=resolver,
        timeout_seconds=settings.webhook_timeout_seconds,
    )


async def delivery_round(
    database: Database,
    config: DeliveryConfig,
    *,
    engine: MatchEngine | None = None,
    matches_min_score: float = 60.0,
) -> None:
    """One round of the server's webhook job: the time-based events (``scheduled.py``),
    then deliver until nothing more is due now."""
    now = config.now()
    async with database.transaction(AccessScope.system()) as conn:
        await repository.purge_settled(conn, before=now - LOG_KEPT)
    await announce_outcomes_due(database, today=now.date())
    if engine is not None:
        await announce_new_matches(database, engine, min_score=matches_min_score, now=now)
    while True:
        report = await deliver_due(database, config)
        if report.delivered + report.retrying + report.failed + report.gone == 0:
            return


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    gone: int = 0
    escalated: int = 0
    latencies_ms: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Try:
    status_code: int | None
    latency_ms: int
    error: str | None
    retry_after: str | None = None


def signed_headers(secret: str, message_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one try of ``body``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
        "user-agent": "Tussendeur-Webhooks/1",
    }


async def _send(
    client: httpx.AsyncClient, config: DeliveryConfig, message: DueMessage, secret: str
) -> _Try:
    """One POST to the checked address. The whole try (lookup included) is cut at the
    timeout, however slowly a receiver drips; its response body is never read."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(config.timeout_seconds):
            target = await check_target(message.url, config.policy, config.resolver, field="url")
            headers = signed_headers(secret, f"msg_{message.id.hex}", message.body, config.now())
            headers["host"] = target.host_header
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            async with client.stream(
                "POST",
                target.connect_url,
                content=message.body.encode(),
                headers=headers,
                extensions=extensions,
            ) as response:
                return _Try(
                    response.status_code,
                    _elapsed(started),
                    None,
                    response.headers.get("retry-after"),
                )
    except (TimeoutError, httpx.TimeoutException):
        return _Try(None, _elapsed(started), "timed out")
    except httpx.HTTPError as exc:
        return _Try(None, _elapsed(started), f"{type(exc).__name__}")


def _elapsed(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def deliver_due(
    database: Database, config: DeliveryConfig, *, batch_size: int = 20
) -> DeliveryReport:
    """Fan out new events, then try every message that is due once."""
    report = DeliveryReport()
    async with database.transaction(AccessScope.system()) as conn:
        await repository.fan_out(conn, limit=500, now=config.now())
        due = await repository.claim_due(
            conn, limit=batch_size, now=config.now(), lease=config.lease
        )
    if not due:
        return report
    timeout = httpx.Timeout(config.timeout_seconds)
    async with httpx.AsyncClient(
        transport=config.transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        # the batch's tries run side by side; their results are written in one transaction
        tries = await asyncio.gather(*(_try_one(config, client, message) for message in due))
    async with database.transaction(AccessScope.system()) as conn:
        for message, (attempted_at, result, outcome) in zip(due, tries, strict=True):
            await _settle(conn, config, message, attempted_at, result, outcome, report)
    return report


async def _try_one(
    config: DeliveryConfig, client: httpx.AsyncClient, message: DueMessage
) -> tuple[dt.datetime, _Try, AttemptOutcome]:
    attempted_at = config.now()
    if message.endpoint_status is not EndpointStatus.ACTIVE:
        return attempted_at, _Try(None, 0, "endpoint disabled"), AttemptOutcome.FAILED
    secret = open_secret(config.keks, message.endpoint_id, message.sealed_secret)
    try:
        result = await _send(client, config, message, secret)
    except EndpointAddressRefused as refused:
        return attempted_at, _Try(None, 0, refused.errors[0].message), AttemptOutcome.REFUSED
    return attempted_at, result, _outcome(result)


async def _settle(
    conn: Connection,
    config: DeliveryConfig,
    message: DueMessage,
    attempted_at: dt.datetime,
    result: _Try,
    outcome: AttemptOutcome,
    report: DeliveryReport,
) -> None:
    attempts = message.attempts + 1
    if outcome is AttemptOutcome.DELIVERED:
        status = MessageStatus.DELIVERED
        report.delivered += 1
        report.latencies_ms.append(result.latency_ms)
    elif outcome is AttemptOutcome.GONE or message.endpoint_status is not EndpointStatus.ACTIVE:
        status = MessageStatus.ESCALATED if message.erasure else MessageStatus.ENDPOINT_GONE
        report.gone += 1
    elif attempts >= MAX_ATTEMPTS:
        status = MessageStatus.ESCALATED if message.erasure else MessageStatus.FAILED
        outcome = AttemptOutcome.FAILED
        report.failed += 1
    else:
        status = MessageStatus.PENDING
        report.retrying += 1
    delay = retry_delay(attempts, rng=config.rng)
    asked = parse_retry_after(result.retry_after, attempted_at)
    if asked is not None and asked > delay:
        delay = asked
    await repository.record_attempt(
        conn,
        message=message,
        attempted_at=attempted_at,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        outcome=outcome,
        error=result.error,
    )
    await repository.settle_message(
        conn,
        message_id=message.id,
        status=status,
        attempts=attempts,
        status_code=result.status_code,
        error=result.error,
        next_attempt_at=attempted_at + delay,
        delivered_at=attempted_at if status is MessageStatus.DELIVERED else None,
    )
    if outcome is AttemptOutcome.GONE:
        await _endpoint_gone(conn, message)
    if status is MessageStatus.ESCALATED:
        report.escalated += 1
        await _escalate(conn, message)
    if status is not MessageStatus.DELIVERED:
        log.info(
            "webhook %s to endpoint %s: %s (status %s, try %d)",
            message.id,
            message.endpoint_id,
            outcome.value,
            result.status_code,
            attempts,
        )


def _outcome(result: _Try) -> AttemptOutcome:
    if result.status_code is not None and 200 <= result.status_code < 300:
        return AttemptOutcome.DELIVERED
    if result.status_code == 410:
        return AttemptOutcome.GONE
    return AttemptOutcome.RETRY


async def _endpoint_gone(conn: Connection, message: DueMessage) -> None:
    """The receiver said 410: disable the endpoint, tell the partner's staff and the admins."""
    disabled = await repository.disable_endpoint(
        conn, endpoint_id=message.endpoint_id, reason=DisabledReason.GONE
    )
    if disabled is None:
        return
    await record_event(
        conn,
        consortium_id=message.consortium_id,
        actor_kind="system",
        actor_id="webhooks",
        partner_id=None,
        action=actions.WEBHOOK_ENDPOINT_DISABLED,
        subject_kind="webhook_endpoint",
        subject_id=str(message.endpoint_id),
        details={"reason": DisabledReason.GONE.value},
    )
    staff = await repository.staff_addresses(conn, partner_ids=[message.partner_id])
    admins = await repository.admin_addresses(conn, consortium_id=message.consortium_id)
    addresses = list(dict.fromkeys([*staff.get(message.partner_id, []), *admins]))
    await _mail(conn, message, "webhook_endpoint_gone", addresses)


async def _mail(conn: Connection, message: DueMessage, template: str, addresses: list[str]) -> None:
    """One mail per address about ``message``'s endpoint, in each reader's language."""
    if not addresses:
        return
    names = await repository.names_of(
        conn, partner_id=message.partner_id, consortium_id=message.consortium_id
    )
    languages = await flow_repository.staff_languages(conn, emails=addresses)
    for address in addresses:
        mail = mail_text.render(
            template,
            languages.get(address, "nl"),
            partner_name=names[0],
            consortium_name=names[1],
            url=message.url,
            event_type=message.event_type,
        )
        await enqueue_mail(
            conn,
            address,
            mail.subject,
            mail.body,
            mail.template,
            mail.language,
            consortium_id=message.consortium_id,
        )


async def _escalate(conn: Connection, message: DueMessage) -> None:
    """An erasure event that could not be delivered is never dropped: the admins are told."""
    await record_event(
        conn,
        consortium_id=message.consortium_id,
        actor_kind="system",
        actor_id="webhooks",
        partner_id=None,
        action=actions.WEBHOOK_ESCALATED,
        subject_kind="webhook_message",
        subject_id=str(message.id),
        details={"endpoint_id": str(message.endpoint_id), "event_type": message.event_type},
    )
    admins = await repository.admin_addresses(conn, consortium_id=message.consortium_id)
    await _mail(conn, message, "webhook_escalated", admins)
