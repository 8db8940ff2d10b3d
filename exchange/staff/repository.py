"""SQL for staff users (partner HR and consortium admins)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from exchange.staff.models import StaffUser
from infra.caller import CallerRole
from infra.db import Connection

_COLUMNS = "id, consortium_id, partner_id, role, email, display_name, language, created_at"


def _staff(row: asyncpg.Record) -> StaffUser:
    return StaffUser(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        role=CallerRole(row["role"]),
        email=row["email"],
        display_name=row["display_name"],
        language=row["language"],
        created_at=row["created_at"],
    )


async def insert_staff_user(conn: Connection, *, staff: StaffUser) -> bool:
    """Insert; False when the address has an account in this consortium already (the
    unique index is per consortium, so nothing is learnt about any other consortium)."""
    try:
        async with conn.transaction():
            await conn.execute(
                f"insert into staff_user ({_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)",
                staff.id,
                staff.consortium_id,
                staff.partner_id,
                staff.role.value,
                staff.email,
                staff.display_name,
                staff.language,
                staff.created_at,
            )
    except asyncpg.UniqueViolationError:
        return False
    return True


async def list_staff_users(conn: Connection, *, consortium_id: UUID) -> list[StaffUser]:
    rows = await conn.fetch(
        f"""select {_COLUMNS} from staff_user where consortium_id = $1 and disabled_at is null
            order by role, display_name, id""",
        consortium_id,
    )
    return [_staff(r) for r in rows]
