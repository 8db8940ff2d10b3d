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
            return cls(dt.datetime.fromisoformat(created_text), UUID(id_text))
        except ValueError as exc:
            raise UserError.single("after", "INVALID_CURSOR", "the cursor is not valid") from exc


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    has_next_page: bool
