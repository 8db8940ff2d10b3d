"""The recruiter's dashboard and vacancy pages over HTTP: where staff land, posting with the
normaliser's preview, field errors that keep what was typed, editing and closing."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.http import csrf_of, post_form
from tests.support.staff_portal import sign_in_staff


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    consortium = await factories.create_consortium(db)
    return await factories.create_partner(db, consortium, name="Contactcenter Maas")


def _vacancy_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "title": "Klantenservice energie",
        "description": "Klanten helpen met hun energierekening.",
        "role": "AGENT",
        "role_level": "2",
        "postcode_area": "6211",
        "hours_min": "24",
        "hours_max": "36",
        "work_mode": "HYBRID",
        "pay_min": "16.50",
        "pay_max": "19",
        "pay_period": "HOUR",
        "training_offered": "Vier weken inwerken",
        "start_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "req_rows": "3",
        "req-0-phrase": "Salesforse",
        "req-0-weight": "2",
        "req-0-must": "yes",
        "req-1-phrase": "klachten afhandelen",
        "req-1-weight": "1",
        "req-1-level": "3",
        "req-2-phrase": "",
        "lang_rows": "2",
        "lang-0-code": "nl",
        "lang-0-level": "C1",
        "lang-0-must": "yes",
        "lang-1-code": "de",
        "lang-1-level": "B1",
    }
    fields.update(overrides)
    return fields


async def test_staff_home_sends_a_recruiter_to_the_dashboard(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    await sign_in_staff(client, db, app_settings, partner, display_name="Anouk de Vries")
    home = await client.get("/portal/staff")
    assert home.status_code == 303 and home.headers["location"] == "/portal/hr"
    dashboard = await client.get("/portal/hr")
    assert dashboard.status_code == 200
    assert "Overzicht" in dashboard.text and "Anouk de Vries" in dashboard.text
    assert "Je hebt geen openstaande vacatures." in dashboard.text
    english = await client.get("/portal/hr?lang=en")
    assert "Open vacancies" in english.text and "Contactcenter Maas" in english.text


async def test_post_a_vacancy_with_the_preview_first(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    await sign_in_staff(client, db, app_settings, partner)
    form = await client.get("/portal/hr/vacancies/new?lang=en")
    assert form.status_code == 200
    assert 'name="req-2-phrase"' in form.text and "Check requirements" in form.text
    csrf = csrf_of(form.text)

    checked = await client.post(
        "/portal/hr/vacancies/new",
        data={"csrf_token": csrf, "action": "check", **_vacancy_fields()},
    )
    assert checked.status_code == 200
    assert "“salesforse” → Salesforce" in checked.text
    assert 'value="Salesforse"' in checked.text  # still as typed
    assert await system_fetch(db, "select 1 from vacancy") == []  # nothing saved

    more = await client.post(
        "/portal/hr/vacancies/new",
        data={"csrf_token": csrf, "action": "more", **_vacancy_fields()},
    )
    assert 'name="req-6-phrase"' in more.text

    saved = await client.post(
        "/portal/hr/vacancies/new",
        data={"csrf_token": csrf, "action": "save", **_vacancy_fields()},
    )
    assert saved.status_code == 303, saved.text
    rows = await system_fetch(
        db, "select id, title, work_mode, pay_min_cents, partner_id from vacancy"
    )
    assert [(r["title"], r["work_mode"], r["pay_min_cents"]) for r in rows] == [
        ("Klantenservice energie", "HYBRID", 1650)
    ]
    assert rows[0]["partner_id"] == partner.id
    shown = await client.get(saved.headers["location"])
    assert "The vacancy is posted." in shown.text and "Salesforse" in shown.text
    listed = await client.get("/portal/hr/vacancies")
    assert "Klantenservice energie" in listed.text


async def test_bad_input_names_the_field_saves_nothing_and_keeps_the_form(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    await sign_in_staff(client, db, app_settings, partner)
    form = await client.get("/portal/hr/vacancies/new")
    bad = await post_form(
        client,
        "/portal/hr/vacancies/new",
        page=form,
        action="save",
        **_vacancy_fields(title="", postcode_area="62", hours_max="99", pay_min="veel"),
    )
    assert bad.status_code == 422
    assert 'href="#pay_min"' in bad.text  # the first pass: what is not even a number
    bad = await post_form(
        client,
        "/portal/hr/vacancies/new",
        page=form,
        action="save",
        **_vacancy_fields(title="", postcode_area="62", hours_max="99"),
    )
    assert bad.status_code == 422
    for field in ("title", "postcode_area", "hours_max"):
        assert f'href="#{field}"' in bad.text
        assert f'id="{field}-error"' in bad.text
    assert "Vul dit in." in bad.text and "Er is niets opgeslagen." in bad.text
    assert 'value="62"' in bad.text and 'value="Salesforse"' in bad.text
    assert await system_fetch(db, "select 1 from vacancy") == []


async def test_edit_and_close_a_vacancy(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    caller = await sign_in_staff(client, db, app_settings, partner)
    vacancy = await factories.create_vacancy(
        db, caller, title="Servicedesk telecom", soft_skill_weight=2.5
    )
    edit = await client.get(f"/portal/hr/vacancies/{vacancy.id}/edit")
    assert edit.status_code == 200 and 'value="Servicedesk telecom"' in edit.text
    assert 'value="2.5"' in edit.text  # kept when saved again
    assert 'value="klachten afhandelen"' in edit.text
    saved = await post_form(
        client,
        f"/portal/hr/vacancies/{vacancy.id}/edit",
        page=edit,
        action="save",
        **_vacancy_fields(title="Servicedesk telecom (Duits)", soft_skill_weight="2.5"),
    )
    assert saved.status_code == 303
    rows = await system_fetch(
        db, "select title, soft_skill_weight from vacancy where id = $1", vacancy.id
    )
    assert (rows[0]["title"], rows[0]["soft_skill_weight"]) == ("Servicedesk telecom (Duits)", 2.5)

    page = await client.get(f"/portal/hr/vacancies/{vacancy.id}")
    closed = await post_form(client, f"/portal/hr/vacancies/{vacancy.id}/close", page=page)
    assert closed.status_code == 303
    rows = await system_fetch(db, "select status from vacancy where id = $1", vacancy.id)
    assert rows[0]["status"] == "CLOSED"
    after = await client.get(f"/portal/hr/vacancies/{vacancy.id}/edit")
    assert after.status_code == 303  # a closed vacancy is not edited
    refused = await post_form(
        client, f"/portal/hr/vacancies/{vacancy.id}/edit", page=page, action="save",
        **_vacancy_fields(title="Weer open?"),
    )  # fmt: skip
    assert refused.status_code == 409 and 'value="Weer open?"' in refused.text
    matches = await client.get(f"/portal/hr/vacancies/{vacancy.id}/matches")
    assert matches.status_code == 409 and "gesloten" in matches.text


async def test_the_preview_line_for_the_typing_script(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    assert (await client.get("/portal/hr/vacancies/preview?phrase=Salesforse")).status_code == 401
    await sign_in_staff(client, db, app_settings, partner)
    line = await client.get("/portal/hr/vacancies/preview?phrase=Salesforse&lang=en")
    assert line.status_code == 200 and "“salesforse” → Salesforce" in line.text
    assert "<html" not in line.text
    assert (await client.get("/portal/hr/vacancies/preview?phrase=")).text.strip() == ""
    form = await client.get("/portal/hr/vacancies/new")
    assert 'src="/portal/static/hr.js"' in form.text
    assert form.headers["content-security-policy"].endswith(
        "; script-src 'self'; connect-src 'self'"
    )
    listed = await client.get("/portal/hr/vacancies")
    assert "script-src" not in listed.headers["content-security-policy"]  # the form alone
    assert await system_fetch(db, "select 1 from vacancy") == []
