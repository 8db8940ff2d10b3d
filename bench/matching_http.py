"""The real server for ``bench/matching.py``: GraphQL ``matches`` over HTTP, write -> visible.

:func:`measure_http` seeds a fresh database with the synthetic profiles *as the app
stores them* — consortium, partners and an API client through the admin use cases;
people, ACTIVE profiles with their consent columns, competencies, languages and one
partner's vacancies in bulk with COPY as the owner (row-level security and the NOTIFY
triggers are off for that one load transaction only) — then starts ``uvicorn`` on
127.0.0.1 in a subprocess (``TUSSENDEUR_ENV=production``, ``DATABASE_URL`` set), takes
a token from ``/oauth/token`` and times, with httpx:

* ``matches(vacancyId, first: 50)`` end to end (token check, RLS re-check, profile
  rows, explanations, audit event, JSON);
* a profile inserted as ACTIVE in PostgreSQL (commit -> NOTIFY -> the server's engine
  re-reads it) until a ``matches`` request shows it, and its consent withdrawn until
  one no longer does.

The synthetic dates are moved by (today - ``TODAY``) days, since the server filters
by the real date. The server is stopped and the database dropped at the end.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import SecretStr

from bench.matching_data import PARTNERS, TODAY, perfect_for
from exchange.admin.service import create_api_client, register_partner
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.partners.service import create_consortium
from exchange.profiles.service import PSEUDONYM_ALPHABET
from infra.caller import Caller
from infra.db import Database
from infra.runtime import open_runtime, with_database
from infra.scope import AccessScope
from infra.settings import Settings
from matching.types import MatchProfile, MatchVacancy

REPO = Path(__file__).resolve().parent.parent
DATABASE = "tussendeur_bench_http"
ACTOR = "bench.matching"
CONSENT_DAYS = 180
# Tables loaded with COPY, parents first; and the NOTIFY triggers left out of that load.
BULK_TABLES = (
    "person",
    "profile",
    "profile_competency",
    "profile_language",
    "vacancy",
    "vacancy_requirement",
    "vacancy_language",
)
NOTIFY_TRIGGERS = {
    "profile": "profile_changed_notify",
    "profile_competency": "profile_competency_changed_notify",
    "profile_language": "profile_language_changed_notify",
}
PROFILE_COLUMNS = [
    "id", "consortium_id", "partner_id", "person_id", "pseudonym", "kind", "status",
    "not_fit_reason", "present_role", "postcode_area", "max_travel_km", "hours_min", "hours_max",
    "available_from", "ambitions", "shifts", "work_modes", "min_pay_cents", "min_pay_period",
    "transferable_sectors", "consent_scope_kind", "consent_scope_partner_ids",
    "consent_expires_at", "created_at", "updated_at",
]  # fmt: skip
COMPETENCY_COLUMNS = [
    "id", "profile_id", "position", "phrase", "normalized", "concept_id", "confidence", "level",
]  # fmt: skip
VACANCY_COLUMNS = [
    "id", "consortium_id", "partner_id", "title", "role", "status", "postcode_area",
    "hours_min", "hours_max", "pay_min_cents", "pay_max_cents", "pay_period", "shifts",
    "work_mode", "soft_skill_weight", "start_date", "created_at", "updated_at",
]  # fmt: skip
REQUIREMENT_COLUMNS = [
    "id", "vacancy_id", "position", "phrase", "normalized", "concept_id", "confidence",
    "must_have", "weight", "min_level",
]  # fmt: skip

# What an ATS integration would ask for: the page, the profiles and the explanations.
MATCHES_QUERY = """
query Matches($vacancyId: ID!, $first: Int!) {
  matches(vacancyId: $vacancyId, first: $first) {
    edges {
      cursor
      node {
        rank
        score
        profile {
          id pseudonym kind postcodeArea maxTravelKm hoursMin hoursMax availableFrom
          competencies { phrase conceptId level }
          languages { language level }
        }
        explanation { requirement kind matchedPhrase similarity weight points met mustHave }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
POLL_QUERY = """
query Poll($vacancyId: ID!, $first: Int!) {
  matches(vacancyId: $vacancyId, first: $first) { edges { node { profile { pseudonym } } } }
}
"""


@dataclass
class HttpFigures:
    profiles: int
    seed_seconds: float = 0.0
    startup_seconds: float = 0.0  # process spawn -> /readyz answers 200
    index_build_seconds: float | None = None  # the server's own match_index_built log line
    index_profiles: int | None = None
    server_rss_bytes: int = 0
    latencies: list[float] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    light_latencies: list[float] = field(default_factory=list)  # pseudonyms only
    visible: list[float] = field(default_factory=list)  # commit -> a response shows it
    visible_polls: list[int] = field(default_factory=list)
    withdrawn: list[float] = field(default_factory=list)  # commit -> a response lacks it
    misses: int = 0  # rounds where the profile did not show within the deadline
    postgres: str = ""


# -- seeding ---------------------------------------------------------------------------


def pseudonym(prefix: str, number: int) -> str:
    """A unique pseudonym in the app's alphabet and shape (``TD-XXXXXXXX``)."""
    base = len(PSEUDONYM_ALPHABET)
    digits = []
    for _ in range(8):
        number, rest = divmod(number, base)
        digits.append(PSEUDONYM_ALPHABET[rest])
    return f"{prefix}-{''.join(reversed(digits))}"


@dataclass
class Rows:
    """Records for ``copy_records_to_table``, per table."""

    person: list[tuple[Any, ...]] = field(default_factory=list)
    profile: list[tuple[Any, ...]] = field(default_factory=list)
    profile_competency: list[tuple[Any, ...]] = field(default_factory=list)
    profile_language: list[tuple[Any, ...]] = field(default_factory=list)
    vacancy: list[tuple[Any, ...]] = field(default_factory=list)
    vacancy_requirement: list[tuple[Any, ...]] = field(default_factory=list)
    vacancy_language: list[tuple[Any, ...]] = field(default_factory=list)

    def columns(self, table: str) -> list[str] | None:
        return {
            "person": ["id", "consortium_id", "pseudonym", "created_by_partner_id", "language"],
            "profile": PROFILE_COLUMNS,
            "profile_competency": COMPETENCY_COLUMNS,
            "profile_language": ["profile_id", "language", "level"],
            "vacancy": VACANCY_COLUMNS,
            "vacancy_requirement": REQUIREMENT_COLUMNS,
            "vacancy_language": ["vacancy_id", "language", "min_level", "must_have"],
        }.get(table)


class Mapper:
    """Synthetic values -> the rows the app writes (real partner ids, today's dates)."""

    def __init__(self, consortium_id: uuid.UUID, partner_ids: dict[uuid.UUID, uuid.UUID]) -> None:
        self.consortium_id = consortium_id
        self.partner_ids = partner_ids
        self.shift = dt.date.today() - TODAY
        self.now = dt.datetime.now(dt.UTC)
        self._ids = uuid.uuid4().int & ~((1 << 64) - 1)  # random high half, counter low half
        self._numbers = 0

    def row_id(self) -> uuid.UUID:
        self._ids += 1
        return uuid.UUID(int=self._ids)

    def number(self) -> int:
        self._numbers += 1
        return self._numbers

    def add_profile(self, rows: Rows, p: MatchProfile) -> str:
        """Append person, profile and children; returns the profile's pseudonym."""
        n = self.number()
        person_id = self.row_id()
        partner_id = self.partner_ids[p.partner_id]
        rows.person.append((person_id, self.consortium_id, pseudonym("P", n), partner_id, "nl"))
        name = pseudonym("TD", n)
        pay = p.min_pay
        rows.profile.append(
            (
                p.profile_id, self.consortium_id, partner_id, person_id, name, p.kind.value,
                "ACTIVE",
                "Andere functie paste beter" if p.kind.value == "REJECTED_CANDIDATE" else None,
                p.current_role.value if p.current_role else None, p.postcode_area,
                p.max_travel_km, p.hours_min, p.hours_max, p.available_from + self.shift,
                [r.value for r in p.ambitions], sorted(s.value for s in p.shifts),
                sorted(m.value for m in p.work_modes), pay.amount_cents if pay else None,
                pay.period.value if pay else None, list(p.transferable_sectors),
                p.consent_scope.kind.value,
                sorted(self.partner_ids[x] for x in p.consent_scope.partner_ids),
                self.now + dt.timedelta(days=CONSENT_DAYS), self.now, self.now,
            )
        )  # fmt: skip
        rows.profile_competency.extend(
            (self.row_id(), p.profile_id, i, c.phrase, c.normalized, c.concept_id,
             c.confidence, c.level)
            for i, c in enumerate(p.competencies)
        )  # fmt: skip
        rows.profile_language.extend(
            (p.profile_id, lang.language, lang.level.value) for lang in p.languages
        )
        return name

    def add_vacancy(self, rows: Rows, v: MatchVacancy, partner_id: uuid.UUID, n: int) -> None:
        pay = v.pay_max
        rows.vacancy.append(
            (
                v.vacancy_id, self.consortium_id, partner_id, f"Bench vacature {n + 1}",
                v.role.value, "OPEN", v.postcode_area, v.hours_min, v.hours_max,
                int(pay.amount_cents * 0.85) if pay else None, pay.amount_cents if pay else None,
                pay.period.value if pay else None, sorted(s.value for s in v.shifts),
                v.work_mode.value, v.soft_skill_weight, v.start_date + self.shift,
                self.now, self.now,
            )
        )  # fmt: skip
        rows.vacancy_requirement.extend(
            (self.row_id(), v.vacancy_id, i, r.phrase, r.normalized, r.concept_id,
             r.confidence, r.must_have, r.weight, r.min_level)
            for i, r in enumerate(v.requirements)
        )  # fmt: skip
        rows.vacancy_language.extend(
            (v.vacancy_id, lang.language, lang.min_level.value, lang.must_have)
            for lang in v.languages
        )


async def fresh_database(server_dsn: str, name: str) -> str:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@dataclass(frozen=True)
class Organisations:
    consortium_id: uuid.UUID
    partner_ids: dict[uuid.UUID, uuid.UUID]  # synthetic id -> stored id
    viewer_partner_id: uuid.UUID  # owns the vacancies and the API client
    client_id: str
    client_secret: str


async def seed_organisations(db: Database) -> Organisations:
    """Consortium, partners and one API client through the use cases (as the demo does)."""
    async with db.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug="bench-matching", name="Bench matching")
        await record_system_event(
            conn, consortium_id=consortium.id, job=ACTOR, action=actions.CONSORTIUM_CREATED,
            subject_kind="consortium", subject_id=str(consortium.id),
            details={"slug": consortium.slug},
        )  # fmt: skip
    admin = Caller.system(consortium.id, actor=ACTOR)
    partner_ids: dict[uuid.UUID, uuid.UUID] = {}
    async with db.transaction(admin.access_scope()) as conn:
        for i, synthetic in enumerate(PARTNERS):
            partner = await register_partner(
                conn, admin, name=f"Bench contactcenter {i + 1}", slug=f"bench-{i + 1}"
            )
            partner_ids[synthetic] = partner.id
        viewer = partner_ids[PARTNERS[0]]
        made = await create_api_client(conn, admin, partner_id=viewer, name="bench ATS")
    return Organisations(
        consortium.id, partner_ids, viewer, made.client.client_id, made.client_secret
    )


async def bulk_load(owner_dsn: str, rows: Rows) -> None:
    """COPY every table in one transaction as the owner, then VACUUM ANALYZE.

    The owner is exempt from row-level security only while it is not forced, and COPY
    refuses tables whose policies apply; NOTIFY per row is pointless before any server
    runs. Both are put back before the transaction commits.
    """
    conn = await asyncpg.connect(owner_dsn)
    try:
        async with conn.transaction():
            for table in BULK_TABLES:
                await conn.execute(f"alter table {table} no force row level security")
            for table, trigger in NOTIFY_TRIGGERS.items():
                await conn.execute(f"alter table {table} disable trigger {trigger}")
            for table in BULK_TABLES:
                await conn.copy_records_to_table(
                    table, records=getattr(rows, table), columns=rows.columns(table)
                )
            for table, trigger in NOTIFY_TRIGGERS.items():
                await conn.execute(f"alter table {table} enable trigger {trigger}")
            for table in BULK_TABLES:
                await conn.execute(f"alter table {table} force row level security")
        await conn.execute(f"vacuum analyze {', '.join(BULK_TABLES)}")
    finally:
        await conn.close()


async def insert_live(conn: asyncpg.Connection, rows: Rows) -> None:
    """Insert one profile the way the app's system scope does (RLS on, triggers on)."""
    await conn.execute("select set_config('app.role', 'system', true)")
    for table in ("person", "profile", "profile_competency", "profile_language"):
        records = getattr(rows, table)
        if not records:
            continue
        columns = rows.columns(table) or []
        marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
        await conn.executemany(
            f"insert into {table} ({', '.join(columns)}) values ({marks})",  # noqa: S608
            records,
        )


# -- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


BENCH_KEY_ENCRYPTION_KEY = base64.b64encode(b"bench only: not a secret 32 byte").decode()


def bench_settings(dsn: str) -> Settings:
    """Settings for seeding ``dsn``: the server's key-encryption key seals the signing keys."""
    return Settings(DATABASE_URL=dsn, key_encryption_key=SecretStr(BENCH_KEY_ENCRYPTION_KEY))


@contextlib.contextmanager
def server_process(
    dsn: str, port: int, log_path: Path, *, tree: Path = REPO, workers: int = 1
) -> Iterator[subprocess.Popen[bytes]]:
    """``uvicorn entrypoints.app:create_app`` on 127.0.0.1:``port``; SIGINT (then kill) at exit.

    ``tree`` is the source tree the server runs from (``python -m`` puts it first on
    ``sys.path``): another checkout runs that checkout's code with this interpreter.
    ``workers`` > 1 runs uvicorn's supervisor with that many worker processes (what
    ``tussendeur serve --workers`` does).
    """
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "TUSSENDEUR_ENV": "production",
        # a fixed key for this throwaway database (production refuses to start without one)
        "TUSSENDEUR_KEY_ENCRYPTION_KEY": BENCH_KEY_ENCRYPTION_KEY,
        "TUSSENDEUR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TUSSENDEUR_LOG_JSON": "true",
        "TUSSENDEUR_LOG_LEVEL": "INFO",
        # Periodic jobs would only add noise to the timings.
        "TUSSENDEUR_RETENTION_INTERVAL_SECONDS": "0",
        "TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS": "0",
    }
    command = [
        sys.executable, "-m", "uvicorn", "entrypoints.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--lifespan", "on",
        "--no-server-header", "--no-access-log",
    ]  # fmt: skip
    if workers > 1:
        command += ["--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # uvicorn: graceful, runs the lifespan exit
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def process_rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def serving_pids(pid: int) -> list[int]:
    """The processes serving requests: the server itself, or a supervisor's workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        kids = [
            int(c)
            for c in children.read_text().split()
            if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
        ]
        if kids:
            return kids
    return [pid]


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time these processes used so far (all their threads)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def worker_rss(pid: int) -> list[int]:
    """The resident memory of each process serving requests: the server itself, or the
    workers of a supervisor (its children)."""
    return [process_rss(p) for p in serving_pids(pid)]


def index_build_from_log(log_path: Path) -> tuple[float | None, int | None]:
    """The server's ``match_index_built`` line: (seconds, profiles)."""
    for line in log_path.read_text(errors="replace").splitlines():
        if "match_index_built" not in line:
            continue
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            return float(event["seconds"]), int(event["profiles"])
    return None, None


def log_tail(log_path: Path, chars: int = 3000) -> str:
    return log_path.read_text(errors="replace")[-chars:]


async def wait_ready(
    client: httpx.AsyncClient, process: subprocess.Popen[bytes], log_path: Path, limit_s: float
) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_tail(log_path)
            raise RuntimeError(f"the server exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"the server was not ready within {limit_s:.0f} s:\n{log_tail(log_path)}")


async def access_token(client: httpx.AsyncClient, orgs: Organisations) -> str:
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": orgs.client_id,
            "client_secret": orgs.client_secret,
        },
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


async def matches(
    client: httpx.AsyncClient, vacancy_id: uuid.UUID, query: str = MATCHES_QUERY
) -> list[dict[str, Any]]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"vacancyId": str(vacancy_id), "first": 50}},
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"matches failed: {body['errors']}")
    edges: list[dict[str, Any]] = body["data"]["matches"]["edges"]
    return edges


def shown(edges: Sequence[dict[str, Any]], name: str) -> bool:
    return any(e["node"]["profile"]["pseudonym"] == name for e in edges)


async def poll(
    client: httpx.AsyncClient, vacancy_id: uuid.UUID, name: str, *, present: bool, t0: float
) -> tuple[float, int] | None:
    """Ask ``matches`` until ``name`` is (or is no longer) shown: (seconds since t0, polls)."""
    polls = 0
    while time.perf_counter() - t0 < 5.0:
        polls += 1
        if shown(await matches(client, vacancy_id, POLL_QUERY), name) == present:
            return time.perf_counter() - t0, polls
    return None


async def visibility_rounds(
    client: httpx.AsyncClient,
    owner_dsn: str,
    mapper: Mapper,
    vacancies: Sequence[MatchVacancy],
    figures: HttpFigures,
    rounds: int,
) -> None:
    """Per round: a perfect profile for one vacancy committed ACTIVE, polled until shown;
    then its consent withdrawn, polled until gone. The first round is a warm-up."""
    conn = await asyncpg.connect(owner_dsn)
    try:
        for i, v in enumerate(vacancies[: rounds + 1]):
            profile = perfect_for(v, 1000 + i, partner_id=PARTNERS[1])
            rows = Rows()
            name = mapper.add_profile(rows, profile)
            transaction = conn.transaction()
            await transaction.start()
            await insert_live(conn, rows)
            t0 = time.perf_counter()
            await transaction.commit()
            seen = await poll(client, v.vacancy_id, name, present=True, t0=t0)
            async with conn.transaction():
                await conn.execute("select set_config('app.role', 'system', true)")
                t1 = time.perf_counter()
                await conn.execute(
                    """update profile set status = 'WITHDRAWN', consent_ended_at = now(),
                           updated_at = now() where id = $1""",
                    profile.profile_id,
                )
            gone = await poll(client, v.vacancy_id, name, present=False, t0=t1)
            if i == 0:
                continue
            if seen is None:
                figures.misses += 1
            else:
                figures.visible.append(seen[0])
                figures.visible_polls.append(seen[1])
            if gone is not None:
                figures.withdrawn.append(gone[0])
    finally:
        await conn.close()


# -- the whole measurement -------------------------------------------------------------


async def measure_http(
    server_dsn: str,
    profiles: Sequence[MatchProfile],
    vacancies: Sequence[MatchVacancy],
    *,
    queries: int,
    rounds: int,
    keep: bool = False,
    ready_timeout: float = 600.0,
) -> HttpFigures:
    """Seed a fresh database on ``server_dsn``'s server, run the server, time it over HTTP."""
    figures = HttpFigures(len(profiles))
    started = time.perf_counter()
    dsn = await fresh_database(server_dsn, DATABASE)
    try:
        async with open_runtime(bench_settings(dsn)) as runtime:  # migrations
            orgs = await seed_organisations(runtime.database)
            figures.postgres = str(await runtime.pool.fetchval("show server_version"))
        mapper = Mapper(orgs.consortium_id, orgs.partner_ids)
        rows = Rows()
        for p in profiles:
            mapper.add_profile(rows, p)
        for n, v in enumerate(vacancies):
            mapper.add_vacancy(rows, v, orgs.viewer_partner_id, n)
        await bulk_load(dsn, rows)
        del rows
        figures.seed_seconds = time.perf_counter() - started
        with tempfile.TemporaryDirectory(prefix="tussendeur-bench-") as tmp:
            await _against_server(dsn, orgs, mapper, vacancies, figures, Path(tmp), queries, rounds,
                                  ready_timeout)  # fmt: skip
    finally:
        if not keep:
            await drop_database(server_dsn, DATABASE)
    return figures


async def _against_server(
    dsn: str,
    orgs: Organisations,
    mapper: Mapper,
    vacancies: Sequence[MatchVacancy],
    figures: HttpFigures,
    tmp: Path,
    queries: int,
    rounds: int,
    ready_timeout: float,
) -> None:
    port = free_port()
    log_path = tmp / "server.log"
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        spawned = time.perf_counter()
        with server_process(dsn, port, log_path) as process:
            await wait_ready(client, process, log_path, ready_timeout)
            figures.startup_seconds = time.perf_counter() - spawned
            figures.index_build_seconds, figures.index_profiles = index_build_from_log(log_path)
            client.headers["authorization"] = f"Bearer {await access_token(client, orgs)}"
            for v in vacancies[:10]:  # warm-up: connections, caches, first audit events
                await matches(client, v.vacancy_id)
            for v in vacancies[:queries]:
                start = time.perf_counter()
                edges = await matches(client, v.vacancy_id)
                figures.latencies.append(time.perf_counter() - start)
                figures.results.append(len(edges))
            for v in vacancies[:queries]:  # the same ranking, RLS re-check and audit; no payload
                start = time.perf_counter()
                await matches(client, v.vacancy_id, POLL_QUERY)
                figures.light_latencies.append(time.perf_counter() - start)
            figures.server_rss_bytes = process_rss(process.pid)
            await visibility_rounds(client, dsn, mapper, vacancies, figures, rounds)
