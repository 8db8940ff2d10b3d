"""The model of one person's and introduction's state for the consent state machine."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass
class Person:
    name: str
    email: str
    phone: str
    status: str = "NEW"  # NEW PENDING ACTIVE PAUSED WITHDRAWN EXPIRED GONE
    erased: bool = False
    sharer: int = -1
    profile_id: UUID | None = None
    person_id: UUID | None = None
    caller: Any = None
    scope: tuple[str, frozenset[int]] = ("ALL_PARTNERS", frozenset())
    pending_until: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    requests: dict[int, int] = field(default_factory=dict)  # partner → requests today

    def in_force(self) -> bool:
        return self.status in ("ACTIVE", "PAUSED")

    def visible_to(self, p: int) -> bool:
        kind, listed = self.scope
        admitted = kind == "ALL_PARTNERS" or (p in listed) == (kind == "ONLY")
        return self.status == "ACTIVE" and p != self.sharer and admitted


@dataclass
class Intro:
    id: UUID
    person: int
    partner: int
    status: str = "REQUESTED"
    placed: bool = False


def canary() -> tuple[str, str, str]:
    tag = secrets.token_hex(4)
    return (
        f"Canary Kx{tag} Qz",
        f"canary.{tag}@example.nl",
        f"+31 6 {secrets.randbelow(10**8):08d}",
    )


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
