"""The periodic checkpoint job: verify each chain since its last checkpoint, sign its head.

The server runs it every ``TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS`` (one replica
at a time, by advisory lock); ``tussendeur audit checkpoint`` does the same on demand.
A chain that no longer verifies is never signed: the job logs an error instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
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


FIRST_RUN_DELAY_SECONDS = 60.0


async def checkpoint_loop(database: Database, interval_seconds: float) -> None:
    """Until cancelled: checkpoint, then sleep (the first run a minute after start, so a
    starting server serves before it verifies)."""
    await asyncio.sleep(min(FIRST_RUN_DELAY_SECONDS, interval_seconds))
    while True:
        try:
            signed = await checkpoint_all(database)
            if signed:
                made = sum(1 for c in signed.values() if c is not None)
                log.info("audit checkpoints: %d consortia signed", made)
        except asyncio.CancelledError:
            raise
        except ChainBroken as exc:
            log.error("AUDIT TRAIL BROKEN, not signed: %s", exc.message)
        except Exception:  # keep the loop alive through a database hiccup
            log.exception("audit checkpoint run failed")
        await asyncio.sleep(interval_seconds)


def start_checkpoint_job(
    database: Database, interval_seconds: float
) -> Callable[[], Awaitable[None]]:
    """Start the loop as a task; return the callback that stops it (for the app lifespan)."""
    task = asyncio.create_task(
        checkpoint_loop(database, interval_seconds), name="audit-checkpoints"
    )

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
