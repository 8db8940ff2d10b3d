"""Recomputing a consortium's audit chain and naming the first broken link.

The chain is streamed in keyset batches (``seq > last``) with ``COPY (select ...) TO
STDOUT``: each line *is* the event's canonical encoding followed by its two hashes, so
it is hashed as bytes the moment it arrives, memory stays flat, and a million events
take seconds. Checks per event, in this order:

1. ``SEQUENCE_GAP``: the next event is not ``seq = previous + 1`` (one was deleted, or
   moved); the reported position is the first missing sequence number;
2. ``HASH_MISMATCH``: the event's content, hashed over its own ``prev_hash``, is not its
   stored ``hash`` (it was changed after it was written);
3. ``PREV_LINK_MISMATCH``: its ``prev_hash`` is not the previous event's hash;
4. ``CHECKPOINT_MISMATCH``: at a signed checkpoint's position the hash differs from the
   signed head hash, or the chain ends before a checkpoint's position. Only this catches
   a chain rewritten consistently inside the database (every hash recomputed).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from uuid import UUID

from exchange.audit import repository
from exchange.audit.chain import GENESIS_HASH
from exchange.audit.models import BreakKind, CheckpointClaim, VerificationReport
from infra.db import Connection

BATCH_SIZE = 50_000
_sha256 = hashlib.sha256


class _Break(Exception):
    def __init__(self, seq: int, kind: BreakKind, message: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.kind = kind
        self.message = message


class _Walk:
    """The verifier's state, fed COPY text chunks as PostgreSQL streams them."""

    def __init__(self, expected: int, prev: bytes, claims: list[CheckpointClaim]) -> None:
        self.expected = expected
        self.prev = prev
        self.claims = claims
        self.pending = 0  # index of the next claim to meet
        self.checked = 0
        self.used = 0
        self.rows_in_batch = 0
        self.broken: _Break | None = None
        self._rest = b""

    async def feed(self, chunk: bytes) -> None:
        if self.broken is not None:
            return  # the rest of this batch is drained unread
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        try:
            for line in lines:
                self._line(line)
        except _Break as broken:
            self.broken = broken

    def _line(self, line: bytes) -> None:
        self.rows_in_batch += 1
        parts = line.rsplit(b"\t", 2)
        if len(parts) != 3:
            raise _Break(self.expected, BreakKind.HASH_MISMATCH, "unreadable event")
        content, stored_prev, stored_hash = parts
        seq = int(content.split(b"\t", 2)[1])
        if seq != self.expected:
            raise _Break(
                self.expected,
                BreakKind.SEQUENCE_GAP,
                f"event {self.expected} is missing (next is {seq})",
            )
        self.checked += 1
        if _sha256(stored_prev + b"\n" + content).hexdigest().encode() != stored_hash:
            raise _Break(
                seq, BreakKind.HASH_MISMATCH, f"event {seq} was changed after it was written"
            )
        if stored_prev != self.prev:
            raise _Break(
                seq, BreakKind.PREV_LINK_MISMATCH, f"event {seq} does not link to event {seq - 1}"
            )
        claims = self.claims
        while self.pending < len(claims) and claims[self.pending].seq == seq:
            claim = claims[self.pending]
            if claim.head_hash.encode() != stored_hash or claim.event_count != seq:
                raise _Break(
                    seq,
                    BreakKind.CHECKPOINT_MISMATCH,
                    f"history up to event {seq} differs from the checkpoint signed "
                    f"{claim.signed_at:%Y-%m-%d %H:%M:%S} UTC ({claim.source})",
                )
            self.used += 1
            self.pending += 1
        self.prev = stored_hash
        self.expected = seq + 1


async def verify_chain(
    conn: Connection,
    consortium_id: UUID,
    *,
    checkpoints: Sequence[CheckpointClaim] = (),
    start: CheckpointClaim | None = None,
    batch_size: int = BATCH_SIZE,
) -> VerificationReport:
    """Recompute the chain (from ``start``, a trusted checkpoint, or from the beginning).

    ``checkpoints`` are claims whose signatures the caller has verified; those of other
    consortia are ignored. The connection must see the whole chain (system scope or the
    consortium's admin).
    """
    started = time.perf_counter()
    claims = sorted(
        (c for c in checkpoints if c.consortium_id == consortium_id), key=lambda c: c.seq
    )
    walk = _Walk(1, GENESIS_HASH.encode(), claims)
    if start is not None:
        walk = _Walk(
            start.seq + 1, start.head_hash.encode(), [c for c in claims if c.seq > start.seq]
        )
        stored = await repository.event_hash(conn, consortium_id=consortium_id, seq=start.seq)
        if stored != start.head_hash:
            message = f"event {start.seq} differs from the checkpoint it starts from"
            walk.broken = _Break(start.seq, BreakKind.CHECKPOINT_MISMATCH, message)
    while walk.broken is None:
        walk.rows_in_batch = 0
        await repository.copy_chain_batch(
            conn,
            consortium_id=consortium_id,
            after_seq=walk.expected - 1,
            limit=batch_size,
            output=walk.feed,
        )
        if walk.rows_in_batch < batch_size:
            break
    if walk.broken is None and walk.pending < len(walk.claims):
        claim = walk.claims[walk.pending]
        walk.broken = _Break(
            walk.expected,
            BreakKind.CHECKPOINT_MISMATCH,
            f"the chain ends at event {walk.expected - 1}, but a checkpoint signed "
            f"{claim.signed_at:%Y-%m-%d %H:%M:%S} UTC vouches for {claim.seq} events "
            f"({claim.source})",
        )
    broken = walk.broken
    return VerificationReport(
        consortium_id=consortium_id,
        events_checked=walk.checked,
        intact=broken is None,
        first_broken_seq=broken.seq if broken else None,
        break_kind=broken.kind if broken else None,
        elapsed=time.perf_counter() - started,
        head_seq=walk.expected - 1,
        head_hash=walk.prev.decode("ascii", "replace"),
        checkpoints_checked=walk.used,
        message=broken.message if broken else _intact_message(walk.checked, walk.used, start),
    )


def _intact_message(checked: int, used: int, start: CheckpointClaim | None) -> str:
    origin = f"from checkpoint at event {start.seq}" if start else "from the first event"
    return f"intact: {checked} events checked {origin}, {used} signed checkpoints matched"
