"""The audit trail's hash chain: canonical encoding and hashing, shared by writer and verifier."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
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

    def canonical(self) -> bytes:
        body = {
            "consortium_id": str(self.consortium_id),
            "seq": self.seq,
            "occurred_at": self.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "partner_id": str(self.partner_id) if self.partner_id else None,
            "action": self.action,
            "subject_kind": self.subject_kind,
            "subject_id": self.subject_id,
            "details": self.details,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(record.canonical())
    return digest.hexdigest()
