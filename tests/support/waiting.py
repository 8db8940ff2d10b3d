"""Waiting for something asynchronous to happen, with a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 2.0, interval: float = 0.005
) -> tuple[T, int]:
    """Call ``probe`` until it returns something: (that, how many calls it took)."""
    deadline = time.perf_counter() + within
    calls = 0
    while True:
        calls += 1
        found = await probe()
        if found is not None:
            return found, calls
        assert time.perf_counter() < deadline, f"nothing after {within} s ({calls} calls)"
        await asyncio.sleep(interval)
