"""All time-based work of consent, in one idempotent run (``tussendeur retention run``).

At a given ``now`` it deletes pending profiles nobody confirmed in time, expires
consents whose term ended, erases people whose grace period after an end has passed,
expires unanswered introductions and sends renew reminders. Each batch is its own
system-scoped transaction; a second run at the same ``now`` finds nothing to do and
writes nothing. One run at a time across replicas, by a PostgreSQL advisory lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from consent import repository as consent_repository
from consent.models import CollectionMethod, ConsentEvent
from consent.retention import RetentionRules, rules_from
from exchange import mail_text
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.consent_flow import repository as flow_repository
from exchange.consent_flow.erasure import erase_person
from exchange.consent_flow.service import end_consent
from exchange.identity.one_time import MAX_TTL, TokenPurpose, issue_one_time_token
from exchange.introductions.service import expire_introductions
from infra.db import Database, try_xact_lock
from infra.mail import enqueue_mail
from infra.scope import AccessScope
from infra.settings import Settings

log = logging.getLogger("tussendeur.retention")

JOB = "retention"
RETENTION_LOCK_KEY = 7_420_004  # pg_try_advisory_xact_lock: one run at a time
BATCH = 200
COUNT_NAMES = (
    "pending_deleted",
    "consents_expired",
    "profiles_erased",
    "introductions_expired",
    "reminders_sent",
)


@dataclass
class RetentionReport:
    pending_deleted: int = 0
    consents_expired: int = 0
    profiles_erased: int = 0
    introductions_expired: int = 0
    reminders_sent: int = 0
    by_consortium: dict[UUID, Counter[str]] = field(default_factory=dict)

    def add(self, consortium_id: UUID, name: str, count: int = 1) -> None:
        setattr(self, name, getattr(self, name) + count)
        self.by_consortium.setdefault(consortium_id, Counter())[name] += count

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in COUNT_NAMES)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}

    def line(self) -> str:
        return "retention: " + ", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in self.counts().items()
        )


async def run_retention(
    database: Database, *, now: dt.datetime, settings: Settings
) -> RetentionReport:
    """Do everything that is due at ``now``. Safe to repeat; see the module docstring."""
    rules = rules_from(settings)
    report = RetentionReport()
    system = AccessScope.system()
    await _delete_pending(database, system, now, report)
    await _expire_consents(database, system, now, report)
    await _erase_after_grace(database, system, now, rules, settings, report)
    await _expire_introductions(database, system, now, report)
    await _send_reminders(database, system, now, rules, settings, report)
    async with database.transaction(system) as conn:
        for consortium_id, counts in report.by_consortium.items():
            await record_system_event(
                conn,
                consortium_id=consortium_id,
                job=JOB,
                action=actions.RETENTION_RUN,
                details={
                    "counts": {n: counts.get(n, 0) for n in COUNT_NAMES},
                    "now": now.isoformat(),
                },
            )
    return report


async def run_retention_once(
    database: Database, *, now: dt.datetime, settings: Settings
) -> RetentionReport | None:
    """:func:`run_retention` unless another process is running it (then ``None``)."""
    async with database.transaction(AccessScope.system()) as lock:
        if not await try_xact_lock(lock, RETENTION_LOCK_KEY):
            return None
        return await run_retention(database, now=now, settings=settings)


async def _delete_pending(
    database: Database, system: AccessScope, now: dt.datetime, report: RetentionReport
) -> None:
    while True:
        async with database.transaction(system) as conn:
            rows = await flow_repository.due_pending(conn, now=now, limit=BATCH)
            for row in rows:
                await record_system_event(
                    conn,
                    consortium_id=row.consortium_id,
                    job=JOB,
                    action=actions.CONSENT_REQUEST_EXPIRED,
                    subject_kind="profile",
                    subject_id=str(row.id),
                )
                await flow_repository.delete_person(conn, person_id=row.person_id)
                report.add(row.consortium_id, "pending_deleted")
        if len(rows) < BATCH:
            return


async def _expire_consents(
    database: Database, system: AccessScope, now: dt.datetime, report: RetentionReport
) -> None:
    while True:
        async with database.transaction(system) as conn:
            rows = await flow_repository.due_expiry(conn, now=now, limit=BATCH)
            for row in rows:
                expired_at = row.consent_expires_at
                assert expired_at is not None  # due_expiry selects on it
                record = await end_consent(
                    conn,
                    row,
                    event=ConsentEvent.EXPIRED,
                    ended_at=expired_at,
                    method=CollectionMethod.PORTAL,
                    language="nl",
                    now=now,
                )
                await record_system_event(
                    conn,
                    consortium_id=row.consortium_id,
                    job=JOB,
                    action=actions.CONSENT_EXPIRED,
                    subject_kind="profile",
                    subject_id=str(row.id),
                    details={"consent_record_id": str(record.id)},
                )
                report.add(row.consortium_id, "consents_expired")
        if len(rows) < BATCH:
            return


async def _erase_after_grace(
    database: Database,
    system: AccessScope,
    now: dt.datetime,
    rules: RetentionRules,
    settings: Settings,
    report: RetentionReport,
) -> None:
    erase_before = now - dt.timedelta(days=rules.grace_days)
    while True:
        async with database.transaction(system) as conn:
            rows = await flow_repository.due_erasure(conn, erase_before=erase_before, limit=BATCH)
            for row in rows:
                counts = await erase_person(
                    conn,
                    person_id=row.person_id,
                    consortium_id=row.consortium_id,
                    settings=settings,
                    restore=system,
                )
                await record_system_event(
                    conn,
                    consortium_id=row.consortium_id,
                    job=JOB,
                    action=actions.DATA_ERASED,
                    subject_kind="person",
                    subject_id=str(row.person_id),
                    details={
                        "profiles": counts["profiles"],
                        "introductions": counts["introductions"],
                        "notices": counts["notices"],
                        "reason": "GRACE_ENDED",
                    },
                )
                report.add(row.consortium_id, "profiles_erased", counts["profiles"])
        if len(rows) < BATCH:
            return


async def _expire_introductions(
    database: Database, system: AccessScope, now: dt.datetime, report: RetentionReport
) -> None:
    async with database.transaction(system) as conn:
        before = await flow_repository.due_introductions_by_consortium(conn, now=now)
        expired = await expire_introductions(conn, now)
    if expired:
        for consortium_id, count in before.items():
            report.add(consortium_id, "introductions_expired", count)


async def _send_reminders(
    database: Database,
    system: AccessScope,
    now: dt.datetime,
    rules: RetentionRules,
    settings: Settings,
    report: RetentionReport,
) -> None:
    remind_until = now + dt.timedelta(days=rules.reminder_days)
    while True:
        async with database.transaction(system) as conn:
            rows = await flow_repository.due_reminders(
                conn, now=now, remind_until=remind_until, limit=BATCH
            )
            for row in rows:
                expires = row.consent_expires_at
                erase_on = rules.erase_after(expires)
                if row.email:
                    ttl = min(max(erase_on - now, dt.timedelta(hours=1)), MAX_TTL)
                    token = await issue_one_time_token(
                        conn,
                        TokenPurpose.RENEW,
                        ttl=ttl,
                        consortium_id=row.consortium_id,
                        person_id=row.person_id,
                        profile_id=row.id,
                        now=now,
                    )
                    language = row.language
                    consortium = await consent_repository.consortium_name(
                        conn, consortium_id=row.consortium_id
                    )
                    mail = mail_text.render(
                        "consent_reminder",
                        language,
                        consortium_name=consortium or "Tussendeur",
                        link=mail_text.link(
                            settings.public_url, mail_text.RENEW_PATH, token, language
                        ),
                        expires=expires,
                        erase_on=erase_on,
                    )
                    await enqueue_mail(
                        conn,
                        row.email,
                        mail.subject,
                        mail.body,
                        mail.template,
                        mail.language,
                        person_id=row.person_id,
                        consortium_id=row.consortium_id,
                    )
                await flow_repository.mark_reminded(conn, profile_id=row.id, expires_at=expires)
                report.add(row.consortium_id, "reminders_sent")
        if len(rows) < BATCH:
            return


async def retention_round(database: Database, settings: Settings) -> None:
    """One round of the server's periodic run (``entrypoints/jobs.py`` repeats it every
    ``TUSSENDEUR_RETENTION_INTERVAL_SECONDS``): everything due now, logged when it did any."""
    report = await run_retention_once(database, now=dt.datetime.now(dt.UTC), settings=settings)
    if report is not None and report.total:
        log.info(report.line())
