"""Recomputing a consortium's audit chain and naming the first broken link.

The chain is read in keyset batches (``seq > last``), every field already rendered as
text by PostgreSQL, so memory stays flat and a million events take seconds. Checks per
event, in this order:

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

import time
from collections.abc import Sequence
from uuid import UUID

from exchange.audit import repository
from exchange.audit.chain import GENESIS_HASH, row_hash
from exchange.audit.models import BreakKind, CheckpointClaim, VerificationReport
from infra.db import Connection

BATCH_SIZE = 20_000


class _Break(Exception):
    def __init__(self, seq: int, kind: BreakKind, message: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.kind = kind
        self.message = message


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
    cid = str(consortium_id)
    expected, prev, checked, used = 1, GENESIS_HASH, 0, 0

    def report(broken: _Break | None) -> VerificationReport:
        intact = broken is None
        return VerificationReport(
            consortium_id=consortium_id,
            events_checked=checked,
            intact=intact,
            first_broken_seq=broken.seq if broken else None,
            break_kind=broken.kind if broken else None,
            elapsed=time.perf_counter() - started,
            head_seq=expected - 1,
            head_hash=prev,
            checkpoints_checked=used,
            message=broken.message if broken else _intact_message(checked, used, start),
        )

    try:
        if start is not None:
            stored = await repository.event_hash(conn, consortium_id=consortium_id, seq=start.seq)
            if stored != start.head_hash:
                message = f"event {start.seq} differs from the checkpoint it starts from"
                raise _Break(start.seq, BreakKind.CHECKPOINT_MISMATCH, message)
            expected, prev = start.seq + 1, start.head_hash
            claims = [c for c in claims if c.seq > start.seq]
        pending = 0  # index of the next claim to meet
        while True:
            rows = await repository.chain_batch(
                conn, consortium_id=consortium_id, after_seq=expected - 1, limit=batch_size
            )
            if not rows:
                break
            for r in rows:
                seq = r[0]
                if seq != expected:
                    raise _Break(expected, BreakKind.SEQUENCE_GAP,
                                 f"event {expected} is missing (next is {seq})")  # fmt: skip
                checked += 1
                stored_prev, stored_hash = r[9], r[10]
                computed = row_hash(
                    stored_prev, cid, seq, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]
                )
                if computed != stored_hash:
                    raise _Break(seq, BreakKind.HASH_MISMATCH,
                                 f"event {seq} was changed after it was written")  # fmt: skip
                if stored_prev != prev:
                    raise _Break(seq, BreakKind.PREV_LINK_MISMATCH,
                                 f"event {seq} does not link to event {seq - 1}")  # fmt: skip
                while pending < len(claims) and claims[pending].seq == seq:
                    claim = claims[pending]
                    if claim.head_hash != stored_hash or claim.event_count != seq:
                        raise _Break(seq, BreakKind.CHECKPOINT_MISMATCH,
                                     f"history up to event {seq} differs from the checkpoint "
                                     f"signed {claim.signed_at:%Y-%m-%d %H:%M:%S} UTC "
                                     f"({claim.source})")  # fmt: skip
                    used += 1
                    pending += 1
                prev = stored_hash
                expected = seq + 1
            if len(rows) < batch_size:
                break
        if pending < len(claims):
            claim = claims[pending]
            raise _Break(expected, BreakKind.CHECKPOINT_MISMATCH,
                         f"the chain ends at event {expected - 1}, but a checkpoint signed "
                         f"{claim.signed_at:%Y-%m-%d %H:%M:%S} UTC vouches for "
                         f"{claim.seq} events ({claim.source})")  # fmt: skip
    except _Break as broken:
        return report(broken)
    return report(None)


def _intact_message(checked: int, used: int, start: CheckpointClaim | None) -> str:
    origin = f"from checkpoint at event {start.seq}" if start else "from the first event"
    return f"intact: {checked} events checked {origin}, {used} signed checkpoints matched"
