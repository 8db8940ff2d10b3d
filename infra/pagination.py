"""Keyset pagination over (created_at, id), newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

import asyncpg

from infra.db import Connection
from infra.errors import UserError

ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class Keyset:
    created_at: dt.datetime
    id: UUID

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}|{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Keyset | None:
        if text is None:
            return None
        try:
            created_text, _, id_text = text.partition("|")
            created_at = dt.datetime.fromisoformat(created_text)
            if created_at.utcoffset() is None:
                raise ValueError("a cursor's time has its offset")
            created_at.astimezone(dt.UTC)  # OverflowError past year 1 or 9999 in UTC
            return cls(created_at, UUID(id_text))
        except (ValueError, OverflowError) as exc:
            raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid") from exc


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    has_next_page: bool


async def fetch_keyset_page(
    conn: Connection,
    query: str,
    *params: object,
    after: Keyset | None,
    limit: int,
    time_column: str,
    id_column: str = "id",
) -> tuple[list[asyncpg.Record], bool]:
    """One page of ``query`` (a select ending in its where clause), newest first, after
    ``after``; also whether more rows follow. Column names are the caller's constants."""
    n = len(params)
    rows = await conn.fetch(
        f"""{query}
            and (${n + 1}::timestamptz is null
                 or ({time_column}, {id_column}) < (${n + 1}, ${n + 2}::uuid))
            order by {time_column} desc, {id_column} desc
            limit ${n + 3}""",
        *params,
        after.created_at if after else None,
        after.id if after else None,
        limit + 1,
    )
    return list(rows[:limit]), len(rows) > limit
