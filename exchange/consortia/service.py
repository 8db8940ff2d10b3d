"""Use cases over a whole consortium, for system jobs and the operator's tools.

Each runs in a transaction the caller opens with a system scope;
:func:`delete_consortium` needs a connection of the database owner (see
:mod:`exchange.consortia.repository` for why).
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from exchange.consortia import repository
from exchange.consortia.exceptions import ConsortiumNotDeletable
from exchange.consortia.models import ConsortiumContents
from exchange.partners import repository as partners_repository
from exchange.partners.models import Consortium
from infra.db import Connection


async def find_consortium(conn: Connection, *, slug: str) -> Consortium | None:
    return await partners_repository.get_consortium_by_slug(conn, slug=slug)


async def consortium_contents(conn: Connection, *, consortium_id: UUID) -> ConsortiumContents:
    """Partners, vacancies and profiles of the consortium, free of ids and pseudonyms."""
    return await repository.contents(conn, consortium_id=consortium_id)


async def delete_consortium(
    conn: Connection, *, consortium_id: UUID, expected_partners: Collection[str]
) -> None:
    """Delete the consortium with everything in it, its audit trail included.

    Meant for data that was never real (the demo, a rehearsal): it refuses a
    consortium holding a partner whose slug is not in ``expected_partners``, so a
    real consortium that happens to share a slug is never touched.
    """
    partners = await partners_repository.list_partners(conn, consortium_id=consortium_id)
    unexpected = sorted({p.slug for p in partners} - set(expected_partners))
    if unexpected:
        raise ConsortiumNotDeletable(unexpected)
    await repository.delete_consortium(conn, consortium_id=consortium_id)
