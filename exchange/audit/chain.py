"""The audit trail's hash chain: canonical encoding and hashing, shared by writer and verifier.

Canonical encoding (version 1) of one event, as UTF-8 bytes::

    JSON array, compact, non-ASCII unescaped:
        [consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id,
         action, subject_kind, subject_id]
    "\\n"
    details as PostgreSQL prints the stored jsonb value (``details::text``)

``occurred_at`` is UTC with microseconds, ``2025-01-31T09:15:00.123456Z``; ids are
lower-case hyphenated UUIDs; missing values are JSON ``null``. Details come last and
verbatim, so the verifier never re-serialises JSON (one reason 1M events verify in
seconds) and anyone holding a CSV export can recompute every hash.

    hash = hex(SHA-256(prev_hash + "\\n" + canonical)),  prev_hash of event 1 = 64 zeros
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from uuid import UUID

GENESIS_HASH = "0" * 64
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The same rendering in SQL, so the verifier can fetch timestamps as text.
SQL_TIMESTAMP = """to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""

_encode_head = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_sha256 = hashlib.sha256


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One event as hashed: every field already in its canonical text form."""

    consortium_id: str
    seq: int
    occurred_at: str
    actor_kind: str
    actor_id: str | None
    partner_id: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    details_text: str

    @classmethod
    def build(
        cls,
        *,
        consortium_id: UUID,
        seq: int,
        occurred_at: dt.datetime,
        actor_kind: str,
        actor_id: str | None,
        partner_id: UUID | None,
        action: str,
        subject_kind: str | None,
        subject_id: str | None,
        details_text: str,
    ) -> AuditRecord:
        return cls(
            consortium_id=str(consortium_id),
            seq=seq,
            occurred_at=format_timestamp(occurred_at),
            actor_kind=actor_kind,
            actor_id=actor_id,
            partner_id=str(partner_id) if partner_id else None,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            details_text=details_text,
        )

    def canonical(self) -> bytes:
        return canonical(
            self.consortium_id,
            self.seq,
            self.occurred_at,
            self.actor_kind,
            self.actor_id,
            self.partner_id,
            self.action,
            self.subject_kind,
            self.subject_id,
            self.details_text,
        )


def canonical(
    consortium_id: str,
    seq: int,
    occurred_at: str,
    actor_kind: str,
    actor_id: str | None,
    partner_id: str | None,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    details_text: str,
) -> bytes:
    head = _encode_head(
        [consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id, action,
         subject_kind, subject_id]
    )  # fmt: skip
    return (head + "\n" + details_text).encode()


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    return link_hash(prev_hash, record.canonical())


def link_hash(prev_hash: str, canonical_bytes: bytes) -> str:
    digest = _sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_bytes)
    return digest.hexdigest()


def row_hash(
    prev_hash: str,
    consortium_id: str,
    seq: int,
    occurred_at: str,
    actor_kind: str,
    actor_id: str | None,
    partner_id: str | None,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    details_text: str,
) -> str:
    """``link_hash(prev_hash, canonical(...))`` in one step: the verifier's inner loop."""
    head = _encode_head(
        [consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id, action,
         subject_kind, subject_id]
    )  # fmt: skip
    return _sha256((prev_hash + "\n" + head + "\n" + details_text).encode()).hexdigest()
