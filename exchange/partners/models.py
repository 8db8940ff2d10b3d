from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class PartnerStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True, slots=True)
class Consortium:
    id: UUID
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Partner:
    id: UUID
    consortium_id: UUID
    slug: str
    name: str
    city: str | None
    status: PartnerStatus
    created_at: dt.datetime
