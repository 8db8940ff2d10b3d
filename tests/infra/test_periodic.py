"""periodic(): runs a job again and again, lives through its errors, stops on cancel."""

from __future__ import annotations

import asyncio
import logging

import pytest

from infra.periodic import periodic

BOUND = 1.0  # seconds a cancelled loop may take to end


async def test_it_runs_the_job_every_interval() -> None:
    rounds = 0
    three = asyncio.Event()

    async def job() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 3:
            three.set()

    task = asyncio.create_task(periodic("count", job, interval_seconds=0.01))
    await asyncio.wait_for(three.wait(), BOUND)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rounds >= 3


async def test_it_waits_the_first_delay() -> None:
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    task = asyncio.create_task(periodic("late", job, interval_seconds=0.01, first_delay_seconds=60))
    await asyncio.sleep(0.05)
    assert not ran.is_set()
    task.cancel()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), BOUND)


async def test_an_exception_is_logged_and_the_next_round_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds = 0
    recovered = asyncio.Event()

    async def flaky() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            raise ConnectionResetError("the database went away")
        recovered.set()

    with caplog.at_level(logging.ERROR, logger="tussendeur.jobs"):
        task = asyncio.create_task(periodic("flaky", flaky, interval_seconds=0.01))
        await asyncio.wait_for(recovered.wait(), BOUND)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    failures = [r for r in caplog.records if "job flaky failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is not None
    assert rounds >= 2


@pytest.mark.parametrize("where", ["working", "sleeping"])
async def test_a_cancel_stops_it_promptly(where: str) -> None:
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        if where == "working":
            await asyncio.sleep(3600)

    task = asyncio.create_task(periodic("slow", slow, interval_seconds=3600))
    await asyncio.wait_for(started.wait(), BOUND)
    await asyncio.sleep(0)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=BOUND)
    assert task in done and task.cancelled()


async def test_jitter_keeps_the_pause_within_its_share() -> None:
    pauses: list[float] = []
    loop = asyncio.get_running_loop()
    last = loop.time()

    async def job() -> None:
        nonlocal last
        now = loop.time()
        pauses.append(now - last)
        last = now

    task = asyncio.create_task(periodic("jitter", job, interval_seconds=0.05, jitter=0.5))
    await asyncio.sleep(0.6)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(pauses) >= 4
    assert all(0.02 <= p <= 0.5 for p in pauses[1:])  # 0.025-0.075 s, on a busy machine more


@pytest.mark.parametrize(("interval", "jitter"), [(0, 0.0), (-1, 0.0), (10, 1.5)])
async def test_it_refuses_a_loop_that_makes_no_sense(interval: float, jitter: float) -> None:
    async def job() -> None:
        raise AssertionError("never runs")

    with pytest.raises(ValueError):
        await periodic("bad", job, interval_seconds=interval, jitter=jitter)
