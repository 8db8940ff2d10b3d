"""SQL of erasure notices, and of who received a person's contact data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from exchange.webhooks.models import (
    ErasureMethod,
    ErasureNotice,
    ErasureReason,
    EventType,
    UnreachablePartner,
)
from infra.db import Connection

# ---------------------------------------------------------------- erasure notices

_NOTICE_COLUMNS = """id, consortium_id, partner_id, reason, profile_id, pseudonym,
    introduction_ids, erase_by, created_at, confirmed_at, method"""


def _notice(r: Any) -> ErasureNotice:
    return ErasureNotice(
        id=r["id"],
        consortium_id=r["consortium_id"],
        partner_id=r["partner_id"],
        reason=ErasureReason(r["reason"]),
        profile_id=r["profile_id"],
        pseudonym=r["pseudonym"],
        introduction_ids=tuple(r["introduction_ids"]),
        erase_by=r["erase_by"],
        created_at=r["created_at"],
        confirmed_at=r["confirmed_at"],
        method=ErasureMethod(r["method"]) if r["method"] else None,
    )


async def insert_notice(
    conn: Connection,
    *,
    notice_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    reason: ErasureReason,
    profile_id: UUID | None,
    pseudonym: str | None,
    introduction_ids: Sequence[UUID],
    erase_by: dt.datetime,
    now: dt.datetime,
) -> None:
    await conn.execute(
        """insert into erasure_notice (id, consortium_id, partner_id, reason, profile_id,
               pseudonym, introduction_ids, erase_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        notice_id,
        consortium_id,
        partner_id,
        reason.value,
        profile_id,
        pseudonym,
        list(introduction_ids),
        erase_by,
        now,
    )


async def get_notice(
    conn: Connection, *, notice_id: UUID, consortium_id: UUID
) -> ErasureNotice | None:
    row = await conn.fetchrow(
        f"""select {_NOTICE_COLUMNS} from erasure_notice
            where id = $1 and consortium_id = $2 for update""",
        notice_id,
        consortium_id,
    )
    return _notice(row) if row else None


async def confirm_notice(
    conn: Connection,
    *,
    notice_id: UUID,
    method: ErasureMethod,
    confirmed_by: str,
    now: dt.datetime,
) -> ErasureNotice:
    row = await conn.fetchrow(
        f"""update erasure_notice set confirmed_at = $2, method = $3, confirmed_by = $4
            where id = $1 returning {_NOTICE_COLUMNS}""",
        notice_id,
        now,
        method.value,
        confirmed_by,
    )
    return _notice(row)


async def list_notices(
    conn: Connection,
    *,
    consortium_id: UUID,
    partner_id: UUID | None,
    confirmed: bool | None,
    overdue_at: dt.datetime | None,
    limit: int,
) -> list[ErasureNotice]:
    rows = await conn.fetch(
        f"""select {_NOTICE_COLUMNS} from erasure_notice
            where consortium_id = $1 and ($2::uuid is null or partner_id = $2)
              and ($3::boolean is null or (confirmed_at is not null) = $3)
              and ($4::timestamptz is null or (confirmed_at is null and erase_by < $4))
            order by created_at desc, id limit $5""",
        consortium_id,
        partner_id,
        confirmed,
        overdue_at,
        limit,
    )
    return [_notice(r) for r in rows]


async def unreachable_partners(
    conn: Connection, *, consortium_id: UUID, erasure_events: Sequence[EventType]
) -> list[UnreachablePartner]:
    """Active partners with no active endpoint for erasure events and no HR staff to mail."""
    rows = await conn.fetch(
        """select p.id, p.name from partner p
           where p.consortium_id = $1
             and not exists (select 1 from webhook_endpoint e
                             where e.partner_id = p.id and e.status = 'ACTIVE'
                               and e.event_types && $2::text[])
             and not exists (select 1 from staff_user s
                             where s.partner_id = p.id and s.role = 'partner_hr'
                               and s.disabled_at is null)
           order by p.name, p.id""",
        consortium_id,
        [e.value for e in erasure_events],
    )
    return [UnreachablePartner(r["id"], r["name"]) for r in rows]


async def contact_received(conn: Connection, *, profile_id: UUID) -> dict[UUID, list[UUID]]:
    """The accepted introductions of a profile, by requesting partner (the partners that
    hold its contact data); under the person's or the system scope."""
    rows = await conn.fetch(
        """select requesting_partner_id, id from introduction
           where profile_id = $1 and status = 'ACCEPTED' order by requested_at, id""",
        profile_id,
    )
    found: dict[UUID, list[UUID]] = {}
    for r in rows:
        found.setdefault(r["requesting_partner_id"], []).append(r["id"])
    return found


async def profile_pseudonym(conn: Connection, *, profile_id: UUID) -> str | None:
    value: str | None = await conn.fetchval(
        "select pseudonym from profile where id = $1", profile_id
    )
    return value
