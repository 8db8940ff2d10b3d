"""SQL for partner administration: API clients, partner status, what a suspension affects."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from exchange.admin.models import ApiClientInfo, WithdrawnIntroduction
from infra.db import Connection

_CLIENT_COLUMNS = """id, consortium_id, partner_id, client_id, name, scopes, created_at,
    revoked_at, last_used_at"""


def _client(row: asyncpg.Record) -> ApiClientInfo:
    return ApiClientInfo(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        client_id=row["client_id"],
        name=row["name"],
        scopes=tuple(row["scopes"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


async def get_api_client(
    conn: Connection, *, consortium_id: UUID, client_id: str
) -> ApiClientInfo | None:
    row = await conn.fetchrow(
        f"select {_CLIENT_COLUMNS} from api_client where consortium_id = $1 and client_id = $2",
        consortium_id,
        client_id,
    )
    return _client(row) if row else None


async def list_api_clients(
    conn: Connection, *, consortium_id: UUID, partner_id: UUID | None = None
) -> list[ApiClientInfo]:
    rows = await conn.fetch(
        f"""select {_CLIENT_COLUMNS} from api_client
            where consortium_id = $1 and ($2::uuid is null or partner_id = $2)
            order by created_at, client_id""",
        consortium_id,
        partner_id,
    )
    return [_client(r) for r in rows]


async def revoke_api_client(
    conn: Connection, *, consortium_id: UUID, client_id: str, now: dt.datetime
) -> ApiClientInfo | None:
    """Revoke an unrevoked client; ``None`` when there is none by that id (or it was revoked)."""
    row = await conn.fetchrow(
        f"""update api_client set revoked_at = $3
            where consortium_id = $1 and client_id = $2 and revoked_at is null
            returning {_CLIENT_COLUMNS}""",
        consortium_id,
        client_id,
        now,
    )
    return _client(row) if row else None


async def set_partner_status(
    conn: Connection, *, partner_id: UUID, suspended_at: dt.datetime | None
) -> bool:
    """Suspend (``suspended_at`` given) or reinstate; ``False`` when already in that state."""
    status, current = ("SUSPENDED", "ACTIVE") if suspended_at else ("ACTIVE", "SUSPENDED")
    result = await conn.execute(
        "update partner set status = $2, suspended_at = $3 where id = $1 and status = $4",
        partner_id,
        status,
        suspended_at,
        current,
    )
    return bool(result == "UPDATE 1")


async def exposure(conn: Connection, *, partner_id: UUID) -> tuple[int, int, int]:
    """The partner's open vacancies, active shared profiles and unrevoked API clients."""
    row = await conn.fetchrow(
        """select
             (select count(*) from vacancy where partner_id = $1 and status = 'OPEN') as vacancies,
             (select count(*) from profile where partner_id = $1 and status = 'ACTIVE') as profiles,
             (select count(*) from api_client where partner_id = $1 and revoked_at is null)
               as clients""",
        partner_id,
    )
    assert row is not None
    return int(row["vacancies"]), int(row["profiles"]), int(row["clients"])


async def open_introductions(conn: Connection, *, partner_id: UUID) -> int:
    """Open introductions the partner requested or whose profile it shared."""
    value = await conn.fetchval(
        """select count(*) from introduction
           where status = 'REQUESTED'
             and (requesting_partner_id = $1 or sharing_partner_id = $1)""",
        partner_id,
    )
    return int(value or 0)


async def withdraw_open_introductions(
    conn: Connection, *, partner_id: UUID
) -> list[WithdrawnIntroduction]:
    """Close every open introduction the partner requested or whose profile it shared."""
    rows = await conn.fetch(
        """update introduction set status = 'WITHDRAWN'
           where status = 'REQUESTED'
             and (requesting_partner_id = $1 or sharing_partner_id = $1)
           returning id, consortium_id, profile_id, vacancy_id, requesting_partner_id""",
        partner_id,
    )
    return [
        WithdrawnIntroduction(
            id=r["id"],
            consortium_id=r["consortium_id"],
            profile_id=r["profile_id"],
            vacancy_id=r["vacancy_id"],
            requesting_partner_id=r["requesting_partner_id"],
        )
        for r in rows
    ]
