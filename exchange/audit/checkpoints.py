"""Signed checkpoints: the platform key vouches for a chain's head (seq, hash, count).

Checkpoints are published (``GET /audit/checkpoints``) so every partner can keep them
outside the database. A chain rewritten consistently inside the database (every hash
recomputed) verifies on its own, but not against a checkpoint kept outside it.

The signature is a compact JWS made by a :class:`CheckpointSigner` (the platform key
ring, wired in ``infra``); this module never touches JOSE itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from exchange.audit import repository
from exchange.audit.models import Checkpoint, CheckpointClaim
from exchange.audit.verify import verify_chain
from infra.db import Connection
from infra.errors import FieldError, UserError

CHECKPOINT_KIND = "tussendeur.audit_checkpoint"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class CheckpointSigner(Protocol):
    def sign(self, payload: dict[str, Any]) -> str:
        """A compact JWS over ``payload``."""
        ...

    def verify(self, jws: str) -> dict[str, Any]:
        """The payload of a JWS whose signature holds; raises ``ValueError`` otherwise."""
        ...


class InvalidCheckpoint(ValueError):
    pass


def checkpoint_payload(
    *, consortium_id: UUID, seq: int, head_hash: str, signed_at: dt.datetime
) -> dict[str, Any]:
    return {
        "kind": CHECKPOINT_KIND,
        "consortium_id": str(consortium_id),
        "seq": seq,
        "head_hash": head_hash,
        "event_count": seq,  # sequence numbers start at 1 and have no gaps
        "iat": int(signed_at.timestamp()),
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }


def claim_from_payload(payload: dict[str, Any], *, jws: str, source: str) -> CheckpointClaim:
    try:
        if payload.get("kind") != CHECKPOINT_KIND:
            raise InvalidCheckpoint("not an audit checkpoint")
        seq, count = payload["seq"], payload["event_count"]
        head_hash = payload["head_hash"]
        if not isinstance(seq, int) or not isinstance(count, int) or seq < 1:
            raise InvalidCheckpoint("seq and event_count must be positive integers")
        if not isinstance(head_hash, str) or not _HEX64.match(head_hash):
            raise InvalidCheckpoint("head_hash must be 64 hex digits")
        return CheckpointClaim(
            consortium_id=UUID(str(payload["consortium_id"])),
            seq=seq,
            head_hash=head_hash,
            event_count=count,
            signed_at=dt.datetime.fromisoformat(str(payload["signed_at"])),
            jws=jws,
            source=source,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InvalidCheckpoint):
            raise
        raise InvalidCheckpoint(f"malformed checkpoint payload: {exc}") from exc


def verify_claim(signer: CheckpointSigner, jws: str, *, source: str) -> CheckpointClaim:
    """The claim of a checkpoint JWS; ``InvalidCheckpoint`` when its signature does not hold."""
    try:
        payload = signer.verify(jws)
    except ValueError as exc:
        raise InvalidCheckpoint(f"signature does not verify ({source}): {exc}") from exc
    return claim_from_payload(payload, jws=jws, source=source)


async def stored_claims(
    conn: Connection, signer: CheckpointSigner, *, consortium_id: UUID
) -> tuple[list[CheckpointClaim], list[str]]:
    """The consortium's stored checkpoints whose signatures hold, and a warning per other one."""
    claims: list[CheckpointClaim] = []
    warnings: list[str] = []
    for row in await repository.list_checkpoints(conn, consortium_ids=[consortium_id]):
        try:
            claim = verify_claim(signer, row.signed_jws, source="database")
        except InvalidCheckpoint as exc:
            warnings.append(f"stored checkpoint at event {row.seq} ignored: {exc}")
            continue
        if (claim.consortium_id, claim.seq, claim.head_hash) != (
            row.consortium_id, row.seq, row.head_hash
        ):  # fmt: skip
            warnings.append(f"stored checkpoint at event {row.seq} disagrees with its signature")
        claims.append(claim)
    return claims, warnings


class ChainBroken(UserError):
    """The chain does not verify, so no checkpoint may vouch for it."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("consortium", "AUDIT_TRAIL_BROKEN", message)])


async def create_checkpoint(
    conn: Connection, signer: CheckpointSigner, *, consortium_id: UUID
) -> Checkpoint | None:
    """Verify the chain since the last good checkpoint, then sign its head.

    Returns ``None`` when the chain is empty; the latest checkpoint when nothing was
    appended since. Refuses (``ChainBroken``) to vouch for a broken chain. The connection
    needs the system scope or the consortium's admin.
    """
    claims, _ = await stored_claims(conn, signer, consortium_id=consortium_id)
    start = max(claims, key=lambda c: c.seq, default=None)
    report = await verify_chain(conn, consortium_id, checkpoints=claims, start=start)
    if not report.intact:
        raise ChainBroken(f"not signing a broken audit trail: {report.message}")
    if report.head_seq == 0:
        return None
    if start is not None and start.seq == report.head_seq:
        return await repository.latest_checkpoint(conn, consortium_id=consortium_id)
    signed_at = dt.datetime.now(dt.UTC)
    payload = checkpoint_payload(
        consortium_id=consortium_id,
        seq=report.head_seq,
        head_hash=report.head_hash,
        signed_at=signed_at,
    )
    checkpoint = Checkpoint(
        id=uuid.uuid4(),
        consortium_id=consortium_id,
        seq=report.head_seq,
        head_hash=report.head_hash,
        event_count=report.head_seq,
        signed_jws=signer.sign(payload),
        created_at=signed_at,
    )
    await repository.insert_checkpoint(conn, checkpoint=checkpoint)
    return checkpoint


# ---------------------------------------------------------------- checkpoints kept outside


@dataclass(frozen=True, slots=True)
class PublishedCheckpoint:
    """One entry as ``GET /audit/checkpoints`` serves it (and partners keep it)."""

    jws: str
    jwk: dict[str, Any] | None  # the public key that signed it, when the entry carries it


def published_entry(checkpoint: Checkpoint, *, jwk: dict[str, Any] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "consortium_id": str(checkpoint.consortium_id),
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "event_count": checkpoint.event_count,
        "signed_at": checkpoint.created_at.astimezone(dt.UTC).isoformat(),
        "jws": checkpoint.signed_jws,
    }
    if jwk is not None:
        entry["jwk"] = jwk
    return entry


def parse_published(text: str) -> list[PublishedCheckpoint]:
    """Checkpoints from a kept file: the JSON list the URL serves, one such entry, an object
    with a ``checkpoints`` list, or bare compact JWS strings (one per line)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidCheckpoint("the checkpoint file is empty")
    if stripped[0] not in "[{":
        return [PublishedCheckpoint(line.strip(), None) for line in stripped.splitlines()
                if line.strip()]  # fmt: skip
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InvalidCheckpoint(f"the checkpoint file is not JSON: {exc.msg}") from exc
    if isinstance(data, dict):
        data = data.get("checkpoints", [data])
    if not isinstance(data, list):
        raise InvalidCheckpoint("expected a list of checkpoints")
    entries = []
    for index, item in enumerate(data):
        if isinstance(item, str):
            entries.append(PublishedCheckpoint(item, None))
        elif isinstance(item, dict) and isinstance(item.get("jws"), str):
            jwk = item.get("jwk")
            entries.append(PublishedCheckpoint(item["jws"], jwk if isinstance(jwk, dict) else None))
        else:
            raise InvalidCheckpoint(f"entry {index} has no 'jws'")
    return entries


def claims_from_published(
    entries: Iterable[PublishedCheckpoint],
    signer_for: Any,
    *,
    source: str,
) -> list[CheckpointClaim]:
    """Verify each kept checkpoint: ``signer_for(entry)`` picks the verifying signer (the
    key kept with the entry when there is one, else the platform's)."""
    return [verify_claim(signer_for(entry), entry.jws, source=source) for entry in entries]
