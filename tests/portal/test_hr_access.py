"""Who may use the recruiter's pages: CSRF on every form, another partner's vacancy, match
or introduction answers as a random id does (404), a candidate's or an admin's session is
not a recruiter, and the shortlists and visits are walled off by RLS as well."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from exchange.identity.models import Identity, SubjectKind
from exchange.identity.service import issue_sign_in_link
from exchange.shortlists import repository as shortlists_repository
from exchange.shortlists import service as shortlists
from infra.caller import CallerRole
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import asgi_client, path_of, post_form, token_of
from tests.support.introductions import request
from tests.support.staff_portal import rebuild_match_index, sign_in_staff


@pytest.fixture
async def world(  # type: ignore[no-untyped-def]
    app: FastAPI, client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings
):
    consortium = await factories.create_consortium(db)
    sharer = await factories.create_partner(db, consortium, name="Callcenter Maastricht")
    hirer = await factories.create_partner(db, consortium, name="Klantcontact Heerlen")
    other = await factories.create_partner(db, consortium, name="Servicedesk Sittard")
    profile = await factories.share_profile(db, callers.partner_caller(sharer))
    await factories.activate_profile(db, profile)
    hr = await sign_in_staff(client, db, app_settings, hirer)
    vacancy = await factories.create_vacancy(db, hr, title="Klantenservice energie")
    introduction = await request(db, hr, profile.id, vacancy.id)
    async with db.transaction(hr.access_scope()) as conn:
        await shortlists.add_to_shortlist(conn, hr, vacancy_id=vacancy.id, profile_id=profile.id)
    await rebuild_match_index(app, db)
    return {"consortium": consortium, "profile": profile, "vacancy": vacancy, "hr": hr,
            "introduction": introduction, "other": other, "sharer": sharer}  # fmt: skip


def _post_paths(world) -> list[str]:  # type: ignore[no-untyped-def]
    v, i = world["vacancy"].id, world["introduction"].id
    return [
        "/portal/hr/vacancies/new",
        f"/portal/hr/vacancies/{v}/edit",
        f"/portal/hr/vacancies/{v}/close",
        f"/portal/hr/vacancies/{v}/introductions",
        f"/portal/hr/vacancies/{v}/shortlist",
        "/portal/hr/profiles/share",
        f"/portal/hr/introductions/{i}/placement",
        f"/portal/hr/introductions/{i}/outcome",
    ]


async def test_every_form_refuses_a_post_without_a_valid_csrf_token(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, db: ConnectionDatabase, world
) -> None:
    fields = {"title": "X", "profile_id": str(world["profile"].id), "op": "remove"}
    for path in _post_paths(world):
        missing = await client.post(path, data=fields)
        assert missing.status_code == 403, path
        wrong = await client.post(path, data={**fields, "csrf_token": "x" * 43})
        assert wrong.status_code == 403, path
        foreign = await client.post(path, data=fields, headers={"origin": "https://evil.example"})
        assert foreign.status_code == 403, path
    rows = await system_fetch(db, "select status from vacancy")
    assert [r["status"] for r in rows] == ["OPEN"]
    assert len(await system_fetch(db, "select 1 from vacancy_shortlist")) == 1


async def test_another_partners_pages_answer_as_a_random_id(  # type: ignore[no-untyped-def]
    app: FastAPI, db: ConnectionDatabase, app_settings: Settings, world
) -> None:
    v, i = world["vacancy"].id, world["introduction"].id
    async with asgi_client(app) as outsider:
        await sign_in_staff(outsider, db, app_settings, world["other"])
        for template in (
            "/portal/hr/vacancies/{v}",
            "/portal/hr/vacancies/{v}/edit",
            "/portal/hr/vacancies/{v}/matches",
            "/portal/hr/vacancies/{v}/shortlist",
            "/portal/hr/introductions/{i}",
        ):
            theirs = await outsider.get(template.format(v=v, i=i))
            random = await outsider.get(template.format(v=uuid.uuid4(), i=uuid.uuid4()))
            assert theirs.status_code == random.status_code == 404, template
            assert (
                theirs.text.split("<main")[1].split("</main>")[0].split("<h1>")[1]
                == (random.text.split("<main")[1].split("</main>")[0].split("<h1>")[1])
            )
        page = await outsider.get("/portal/hr/vacancies")
        assert "Klantenservice energie" not in page.text
        for path in _post_paths(world)[1:5] + _post_paths(world)[6:]:
            refused = await post_form(
                outsider, path, page=page, profile_id=str(world["profile"].id), op="remove",
                start_date="2030-01-01", at3="no",
            )  # fmt: skip
            assert refused.status_code == 404, path
        pipeline = await outsider.get("/portal/hr/introductions")
        assert str(i) not in pipeline.text
    rows = await system_fetch(db, "select status from vacancy")
    assert [r["status"] for r in rows] == ["OPEN"]
    assert len(await system_fetch(db, "select 1 from vacancy_shortlist")) == 1
    assert await system_fetch(db, "select 1 from placement") == []


async def test_shortlists_and_visits_are_walled_off_in_postgresql(  # type: ignore[no-untyped-def]
    db: ConnectionDatabase, world
) -> None:
    outsider = callers.partner_caller(world["other"])
    async with db.transaction(outsider.access_scope()) as conn:
        seen = await shortlists_repository.list_entries(
            conn, vacancy_id=world["vacancy"].id, partner_id=world["hr"].partner_id
        )
        visits = await shortlists_repository.visits(
            conn, staff_user_id=world["hr"].user_id, vacancy_ids=[world["vacancy"].id]
        )
    assert seen == [] and visits == {}
    with pytest.raises(Exception, match="row-level security"):
        async with db.transaction(outsider.access_scope()) as conn:
            await shortlists_repository.add_entry(
                conn, vacancy_id=world["vacancy"].id, profile_id=world["profile"].id,
                consortium_id=world["consortium"].id, partner_id=world["other"].id,
                added_by=None,
            )  # fmt: skip


async def test_candidates_admins_and_strangers_are_not_recruiters(  # type: ignore[no-untyped-def]
    app: FastAPI, db: ConnectionDatabase, app_settings: Settings, world
) -> None:
    paths = ["/portal/hr", "/portal/hr/vacancies", f"/portal/hr/vacancies/{world['vacancy'].id}",
             "/portal/hr/profiles", "/portal/hr/introductions", "/portal/hr/proposals"]  # fmt: skip
    async with asgi_client(app) as stranger:
        for path in paths:
            assert (await stranger.get(path)).status_code == 401, path
    async with asgi_client(app) as admin:
        await sign_in_staff(admin, db, app_settings, world["other"], role="consortium_admin")
        for path in paths:
            answer = await admin.get(path)
            assert answer.status_code == 403 and "/portal/admin" in answer.text, path
    profile = world["profile"]
    person = Identity(
        SubjectKind.PERSON, profile.person_id, profile.consortium_id, CallerRole.CANDIDATE
    )
    async with db.transaction(AccessScope.system()) as conn:
        link = await issue_sign_in_link(conn, app_settings, person)
    async with asgi_client(app) as candidate:
        page = await candidate.get(path_of(link))
        opened = await post_form(
            candidate, "/portal/sign-in/redeem", page=page, token=token_of(link)
        )
        assert opened.headers["location"] == "/portal/me"
        for path in paths:
            assert (await candidate.get(path)).status_code == 401, path
