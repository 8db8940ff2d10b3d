"""Keyset pagination over (created_at, id), newest first: cursors and pages.

The query itself is :func:`infra.repository.fetch_keyset_page`, for repositories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

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
