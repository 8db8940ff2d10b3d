"""The audit trail's hash chain: canonical encoding and hashing, shared by writer and verifier.

Canonical encoding (version 1) of one event: its ten fields as one line of
PostgreSQL's COPY text format, UTF-8, without the line end::

    consortium_id TAB seq TAB occurred_at TAB actor_kind TAB actor_id TAB partner_id
    TAB action TAB subject_kind TAB subject_id TAB details

* ids are lower-case hyphenated UUIDs, ``seq`` a decimal integer;
* ``occurred_at`` is UTC with microseconds: ``2025-01-31T09:15:00.123456Z``;
* ``details`` is the stored jsonb exactly as PostgreSQL prints it (``details::text``);
* a missing value is ``\\N``; in values, backslash becomes ``\\\\`` and the control
  characters BS, FF, LF, CR, TAB, VT become ``\\b \\f \\n \\r \\t \\v`` (COPY's escapes).

    hash = hex(SHA-256(prev_hash + "\\n" + canonical));  prev_hash of event 1 = 64 zeros

Why COPY text: the verifier streams ``COPY (select ...) TO STDOUT`` and hashes each
line's first ten fields as they arrive, without building a Python object per field
(a million events verify in seconds), and anyone can recompute a hash with ``psql``
and ``sha256sum``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from uuid import UUID

GENESIS_HASH = "0" * 64
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# The same rendering in SQL, so the verifier can fetch timestamps as text.
SQL_TIMESTAMP = """to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
# The columns, in canonical order, as the verifier asks COPY for them (then prev_hash, hash).
CANONICAL_SQL_COLUMNS = (
    f"consortium_id, seq, {SQL_TIMESTAMP}, actor_kind, actor_id, partner_id, "
    "action, subject_kind, subject_id, details"
)

_NULL = "\\N"
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
)
_sha256 = hashlib.sha256


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def copy_text(value: str | None) -> str:
    """One value as PostgreSQL's COPY text format writes it."""
    return _NULL if value is None else value.translate(_COPY_ESCAPES)


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
    fields = (consortium_id, str(seq), occurred_at, actor_kind, actor_id, partner_id, action,
              subject_kind, subject_id, details_text)  # fmt: skip
    return "\t".join(copy_text(f) for f in fields).encode()


def link_hash(prev_hash: bytes | str, canonical_bytes: bytes) -> str:
    """The hash of an event whose canonical encoding is ``canonical_bytes``."""
    prev = prev_hash.encode() if isinstance(prev_hash, str) else prev_hash
    return _sha256(prev + b"\n" + canonical_bytes).hexdigest()


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    return link_hash(prev_hash, record.canonical())


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
    """The hash of an event given as text fields (tools, tests, the bench's generator)."""
    return link_hash(
        prev_hash,
        canonical(consortium_id, seq, occurred_at, actor_kind, actor_id, partner_id, action,
                  subject_kind, subject_id, details_text),
    )  # fmt: skip
