"""Load with PostgreSQL restarted once: hung requests, foreign rows, time to recover.

    python bench/fault_load.py                         # 50 clients, 60 s, restart at 30 s
    python bench/fault_load.py --clients 8 --seconds 10 --down-seconds 2

Starts a private embedded PostgreSQL in a temporary directory (this script restarts it,
so never a shared one), serves the app under uvicorn on 127.0.0.1 (one process, the
production path: its own pool, the match index listening), seeds the small world of
``bench/fault_world.py`` and runs N clients of mixed partners and people, each sending
its read query back to back. Halfway, PostgreSQL is restarted (``pg_ctl -m fast``;
with ``--down-seconds`` it stays down that long). The app is not restarted.

Printed: requests and errors by kind; hung requests (slower than the request deadline
plus a margin); foreign rows (ids in an answer its caller may not see, against the fixed
table of ``fault_world``); seconds from the restart to the first success, to a steady
success rate (every later second at least 95 % successes) and to ``/readyz`` 200 (the
match index's listener back).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder would shadow the ``matching`` package (see matching.py).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bench.fault_world import Actor, person_token, seed_world  # noqa: E402
from bench.matching_http import (  # noqa: E402
    BENCH_KEY_ENCRYPTION_KEY,
    free_port,
    server_process,
    wait_ready,
)
from infra.db import PoolDatabase, create_pool, dsn_for_role  # noqa: E402
from infra.embedded import start_embedded_postgres  # noqa: E402
from infra.migrate import ensure_database  # noqa: E402
from infra.runtime import with_database  # noqa: E402
from infra.settings import DEFAULT_APP_ROLE, Settings  # noqa: E402

REQUEST_TIMEOUT_SECONDS = 5.0  # the server's deadline for this run
# slower than deadline + margin: hung. The deadline runs from when the app sees the
# request; before that it may queue in uvicorn while the process is busy (on a shared
# 2-core machine with 50 clients, p99 is 4-5 s without any fault).
HUNG_MARGIN_SECONDS = 5.0
STEADY_SHARE = 0.95
RETRY_PAUSE_SECONDS = 0.1  # after a failed request, as a client honouring Retry-After would


@dataclass
class Figures:
    clients: int
    seconds: float
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    hung: int = 0
    foreign_rows: int = 0
    ids_checked: int = 0
    slowest: float = 0.0
    answers: list[tuple[float, float, bool]] = field(default_factory=list)  # begun, ended, ok
    slow: list[tuple[float, float, str]] = field(default_factory=list)  # past the deadline
    dropped: list[float] = field(default_factory=list)  # no answer: when they began
    restart_began: float | None = None
    restart_ended: float | None = None
    ready_again: float | None = None
    server_kept: bool = True

    @property
    def ok(self) -> int:
        return sum(1 for *_, good in self.answers if good)

    def percentile(self, p: int) -> float:
        took = sorted(e - b for b, e, _ in self.answers)
        return took[min(len(took) - 1, len(took) * p // 100)] if took else 0.0

    def first_success(self) -> float | None:
        """Seconds from the restart to the end of the first request that started after
        it and succeeded."""
        if self.restart_began is None:
            return None
        ends = [e for b, e, good in self.answers if good and b >= self.restart_began]
        return min(ends) - self.restart_began if ends else None

    def steady(self) -> float | None:
        """Seconds from the restart to the first whole second from which every second
        has at least STEADY_SHARE successes (never before the first success)."""
        if self.restart_began is None:
            return None
        t0, first = self.restart_began, self.first_success()
        buckets: dict[int, list[bool]] = {}
        for begun, ended, good in self.answers:
            if begun >= t0:
                buckets.setdefault(int(ended - t0), []).append(good)
        seconds = sorted(buckets)
        for i, second in enumerate(seconds):
            if all(sum(buckets[s]) >= STEADY_SHARE * len(buckets[s]) for s in seconds[i:]):
                return max(float(second), first or 0.0)
        return None

    def report(self) -> str:
        def seconds(value: float | None) -> str:
            return "never" if value is None else f"{value:.2f} s"

        restart = (
            f"{self.restart_ended - self.restart_began:.2f} s"
            if self.restart_began is not None and self.restart_ended is not None
            else "not done"
        )
        errors = ", ".join(f"{k} {n}" for k, n in self.errors.most_common()) or "none"
        ready = (
            None
            if self.ready_again is None or self.restart_began is None
            else (self.ready_again - self.restart_began)
        )
        return "\n".join(
            [
                f"fault load: {self.clients} clients for {self.seconds:g} s,"
                f" PostgreSQL restarted once (took {restart})",
                f"  requests {self.requests}, ok {self.ok}, errors {sum(self.errors.values())}:"
                f" {errors}",
                f"  hung (> {REQUEST_TIMEOUT_SECONDS + HUNG_MARGIN_SECONDS:g} s) {self.hung},"
                f" slowest {self.slowest:.2f} s",
                f"  latency p50 {self.percentile(50):.3f} s, p99 {self.percentile(99):.3f} s;"
                f" past the {REQUEST_TIMEOUT_SECONDS:g} s deadline {len(self.slow)}"
                + "".join(
                    f"; {took:.2f} s ({kind}) begun {begun - (self.restart_began or begun):+.2f} s"
                    " from the restart"
                    for begun, took, kind in sorted(self.slow, key=lambda x: -x[1])[:3]
                ),
                f"  foreign rows {self.foreign_rows} (of {self.ids_checked} ids checked)",
                "  connections dropped without an answer: "
                + (
                    ", ".join(
                        f"begun {t - (self.restart_began or t):+.2f} s from the restart"
                        for t in self.dropped
                    )
                    or "none"
                ),
                f"  from the restart: first success {seconds(self.first_success())},"
                f" steady (>= {STEADY_SHARE:.0%} ok every second) {seconds(self.steady())},"
                f" /readyz 200 {seconds(ready)}",
                "  the app process kept running throughout (not restarted)"
                if self.server_kept
                else "  the app process died or was replaced",
            ]
        )


def outcome(answer: httpx.Response, actor: Actor, figures: Figures) -> str:
    """``ok`` (after counting foreign rows), or the kind of error."""
    try:
        body: dict[str, Any] = answer.json()
    except ValueError:
        return f"{answer.status_code} not JSON"
    errors = body.get("errors") or []
    if answer.status_code == 200 and not errors:
        checked, foreign = actor.check(body.get("data") or {})
        figures.ids_checked += checked
        figures.foreign_rows += foreign
        return "ok"
    codes = sorted({str((e.get("extensions") or {}).get("code")) for e in errors})
    messages = " ".join(str(e.get("message")) for e in errors) + str(body.get("message", ""))
    # load shedding (every pooled connection busy past the acquire timeout) happens without
    # any fault too; "unreachable" is the restart itself
    cause = " (pool busy)" if "came free" in messages else ""
    cause = " (unreachable)" if "cannot be reached" in messages else cause
    return f"{answer.status_code} {','.join(codes) or body.get('error', '?')}{cause}"


async def one_client(
    http: httpx.AsyncClient, actor: Actor, token: str, stop_at: float, figures: Figures
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < stop_at:
        begun = time.monotonic()
        try:
            answer = await http.post("/graphql", json={"query": actor.query}, headers=headers)
            kind = outcome(answer, actor, figures)
        except httpx.TimeoutException:
            kind = "client timeout"
        except httpx.TransportError as exc:
            kind = type(exc).__name__
            figures.dropped.append(begun)
        ended = time.monotonic()
        figures.requests += 1
        figures.slowest = max(figures.slowest, ended - begun)
        if ended - begun > REQUEST_TIMEOUT_SECONDS + HUNG_MARGIN_SECONDS:
            figures.hung += 1
        if ended - begun > REQUEST_TIMEOUT_SECONDS:
            figures.slow.append((begun, ended - begun, kind))
        figures.answers.append((begun, ended, kind == "ok"))
        if kind != "ok":
            figures.errors[kind] += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)


def restart_postgres(server: Any, down_seconds: float) -> None:
    """``pg_ctl restart -m fast`` (a restart of a stopped server reuses its options)."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    run_as = {"user": server.system_user} if server.system_user else {}
    if down_seconds > 0:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, **run_as)
        time.sleep(down_seconds)
    pg_ctl(["-w", "-m", "fast", "-l", str(server.log), "restart"], pgdata=server.pgdata, **run_as)


@contextlib.contextmanager
def server_environment() -> Iterator[None]:
    """The deadlines of this run, for the server subprocess."""
    values = {
        "TUSSENDEUR_REQUEST_TIMEOUT_SECONDS": str(REQUEST_TIMEOUT_SECONDS),
        "TUSSENDEUR_DB_ACQUIRE_TIMEOUT_SECONDS": "2",
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def wait_ready_again(http: httpx.AsyncClient, limit_s: float) -> float | None:
    """When ``/readyz`` answers 200 again after the restart: the pool reaches PostgreSQL
    and the match index's listener has reconnected (it says 503 "stale" until then)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if (await http.get("/readyz")).status_code == 200:
                return time.monotonic()
        await asyncio.sleep(0.05)
    return None


async def run_fault_load(
    *, clients: int = 50, seconds: float = 60.0, down_seconds: float = 0.0, workdir: Path
) -> Figures:
    """The whole run in ``workdir`` (PostgreSQL's data and the server's log)."""
    server_dsn, server = start_embedded_postgres(workdir / "data")
    try:
        await ensure_database(server_dsn, "faultload")
        owner_dsn = with_database(server_dsn, "faultload")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        settings = Settings(
            DATABASE_URL=owner_dsn,
            key_encryption_key=SecretStr(BENCH_KEY_ENCRYPTION_KEY),
            public_url=base,
        )
        log = workdir / "server.log"
        figures = Figures(clients, seconds)
        # idle connections are dropped before uvicorn's 5 s keep-alive ends: no request is
        # sent on a connection the server is closing at that instant
        limits = httpx.Limits(
            max_connections=clients + 5, max_keepalive_connections=clients + 5, keepalive_expiry=2
        )
        timeout = httpx.Timeout(2 * (REQUEST_TIMEOUT_SECONDS + HUNG_MARGIN_SECONDS))
        with server_environment(), server_process(owner_dsn, port, log) as process:
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
                await wait_ready(http, process, log, 120)
                pool = await create_pool(dsn_for_role(owner_dsn, DEFAULT_APP_ROLE, None))
                try:
                    database = PoolDatabase(pool)
                    actors = await seed_world(database, settings)
                    tokens = [await token_of(http, database, settings, a) for a in actors]
                finally:
                    await pool.close()
                pid = process.pid
                stop_at = time.monotonic() + seconds
                load = asyncio.gather(
                    *(
                        one_client(http, actors[i % len(actors)], tokens[i % len(actors)],
                                   stop_at, figures)
                        for i in range(clients)
                    )
                )  # fmt: skip
                await asyncio.sleep(seconds / 2)
                figures.restart_began = time.monotonic()
                await asyncio.to_thread(restart_postgres, server, down_seconds)
                figures.restart_ended = time.monotonic()
                ready = asyncio.create_task(wait_ready_again(http, seconds + 60))
                await load
                figures.ready_again = await ready
                figures.server_kept = process.poll() is None and process.pid == pid
            dropped = [kind for kind in figures.errors if not kind[:1].isdigit()]
            if dropped or not figures.server_kept:  # no HTTP answer at all: what the server said
                lines = log.read_text(errors="replace").splitlines()
                said = [line for line in lines if '"level": "info"' not in line]
                print("\n".join(said[-40:]), file=sys.stderr)
        return figures
    finally:
        server.cleanup()


async def token_of(
    http: httpx.AsyncClient, database: PoolDatabase, settings: Settings, actor: Actor
) -> str:
    if actor.person is not None:
        return await person_token(database, settings, actor.person)
    assert actor.client is not None
    client_id, secret = actor.client
    answer = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--down-seconds", type=float, default=0.0, help="stay down this long")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tussendeur-fault-load-") as workdir:
        figures = asyncio.run(
            run_fault_load(
                clients=args.clients,
                seconds=args.seconds,
                down_seconds=args.down_seconds,
                workdir=Path(workdir),
            )
        )
    print(figures.report())
    failed = figures.hung or figures.foreign_rows or not figures.server_kept
    sys.exit(1 if failed or figures.ready_again is None else 0)


if __name__ == "__main__":
    main()
