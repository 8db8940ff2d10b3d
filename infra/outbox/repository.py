"""SQL of the mail outbox: queue a mail, claim what is due, record how sending went."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from infra.db import Connection


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    id: UUID
    to: str
    subject: str
    body_text: str
    template: str
    language: str
    attempts: int


async def insert_mail(
    conn: Connection,
    *,
    mail_id: UUID,
    consortium_id: UUID | None,
    person_id: UUID | None,
    to_address: str,
    subject: str,
    body_text: str,
    template: str,
    language: str,
) -> None:
    await conn.execute(
        """insert into mail_outbox (id, consortium_id, person_id, to_address, subject, body_text,
                                    template, language)
           values ($1, $2, $3, $4, $5, $6, $7, $8)""",
        mail_id,
        consortium_id,
        person_id,
        to_address,
        subject,
        body_text,
        template,
        language,
    )


async def claim_due(conn: Connection, *, limit: int, lease: dt.timedelta) -> list[OutgoingMail]:
    """Up to ``limit`` pending mails that are due, leased for ``lease`` (system scope; rows
    another transaction is claiming are skipped), in id order."""
    rows = await conn.fetch(
        """update mail_outbox set next_attempt_at = clock_timestamp() + $2::interval
           where id in (select id from mail_outbox
                        where status = 'PENDING' and next_attempt_at <= clock_timestamp()
                        order by next_attempt_at limit $1 for update skip locked)
           returning id, to_address, subject, body_text, template, language, attempts""",
        limit,
        lease,
    )
    return [
        OutgoingMail(
            r["id"],
            r["to_address"],
            r["subject"],
            r["body_text"],
            r["template"],
            r["language"],
            r["attempts"],
        )
        for r in sorted(rows, key=lambda r: r["id"])
    ]


async def record_failure(
    conn: Connection,
    *,
    mail_id: UUID,
    attempts: int,
    error: str,
    give_up: bool,
    redacted_body: str,
    retry_in: dt.timedelta,
) -> None:
    """Count a failed try: retry after ``retry_in``, or mark it FAILED (``give_up``), its
    body then replaced by ``redacted_body``."""
    await conn.execute(
        """update mail_outbox set attempts = $2, last_error = $3,
               status = case when $4 then 'FAILED' else 'PENDING' end,
               body_text = case when $4 then $5 else body_text end,
               next_attempt_at = clock_timestamp() + $6::interval
           where id = $1""",
        mail_id,
        attempts,
        error,
        give_up,
        redacted_body,
        retry_in,
    )


async def record_sent(conn: Connection, *, mail_id: UUID, redacted_body: str) -> None:
    await conn.execute(
        """update mail_outbox set status = 'SENT', sent_at = clock_timestamp(),
               attempts = attempts + 1, last_error = null, body_text = $2
           where id = $1""",
        mail_id,
        redacted_body,
    )
