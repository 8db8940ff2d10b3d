"""The recruiter's introductions pipeline, placements and outcomes, and the consortium-wide
placement proposals, over HTTP."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi import FastAPI

from exchange.placements import service as placements
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import post_form
from tests.support.introductions import request, respond
from tests.support.staff_portal import rebuild_match_index, sign_in_staff


@pytest.fixture
async def world(  # type: ignore[no-untyped-def]
    app: FastAPI, client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
):
    consortium = await factories.create_consortium(db)
    sharer = await factories.create_partner(db, consortium, name="Callcenter Maastricht")
    hirer = await factories.create_partner(db, consortium, name="Klantcontact Heerlen")
    contact = factories.contact_input(full_name="Canary Vermeulen", phone="+31 6 99887766")
    profile = await factories.share_profile(db, callers.partner_caller(sharer), contact=contact)
    await factories.activate_profile(db, profile)
    hr = await sign_in_staff(client, db, app_settings, hirer)
    vacancy = await factories.create_vacancy(db, hr, title="Klantenservice energie")
    await rebuild_match_index(app, db)
    return {"profile": profile, "vacancy": vacancy, "contact": contact, "hr": hr}


async def test_pipeline_from_request_to_outcome(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    profile, hr = world["profile"], world["hr"]
    introduction = await request(db, hr, profile.id, world["vacancy"].id)
    path = f"/portal/hr/introductions/{introduction.id}"

    listed = await client.get("/portal/hr/introductions?lang=en")
    requested = listed.text.split('id="stage-requested"')[1].split("</section>")[0]
    assert profile.pseudonym in requested and "(1)" in requested
    dashboard = await client.get("/portal/hr")
    assert path in dashboard.text  # waiting for an answer
    waiting = await client.get(path)
    assert waiting.status_code == 200 and "Canary Vermeulen" not in waiting.text
    assert "99887766" not in waiting.text and 'action="' + path + '/placement"' not in waiting.text

    await respond(db, callers.candidate_caller(profile), introduction.id, accept=True)
    accepted = await client.get(path)
    assert "Canary Vermeulen" in accepted.text and world["contact"].email in accepted.text
    too_early = await post_form(
        client, path + "/placement", page=accepted,
        start_date=(dt.date.today() - dt.timedelta(days=30)).isoformat(),
    )  # fmt: skip
    assert too_early.status_code == 422 and 'href="#start_date"' in too_early.text
    placed = await post_form(
        client, path + "/placement", page=accepted, start_date=dt.date.today().isoformat()
    )
    assert placed.status_code == 303 and placed.headers["location"] == path + "?done=placed"
    rows = await system_fetch(db, "select id, start_date from placement")
    assert [r["start_date"] for r in rows] == [dt.date.today()]

    page = await client.get(path)
    nothing = await post_form(client, path + "/outcome", page=page, at3="", at6="")
    assert nothing.status_code == 422 and "Give at least one outcome." in nothing.text
    early = await post_form(client, path + "/outcome", page=page, at3="yes")
    assert early.status_code == 422 and 'href="#at3-yes"' in early.text
    left = await post_form(
        client, path + "/outcome", page=page,
        at3="no", left_on=dt.date.today().isoformat(), left_reason="SCHEDULE",
    )  # fmt: skip
    assert left.status_code == 303, left.text
    rows = await system_fetch(db, "select employed_at_3_months, left_reason from placement")
    assert [(r["employed_at_3_months"], r["left_reason"]) for r in rows] == [(False, "SCHEDULE")]
    final = await client.get("/portal/hr/introductions")
    placed_stage = final.text.split('id="stage-placed"')[1].split("</section>")[0]
    assert "(1)" in placed_stage and path in placed_stage
    assert "Canary Vermeulen" in placed_stage  # the profile is paused; the person accepted


async def test_proposals_for_the_partners_vacancies_explained(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    page = await client.get("/portal/hr/proposals?lang=en")
    assert page.status_code == 200
    assert world["profile"].pseudonym in page.text and "Klantenservice energie" in page.text
    assert "Why this score" in page.text and "<meter" in page.text
    assert "Canary Vermeulen" not in page.text
    shown = await system_fetch(
        db, "select 1 from audit_event where action = 'placement.proposals_shown'"
    )
    assert len(shown) == 1


async def test_the_dashboard_lists_outcomes_that_are_due(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    profile, hr = world["profile"], world["hr"]
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
    introduction = await request(db, hr, profile.id, world["vacancy"].id, now=then)
    await respond(db, callers.candidate_caller(profile), introduction.id, accept=True, now=then)
    async with db.transaction(hr.access_scope()) as conn:
        await placements.record_placement(
            conn, hr, introduction_id=introduction.id, start_date=then.date()
        )
    dashboard = await client.get("/portal/hr?lang=en")
    due = dashboard.text.split('id="due"')[1].split("</section>")[0]
    assert f"/portal/hr/introductions/{introduction.id}" in due
    assert "3-month outcome" in due and "6-month outcome" not in due
    page = await client.get(f"/portal/hr/introductions/{introduction.id}")
    recorded = await post_form(
        client, f"/portal/hr/introductions/{introduction.id}/outcome", page=page, at3="yes"
    )
    assert recorded.status_code == 303
    again = await client.get("/portal/hr?lang=en")
    assert "No outcome is due." in again.text
