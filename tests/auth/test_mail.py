"""The mail outbox: written in the use case's transaction, delivered with retries."""

from __future__ import annotations

import datetime as dt

import pytest

from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.mail import (
    MAX_ATTEMPTS,
    ConsoleSender,
    MemorySender,
    OutgoingMail,
    SmtpSender,
    backoff,
    deliver_pending,
    enqueue_mail,
    redact_secrets,
    sender_for,
)
from infra.scope import AccessScope
from infra.settings import Environment, Settings

BODY = "Klik: http://testserver/portal/consent?token=AbC123_-xyzAbC123_-xyzAbC123_-xyz&lang=nl\n"


class BrokenSender:
    def __init__(self) -> None:
        self.tries = 0

    async def send(self, mail: OutgoingMail) -> None:
        self.tries += 1
        raise ConnectionRefusedError("smtp.example.nl:587 refused")


async def _enqueue(db: ConnectionDatabase, to: str = "Sanne@Example.nl") -> None:
    async with db.transaction(AccessScope.anonymous()) as conn:
        await enqueue_mail(conn, to, "Toestemming", BODY, "consent", "nl")


async def _row(db: ConnectionDatabase) -> dict[str, object]:
    async with db.transaction(AccessScope.system()) as conn:
        row = await conn.fetchrow(
            """select status, attempts, body_text, last_error, sent_at, to_address,
                      next_attempt_at - clock_timestamp() as wait
               from mail_outbox"""
        )
    assert row is not None
    return dict(row)


async def test_delivery_marks_sent_and_scrubs_the_link(db: ConnectionDatabase) -> None:
    await _enqueue(db)
    sender = MemorySender()
    report = await deliver_pending(db, sender)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [mail] = sender.sent
    assert mail.to == "sanne@example.nl" and "token=AbC123" in mail.body_text
    row = await _row(db)
    assert row["status"] == "SENT" and row["attempts"] == 1 and row["sent_at"] is not None
    assert row["body_text"] == redact_secrets(BODY)
    assert "AbC123" not in str(row["body_text"]) and "&lang=nl" in str(row["body_text"])
    assert (await deliver_pending(db, sender)).sent == 0  # nothing twice


async def test_failures_back_off_then_give_up(db: ConnectionDatabase) -> None:
    await _enqueue(db)
    sender = BrokenSender()
    report = await deliver_pending(db, sender)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    row = await _row(db)
    assert row["status"] == "PENDING" and row["attempts"] == 1
    assert "ConnectionRefusedError" in str(row["last_error"])
    assert dt.timedelta(seconds=20) < row["wait"] <= backoff(1)  # type: ignore[operator]
    assert (await deliver_pending(db, sender)).retrying == 0  # not due yet

    for attempt in range(2, MAX_ATTEMPTS + 1):
        async with db.transaction(AccessScope.system()) as conn:
            await conn.execute("update mail_outbox set next_attempt_at = now() - interval '1 s'")
        report = await deliver_pending(db, sender)
        assert report.failed == (1 if attempt == MAX_ATTEMPTS else 0)
    row = await _row(db)
    assert row["status"] == "FAILED" and row["attempts"] == MAX_ATTEMPTS
    assert "AbC123" not in str(row["body_text"])
    assert sender.tries == MAX_ATTEMPTS


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(50) == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("sanne@example.nl\r\nBcc: everyone@example.nl", "Hallo"),
        ("not an address", "Hallo"),
        ("sanne@example.nl", "Hallo\r\nBcc: everyone@example.nl"),
        ("sanne@example.nl", ""),
    ],
)
async def test_header_injection_is_refused(db: ConnectionDatabase, to: str, subject: str) -> None:
    with pytest.raises((UserError, ValueError)):
        async with db.transaction(AccessScope.anonymous()) as conn:
            await enqueue_mail(conn, to, subject, "body", "consent")


async def test_without_a_caller_nothing_is_enqueued(db: ConnectionDatabase) -> None:
    import asyncpg

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(AccessScope.nobody()) as conn:
            await enqueue_mail(conn, "sanne@example.nl", "Hallo", "body", "consent")


async def test_console_sender_prints_the_mail() -> None:
    printed: list[str] = []
    mail = OutgoingMail(__import__("uuid").uuid4(), "a@example.nl", "Onderwerp", BODY, "t", "nl", 0)
    await ConsoleSender(printed.append).send(mail)
    assert "a@example.nl" in printed[0] and BODY.strip() in printed[0]


def test_smtp_is_used_when_configured() -> None:
    local = Settings(env=Environment.TEST, smtp_host=None)
    assert isinstance(sender_for(local), ConsoleSender)
    smtp = Settings(
        env=Environment.TEST, smtp_host="smtp.example.nl", mail_from="Tussendeur <x@example.nl>"
    )
    sender = sender_for(smtp)
    assert isinstance(sender, SmtpSender)
    mail = OutgoingMail(
        __import__("uuid").uuid4(), "a@example.nl", "Onderwerp", "Hoi", "t", "nl", 0
    )
    message = sender.message(mail)
    assert message["To"] == "a@example.nl" and message["From"] == "Tussendeur <x@example.nl>"
    assert message["Subject"] == "Onderwerp" and message.get_content().strip() == "Hoi"
