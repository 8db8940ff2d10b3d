"""``tussendeur demo --reset``: remove an earlier demo consortium, all of it, in one transaction.

The deletion is the consortium use case :func:`exchange.consortia.service.delete_consortium`;
it needs the database owner (the append-only tables refuse deletes to the app role),
so this opens the owner's connection for that one transaction. It refuses a
consortium holding partners the demo did not create.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from demo.data import PARTNERS
from demo.exceptions import DemoError
from exchange.consortia.exceptions import ConsortiumNotDeletable
from exchange.consortia.service import delete_consortium
from infra.db import apply_scope
from infra.scope import AccessScope


async def delete_demo_consortium(owner_dsn: str, consortium_id: UUID) -> None:
    conn = await asyncpg.connect(owner_dsn)
    try:
        async with conn.transaction():
            await apply_scope(conn, AccessScope.system())
            await delete_consortium(
                conn, consortium_id=consortium_id, expected_partners={p.slug for p in PARTNERS}
            )
    except ConsortiumNotDeletable as exc:
        raise DemoError(
            "not resetting: the consortium holds partners the demo did not create "
            f"({', '.join(exc.unexpected_partners)})"
        ) from exc
    finally:
        await conn.close()
