"""Every portal message has its Dutch translation; a person gets a link to their page."""

from __future__ import annotations

from portal.catalogs import extract, load
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.http import csrf_of, path_of, post_form, token_of
from tests.support.mail import emailed_link


def test_dutch_catalog_translates_every_message() -> None:
    dutch = load("nl")
    missing = []
    for message in extract():
        if not message.id:
            continue
        translated = dutch.get(message.id)
        strings = translated.string if translated else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id)
    assert missing == []


async def test_sign_in_link_opens_my_page(db, client) -> None:  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium)
    contact = factories.contact_input()
    profile = await factories.share_profile(db, callers.partner_caller(a), contact=contact)

    form = await client.get("/portal/sign-in")
    csrf = csrf_of(form.text)
    bad = await client.post("/portal/sign-in", data={"csrf_token": csrf, "email": "nope"})
    assert bad.status_code == 422 and "Vul een geldig e-mailadres in" in bad.text
    unknown = await client.post(
        "/portal/sign-in", data={"csrf_token": csrf, "email": "nobody@example.nl"}
    )
    sent = await client.post("/portal/sign-in", data={"csrf_token": csrf, "email": contact.email})
    assert sent.status_code == unknown.status_code == 200
    assert sent.text == unknown.text  # the same answer: no address enumeration

    link = await emailed_link(db, profile.person_id, "portal_sign_in")
    page = await client.get(path_of(link))
    opened = await post_form(client, "/portal/sign-in/open", page=page, token=token_of(link))
    assert opened.status_code == 303 and opened.headers["location"] == "/portal/me"
    mine = await client.get("/portal/me")
    assert mine.status_code == 200 and profile.pseudonym in mine.text

    out = await post_form(client, "/portal/sign-out", page=mine)
    assert out.status_code == 200
    assert (await client.get("/portal/me")).status_code == 401
    sessions = await system_fetch(
        db, "select 1 from portal_session where person_id = $1", profile.person_id
    )
    assert sessions == []
