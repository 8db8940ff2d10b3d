"""The person's page over HTTP: the profile exactly as employers see it and who shared
it, the introductions with the answers given, correcting the profile; the pages behind
the emailed links say what they are for and who asks; a candidate never opens staff pages."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from exchange.identity.one_time import TokenPurpose, issue_one_time_token
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import callers, factories
from tests.support import introductions as intro
from tests.support.as_system import system_fetchrow
from tests.support.http import csrf_of, path_of, post_form, token_of
from tests.support.mail import emailed_link


@pytest.fixture
async def world(db: ConnectionDatabase) -> intro.World:
    return await intro.build_world(db, headline="Klantenservice met energie-ervaring")


async def _signed_in_by_introduction(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World
) -> str:
    """Request an introduction, open its mailed link's page, press the button: the
    introduction's id."""
    asked = await intro.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    link = await emailed_link(db, world.profile.person_id, "introduction_request")
    landing = await client.get(path_of(link))
    assert landing.status_code == 200
    opened = await post_form(
        client, "/portal/introductions/open", page=landing, token=token_of(link)
    )
    assert opened.status_code == 303
    return str(asked.id)


async def test_the_introduction_link_says_who_asks_for_what_before_it_is_used(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World
) -> None:
    await intro.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    link = await emailed_link(db, world.profile.person_id, "introduction_request")
    landing = await client.get(path_of(link))
    assert "Klantcontact Heerlen B wil graag met je kennismaken" in landing.text
    assert "Zuid-Limburg test" in landing.text and "Klantenservice energie" in landing.text
    english = await client.get(path_of(link) + "&lang=en")
    assert "Klantcontact Heerlen B would like to meet you" in english.text
    # showing the page used nothing: the button still opens the session
    opened = await post_form(
        client, "/portal/introductions/open", page=landing, token=token_of(link)
    )
    assert opened.status_code == 303


async def test_the_consent_link_says_who_asks_and_what_for(
    client: httpx.AsyncClient, db: ConnectionDatabase
) -> None:
    consortium = await factories.create_consortium(db, name="Regio Parkstad")
    sharer = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    profile = await factories.share_profile(db, callers.partner_caller(sharer))
    link = await emailed_link(db, profile.person_id, "consent_request")
    landing = await client.get(path_of(link))
    html = landing.text
    assert "<h1>Contactcenter Maas vraagt of het je profiel mag delen</h1>" in html
    assert "een werkgever in Regio Parkstad" in html
    assert "de andere werkgevers van Regio Parkstad" in html
    assert "wissen we" in html or "gewist op" in html  # what happens without an answer
    switch = re.search(r'href="([^"]+)" lang="en"', html)
    assert switch is not None and token_of(link) in switch.group(1)  # the link survives
    english = await client.get(switch.group(1).replace("&amp;", "&"))
    assert "Contactcenter Maas asks whether it may share your profile" in english.text


async def test_the_renewal_link_says_for_which_consortium_and_until_when(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World
) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        token = await issue_one_time_token(
            conn,
            TokenPurpose.RENEW,
            ttl=dt.timedelta(days=1),
            consortium_id=world.consortium.id,
            person_id=world.profile.person_id,
            profile_id=world.profile.id,
        )
    landing = await client.get(f"/portal/renew?token={token}")
    assert "<h1>Verleng je toestemming voor Zuid-Limburg test</h1>" in landing.text
    assert "Werkgevers van Zuid-Limburg test kunnen je profiel zien tot" in landing.text
    opened = await post_form(client, "/portal/renew/open", page=landing, token=token)
    assert opened.status_code == 303 and opened.headers["location"] == "/portal/renew"


async def test_an_unusable_link_gets_the_general_words(client: httpx.AsyncClient) -> None:
    landing = await client.get("/portal/consent?token=" + "x" * 43)
    assert landing.status_code == 200 and "Open je pagina" in landing.text
    assert "vraagt of het je profiel mag delen" not in landing.text


async def test_my_data_shows_the_profile_as_employers_see_it_and_the_answers(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World
) -> None:
    introduction_id = await _signed_in_by_introduction(client, db, world)
    page = await client.get(f"/portal/introductions/{introduction_id}")
    answered = await post_form(
        client,
        f"/portal/introductions/{introduction_id}",
        page=page,
        answer="accept",
        message="Graag, bel me na vijven.",
    )
    assert answered.status_code == 303

    mine = await client.get("/portal/me")
    html = mine.text
    assert mine.status_code == 200
    assert "Je profiel zoals werkgevers het zien" in html
    assert "Callcenter Maastricht A heeft je profiel gedeeld binnen Zuid-Limburg test" in html
    assert world.profile.pseudonym in html and "Klantenservice met energie-ervaring" in html
    assert "Canary Vermeulen" in html  # listed under what employers do not see
    assert "Je kennismakingen" in html
    assert "Klantcontact Heerlen B" in html and "Klantenservice energie" in html
    assert "je hebt ja gezegd" in html
    assert "Graag, bel me na vijven." in html
    assert 'href="/portal/me/profile"' in html


async def test_the_person_corrects_the_profile(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World
) -> None:
    await _signed_in_by_introduction(client, db, world)
    form = await client.get("/portal/me/profile")
    assert form.status_code == 200
    assert 'value="Klantenservice met energie-ervaring"' in form.text
    fields = _fields_of(form.text)
    shown = {(fields[f"language-{i}"][0], fields[f"languageLevel-{i}"][0]) for i in (0, 1)}
    assert shown == {("nl", "NATIVE"), ("de", "B2")}

    unreadable = await _post(client, {**fields, "minPayAmount": ["veel"]})
    assert unreadable.status_code == 422 and "Vul een bedrag in euro in" in unreadable.text
    bad = await _post(client, {**fields, "postcodeArea": ["12"]})
    assert bad.status_code == 422
    assert "Vul de vier cijfers van een Nederlandse postcode in" in bad.text
    assert 'id="postcodeArea" name="postcodeArea" value="12"' in bad.text
    assert 'aria-invalid="true"' in bad.text

    same = await _post(client, fields)
    assert same.status_code == 303 and same.headers["location"] == "/portal/me"

    corrected = await _post(
        client,
        {**fields, "headline": ["Teamleider klantenservice"], "hoursMax": ["32"],
         "skill-1": [""], "phone": [""], "minPayAmount": ["14,50"],
         "language-2": ["en"], "languageLevel-2": ["C1"], "sectors": ["zorg", "horeca"],
         "shifts": ["EVENING"], "presentRole": ["SENIOR_AGENT"]},
    )  # fmt: skip
    assert corrected.status_code == 303
    assert corrected.headers["location"] == "/portal/me?done=corrected"
    row = await system_fetchrow(
        db,
        """select p.headline, p.hours_max, p.min_pay_cents, p.transferable_sectors, p.shifts,
                  p.present_role, c.phone from profile p
           join person_contact c on c.person_id = p.person_id where p.id = $1""",
        world.profile.id,
    )
    assert dict(row) == {
        "headline": "Teamleider klantenservice",
        "hours_max": 32,
        "min_pay_cents": 1450,
        "transferable_sectors": ["horeca", "zorg"],
        "shifts": ["EVENING"],
        "present_role": "SENIOR_AGENT",
        "phone": None,
    }
    mine = await client.get("/portal/me?done=corrected")
    assert "Je profiel is gecorrigeerd" in mine.text
    assert "Zendesk" not in mine.text and "Engels: C1" in mine.text and "horeca, zorg" in mine.text


@pytest.mark.parametrize(
    "path", ["/portal/staff", "/portal/hr", "/portal/hr/vacancies", "/portal/admin/partners"]
)
async def test_a_candidate_session_never_opens_staff_pages(
    client: httpx.AsyncClient, db: ConnectionDatabase, world: intro.World, path: str
) -> None:
    await _signed_in_by_introduction(client, db, world)
    response = await client.get(path, follow_redirects=False)
    assert response.status_code in (401, 403, 404)
    assert world.profile.pseudonym not in response.text
    assert "Canary Vermeulen" not in response.text


async def _post(client: httpx.AsyncClient, fields: dict[str, list[str]]) -> httpx.Response:
    page = await client.get("/portal/me/profile")
    return await client.post(
        "/portal/me/profile", data={**fields, "csrf_token": csrf_of(page.text)}
    )


def _fields_of(html: str) -> dict[str, list[str]]:
    """What the profile form sends as it stands: its text fields, hidden row counts,
    selected options and ticked boxes."""
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="(?:text|number|date|tel|hidden)" id="[^"]+" name="([^"]+)" value="([^"]*)"',
        html,
    ):
        fields[name] = [value]
    for name in ("skillRows", "languageRows"):
        fields[name] = [re.search(rf'name="{name}" value="(\d+)"', html).group(1)]  # type: ignore[union-attr]
    for name, block in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', block)
        fields[name] = [chosen.group(1) if chosen else ""]
    for name, value in re.findall(
        r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)" checked', html
    ):
        fields.setdefault(name, []).append(value)
    return fields
