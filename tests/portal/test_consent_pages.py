"""The consent page behind the emailed link, over HTTP: confirm, refuse, CSRF, languages."""

from __future__ import annotations

import pytest

from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import csrf_of, path_of, post_form, token_of
from tests.support.mail import emailed_link


@pytest.fixture
async def shared(db):  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    c = await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    contact = factories.contact_input(full_name="Canary Fenna Bakhuis")
    profile = await factories.share_profile(db, callers.partner_caller(a), contact=contact)
    link = await emailed_link(db, profile.person_id, "consent_request")
    return {"a": a, "b": b, "c": c, "profile": profile, "link": link, "contact": contact}


async def _open(client, link: str) -> str:  # type: ignore[no-untyped-def]
    page = await client.get(path_of(link))
    assert page.status_code == 200
    assert 'action="/portal/consent/open"' in page.text
    opened = await post_form(client, "/portal/consent/open", page=page, token=token_of(link))
    assert opened.status_code == 303 and opened.headers["location"] == "/portal/consent"
    consent = await client.get("/portal/consent")
    assert consent.status_code == 200
    return str(consent.text)


async def test_confirm_with_scope_and_duration(db, client, shared) -> None:  # type: ignore[no-untyped-def]
    html = await _open(client, shared["link"])
    assert "Mag je profiel gedeeld worden?" in html  # Dutch by default
    assert shared["profile"].pseudonym in html
    assert "Contactcenter Maas heeft je profiel gedeeld" in html
    assert "Klantpunt Heuvelland" in html and "Belwerk Parkstad" in html
    assert 'id="partner-' + str(shared["a"].id) not in html  # the sharer is no choice
    assert "Canary Fenna Bakhuis" in html  # shown as what partners will NOT see
    assert "De toestemmingstekst (versie 2)" in html and "collega-organisatie" not in html
    version = html.split('name="text_version" value="')[1].split('"')[0]  # the text read
    csrf = csrf_of(html)

    missing = await client.post(
        "/portal/consent", data={"csrf_token": csrf, "scope": "ONLY", "months": "6"}
    )
    assert missing.status_code == 422
    assert "Vink minstens één werkgever aan" in missing.text

    done = await client.post(
        "/portal/consent",
        data={"csrf_token": csrf, "answer": "confirm", "scope": "ONLY",
              "partners": [str(shared["b"].id)], "months": "3", "text_version": version},
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/portal/me?done=granted"
    rows = await system_fetch(
        db, "select status, consent_scope_partner_ids from profile where id = $1",
        shared["profile"].id,
    )  # fmt: skip
    assert rows[0]["status"] == "ACTIVE"
    assert rows[0]["consent_scope_partner_ids"] == [shared["b"].id]
    records = await system_fetch(
        db, "select collection_method, text_version from consent_record where profile_id = $1",
        shared["profile"].id,
    )  # fmt: skip
    assert [tuple(r) for r in records] == [("EMAIL_LINK", "2")]

    mine = await client.get("/portal/me?done=granted")
    assert "Je keuze is opgeslagen" in mine.text
    receipt_path = mine.text.split('href="/portal/me/receipts/')[1].split('"')[0]
    receipt = await client.get("/portal/me/receipts/" + receipt_path)
    assert receipt.status_code == 200
    assert receipt.headers["content-disposition"].startswith("attachment")
    assert receipt.json()["version"] == "KI-CR-v1.1.0"

    reused = await client.post(
        "/portal/consent/open", data={"csrf_token": csrf, "token": token_of(shared["link"])}
    )
    assert reused.status_code == 400  # each link works once


async def test_refuse_erases_and_ends_the_session(db, client, shared) -> None:  # type: ignore[no-untyped-def]
    html = await _open(client, shared["link"])
    refused = await post_form(client, "/portal/consent", page=html, answer="refuse")
    assert refused.status_code == 200
    assert "Je profiel is gewist" in refused.text
    assert not await system_fetch(
        db, "select 1 from person where id = $1", shared["profile"].person_id
    )
    assert (await client.get("/portal/me")).status_code == 401


async def test_forms_refuse_a_missing_or_foreign_csrf_token(db, client, shared) -> None:  # type: ignore[no-untyped-def]
    html = await _open(client, shared["link"])
    csrf = csrf_of(html)
    no_token = await client.post("/portal/consent", data={"answer": "refuse"})
    assert no_token.status_code == 403
    wrong = await client.post("/portal/consent", data={"csrf_token": "x" * 43, "answer": "refuse"})
    assert wrong.status_code == 403
    foreign = await client.post(
        "/portal/consent",
        data={"csrf_token": csrf, "answer": "refuse"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert await system_fetch(db, "select 1 from person where id = $1", shared["profile"].person_id)


async def test_english_on_request_and_remembered(client, shared) -> None:  # type: ignore[no-untyped-def]
    html = await _open(client, shared["link"])
    assert 'lang="nl"' in html and 'href="/portal/consent?lang=en"' in html
    english = await client.get("/portal/consent?lang=en")
    assert "May your profile be shared?" in english.text and 'lang="en"' in english.text
    again = await client.get("/portal/consent")  # the choice is kept in a cookie
    assert "May your profile be shared?" in again.text
    header = await client.get("/portal/privacy", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "How we handle your data" in header.text


async def test_cookies_and_headers_are_safe(client, shared) -> None:  # type: ignore[no-untyped-def]
    page = await client.get(path_of(shared["link"]))
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert page.headers["referrer-policy"] == "no-referrer"
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "unsafe" not in policy  # no script runs here
    css = await client.get("/portal/static/portal.css")
    assert css.status_code == 200 and "focus" in css.text


def test_cookies_are_secure_behind_https() -> None:
    from infra.settings import Settings
    from portal.web import secure_cookies

    assert secure_cookies(Settings(public_url="https://tussendeur.example"))
    assert not secure_cookies(Settings(public_url="http://127.0.0.1:8000"))
