"""Outgoing mail: an outbox table written in the use case's transaction, and a sender.

Use cases call :func:`enqueue_mail` inside their transaction, so a mail exists
exactly when the change that caused it committed. :func:`deliver_pending` (run
right after a request that wrote mail, and by a periodic worker) hands due mail
to a :class:`MailSender`: SMTP through aiosmtplib when ``TUSSENDEUR_SMTP_HOST`` is
set, otherwise the console (the local default). Failures are retried with
exponential back-off; after ``MAX_ATTEMPTS`` a mail is marked FAILED.

Links carrying one-time tokens put them in a ``token`` query parameter: once a
mail has been delivered (or given up on) its stored body keeps ``token=[redacted]``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from uuid import UUID

from infra.db import Connection, Database
from infra.email_address import normalize_email, smtp_address
from infra.errors import UserError
from infra.outbox import repository as outbox_repository
from infra.outbox.repository import OutgoingMail as OutgoingMail  # re-exported: senders take it
from infra.scope import AccessScope
from infra.settings import Environment, Settings

log = logging.getLogger("tussendeur.mail")

MAX_ATTEMPTS = 8
BASE_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=5)  # a claimed mail is retried after this if its sender died
DELIVERY_INTERVAL_SECONDS = 10.0  # how often the server's mail job runs deliver_pending
_TOKEN_IN_LINK = re.compile(r"([?&#]token=)[A-Za-z0-9_\-]+")


def redact_secrets(body: str) -> str:
    return _TOKEN_IN_LINK.sub(r"\1[redacted]", body)


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min, … ≤ 1 h."""
    delay: dt.timedelta = BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 16))
    return min(delay, MAX_BACKOFF)


async def enqueue_mail(
    conn: Connection,
    to: str,
    subject: str,
    body_text: str,
    template: str,
    language: str = "nl",
    person_id: UUID | None = None,
    consortium_id: UUID | None = None,
) -> UUID:
    """Put a mail in the outbox inside the caller's transaction; return its id.

    ``to`` is an address the use case checked as input (or read back from storage) with
    :func:`infra.email_address.normalize_email`; any other is a bug, not a user error."""
    try:
        address = normalize_email(to, field="to")
    except UserError as error:
        raise ValueError(f"not a checked address: {error.message}") from error
    if not subject or len(subject) > 200 or "\r" in subject or "\n" in subject:
        raise ValueError("a mail subject is one line of 1-200 characters")
    if len(body_text) > 100_000 or not template or language not in ("nl", "en"):
        raise ValueError("mail body, template or language out of bounds")
    mail_id = uuid.uuid4()
    await outbox_repository.insert_mail(
        conn,
        mail_id=mail_id,
        consortium_id=consortium_id,
        person_id=person_id,
        to_address=address,
        subject=subject,
        body_text=body_text,
        template=template,
        language=language,
    )
    return mail_id


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Deliver or raise; a raise is retried later."""
        ...


class ConsoleSender:
    """The local default: print each mail (with its links) to the console."""

    def __init__(self, write: Callable[[str], Any] | None = None) -> None:
        self._write = write or (lambda text: print(text, file=sys.stderr, flush=True))

    async def send(self, mail: OutgoingMail) -> None:
        rule = "─" * 72
        self._write(
            f"{rule}\nMail to {mail.to} ({mail.template}, {mail.language}) — "
            f"set TUSSENDEUR_SMTP_HOST to send it\nSubject: {mail.subject}\n\n"
            f"{mail.body_text}\n{rule}"
        )


@dataclass
class MemorySender:
    """Keeps sent mail in a list: for tests, and for showing an outbox in a local portal."""

    sent: list[OutgoingMail] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SMTP needs TUSSENDEUR_SMTP_HOST")
        self.settings = settings

    def message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = smtp_address(mail.to)
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=mail.id.hex, domain="tussendeur")
        message["Content-Language"] = mail.language
        message.set_content(mail.body_text)
        return message

    async def send(self, mail: OutgoingMail) -> None:
        import aiosmtplib

        s = self.settings
        await aiosmtplib.send(
            self.message(mail),
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            timeout=30,
        )


def sender_for(settings: Settings) -> MailSender:
    if settings.smtp_host:
        return SmtpSender(settings)
    if settings.env is Environment.PRODUCTION:
        log.warning(
            "no SMTP configured: mail, one-time links included, is printed to this console; "
            "set TUSSENDEUR_SMTP_HOST before real people use this server"
        )
    return ConsoleSender()


class HoldsMailSender(Protocol):
    mail_sender: MailSender


def mail_sender(services: HoldsMailSender) -> MailSender:
    """The app's sender (``Services.mail_sender``; tests may put their own there)."""
    return services.mail_sender


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


async def deliver_pending(
    database: Database, sender: MailSender, *, batch_size: int = 50
) -> DeliveryReport:
    """Send the mail that is due. Safe to run in several processes at once (rows are
    claimed with ``for update skip locked`` and leased while they are being sent)."""
    async with database.transaction(AccessScope.system()) as conn:
        due = await outbox_repository.claim_due(conn, limit=batch_size, lease=LEASE)
    sent = retrying = failed = 0
    for mail in due:
        try:
            await sender.send(mail)
        except Exception as exc:  # any sender failure is retried, never lost
            attempts = mail.attempts + 1
            give_up = attempts >= MAX_ATTEMPTS
            log.warning("mail %s failed (attempt %d): %s", mail.id, attempts, exc)
            async with database.transaction(AccessScope.system()) as conn:
                await outbox_repository.record_failure(
                    conn,
                    mail_id=mail.id,
                    attempts=attempts,
                    error=f"{type(exc).__name__}: {exc}"[:500],
                    give_up=give_up,
                    redacted_body=redact_secrets(mail.body_text),
                    retry_in=backoff(attempts),
                )
            failed, retrying = failed + give_up, retrying + (not give_up)
            continue
        async with database.transaction(AccessScope.system()) as conn:
            await outbox_repository.record_sent(
                conn, mail_id=mail.id, redacted_body=redact_secrets(mail.body_text)
            )
        sent += 1
    return DeliveryReport(sent, retrying, failed)
