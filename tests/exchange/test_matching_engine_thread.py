"""Where the match index is read: its own thread for a large index, in place for a small one.

Reads and writes handed to the thread never overlap a read done in place: a read is done
in place only while the thread has nothing in hand, counted until its job really ends
(not when its waiter gives up).
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from exchange.matching import engine as engine_module
from exchange.matching.engine import MatchEngine
from matching.index import MatchIndex
from tests.support import factories


def _thread_name(_: MatchIndex) -> str:
    return threading.current_thread().name


async def test_a_small_index_is_read_in_place() -> None:
    engine = MatchEngine(factories.normalizer().taxonomy)
    assert await engine.read(_thread_name) == threading.current_thread().name


async def test_a_large_index_is_read_on_its_own_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "OFF_LOOP_FROM_PROFILES", 0)
    engine = MatchEngine(factories.normalizer().taxonomy)
    try:
        assert (await engine.read(_thread_name)).startswith("match-index")
    finally:
        await engine.stop()


async def test_while_the_thread_works_no_read_is_done_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = MatchEngine(factories.normalizer().taxonomy)
    release = threading.Event()
    monkeypatch.setattr(engine_module, "OFF_LOOP_FROM_PROFILES", 0)
    slow = asyncio.ensure_future(engine.read(lambda _index: release.wait(10)))
    await asyncio.sleep(0.05)
    slow.cancel()  # its waiter gives up; the job itself runs on
    monkeypatch.setattr(engine_module, "OFF_LOOP_FROM_PROFILES", 10**9)
    queued = asyncio.ensure_future(engine.read(_thread_name))
    await asyncio.sleep(0.05)
    assert not queued.done()  # behind the running job, not in place
    release.set()
    assert (await queued).startswith("match-index")
    await asyncio.sleep(0.05)
    assert await engine.read(_thread_name) == threading.current_thread().name  # idle again
    await engine.stop()
