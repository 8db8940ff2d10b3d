"""Mail in tests: the newest link mailed to a person, and a sender that keeps sign-in mail.

``emailed_link`` reads the pending mail in ``mail_outbox`` by person; ``Mailbox`` finds a
link wherever the mail went (outbox, memory sender or console) for tests on committed
databases with the mail worker running.
"""

from __future__ import annotations

import asyncio
import re
import time
from uuid import UUID

import pytest

from infra.db import Database
from infra.mail import MemorySender, OutgoingMail
from infra.scope import AccessScope

LINK = re.compile(r"https?://\S+[?&]token=[A-Za-z0-9_\-%]+\S*")
SIGN_IN_LINK = re.compile(r"https?://\S+/auth/sign-in/redeem\?token=([A-Za-z0-9_-]+)")
CONSOLE_MAIL = re.compile(r"^Mail to (\S+) \((\w+), (\w+)\)", re.MULTILINE)


async def emailed_link(db: Database, person_id: UUID, template: str) -> str:
    """The link in the newest ``template`` mail to the person (still in the outbox)."""
    async with db.transaction(AccessScope.system()) as conn:
        body = await conn.fetchval(
            """select body_text from mail_outbox where person_id = $1 and template = $2
               order by created_at desc limit 1""",
            person_id,
            template,
        )
    assert isinstance(body, str) and body, f"no {template} mail"
    return next(line.strip() for line in body.splitlines() if "token=" in line)


def sign_in_token(body: str) -> str:
    """The raw token of the sign-in link in a mail body."""
    match = SIGN_IN_LINK.search(body)
    assert match, body
    return match.group(1)


class SignInOutbox(MemorySender):
    """Records delivered mail; ``sent`` keeps only sign-in mail (sharing a profile mails
    a consent link too)."""

    async def send(self, mail: OutgoingMail) -> None:
        if mail.template == "sign_in":
            await super().send(mail)


class Mailbox:
    """Finds the newest link mailed to an address, wherever the mail went.

    A mail's link is read from ``mail_outbox`` while the mail is still pending; once it
    was sent its stored body is redacted, and the link is read where it was delivered:
    the :class:`MemorySender` the test put into ``Services.mail_sender`` (used
    by deliveries that look the sender up, like the sign-in route's), or the console, for
    the periodic mail worker, which keeps the sender it was started with (captured with
    ``capsys``). Redaction happens only after delivery, so one of the three always has it.
    """

    def __init__(
        self, database: Database, memory: MemorySender, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.database = database
        self.memory = memory
        self.capsys = capsys
        self.console = ""
        self.from_outbox = self.from_memory = self.from_console = 0

    def _console_links(self, to: str, template: str) -> list[str]:
        captured = self.capsys.readouterr()
        self.console += captured.err + captured.out
        links: list[str] = []
        starts = list(CONSOLE_MAIL.finditer(self.console))
        for i, head in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(self.console)
            if head.group(1) == to and head.group(2) == template:
                links.extend(LINK.findall(self.console[head.end() : end]))
        return links

    async def link(self, to: str, template: str, *, after: int = 0) -> str:
        """The link of the newest ``template`` mail to ``to`` (the ``after``-th mail of
        that kind or a later one: pass the count seen before the action)."""
        deadline = time.monotonic() + 5
        while True:
            async with self.database.transaction(AccessScope.system()) as conn:
                rows = await conn.fetch(
                    """select id, body_text from mail_outbox
                       where lower(to_address) = lower($1) and template = $2
                       order by created_at, id""",
                    to,
                    template,
                )
            if len(rows) > after:
                newest = rows[-1]
                pending: list[str] = LINK.findall(newest["body_text"])  # none once redacted
                if pending:
                    self.from_outbox += 1
                    return pending[0]
                sent = [m for m in self.memory.sent if m.id == newest["id"]]
                if sent:
                    self.from_memory += 1
                    delivered: list[str] = LINK.findall(sent[0].body_text)
                    return delivered[0]
                console = self._console_links(to, template)
                if console:
                    self.from_console += 1
                    return console[-1]
            assert time.monotonic() < deadline, f"no {template} mail to {to}"
            await asyncio.sleep(0.02)

    async def count(self, to: str, template: str) -> int:
        async with self.database.transaction(AccessScope.system()) as conn:
            found = await conn.fetchval(
                """select count(*) from mail_outbox
                   where lower(to_address) = lower($1) and template = $2""",
                to,
                template,
            )
        return int(found or 0)
