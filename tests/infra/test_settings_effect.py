"""Every documented duration setting reaches the code it names.

``DOCUMENTED`` lists the README configuration table's durations, periods, caps and
intervals, one entry per row: each is set in the environment (as an operator would),
and its effect is seen through the app or the use case that reads it. Every case also
runs with the documented default, so each observation tells the two apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from entrypoints import jobs
from entrypoints.app import create_app
from exchange.consent_flow.retention import run_retention
from exchange.identity.clients import insert_api_client, new_client_credentials
from infra.caller import PARTNER_SCOPES
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support import callers, factories
from tests.support.as_system import system_value
from tests.support.audit import append
from tests.support.consent import grant
from tests.support.databases import app_database
from tests.support.http import TEST_BASE_URL, graphql, path_of, post_form, started, token_of
from tests.support.introductions import build_world
from tests.support.mail import emailed_link
from tests.support.tokens import BearerHeaders

README = Path(__file__).resolve().parents[2] / "README.md"


@dataclass(frozen=True)
class Probe:
    settings: Settings
    db: ConnectionDatabase
    client: httpx.AsyncClient
    bearer: BearerHeaders


async def access_token_lifetime(probe: Probe) -> int:
    """``expires_in`` of a token from ``POST /oauth/token``."""
    consortium = await factories.create_consortium(probe.db)
    partner = await factories.create_partner(probe.db, consortium)
    credentials = new_client_credentials()
    async with probe.db.transaction(AccessScope.system()) as conn:
        await insert_api_client(
            conn, consortium_id=consortium.id, partner_id=partner.id, name="ATS",
            scopes=sorted(PARTNER_SCOPES), client_id=credentials.client_id,
            secret_hash=credentials.secret_hash,
        )  # fmt: skip
    response = await probe.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": credentials.client_id,
              "client_secret": credentials.secret},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return int(response.json()["expires_in"])


def _minutes(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() / 60)


async def sign_in_link_lifetime(probe: Probe) -> int:
    """Minutes between a sign-in link's creation and its expiry (``POST /auth/sign-in``)."""
    consortium = await factories.create_consortium(probe.db)
    _, email = await factories.create_staff(
        probe.db, await factories.create_partner(probe.db, consortium)
    )
    response = await probe.client.post("/auth/sign-in", json={"email": email})
    assert response.status_code == 202, response.text
    lifetime = await system_value(
        probe.db,
        """select t.expires_at - t.created_at from sign_in_token t join staff_user s
           on s.id = t.staff_user_id where s.email = $1""",
        email,
    )
    return _minutes(lifetime)


async def consent_pending_days(probe: Probe) -> int:
    """Days a profile shared over GraphQL waits for consent."""
    consortium = await factories.create_consortium(probe.db)
    hr = callers.partner_caller(await factories.create_partner(probe.db, consortium))
    body = await graphql(
        probe.client, await probe.bearer(hr),
        """mutation($input: ShareProfileInputType!) {
             shareProfile(input: $input) { profile { id } userErrors { field } } }""",
        {"input": {
                  "profile": {"kind": "READY_TO_MOVE", "postcodeArea": "6221", "maxTravelKm": 25,
                              "hoursMin": 24, "hoursMax": 32,
                              "availableFrom": dt.datetime.now(dt.UTC).date().isoformat(),
                              "competencies": [{"phrase": "klachtafhandeling"}]},
                  "contact": {"fullName": "Sanne", "email": "sanne@example.nl"}}},
    )  # fmt: skip
    profile_id = body["data"]["shareProfile"]["profile"]["id"]
    waits = await system_value(
        probe.db,
        "select pending_until - created_at from profile where id = $1",
        uuid.UUID(profile_id),
    )
    return round(float(waits.total_seconds()) / 86400)


async def _consent_of_one_month(probe: Probe) -> tuple[uuid.UUID, dt.datetime]:
    consortium = await factories.create_consortium(probe.db)
    hr = callers.partner_caller(await factories.create_partner(probe.db, consortium))
    profile = await factories.share_profile(probe.db, hr)
    outcome = await grant(probe.db, callers.candidate_caller(profile), months=1)
    assert outcome is not None
    expires = await system_value(
        probe.db, "select consent_expires_at from profile where id = $1", profile.id
    )
    return profile.id, expires


async def consent_reminder_sent_20_days_ahead(probe: Probe) -> int:
    """Reminders a retention run sends 20 days before a consent ends."""
    _, expires = await _consent_of_one_month(probe)
    at = expires - dt.timedelta(days=20)
    return (await run_retention(probe.db, now=at, settings=probe.settings)).reminders_sent


async def erased_5_days_after_consent_ended(probe: Probe) -> int:
    """Profiles a retention run erases 5 days after their consent ended."""
    _, expires = await _consent_of_one_month(probe)
    ended = expires + dt.timedelta(hours=1)
    first = await run_retention(probe.db, now=ended, settings=probe.settings)
    assert first.consents_expired == 1
    at = ended + dt.timedelta(days=5)
    return (await run_retention(probe.db, now=at, settings=probe.settings)).profiles_erased


async def portal_session_minutes(probe: Probe) -> int:
    """Minutes a portal session opened from the consent link lasts."""
    consortium = await factories.create_consortium(probe.db)
    hr = callers.partner_caller(await factories.create_partner(probe.db, consortium))
    profile = await factories.share_profile(probe.db, hr)
    link = await emailed_link(probe.db, profile.person_id, "consent_request")
    page = await probe.client.get(path_of(link))
    opened = await post_form(probe.client, "/portal/consent/open", page=page, token=token_of(link))
    assert opened.status_code in (302, 303), opened.text
    lasts = await system_value(
        probe.db,
        "select expires_at - created_at from portal_session where person_id = $1",
        profile.person_id,
    )
    return _minutes(lasts)


async def introductions_granted_of_two(probe: Probe) -> int:
    """Of two introduction requests (two vacancies, one profile) over GraphQL, how many go."""
    world = await build_world(probe.db)
    second = await factories.create_vacancy(probe.db, world.hr_b, title="Tweede vacature")
    granted = 0
    for vacancy_id in (world.vacancy_b.id, second.id):
        body = await graphql(
            probe.client, await probe.bearer(world.hr_b),
            """mutation($p: ID!, $v: ID!) {
                 requestIntroduction(profileId: $p, vacancyId: $v) {
                   introduction { id } userErrors { code } } }""",
            p=str(world.profile.id), v=str(vacancy_id),
        )  # fmt: skip
        granted += body["data"]["requestIntroduction"]["introduction"] is not None
    return granted


async def _throttle_window(probe: Probe, bucket: str) -> int:
    seconds = await system_value(
        probe.db,
        """select extract(epoch from window_end - window_start)::int from rate_limit_counter
           where bucket = $1""",
        bucket,
    )
    return int(seconds)


async def token_throttle_window(probe: Probe) -> int:
    """Seconds of the window that counts ``POST /oauth/token`` per source address."""
    await probe.client.post("/oauth/token", data={"grant_type": "client_credentials"})
    return await _throttle_window(probe, "oauth.address")


async def sign_in_throttle_window(probe: Probe) -> int:
    """Seconds of the window that counts ``POST /auth/sign-in`` per source address."""
    await probe.client.post("/auth/sign-in", json={"email": "someone@example.nl"})
    return await _throttle_window(probe, "sign_in.address")


@dataclass(frozen=True)
class Documented:
    env: str
    value: str  # a non-default value to set
    observe: Callable[[Probe], Awaitable[int]] | None  # None: observed by a test of its own
    effect: int | bool  # what the observation shows with ``value``
    default_effect: int | bool  # ... and with the documented default


DOCUMENTED = [
    Documented("TUSSENDEUR_ACCESS_TOKEN_TTL_SECONDS", "120", access_token_lifetime, 120, 900),
    Documented("TUSSENDEUR_SIGN_IN_LINK_TTL_SECONDS", "300", sign_in_link_lifetime, 5, 15),
    Documented("TUSSENDEUR_CONSENT_PENDING_DAYS", "3", consent_pending_days, 3, 14),
    Documented("TUSSENDEUR_CONSENT_REMINDER_DAYS", "25", consent_reminder_sent_20_days_ahead, 1, 0),
    Documented("TUSSENDEUR_CONSENT_GRACE_DAYS", "3", erased_5_days_after_consent_ended, 1, 0),
    Documented("TUSSENDEUR_PORTAL_SESSION_MINUTES", "7", portal_session_minutes, 7, 120),
    Documented("TUSSENDEUR_INTRODUCTION_DAILY_CAP", "1", introductions_granted_of_two, 1, 2),
    Documented("TUSSENDEUR_TOKEN_THROTTLE_WINDOW_SECONDS", "30", token_throttle_window, 30, 60),
    Documented(
        "TUSSENDEUR_SIGN_IN_THROTTLE_WINDOW_SECONDS", "120", sign_in_throttle_window, 120, 900
    ),
    # The intervals: whether the server runs the job itself (0: never); see below.
    Documented("TUSSENDEUR_RETENTION_INTERVAL_SECONDS", "0", None, False, True),
    Documented("TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS", "0", None, False, True),
]
# Rows of the README table that are durations but whose effect needs a slow database.
NOT_OBSERVED = {"TUSSENDEUR_READYZ_TIMEOUT_SECONDS"}
# The deadlines: observed set and default by tests/infra/test_deadline_settings.py, the
# drain period by tests/infra/test_shutdown.py.
NOT_OBSERVED |= {
    "TUSSENDEUR_DB_ACQUIRE_TIMEOUT_SECONDS",
    "TUSSENDEUR_REQUEST_TIMEOUT_SECONDS",
    "TUSSENDEUR_SHUTDOWN_GRACE_SECONDS",
}
# Webhooks: the timeout cuts a hanging receiver, and the interval starts (or, at 0, leaves
# out) the server's job, in tests/webhooks/test_delivery.py.
NOT_OBSERVED |= {
    "TUSSENDEUR_WEBHOOK_TIMEOUT_SECONDS",
    "TUSSENDEUR_WEBHOOK_DELIVERY_INTERVAL_SECONDS",
}


def test_the_list_matches_the_readme_table() -> None:
    names = set(re.findall(r"^\| `(TUSSENDEUR_[A-Z_]+)`", README.read_text(), re.MULTILINE))
    durations = {n for n in names if re.search(r"_(SECONDS|DAYS|MINUTES|CAP)$", n)}
    assert {d.env for d in DOCUMENTED} == durations - NOT_OBSERVED


def _settings(monkeypatch: pytest.MonkeyPatch, case: Documented, configured: bool) -> Settings:
    if configured:
        monkeypatch.setenv(case.env, case.value)
    else:
        monkeypatch.delenv(case.env, raising=False)
    return Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)


OBSERVED = [d for d in DOCUMENTED if d.observe is not None]


@pytest.fixture(params=[True, False], ids=["set", "default"])
def configured(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(params=OBSERVED, ids=[d.env.removeprefix("TUSSENDEUR_") for d in OBSERVED])
def case(request: pytest.FixtureRequest) -> Documented:
    assert isinstance(request.param, Documented)
    return request.param


@pytest.fixture
def app_settings(monkeypatch: pytest.MonkeyPatch, case: Documented, configured: bool) -> Settings:
    """The conftest's ``app`` runs with the setting from the environment."""
    return _settings(monkeypatch, case, configured)


async def test_the_setting_takes_effect(
    case: Documented,
    configured: bool,
    app_settings: Settings,
    db: ConnectionDatabase,
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
) -> None:
    assert case.observe is not None
    seen = await case.observe(Probe(app_settings, db, client, bearer))
    assert seen == (case.effect if configured else case.default_effect)


INTERVALS = [d for d in DOCUMENTED if d.observe is None]


@asynccontextmanager
async def server(owner_dsn: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FastAPI]:
    """The app as ``tussendeur serve`` runs it: on its own pool, periodic jobs included."""
    monkeypatch.setenv("DATABASE_URL", owner_dsn)
    settings = Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)
    app = create_app(settings)
    async with started(app):
        yield app


async def _within(seconds: float, check: Callable[[], Awaitable[bool]]) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@pytest.mark.slow
@pytest.mark.parametrize("configured", [True, False], ids=["set", "default"])
@pytest.mark.parametrize(
    "interval", INTERVALS, ids=[d.env.removeprefix("TUSSENDEUR_") for d in INTERVALS]
)
async def test_an_interval_of_zero_means_the_server_never_runs_the_job(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch, interval: Documented, configured: bool
) -> None:
    """With both jobs on, both run at start-up; the one set to 0 does not run while the
    other does (so the wait for it is no guess)."""
    for name in (i.env for i in INTERVALS):
        monkeypatch.delenv(name, raising=False)
    # the checkpoint job's first run waits a minute after start-up; not here
    monkeypatch.setattr(jobs, "FIRST_RUN_DELAY_SECONDS", 0.0)
    _settings(monkeypatch, interval, configured)
    async with app_database(fresh_database) as database:
        audited = (await factories.create_consortium(database)).id
        await append(database, audited, 2)
        consortium = await factories.create_consortium(database)
        hr = callers.partner_caller(await factories.create_partner(database, consortium))
        overdue = await factories.share_profile(database, hr)
        async with database.transaction(AccessScope.system()) as conn:
            await conn.execute(
                "update profile set pending_until = now() - interval '1 day' where id = $1",
                overdue.id,
            )

        async def retention_ran() -> bool:
            left = await system_value(
                database, "select count(*) from person where id = $1", overdue.person_id
            )
            return int(left) == 0

        async def checkpoint_signed() -> bool:
            signed = await system_value(
                database, "select count(*) from audit_checkpoint where consortium_id = $1", audited
            )
            return int(signed) > 0

        ran = {
            "TUSSENDEUR_RETENTION_INTERVAL_SECONDS": retention_ran,
            "TUSSENDEUR_AUDIT_CHECKPOINT_INTERVAL_SECONDS": checkpoint_signed,
        }
        this = ran.pop(interval.env)
        [other] = ran.values()
        async with server(fresh_database, monkeypatch):
            assert await _within(30, other)
            seen = await _within(30 if not configured else 1, this)
    assert seen == (interval.effect if configured else interval.default_effect)
