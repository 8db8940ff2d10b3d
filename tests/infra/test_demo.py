"""``tussendeur demo``: a deterministic, realistic, fictional consortium."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import demo as demo_package
from demo.data import EMAIL_DOMAINS, PARTNERS, PHRASES
from demo.exceptions import DemoError
from demo.report import DemoReport
from demo.seed import DemoOptions, seed_demo
from exchange.admin.service import register_partner
from exchange.identity.one_time import TokenPurpose, redeem_one_time_token, token_scope
from exchange.identity.tokens import ROLE_SCOPES
from infra.caller import Caller, CallerRole
from infra.runtime import Runtime, open_runtime
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from tests.support.processes import cli_env, run_cli

pytestmark = pytest.mark.slow  # each test seeds a whole demo consortium

SMALL = DemoOptions(seed=7, profiles=50, vacancies=12)


@pytest.fixture
async def runtime(fresh_database: str) -> AsyncIterator[Runtime]:
    settings = Settings(env=Environment.TEST, database_url=fresh_database, db_pool_max=4)
    async with open_runtime(settings) as opened:
        yield opened


async def test_same_seed_same_consortium(runtime: Runtime) -> None:
    first = await seed_demo(runtime, SMALL)
    with pytest.raises(DemoError, match="exists already"):
        await seed_demo(runtime, SMALL)
    again = await seed_demo(runtime, DemoOptions(seed=7, profiles=50, vacancies=12, reset=True))
    assert again.summary == first.summary  # pseudonym- and id-free, down to the fingerprint
    assert again.consortium_id != first.consortium_id
    other = await seed_demo(runtime, DemoOptions(seed=8, profiles=50, vacancies=12, reset=True))
    assert other.summary["fingerprint"] != first.summary["fingerprint"]


async def test_reset_refuses_a_consortium_with_partners_the_demo_did_not_make(
    runtime: Runtime,
) -> None:
    first = await seed_demo(runtime, SMALL)
    admin = Caller(
        role=CallerRole.CONSORTIUM_ADMIN,
        consortium_id=first.consortium_id,
        subject="test",
        scopes=ROLE_SCOPES[CallerRole.CONSORTIUM_ADMIN],
    )
    async with runtime.database.transaction(admin.access_scope()) as conn:
        await register_partner(conn, admin, name="Echt Bestaand", slug="echt-bestaand", city=None)
    reset = DemoOptions(seed=7, profiles=50, vacancies=12, reset=True)
    with pytest.raises(DemoError, match=r"did not create \(echt-bestaand\)"):
        await seed_demo(runtime, reset)
    async with runtime.database.transaction(AccessScope.system()) as conn:
        consortia = await conn.fetchval("select count(*) from consortium")
        profiles = await conn.fetchval("select count(*) from profile")
        events = await conn.fetchval("select count(*) from audit_event")
    assert (consortia, profiles) == (1, 50)  # nothing was deleted
    assert events > 0


def test_the_demo_writes_through_use_cases_only() -> None:
    """No SQL in the demo package: it calls the use cases (and their repositories run SQL)."""
    sql = re.compile(
        r"\b(select|insert\s+into|delete\s+from|update\s+\w+\s+set|alter\s+table)\b"
        r"|\.(execute|executemany|fetch|fetchrow|fetchval|copy_records_to_table)\(",
        re.IGNORECASE,
    )
    for module in sorted(Path(demo_package.__file__).parent.glob("*.py")):
        hits = [line for line in module.read_text().splitlines() if sql.search(line)]
        assert not hits, f"{module.name}: {hits}"


async def test_the_demo_world_is_plausible(runtime: Runtime) -> None:
    steps: dict[str, list[tuple[int, int]]] = {}
    report = await seed_demo(
        runtime, SMALL, lambda step, done, total: steps.setdefault(step, []).append((done, total))
    )
    assert set(steps) == {"vacancies", "profiles", "consents"}
    assert steps["vacancies"][-1] == (12, 12)
    assert steps["profiles"][-1] == (50, 50)
    assert [done for done, _ in steps["profiles"]] == list(range(1, 51))
    summary = report.summary
    assert len(report.partners) == 6
    assert {p.city for p in report.partners} == {
        "Maastricht",
        "Heerlen",
        "Sittard-Geleen",
        "Kerkrade",
        "Brunssum",
        "Roermond",
    }
    assert summary["vacancies"] == 12
    assert summary["profiles"] == 50
    assert set(summary["profiles_by_status"]) == {"ACTIVE", "PENDING_CONSENT"}
    by_status = summary["profiles_by_status"]
    assert by_status["ACTIVE"] > by_status["PENDING_CONSENT"]
    assert set(summary["profiles_by_kind"]) == {"REJECTED_CANDIDATE", "READY_TO_MOVE"}
    assert summary["consent_scopes"]["ALL_PARTNERS"] > 25
    assert summary["phrases_on_a_concept"] > 0.5  # the matcher recognises most phrases
    await _check_rows(runtime, report)


async def _check_rows(runtime: Runtime, report: DemoReport) -> None:
    async with runtime.database.transaction(AccessScope.system()) as conn:
        emails = [r[0] for r in await conn.fetch("select email from person_contact")]
        phrases = {r[0] for r in await conn.fetch("select phrase from profile_competency")}
        languages = {r[0] for r in await conn.fetch("select language from profile_language")}
        consents = await conn.fetchval("select count(*) from consent_record where event='GRANTED'")
        active = await conn.fetchval("select count(*) from profile where status = 'ACTIVE'")
        clients = await conn.fetchval("select count(*) from api_client where revoked_at is null")
        admins = await conn.fetchval("select count(*) from staff_user where role <> 'partner_hr'")
        hr_staff = await conn.fetchval(
            "select count(distinct partner_id) from staff_user where role = 'partner_hr'"
        )
        pending_mail = await conn.fetchval("select count(*) from mail_outbox")
        vacancy = await conn.fetchrow(
            """select pay_min_cents, pay_max_cents, training_offered, shifts from vacancy
               order by created_at limit 1"""
        )
    assert all(e.rsplit("@", 1)[1] in EMAIL_DOMAINS for e in emails)
    assert len(set(emails)) == len(emails)
    assert phrases <= {p for variants in PHRASES.values() for p in variants}
    assert {"nl", "de", "en"} <= languages
    assert consents == active
    assert clients == len(PARTNERS)
    assert admins == 1
    assert hr_staff == len(PARTNERS)  # every role can be tried in the portal
    assert report.hr_link.startswith(runtime.settings.public_url)
    assert report.hr_email == f"hr.{PARTNERS[0].slug}@example.nl"
    assert pending_mail == 0  # invented people are never mailed
    assert report.consent_link and "/portal/consent?token=" in report.consent_link
    token = parse_qs(urlsplit(report.consent_link).query)["token"][0]
    async with runtime.database.transaction(token_scope(token)) as conn:
        redeemed = await redeem_one_time_token(conn, token, TokenPurpose.CONSENT)
    assert redeemed is not None and redeemed.profile_id is not None
    async with runtime.database.transaction(AccessScope.system()) as conn:
        status = await conn.fetchval(
            "select status from profile where id = $1", redeemed.profile_id
        )
    assert status == "PENDING_CONSENT"
    assert vacancy is not None
    assert vacancy["pay_min_cents"] < vacancy["pay_max_cents"]
    assert vacancy["training_offered"] and vacancy["shifts"]
    assert report.admin_link.startswith(runtime.settings.public_url)
    assert report.candidate_link and "token=" in report.candidate_link
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{30,}", p.client_secret) for p in report.partners)


def test_demo_command_prints_roles_and_writes_the_env_file(
    fresh_database: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, DATABASE_URL=fresh_database)
    result = run_cli(
        ["demo", "--profiles", "30", "--vacancies", "6", "--env-file", "demo.env"],
        env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Seeded Zuid-Limburg" in result.stdout
    for partner in PARTNERS:
        assert partner.name in result.stdout
    assert result.stdout.count("client secret") == len(PARTNERS)
    assert "/auth/sign-in/redeem?token=" in result.stdout
    assert "curl -s" in result.stdout
    env_file = tmp_path / "demo.env"
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600
    exports = env_file.read_text().splitlines()
    assert [line.split("=")[0] for line in exports] == [
        "export TD_URL",
        "export TD_CLIENT_ID",
        "export TD_CLIENT_SECRET",
    ]

    refused = run_cli(["demo", "--profiles", "30"], env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "--reset" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
