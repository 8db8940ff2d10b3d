"""Retention with the clock moved: pending deletion, expiry, erasure, introductions, reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sys

import asyncpg
import pytest

from exchange.consent_flow.retention import run_retention, run_retention_once
from exchange.introductions import service as introductions
from infra.db import ConnectionDatabase, dsn_for_role, init_connection
from tests.support import callers, factories
from tests.support.as_system import system_fetch, visible_profile_ids
from tests.support.consent import SETTINGS, grant
from tests.support.databases import APP_ROLE
from tests.support.processes import TEST_KEY_ENCRYPTION_KEY

NOTHING = {
    "pending_deleted": 0,
    "consents_expired": 0,
    "profiles_erased": 0,
    "introductions_expired": 0,
    "reminders_sent": 0,
}


async def test_retention_with_the_clock_moved(db) -> None:  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    hr_a, hr_b = callers.partner_caller(a), callers.partner_caller(b)
    start = dt.datetime.now(dt.UTC)

    pending = await factories.share_profile(db, hr_a)
    short = await factories.share_profile(db, hr_a)
    await grant(db, callers.candidate_caller(short), months=1)
    long = await factories.share_profile(db, hr_a)
    await grant(db, callers.candidate_caller(long), months=12)
    vacancy = await factories.create_vacancy(db, hr_b)
    async with db.transaction(hr_b.access_scope()) as conn:
        intro = await introductions.request_introduction(
            conn, hr_b, profile_id=long.id, vacancy_id=vacancy.id, message=None
        )

    at = start + dt.timedelta(days=15)
    report = await run_retention(db, now=at, settings=SETTINGS)
    assert report.counts() == {**NOTHING, "pending_deleted": 1, "introductions_expired": 1}
    assert "pending deleted 1" in report.line()
    assert not await system_fetch(db, "select 1 from person where id = $1", pending.person_id)
    status = await system_fetch(db, "select status from introduction where id = $1", intro.id)
    assert status[0]["status"] == "EXPIRED"
    assert (await run_retention(db, now=at, settings=SETTINGS)).counts() == NOTHING

    at = start + dt.timedelta(days=33)  # the one-month consent ended
    report = await run_retention(db, now=at, settings=SETTINGS)
    assert report.counts() == {**NOTHING, "consents_expired": 1}
    rows = await system_fetch(db, "select status from profile where id = $1", short.id)
    assert rows[0]["status"] == "EXPIRED"
    assert short.id not in await visible_profile_ids(db, hr_b)
    assert (await run_retention(db, now=at, settings=SETTINGS)).counts() == NOTHING

    at = start + dt.timedelta(days=33 + 31)  # past the 30-day grace period
    report = await run_retention(db, now=at, settings=SETTINGS)
    assert report.counts() == {**NOTHING, "profiles_erased": 1}
    assert not await system_fetch(db, "select 1 from person where id = $1", short.person_id)
    assert (await run_retention(db, now=at, settings=SETTINGS)).counts() == NOTHING

    expires = (
        await system_fetch(db, "select consent_expires_at from profile where id = $1", long.id)
    )[0]["consent_expires_at"]
    at = expires - dt.timedelta(days=13)  # inside the 14-day reminder window
    reminded = await run_retention_once(db, now=at, settings=SETTINGS)
    assert reminded is not None and reminded.counts() == {**NOTHING, "reminders_sent": 1}
    mails = await system_fetch(
        db,
        "select body_text from mail_outbox where person_id = $1 and template = 'consent_reminder'",
        long.person_id,
    )
    assert len(mails) == 1 and "/portal/renew?token=" in mails[0]["body_text"]
    tokens = await system_fetch(
        db, "select 1 from sign_in_token where person_id = $1 and purpose = 'RENEW'", long.person_id
    )
    assert len(tokens) == 1
    again = await run_retention_once(db, now=at, settings=SETTINGS)
    assert again is not None and again.counts() == NOTHING
    runs = await system_fetch(
        db,
        """select count(*) as n from audit_event
           where consortium_id = $1 and action = 'retention.run'""",
        consortium.id,
    )
    assert runs[0]["n"] == 4  # one per run that changed something


@pytest.mark.slow  # the CLI in a subprocess
async def test_cli_prints_counts_and_a_second_run_changes_nothing(fresh_database: str) -> None:
    connection = await asyncpg.connect(dsn_for_role(fresh_database, APP_ROLE, None))
    await init_connection(connection)
    try:
        db = ConnectionDatabase(connection)  # no outer transaction: every step commits
        consortium = await factories.create_consortium(db)
        partner = await factories.create_partner(db, consortium)
        await factories.share_profile(db, callers.partner_caller(partner))
    finally:
        await connection.close()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=15)).isoformat()
    executable = shutil.which("tussendeur") or sys.executable
    prefix = [] if executable.endswith("tussendeur") else ["-m", "entrypoints.cli"]
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database,
        "TUSSENDEUR_LOG_JSON": "false",
        "TUSSENDEUR_KEY_ENCRYPTION_KEY": TEST_KEY_ENCRYPTION_KEY,
    }
    outputs = []
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            executable, *prefix, "retention", "run", "--now", later,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, err.decode()
        outputs.append(out.decode())
    assert "pending deleted 1" in outputs[0]
    assert "retention: pending deleted 0, consents expired 0, profiles erased 0" in outputs[1]
