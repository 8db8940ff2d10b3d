"""Matches, the shortlist and "request introduction" on the recruiter's pages, over HTTP."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from infra.db import ConnectionDatabase
from infra.settings import Settings
from matching.types import ProfileKind, WorkMode
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import post_form
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
    other = await factories.share_profile(
        db,
        callers.partner_caller(sharer),
        kind=ProfileKind.READY_TO_MOVE,
        work_modes=(WorkMode.ON_SITE,),
    )
    await factories.activate_profile(db, other)
    hr = await sign_in_staff(client, db, app_settings, hirer)
    vacancy = await factories.create_vacancy(db, hr, title="Klantenservice energie")
    await rebuild_match_index(app, db)
    return {"profile": profile, "other": other, "vacancy": vacancy, "contact": contact,
            "hirer": hirer, "sharer": sharer, "hr": hr}  # fmt: skip


async def test_ranked_explained_pseudonymous_and_new_since_the_last_visit(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    vacancy, profile = world["vacancy"], world["profile"]
    dashboard = await client.get("/portal/hr")
    assert f'/portal/hr/vacancies/{vacancy.id}/matches">Klantenservice energie' in dashboard.text
    assert "<strong>2</strong>" in dashboard.text  # two new matches: never visited

    page = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches?lang=en")
    assert page.status_code == 200
    html = page.text
    assert profile.pseudonym in html and world["other"].pseudonym in html
    assert '<meter id="score-' in html and "Why this score" in html
    assert "klachten afhandelen" in html and "≈ " in html
    for private in ("Canary Vermeulen", world["contact"].email, "99887766"):
        assert private not in html
    audited = await system_fetch(
        db, "select details from audit_event where action = 'profile.shown_in_matches'"
    )
    assert {profile.id.hex, world["other"].id.hex} <= {
        p.replace("-", "") for p in audited[0]["details"]["profiles"]
    }

    again = await client.get("/portal/hr?lang=en")
    assert "<strong>" not in again.text.split("Open vacancies")[1].split("</table>")[0]

    narrowed = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches?kind=READY_TO_MOVE")
    assert world["other"].pseudonym in narrowed.text
    assert profile.pseudonym not in narrowed.text
    remote = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches?work_mode=REMOTE")
    assert world["other"].pseudonym not in remote.text  # on site only
    assert profile.pseudonym in remote.text  # names no work mode: any
    bad = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches?min_score=abc")
    assert bad.status_code == 422 and 'href="#min_score"' in bad.text


async def test_shortlist_is_kept_with_the_vacancy(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    vacancy, profile = world["vacancy"], world["profile"]
    page = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches")
    added = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/shortlist", page=page,
        profile_id=str(profile.id), op="add", back=f"/portal/hr/vacancies/{vacancy.id}/matches",
    )  # fmt: skip
    assert added.status_code == 303
    assert added.headers["location"] == f"/portal/hr/vacancies/{vacancy.id}/matches"
    listed = await client.get(f"/portal/hr/vacancies/{vacancy.id}/shortlist")
    assert profile.pseudonym in listed.text and world["other"].pseudonym not in listed.text
    rows = await system_fetch(db, "select partner_id, profile_id from vacancy_shortlist")
    assert [(r["partner_id"], r["profile_id"]) for r in rows] == [(world["hirer"].id, profile.id)]
    removed = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/shortlist", page=listed,
        profile_id=str(profile.id), op="remove", back="https://evil.example/",
    )  # fmt: skip
    assert removed.headers["location"] == f"/portal/hr/vacancies/{vacancy.id}/shortlist"
    assert await system_fetch(db, "select 1 from vacancy_shortlist") == []


async def test_request_an_introduction_with_a_message(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    vacancy, profile = world["vacancy"], world["profile"]
    page = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches")
    too_long = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/introductions", page=page,
        profile_id=str(profile.id), message="x" * 2100,
    )  # fmt: skip
    assert too_long.status_code == 422
    assert f'href="#message-{profile.id}"' in too_long.text and "x" * 2100 in too_long.text
    assert await system_fetch(db, "select 1 from introduction") == []
    asked = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/introductions", page=page,
        profile_id=str(profile.id), message="Wij zoeken iemand zoals jij.",
    )  # fmt: skip
    assert asked.status_code == 303
    rows = await system_fetch(db, "select id, status, message from introduction")
    assert [(r["status"], r["message"]) for r in rows] == [
        ("REQUESTED", "Wij zoeken iemand zoals jij.")
    ]
    assert asked.headers["location"] == f"/portal/hr/introductions/{rows[0]['id']}?done=requested"
    twice = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/introductions", page=page,
        profile_id=str(profile.id), message="",
    )  # fmt: skip
    assert twice.status_code == 409
