"""DESIGN.md §3 end to end, over HTTP, on the production path (issue 4's acceptance).

The app opens its own pool as the app role on a fresh migrated database, follows writes
through LISTEN/NOTIFY and runs its mail worker. Only the operator's one-time bootstrap
(a consortium and its admin) is written directly; everything after that goes through
HTTP with real credentials: the admin's emailed sign-in link, two partners' client
credentials at /oauth/token, and the person's consent page, introduction answer page and
emailed sign-in link.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from graphql import build_schema as parse_sdl

from entrypoints.app import create_app
from infra.db import ConnectionDatabase
from infra.mail import MemorySender
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from schema.root import build_schema
from tests.support.databases import dump_database, one_connection
from tests.support.e2e import Bootstrapped, Canary, bootstrap_consortium
from tests.support.http import (
    TEST_BASE_URL,
    asgi_client,
    graphql_data,
    graphql_refused,
    graphql_response,
    path_of,
    post_form,
    started,
    token_of,
)
from tests.support.mail import Mailbox
from tests.support.tokens import bearer_header
from tests.support.waiting import eventually

with warnings.catch_warnings():  # authlib prefers httpx2 and says so on import
    import authlib.deprecate  # noqa: F401  (installs its "always" filter before ours)

    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

TOKEN_URL = f"{TEST_BASE_URL}/oauth/token"


def today() -> dt.date:  # the server's "today" (placements, outcomes)
    """Today as the server sees it, asked when needed: a run may cross midnight."""
    return dt.datetime.now(dt.UTC).date()


# ---------------------------------------------------------------- operations

REGISTER_PARTNER = """
mutation ($input: RegisterPartnerInput!) {
  registerPartner(input: $input) { partner { id slug name status } userErrors { field code } }
}"""
CREATE_API_CLIENT = """
mutation ($input: CreateApiClientInput!) {
  createApiClient(input: $input) {
    client { clientId partnerId scopes } clientSecret userErrors { field code }
  }
}"""
API_CLIENTS = "{ apiClients { clientId partnerId } }"
ADD_STAFF_USER = """
mutation ($input: AddStaffUserInput!) {
  addStaffUser(input: $input) { staffUser { id role partnerId email } userErrors { field code } }
}"""
STAFF_USERS = "{ staffUsers { id partnerId role email displayName } }"
WEBHOOK_ENDPOINTS = "{ webhookEndpoints { id partnerId url eventTypes status } }"
WEBHOOK_DELIVERIES = """
query($endpointId: ID!) { webhookDeliveries(endpointId: $endpointId) { __typename } }"""
ERASURE_NOTICES = """
{ erasureNotices { id partnerId reason profileId pseudonym introductionIds status } }"""
UNREACHABLE_PARTNERS = "{ unreachablePartners { partnerId name } }"
ME = "{ me { role subject partnerId consortiumId scopes } }"
PROFILE_FIELDS = """
  id pseudonym kind status headline notFitReason presentRole postcodeArea maxTravelKm
  hoursMin hoursMax availableFrom ambitions shifts workModes minPay { amount period }
  transferableSectors competencies { phrase conceptId confidence level }
  languages { language level } consentExpiresAt pendingUntil createdAt
"""
SHARE_PROFILE = f"""
mutation ($input: ShareProfileInputType!) {{
  shareProfile(input: $input) {{ profile {{ {PROFILE_FIELDS} }} userErrors {{ field code }} }}
}}"""
SHARED_PROFILES = f"{{ sharedProfiles {{ nodes {{ {PROFILE_FIELDS} }} }} }}"
VACANCY_FIELDS = """
  id title description role roleLevel status postcodeArea hoursMin hoursMax
  pay { min max period } shifts workMode trainingOffered startDate
  requirements { phrase conceptId mustHave weight minLevel }
  languages { language minLevel mustHave }
"""
VACANCIES = f"{{ vacancies {{ nodes {{ {VACANCY_FIELDS} }} }} }}"
VACANCY = f"query ($vacancyId: ID!) {{ vacancy(id: $vacancyId) {{ {VACANCY_FIELDS} }} }}"
PARTNERS = "{ partners { id slug name city status } }"
CREATE_VACANCY = """
mutation ($input: VacancyInputType!) {
  createVacancy(input: $input) { vacancy { id status title } userErrors { field code } }
}"""
MATCHES = f"""
query ($vacancyId: ID!) {{
  matches(vacancyId: $vacancyId) {{
    totalCount
    nodes {{
      rank score profile {{ {PROFILE_FIELDS} }}
      explanation {{
        requirement kind matchedPhrase concept {{ id label {{ nl en }} }}
        similarity weight points met mustHave
      }}
    }}
  }}
}}"""
PLACEMENT_PROPOSALS = f"""
{{ placementProposals {{ nodes {{ score profile {{ {PROFILE_FIELDS} }} vacancy {{ id }} }} }} }}
"""
INTRODUCTION_FIELDS = """
  id status profileId profilePseudonym vacancyId vacancyTitle sharingPartnerId message
  responseMessage requestedAt respondedAt expiresAt contact { fullName email phone }
"""
REQUEST_INTRODUCTION = f"""
mutation ($profileId: ID!, $vacancyId: ID!, $message: String) {{
  requestIntroduction(profileId: $profileId, vacancyId: $vacancyId, message: $message) {{
    introduction {{ {INTRODUCTION_FIELDS} }} userErrors {{ field code }}
  }}
}}"""
INTRODUCTIONS = f"{{ introductions {{ nodes {{ {INTRODUCTION_FIELDS} }} }} }}"
INTRODUCTION = f"query ($id: ID!) {{ introduction(id: $id) {{ {INTRODUCTION_FIELDS} }} }}"
MY_INTRODUCTIONS = """
{ myIntroductions { nodes { id status isOpen message responseMessage
    offer { vacancyId title partnerName } } } }"""
MY_ACCESS_LOG = "{ myAccessLog(first: 100) { nodes { kind partnerId partnerName occurredAt } } }"
MY_PROFILE = f"{{ myProfile {{ {PROFILE_FIELDS} }} }}"
MY_CONSENTS = """
{ myConsents { id event scope { kind partnerIds } grantedAt expiresAt textVersion
    collectionMethod receiptId receipt } }"""
EXPORT_MY_DATA = "{ exportMyData }"
ERASE_MY_DATA = "mutation { eraseMyData { erased profiles partnersNotified userErrors { code } } }"
RESUME_MY_PROFILE = "mutation { resumeMyProfile { profileId status userErrors { field code } } }"
PLACEMENT_FIELDS = """
  id introductionId profileId vacancyId hiringPartnerId sharingPartnerId yourRole startDate
  employedAt3Months employedAt6Months leftOn leftReason
"""
RECORD_PLACEMENT = f"""
mutation ($introductionId: ID!, $startDate: Date!) {{
  recordPlacement(introductionId: $introductionId, startDate: $startDate) {{
    placement {{ {PLACEMENT_FIELDS} }} userErrors {{ field code }}
  }}
}}"""
RECORD_OUTCOME = f"""
mutation ($placementId: ID!, $at3: Boolean, $leftOn: Date, $leftReason: LeftReason) {{
  recordPlacementOutcome(placementId: $placementId, employedAt3Months: $at3, leftOn: $leftOn,
                         leftReason: $leftReason) {{
    placement {{ {PLACEMENT_FIELDS} }} userErrors {{ field code }}
  }}
}}"""
PLACEMENTS = f"{{ placements {{ nodes {{ {PLACEMENT_FIELDS} }} }} }}"
VERIFY_AUDIT = """
{ verifyAuditTrail { intact eventsChecked headSeq firstBrokenSeq breakKind message } }"""
AUDIT_EVENTS = """
{ auditEvents(first: 100) {
    pageInfo { hasNextPage }
    nodes { seq action actorKind actorId partnerId subjectKind subjectId details } } }"""
STATISTICS = """
{ exchangeStatistics {
    flows { fromPartnerId toPartnerId shared introduced placed }
    placements { placements retention3Months { due known retained } }
    partners { partnerId profilesShared placementsGiven placementsReceived reciprocityBalance }
    consentFunnel { requested confirmed pending }
    vacancies { vacancyId title introductionsRequested introductionsAccepted placements }
} }"""


# ---------------------------------------------------------------- the running app


@dataclass
class Running:
    app: FastAPI
    http: httpx.AsyncClient
    db: ConnectionDatabase  # the owner's connection: bootstrap and inspection only
    mailbox: Mailbox
    owner_dsn: str
    settings: Settings


@pytest.fixture
async def running(
    fresh_database: str, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[Running]:
    settings = Settings(
        env=Environment.TEST,
        database_url=fresh_database,
        public_url=TEST_BASE_URL,
        retention_interval_seconds=0,
        smtp_host=None,
        log_json=False,
    )
    app = create_app(settings)  # no database=: the lifespan opens the pool as the app role
    async with one_connection(fresh_database) as database, started(app):
        # Deliveries that look the sender up (the sign-in route's) go here; the periodic
        # mail worker keeps the sender it started with (see Mailbox).
        memory = MemorySender()
        app.state.services.mail_sender = memory
        async with asgi_client(app) as http:
            mailbox = Mailbox(database, memory, capsys)
            yield Running(app, http, database, mailbox, fresh_database, settings)


def oauth_client(app: FastAPI, client_id: str, secret: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id,
        secret,
        token_endpoint_auth_method="client_secret_basic",
        transport=httpx.ASGITransport(app=app),
        base_url=TEST_BASE_URL,
    )


async def sign_in(run: Running, email: str) -> str:
    """The emailed-link sign-in: ask for a link, open it, press the button."""
    before = await run.mailbox.count(email, "sign_in")
    asked = await run.http.post("/auth/sign-in", json={"email": email})
    assert asked.status_code == 202, asked.text
    link = await run.mailbox.link(email, "sign_in", after=before)
    assert link.startswith(f"{TEST_BASE_URL}/auth/sign-in/redeem?token=")
    page = await run.http.get(path_of(link))
    assert page.status_code == 200 and 'method="post"' in page.text  # a GET uses nothing
    redeemed = await run.http.post("/auth/sign-in/redeem", data={"token": token_of(link)})
    assert redeemed.status_code == 200, redeemed.text
    issued = redeemed.json()
    assert issued["token_type"] == "Bearer"
    again = await run.http.post("/auth/sign-in/redeem", data={"token": token_of(link)})
    assert again.status_code == 400  # each link works once
    return str(issued["access_token"])


def share_input(canary: Canary) -> dict[str, Any]:
    return {
        "profile": {
            "kind": "REJECTED_CANDIDATE",
            "postcodeArea": "6221",
            "maxTravelKm": 30,
            "hoursMin": 24,
            "hoursMax": 32,
            "availableFrom": today().isoformat(),
            "competencies": [
                {"phrase": "klachten afhandelen", "level": 4},
                {"phrase": "Zendesk", "level": 3},
                {"phrase": "empathisch"},
            ],
            "languages": [{"language": "nl", "level": "NATIVE"}, {"language": "de", "level": "B2"}],
            "notFitReason": "Duits C1 vereist voor deze klant",
            "ambitions": ["SENIOR_AGENT"],
            "transferableSectors": ["horeca"],
        },
        "contact": {"fullName": canary.full_name, "email": canary.email, "phone": canary.phone},
        "language": "nl",
    }


def vacancy_input(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "postcodeArea": "6411",
        "hoursMin": 24,
        "hoursMax": 36,
        "startDate": (today() + dt.timedelta(days=30)).isoformat(),
        "role": "SENIOR_AGENT",
        "roleLevel": 2,
        "pay": {"min": 16.5, "max": 19.0, "period": "HOUR"},
        "trainingOffered": "Vier weken inwerktraject",
        "requirements": [
            {"phrase": "klachtafhandeling", "mustHave": True, "weight": 2, "minLevel": 3},
            {"phrase": "Salesforce", "weight": 1},
        ],
        "languages": [{"language": "nl", "minLevel": "C1", "mustHave": True}],
    }


def query_fields(settings: Settings) -> set[str]:
    """Every field of the served schema's Query type."""
    query_type = parse_sdl(build_schema(settings).as_str()).query_type
    assert query_type is not None
    return set(query_type.fields)


def assert_clean(canary: Canary, what: str, text: str) -> None:
    leaked = canary.found_in(text)
    assert not leaked, f"{what} shows {leaked}"


def browser(run: Running) -> httpx.AsyncClient:
    """The person's own browser: a client of its own, with its own cookies."""
    return asgi_client(run.app)


async def confirm_on_consent_page(run: Running, link: str, pseudonym: str, canary: Canary) -> None:
    """The consent page: the link's page has a button; its POST opens the session; the
    person reads what partners will and will not see and confirms (all partners, 6 months)."""
    async with browser(run) as person:
        landing = await person.get(path_of(link))
        assert landing.status_code == 200 and 'action="/portal/consent/open"' in landing.text
        opened = await post_form(person, "/portal/consent/open", page=landing, token=token_of(link))
        assert opened.status_code == 303 and opened.headers["location"] == "/portal/consent"
        page = await person.get("/portal/consent")
        assert page.status_code == 200
        assert "Mag je profiel gedeeld worden?" in page.text
        assert "Contactcenter Maas heeft je profiel gedeeld" in page.text
        assert "Klantpunt Heuvelland" in page.text
        assert pseudonym in page.text  # what partners will see ...
        assert canary.full_name in page.text  # ... and, set apart, what they will not
        version = page.text.split('name="text_version" value="')[1].split('"')[0]
        confirmed = await post_form(
            person,
            "/portal/consent",
            page=page,
            answer="confirm",
            scope="ALL_PARTNERS",
            months="6",
            text_version=version,
        )
        assert confirmed.status_code == 303, confirmed.text
        assert confirmed.headers["location"] == "/portal/me?done=granted"
        reused = await post_form(person, "/portal/consent/open", page=page, token=token_of(link))
        assert reused.status_code == 400  # the link worked once


async def accept_on_answer_page(run: Running, link: str, introduction_id: str) -> None:
    """The introduction answer page: open the link, read the offer, accept with a note."""
    async with browser(run) as person:
        landing = await person.get(path_of(link))
        assert landing.status_code == 200
        assert 'action="/portal/introductions/open"' in landing.text
        opened = await post_form(
            person, "/portal/introductions/open", page=landing, token=token_of(link)
        )
        assert opened.status_code == 303
        listing = await person.get(opened.headers["location"])
        answer_path = f"/portal/introductions/{introduction_id}"
        assert listing.status_code == 303  # the one open request: straight to it
        assert listing.headers["location"] == answer_path
        page = await person.get(answer_path)
        assert page.status_code == 200
        assert "Klantpunt Heuvelland wil graag met je kennismaken" in page.text
        assert "Senior agent" in page.text and "Vier weken inwerktraject" in page.text
        assert "€\xa016,50" in page.text and "Kom kennismaken!" in page.text
        accepted = await post_form(
            person, answer_path, page=page, answer="accept", message="Graag!"
        )
        assert accepted.status_code == 303
        assert accepted.headers["location"] == f"{answer_path}?done=accepted"
        after = await person.get(accepted.headers["location"])
        assert "heeft nu je naam, e-mailadres en telefoonnummer" in after.text


# ---------------------------------------------------------------- the flow


@pytest.mark.slow  # a whole app with its pool, listener and mail worker
async def test_the_exchange_end_to_end_over_http(running: Running) -> None:
    run, http = running, running.http
    timings: dict[str, float] = {}
    started = time.perf_counter()
    canary = Canary.new()
    boot: Bootstrapped = await bootstrap_consortium(run.db)

    # 1. The admin signs in through an emailed one-time link.
    admin = await sign_in(run, boot.admin_email)
    me = (await graphql_data(http, admin, ME))["me"]
    assert me["role"] == "CONSORTIUM_ADMIN" and me["subject"] == str(boot.admin_id)

    # 2. The admin registers two partners and one API client each (secret shown once), and
    #    gives B's HR contact a staff account (the address erasure notices go to).
    partners: dict[str, dict[str, Any]] = {}
    for key, name in (("a", "Contactcenter Maas"), ("b", "Klantpunt Heuvelland")):
        registered = await graphql_data(
            http, admin, REGISTER_PARTNER, {"input": {"name": name, "city": "Heerlen"}}
        )
        partner = registered["registerPartner"]["partner"]
        assert partner["status"] == "ACTIVE"
        client_input = {"partnerId": partner["id"], "name": f"ATS {name}"}
        created = (await graphql_data(http, admin, CREATE_API_CLIENT, {"input": client_input}))[
            "createApiClient"
        ]
        assert created["client"]["partnerId"] == partner["id"] and created["clientSecret"]
        partners[key] = {**partner, **created["client"], "secret": created["clientSecret"]}
    listed = json.dumps(await graphql_data(http, admin, API_CLIENTS))
    assert all(p["secret"] not in listed for p in partners.values())  # never shown again
    a_id, b_id = partners["a"]["id"], partners["b"]["id"]
    b_hr = {"email": "hr@heuvelland.example.nl", "displayName": "HR Heuvelland",
            "role": "PARTNER_HR", "partnerId": b_id}  # fmt: skip
    b_hr_id = (await graphql_data(http, admin, ADD_STAFF_USER, {"input": b_hr}))["addStaffUser"][
        "staffUser"
    ]["id"]

    # 3. Each partner gets its token at /oauth/token (client credentials, HTTP Basic).
    tokens: dict[str, str] = {}
    for key, partner in partners.items():
        async with oauth_client(run.app, partner["clientId"], partner["secret"]) as oauth:
            issued = await oauth.fetch_token(TOKEN_URL, grant_type="client_credentials")
        assert issued["token_type"].lower() == "bearer"
        tokens[key] = issued["access_token"]
        me = (await graphql_data(http, tokens[key], ME))["me"]
        assert me["role"] == "PARTNER_HR" and me["partnerId"] == partner["id"]
    token_a, token_b = tokens["a"], tokens["b"]

    # 4. A shares a profile: it waits for consent, and B cannot see it yet. (B posts its
    #    vacancy first, so that it can ask; A posts one too, to show it never sees its own.)
    vacancy_b = (
        await graphql_data(http, token_b, CREATE_VACANCY, {"input": vacancy_input("Senior agent")})
    )["createVacancy"]["vacancy"]
    vacancy_a = (
        await graphql_data(
            http, token_a, CREATE_VACANCY, {"input": vacancy_input("Eigen vacature")}
        )
    )["createVacancy"]["vacancy"]
    assert vacancy_b["status"] == vacancy_a["status"] == "OPEN"
    for_b, for_a = {"vacancyId": vacancy_b["id"]}, {"vacancyId": vacancy_a["id"]}
    consent_mails = await run.mailbox.count(canary.email, "consent_request")
    shared = (await graphql_data(http, token_a, SHARE_PROFILE, {"input": share_input(canary)}))[
        "shareProfile"
    ]["profile"]
    assert shared["status"] == "PENDING_CONSENT" and shared["pendingUntil"]
    assert_clean(canary, "shareProfile's answer", json.dumps(shared))
    profile_id = shared["id"]
    assert (await graphql_data(http, token_b, MATCHES, for_b))["matches"]["nodes"] == []

    # 5. The person opens the emailed consent link and confirms on the consent page.
    consent_link = await run.mailbox.link(canary.email, "consent_request", after=consent_mails)
    assert consent_link.startswith(f"{TEST_BASE_URL}/portal/consent?token=")
    await confirm_on_consent_page(run, consent_link, shared["pseudonym"], canary)
    consented_at = time.perf_counter()

    # 6. B's matches show the profile as soon as the match index has followed the
    #    consent's NOTIFY: pseudonymous, scored, explained.
    async def shown_to_b() -> dict[str, Any] | None:
        found = await graphql_data(http, token_b, MATCHES, for_b)
        return found["matches"] if found["matches"]["nodes"] else None

    matched, polls = await eventually(shown_to_b, within=2.0)
    timings["consent committed → in B's matches"] = time.perf_counter() - consented_at
    timings["  (match queries until then)"] = polls
    [match] = matched["nodes"]
    assert match["rank"] == 1 and match["profile"]["id"] == profile_id
    assert match["profile"]["pseudonym"] == shared["pseudonym"]
    assert match["profile"]["status"] == "ACTIVE"
    assert_clean(canary, "B's matches", json.dumps(matched))
    assert match["score"] > 0 and match["explanation"]
    points = sum(e["points"] for e in match["explanation"])
    assert points == pytest.approx(match["score"], abs=0.05), match["explanation"]
    complaints = next(e for e in match["explanation"] if e["requirement"] == "klachtafhandeling")
    assert complaints["met"] and complaints["mustHave"]
    assert complaints["matchedPhrase"] == "klachten afhandelen"
    assert (await graphql_data(http, token_a, MATCHES, for_a))["matches"]["nodes"] == []  # own
    a_view = (await graphql_data(http, token_a, SHARED_PROFILES))["sharedProfiles"]["nodes"]
    assert [(p["id"], p["status"]) for p in a_view] == [(profile_id, "ACTIVE")]
    expires = dt.datetime.fromisoformat(a_view[0]["consentExpiresAt"])
    assert 180 <= (expires.date() - today()).days <= 185  # six months

    # 7. B asks for an introduction; no contact data yet.
    intro_mails = await run.mailbox.count(canary.email, "introduction_request")
    ask = {"profileId": profile_id, "vacancyId": vacancy_b["id"], "message": "Kom kennismaken!"}
    requested = (await graphql_data(http, token_b, REQUEST_INTRODUCTION, ask))[
        "requestIntroduction"
    ]["introduction"]
    assert requested["status"] == "REQUESTED" and requested["contact"] is None
    intro_id = requested["id"]
    [listed_b] = (await graphql_data(http, token_b, INTRODUCTIONS))["introductions"]["nodes"]
    assert listed_b["id"] == intro_id and listed_b["contact"] is None
    assert_clean(canary, "B's introductions before the answer", json.dumps(listed_b))

    # 8. The person opens the introduction link and accepts on the answer page.
    intro_link = await run.mailbox.link(canary.email, "introduction_request", after=intro_mails)
    assert intro_link.startswith(f"{TEST_BASE_URL}/portal/introductions/answer?token=")
    await accept_on_answer_page(run, intro_link, intro_id)

    # 9. B now has the contact; A reaches it through none of its queries.
    [listed_b] = (await graphql_data(http, token_b, INTRODUCTIONS))["introductions"]["nodes"]
    assert listed_b["status"] == "ACCEPTED" and listed_b["responseMessage"] == "Graag!"
    assert listed_b["contact"] == {
        "fullName": canary.full_name,
        "email": canary.email,
        "phone": canary.phone,
    }
    every_query = {
        "me": ME, "partners": PARTNERS, "vacancies": VACANCIES, "vacancy": VACANCY,
        "sharedProfiles": SHARED_PROFILES, "matches": MATCHES,
        "placementProposals": PLACEMENT_PROPOSALS, "introductions": INTRODUCTIONS,
        "introduction": INTRODUCTION, "placements": PLACEMENTS, "myProfile": MY_PROFILE,
        "myConsents": MY_CONSENTS, "myAccessLog": MY_ACCESS_LOG, "exportMyData": EXPORT_MY_DATA,
        "myIntroductions": MY_INTRODUCTIONS, "apiClients": API_CLIENTS,
        "auditEvents": AUDIT_EVENTS, "verifyAuditTrail": VERIFY_AUDIT,
        "exchangeStatistics": STATISTICS, "staffUsers": STAFF_USERS,
        "webhookEndpoints": WEBHOOK_ENDPOINTS, "webhookDeliveries": WEBHOOK_DELIVERIES,
        "erasureNotices": ERASURE_NOTICES, "unreachablePartners": UNREACHABLE_PARTNERS,
    }  # fmt: skip
    served = query_fields(run.settings)
    assert served <= set(every_query), f"new queries, add them here: {served - set(every_query)}"
    every_query = {name: query for name, query in every_query.items() if name in served}
    variables = {"vacancyId": vacancy_a["id"], "id": intro_id, "endpointId": str(uuid.uuid4())}
    answered: dict[str, bool] = {}
    for name, query in every_query.items():
        wanted = {k: v for k, v in variables.items() if f"${k}" in query}
        response, body = await graphql_response(http, token_a, query, wanted)
        assert_clean(canary, f"A's {name}", response.text)
        answered[name] = not body.get("errors")
    assert {n for n, ok in answered.items() if not ok} == {
        "myProfile", "myConsents", "myAccessLog", "exportMyData", "myIntroductions",
        "apiClients", "auditEvents", "verifyAuditTrail", "exchangeStatistics", "staffUsers",
        "unreachablePartners", "webhookDeliveries",  # an admin's; an endpoint not A's
    } & served  # fmt: skip  # the person's and the admins' queries refuse A
    assert (await graphql_data(http, token_a, INTRODUCTION, {"id": intro_id}))[
        "introduction"
    ] is None
    assert (await graphql_data(http, token_a, INTRODUCTIONS))["introductions"]["nodes"] == []
    csv = await http.get("/audit/events.csv", headers=bearer_header(token_a))
    assert csv.status_code == 403
    assert_clean(canary, "A's audit export", csv.text)

    # 10. The person signs in with an emailed link (the third real token): their rights.
    person = await sign_in(run, canary.email)
    me = (await graphql_data(http, person, ME))["me"]
    assert me["role"] == "CANDIDATE"
    [mine] = (await graphql_data(http, person, MY_INTRODUCTIONS))["myIntroductions"]["nodes"]
    assert mine["id"] == intro_id and mine["status"] == "ACCEPTED" and not mine["isOpen"]
    assert mine["offer"]["partnerName"] == "Klantpunt Heuvelland"
    log = (await graphql_data(http, person, MY_ACCESS_LOG))["myAccessLog"]["nodes"]
    by_b = {(e["kind"], e["partnerName"]) for e in log if e["partnerId"] == b_id}
    assert {("SHOWN_IN_MATCHES", "Klantpunt Heuvelland"),
            ("CONTACT_REQUESTED", "Klantpunt Heuvelland"),
            ("CONTACT_REVEALED", "Klantpunt Heuvelland")} <= by_b  # fmt: skip
    assert all(e["partnerId"] == b_id for e in log)  # A never looked
    [consent] = (await graphql_data(http, person, MY_CONSENTS))["myConsents"]
    assert consent["event"] == "GRANTED" and consent["collectionMethod"] == "EMAIL_LINK"
    assert consent["scope"]["kind"] == "ALL_PARTNERS" and consent["receipt"]["consentReceiptID"]
    exported = json.dumps((await graphql_data(http, person, EXPORT_MY_DATA))["exportMyData"])
    assert sorted(canary.found_in(exported)) == sorted(canary.values)
    assert profile_id in exported and intro_id in exported

    # 11. B records the placement and, the same day, that the person left again (the
    #     3-month question waits for 3 months); A sees the placement: reciprocity credit.
    place = {"introductionId": intro_id, "startDate": today().isoformat()}
    placed = (await graphql_data(http, token_b, RECORD_PLACEMENT, place))["recordPlacement"][
        "placement"
    ]
    assert placed["yourRole"] == "HIRING" and placed["sharingPartnerId"] == a_id
    placement_id = placed["id"]
    early = {"placementId": placement_id, "at3": True}
    _, too_early = await graphql_response(http, token_b, RECORD_OUTCOME, early)
    assert too_early["data"]["recordPlacementOutcome"] == {
        "placement": None,
        "userErrors": [{"field": "employedAt3Months", "code": "TOO_EARLY"}],
    }
    left = {"placementId": placement_id, "at3": False, "leftOn": today().isoformat(),
            "leftReason": "SCHEDULE"}  # fmt: skip
    outcome = (await graphql_data(http, token_b, RECORD_OUTCOME, left))["recordPlacementOutcome"][
        "placement"
    ]
    assert outcome["employedAt3Months"] is False and outcome["leftReason"] == "SCHEDULE"
    [credit] = (await graphql_data(http, token_a, PLACEMENTS))["placements"]["nodes"]
    assert credit["id"] == placement_id and credit["yourRole"] == "SHARING"
    assert (credit["hiringPartnerId"], credit["sharingPartnerId"]) == (b_id, a_id)
    assert credit["leftOn"] == today().isoformat()
    log = (await graphql_data(http, person, MY_ACCESS_LOG))["myAccessLog"]["nodes"]
    assert ("PLACEMENT_RECORDED", b_id) in {(e["kind"], e["partnerId"]) for e in log}
    paused = (await graphql_data(http, person, MY_PROFILE))["myProfile"]
    assert paused["status"] == "PAUSED"  # a placed profile is hidden ...
    assert (await graphql_data(http, token_b, MATCHES, for_b))["matches"]["nodes"] == []

    # 12. The admin: the audit trail is intact, the statistics count one placement from A
    #     to B, every step is an event (in the flow's order), and none names the person.
    verified = (await graphql_data(http, admin, VERIFY_AUDIT))["verifyAuditTrail"]
    assert verified["intact"] and verified["firstBrokenSeq"] is None, verified
    figures = (await graphql_data(http, admin, STATISTICS))["exchangeStatistics"]
    assert figures["placements"]["placements"] == 1
    assert [(f["fromPartnerId"], f["toPartnerId"], f["shared"], f["introduced"], f["placed"])
            for f in figures["flows"] if f["placed"]] == [(a_id, b_id, 1, 1, 1)]  # fmt: skip
    by_partner = {p["partnerId"]: p for p in figures["partners"]}
    assert by_partner[a_id]["placementsGiven"] == 1 and by_partner[a_id]["profilesShared"] == 1
    assert by_partner[b_id]["placementsReceived"] == 1
    assert figures["consentFunnel"]["requested"] == figures["consentFunnel"]["confirmed"] == 1
    audit = (await graphql_data(http, admin, AUDIT_EVENTS))["auditEvents"]
    assert not audit["pageInfo"]["hasNextPage"]
    events = list(reversed(audit["nodes"]))  # oldest first
    assert [e["seq"] for e in events] == list(range(1, verified["eventsChecked"] + 1))
    assert events[-1]["seq"] == verified["headSeq"]
    steps = [
        ("consortium.created", None), ("partner.registered", a_id),
        ("api_client.created", None), ("staff_user.added", b_hr_id),
        ("vacancy.created", vacancy_b["id"]),
        ("profile.shared", profile_id), ("consent.granted", profile_id),
        ("profile.shown_in_matches", vacancy_b["id"]), ("introduction.requested", intro_id),
        ("introduction.accepted", intro_id), ("contact.revealed", intro_id),
        ("person.data_exported", None), ("placement.recorded", placement_id),
        ("profile.paused", profile_id), ("placement.outcome_recorded", placement_id),
    ]  # fmt: skip
    positions = []
    for action, subject in steps:
        found = [i for i, e in enumerate(events)
                 if e["action"] == action and subject in (None, e["subjectId"])]  # fmt: skip
        assert found, f"no {action} event about {subject}"
        positions.append(found[0])
    assert positions == sorted(positions), [e["action"] for e in events]
    shown = next(e for e in events if e["action"] == "profile.shown_in_matches")
    assert shown["partnerId"] == b_id and profile_id in json.dumps(shown["details"])
    assert sum(e["action"] == "auth.signed_in" for e in events) == 2  # the admin, the person
    assert_clean(canary, "the audit trail", json.dumps(events))

    # 13. The person resumes the profile (B sees it again), then erases everything: the
    #     contact and the profile are gone at once, and so is every trace of the person.
    resumed = (await graphql_data(http, person, RESUME_MY_PROFILE))["resumeMyProfile"]
    assert resumed["profileId"] == profile_id and resumed["status"] == "ACTIVE"
    resumed_at = time.perf_counter()
    await eventually(shown_to_b, within=2.0)
    timings["resume committed → in B's matches"] = time.perf_counter() - resumed_at
    erased = (await graphql_data(http, person, ERASE_MY_DATA))["eraseMyData"]
    assert erased["erased"] and erased["profiles"] == 1 and erased["partnersNotified"] == 1
    async with run.db.transaction(AccessScope.system()) as conn:
        notices = await conn.fetch(
            "select to_address, body_text from mail_outbox where template = 'erasure_notice'"
        )
    assert [n["to_address"] for n in notices] == [b_hr["email"]]  # B got the contact: B only
    assert intro_id in notices[0]["body_text"]
    [after] = (await graphql_data(http, token_b, INTRODUCTIONS))["introductions"]["nodes"]
    assert after["id"] == intro_id and after["contact"] is None
    assert after["profilePseudonym"] is None
    gone = await graphql_data(http, token_b, MATCHES, for_b)
    assert gone["matches"]["nodes"] == []  # at once: no waiting for the index
    assert (await graphql_data(http, token_a, SHARED_PROFILES))["sharedProfiles"]["nodes"] == []
    [credit] = (await graphql_data(http, token_a, PLACEMENTS))["placements"]["nodes"]
    assert credit["id"] == placement_id and credit["profileId"] is None  # the credit stays
    code, _ = await graphql_refused(http, person, MY_PROFILE)
    assert code  # the person's token reaches nothing any more
    verified = (await graphql_data(http, admin, VERIFY_AUDIT))["verifyAuditTrail"]
    assert verified["intact"], verified
    erasure = (await graphql_data(http, admin, AUDIT_EVENTS))["auditEvents"]["nodes"][0]
    assert erasure["action"] == "person.data_erased"
    dump = await dump_database(run.owner_dsn)
    leaked = [line[:160] for line in dump.splitlines() if canary.found_in(line)]
    assert not leaked, leaked
    assert shared["pseudonym"] not in dump  # the person row and its pseudonym went too

    timings["the whole flow"] = time.perf_counter() - started
    assert timings["the whole flow"] < 30
    report(run, timings)


def report(run: Running, timings: dict[str, float]) -> None:
    mail = run.mailbox
    lines = [
        f"  {name}: {value:.0f}" if name.startswith("  (") else f"  {name}: {value * 1000:.0f} ms"
        for name, value in timings.items()
    ]
    lines.append(
        f"  links read from the outbox / MemorySender / console: "
        f"{mail.from_outbox} / {mail.from_memory} / {mail.from_console}"
    )
    with mail.capsys.disabled():
        print("\n" + "\n".join(lines))
