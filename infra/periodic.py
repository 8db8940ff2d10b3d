"""Running one job over and over: the loop every background job of the server shares.

:func:`periodic` awaits the job, sleeps, and repeats until its task is cancelled. A job
that raises is logged and tried again next round, so a database hiccup never ends the
loop; a cancel (at shutdown) stops it at once, whether it is sleeping or working.
Whether only one replica may do the work is the job's own business (an advisory lock).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger("tussendeur.jobs")


async def periodic(
    name: str,
    job: Callable[[], Awaitable[object]],
    *,
    interval_seconds: float,
    first_delay_seconds: float = 0.0,
    jitter: float = 0.0,
) -> None:
    """Run ``job`` after ``first_delay_seconds``, then ``interval_seconds`` after each
    round ends, until cancelled. ``jitter`` (a fraction, 0 to 1) varies each pause by up
    to that share either way, so replicas started together drift apart."""
    if interval_seconds <= 0:
        raise ValueError(f"job {name}: the interval must be positive")
    if not 0 <= jitter <= 1:
        raise ValueError(f"job {name}: jitter is a fraction between 0 and 1")
    await asyncio.sleep(first_delay_seconds)
    while True:
        try:
            await job()
        except Exception:  # keep the loop alive; a cancel is no Exception and ends it
            log.exception("job %s failed; next try in %.0f s", name, interval_seconds)
        await asyncio.sleep(interval_seconds * (1 + random.uniform(-jitter, jitter)))
