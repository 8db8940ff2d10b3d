from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class AuditEvent:
    consortium_id: UUID
    seq: int
    occurred_at: dt.datetime
    actor_kind: str
    actor_id: str | None
    partner_id: UUID | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    details: dict[str, Any]
    details_text: str  # the stored jsonb as PostgreSQL prints it: what the hash covers
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event checked and ready to append: the chain position, time and hash are the
    database's to give (migration 0011's ``audit_append``)."""

    actor_kind: str
    actor_id: str | None
    partner_id: UUID | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    details_json: str


ACTOR_KINDS = ("api_client", "staff_user", "person", "system")
"""Who may act in an event (``Caller.actor_kind``, or a background job)."""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    partner_id: UUID | None = None
    action: str | None = None  # exact, or a prefix when it ends with "*" ("introduction.*")
    subject_id: str | None = None
    occurred_from: dt.datetime | None = None  # inclusive
    occurred_to: dt.datetime | None = None  # exclusive
    actor_kind: str | None = None  # one of ACTOR_KINDS


class BreakKind(StrEnum):
    HASH_MISMATCH = "HASH_MISMATCH"  # an event's content no longer matches its hash
    PREV_LINK_MISMATCH = "PREV_LINK_MISMATCH"  # an event does not point at its predecessor
    SEQUENCE_GAP = "SEQUENCE_GAP"  # an event is missing (or out of place)
    CHECKPOINT_MISMATCH = "CHECKPOINT_MISMATCH"  # history differs from a signed checkpoint


@dataclass(frozen=True, slots=True)
class CheckpointClaim:
    """What a verified checkpoint signature vouches for."""

    consortium_id: UUID
    seq: int
    head_hash: str
    event_count: int
    signed_at: dt.datetime
    jws: str
    source: str = "database"  # or the file it was read from


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: UUID
    consortium_id: UUID
    seq: int
    head_hash: str
    event_count: int
    signed_jws: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class VerificationReport:
    consortium_id: UUID
    events_checked: int
    intact: bool
    first_broken_seq: int | None
    break_kind: BreakKind | None
    elapsed: float  # seconds
    head_seq: int
    head_hash: str
    checkpoints_checked: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "consortium_id": str(self.consortium_id),
            "events_checked": self.events_checked,
            "intact": self.intact,
            "first_broken_seq": self.first_broken_seq,
            "break_kind": self.break_kind.value if self.break_kind else None,
            "elapsed_seconds": round(self.elapsed, 3),
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "checkpoints_checked": self.checkpoints_checked,
            "message": self.message,
        }
