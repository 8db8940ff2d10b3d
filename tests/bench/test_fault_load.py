"""``bench/fault_load.py`` small: 8 clients for 10 s with PostgreSQL restarted halfway.

Its own embedded PostgreSQL (it restarts it, so never the suite's), the app under
uvicorn on 127.0.0.1. No request hangs, no answer shows a row its caller may not see,
the app recovers without a restart of its own and ``/readyz`` is 200 again (the match
index's listener reconnected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.fault_load import run_fault_load

pytestmark = pytest.mark.slow  # about 25 s: a cluster of its own, a server, 10 s of load


async def test_a_database_restart_under_load_hangs_nothing_and_leaks_nothing(
    tmp_path: Path,
) -> None:
    figures = await run_fault_load(clients=8, seconds=10, down_seconds=1, workdir=tmp_path)
    print("\n" + figures.report())
    assert figures.requests > 0 and figures.ids_checked > 0
    assert figures.hung == 0
    assert figures.foreign_rows == 0
    assert figures.server_kept
    assert figures.first_success() is not None  # it came back without a restart
    assert figures.ready_again is not None  # /readyz 200: the listener reconnected
    clean = {
        f"{status} {code}" for status in (200, 503) for code in ("SERVICE_UNAVAILABLE", "TIMEOUT")
    }
    codes = {kind.split(" (")[0] for kind in figures.errors}  # without the cause
    assert codes <= clean, figures.errors  # every failure names its code
    assert figures.dropped == []  # and none is a connection closed without an answer
