"""The periodic checkpoint job: verify each chain since its last checkpoint, sign its head.

The server runs :func:`checkpoint_round` every
``TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS`` (one replica at a time, by advisory
lock); ``tussendeur audit checkpoint`` does the same on demand. A chain that no longer
verifies is never signed: the job logs an error instead.
"""

from __future__ import annotations

import logging
from uuid import UUID

from exchange.audit import repository
from exchange.audit.checkpoints import ChainBroken, create_checkpoint
from exchange.audit.models import Checkpoint
from exchange.audit.signing import load_checkpoint_keys
from infra.db import Database, try_xact_lock
from infra.scope import AccessScope

log = logging.getLogger("tussendeur.audit")

_JOB_LOCK = (7_420_101, 1)  # pg_try_advisory_xact_lock: one checkpoint run at a time


async def checkpoint_all(database: Database) -> dict[UUID, Checkpoint | None] | None:
    """Checkpoint every consortium; ``None`` when another process is doing it right now.

    Raises ``ChainBroken`` (after signing the others) when a chain does not verify.
    """
    keys = await load_checkpoint_keys(database)
    results: dict[UUID, Checkpoint | None] = {}
    broken: list[str] = []
    async with database.transaction(AccessScope.system()) as conn:
        if not await try_xact_lock(conn, *_JOB_LOCK):
            return None
        for consortium_id in await repository.consortium_ids(conn):
            try:
                async with conn.transaction():  # a broken chain must not undo the others
                    results[consortium_id] = await create_checkpoint(
                        conn, keys, consortium_id=consortium_id
                    )
            except ChainBroken as exc:
                broken.append(f"consortium {consortium_id}: {exc.message}")
    if broken:
        raise ChainBroken("; ".join(broken))
    return results


FIRST_RUN_DELAY_SECONDS = 60.0  # a starting server serves before it verifies


async def checkpoint_round(database: Database) -> None:
    """One round of the server's periodic job (``entrypoints/jobs.py`` repeats it): sign
    what verifies, and log a broken chain loudly instead of signing it."""
    try:
        signed = await checkpoint_all(database)
    except ChainBroken as exc:
        log.error("AUDIT TRAIL BROKEN, not signed: %s", exc.message)
        return
    if signed:
        made = sum(1 for c in signed.values() if c is not None)
        log.info("audit checkpoints: %d consortia signed", made)
