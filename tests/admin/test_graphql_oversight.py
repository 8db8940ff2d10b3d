"""Consortium oversight over HTTP with real bearer tokens: admins can, nobody else can."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import pytest

from exchange.audit.checkpoints import create_checkpoint
from exchange.audit.signing import load_checkpoint_keys
from exchange.partners.models import Consortium
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import callers, factories
from tests.support.http import graphql
from tests.support.tokens import BearerHeaders

OPERATIONS: dict[str, str] = {
    "registerPartner": 'mutation { registerPartner(input: {name: "X BV"}) { partner { id } } }',
    "createApiClient": "mutation { createApiClient(input: {}) { clientSecret } }",
    "revokeApiClient": 'mutation { revokeApiClient(clientId: "tdc_x") { client { id } } }',
    "suspendPartner": "mutation($p: ID!) { suspendPartner(partnerId: $p) { partner { id } } }",
    "reinstatePartner": "mutation($p: ID!) { reinstatePartner(partnerId: $p) { partner { id } } }",
    "apiClients": "{ apiClients { clientId } }",
    "auditEvents": "{ auditEvents { edges { node { seq } } } }",
    "verifyAuditTrail": "{ verifyAuditTrail { intact } }",
    "exchangeStatistics": "{ exchangeStatistics { placements { placements } } }",
}


@pytest.fixture
async def people(db: ConnectionDatabase) -> dict[str, Any]:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    hr = callers.partner_caller(partner)
    profile = await factories.share_profile(db, hr)
    return {
        "consortium": consortium,
        "partner": partner,
        "hr": hr,
        "candidate": callers.candidate_caller(profile),
        "admin": callers.admin_caller(consortium),
    }


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("who", ["hr", "candidate"])
async def test_only_consortium_admins_reach_oversight(
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
    people: dict[str, Any],
    operation: str,
    who: str,
) -> None:
    body = await graphql(
        client, await bearer(people[who]), OPERATIONS[operation], p=str(people["partner"].id)
    )
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_an_admin_without_the_scope_is_refused(
    client: httpx.AsyncClient, bearer: BearerHeaders, people: dict[str, Any]
) -> None:
    admin: Caller = people["admin"]
    assert admin.user_id is not None
    reader = Caller.admin(admin.consortium_id, admin.user_id, scopes=frozenset({"audit:read"}))
    body = await graphql(client, await bearer(reader), OPERATIONS["registerPartner"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await graphql(client, await bearer(reader), OPERATIONS["verifyAuditTrail"])
    assert body["data"]["verifyAuditTrail"]["intact"] is True


async def test_admin_onboards_a_partner_and_suspension_stops_its_token_at_once(
    client: httpx.AsyncClient, bearer: BearerHeaders, people: dict[str, Any]
) -> None:
    admin = await bearer(people["admin"])
    body = await graphql(
        client, admin,
        'mutation { registerPartner(input: {name: "Bel & Zo Sittard", city: "Sittard"}) '
        "{ partner { id slug status } userErrors { field code } } }",
    )  # fmt: skip
    registered = body["data"]["registerPartner"]["partner"]
    assert registered["slug"] == "bel-zo-sittard" and registered["status"] == "ACTIVE"

    body = await graphql(
        client, admin,
        "mutation($p: ID!) { createApiClient(input: {partnerId: $p, scopes: [\"nope\"]}) "
        "{ clientSecret userErrors { field code } } }",
        p=registered["id"],
    )  # fmt: skip
    assert body["data"]["createApiClient"] == {
        "clientSecret": None,
        "userErrors": [{"field": "scopes.0", "code": "INVALID_SCOPE"}],
    }
    body = await graphql(
        client, admin,
        "mutation($p: ID!) { createApiClient(input: {partnerId: $p}) "
        "{ clientSecret client { clientId scopes } } }",
        p=registered["id"],
    )  # fmt: skip
    created = body["data"]["createApiClient"]
    assert len(created["clientSecret"]) >= 40 and "matches:read" in created["client"]["scopes"]

    hr_headers = await bearer(people["hr"])
    me = await graphql(client, hr_headers, "{ me { role } }")
    assert me["data"]["me"]["role"] == "PARTNER_HR"
    body = await graphql(
        client, admin,
        "mutation($p: ID!) { suspendPartner(partnerId: $p, reason: SECURITY_INCIDENT) "
        "{ partner { status } suspension { activeProfiles } } }",
        p=str(people["partner"].id),
    )  # fmt: skip
    assert body["data"]["suspendPartner"]["partner"]["status"] == "SUSPENDED"
    refused = await graphql(client, hr_headers, "{ me { role } }")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    body = await graphql(
        client, admin,
        "mutation($p: ID!) { reinstatePartner(partnerId: $p) { partner { status } } }",
        p=str(people["partner"].id),
    )  # fmt: skip
    assert body["data"]["reinstatePartner"]["partner"]["status"] == "ACTIVE"
    assert (await graphql(client, hr_headers, "{ me { role } }"))["data"]["me"]["role"]

    events = await graphql(
        client, admin,
        '{ auditEvents(filter: {action: "partner.*"}, first: 2) '
        "{ edges { cursor node { seq action subjectId details } } pageInfo { hasNextPage } } }",
    )  # fmt: skip
    page = events["data"]["auditEvents"]
    assert [e["node"]["action"] for e in page["edges"]] == [
        "partner.reinstated", "partner.suspended",
    ]  # fmt: skip
    assert page["edges"][1]["node"]["details"]["reason"] == "SECURITY_INCIDENT"
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await graphql(
        client, admin,
        'query($a: String) { auditEvents(filter: {action: "partner.*"}, after: $a) '
        "{ edges { node { action } } pageInfo { hasNextPage } } }",
        a=page["edges"][-1]["cursor"],
    )  # fmt: skip
    assert [e["node"]["action"] for e in rest["data"]["auditEvents"]["edges"]] == [
        "partner.registered"
    ]


async def test_verify_statistics_and_bad_filters(
    client: httpx.AsyncClient, bearer: BearerHeaders, people: dict[str, Any]
) -> None:
    admin = await bearer(people["admin"])
    body = await graphql(
        client, admin,
        "{ verifyAuditTrail { intact eventsChecked firstBrokenSeq breakKind elapsedSeconds } }",
    )  # fmt: skip
    report = body["data"]["verifyAuditTrail"]
    assert report["intact"] and report["eventsChecked"] >= 1 and report["breakKind"] is None

    body = await graphql(
        client, admin,
        '{ exchangeStatistics(from: "2025-01-01", to: "2025-12-31") { from to '
        "partners { slug profilesShared } consentFunnel { requested } } }",
    )  # fmt: skip
    assert body["data"]["exchangeStatistics"]["from"] == "2025-01-01"

    body = await graphql(
        client, admin, '{ auditEvents(filter: {action: "DROP TABLE"}) { edges { cursor } } }'
    )
    assert body["errors"][0]["extensions"]["userErrors"][0]["field"] == "filter.action"


async def test_csv_export_needs_an_admin_token(
    client: httpx.AsyncClient, bearer: BearerHeaders, people: dict[str, Any]
) -> None:
    assert (await client.get("/audit/events.csv")).status_code == 401
    response = await client.get("/audit/events.csv", headers=await bearer(people["hr"]))
    assert response.status_code == 403
    admin = await bearer(people["admin"])
    response = await client.get("/audit/events.csv", params={"from": "yesterday"}, headers=admin)
    assert response.status_code == 400 and response.json()["userErrors"][0]["field"] == "from"
    response = await client.get(
        "/audit/events.csv", params={"action": "profile.shared"}, headers=admin
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["action"] for r in rows] == ["profile.shared"]
    assert rows[0]["partner_id"] == str(people["partner"].id) and len(rows[0]["hash"]) == 64


async def test_checkpoints_are_published_with_their_key(
    client: httpx.AsyncClient, db: ConnectionDatabase, people: dict[str, Any]
) -> None:
    consortium: Consortium = people["consortium"]
    keys = await load_checkpoint_keys(db)
    async with db.transaction(AccessScope.system()) as conn:
        checkpoint = await create_checkpoint(conn, keys, consortium_id=consortium.id)
    assert checkpoint is not None
    response = await client.get("/audit/checkpoints", params={"consortium": consortium.slug})
    assert response.status_code == 200
    [entry] = response.json()
    assert entry["seq"] == checkpoint.seq and entry["jws"] == checkpoint.signed_jws
    assert entry["jwk"]["kty"] == "EC" and "d" not in entry["jwk"]
    other = await client.get("/audit/checkpoints", params={"consortium": str(uuid.uuid4())})
    assert other.json() == []


async def test_events_filtered_by_actor_kind_in_graphql_and_csv(
    client: httpx.AsyncClient, bearer: BearerHeaders, people: dict[str, Any]
) -> None:
    admin = await bearer(people["admin"])
    query = (
        "query($k: String) { auditEvents(filter: {actorKind: $k}) "
        "{ edges { node { action actorKind } } } }"
    )
    clients = await graphql(client, admin, query, k="api_client")
    nodes = [e["node"] for e in clients["data"]["auditEvents"]["edges"]]
    assert nodes and {n["actorKind"] for n in nodes} == {"api_client"}
    assert "profile.shared" in [n["action"] for n in nodes]
    nobody = await graphql(client, admin, query, k="person")
    assert nobody["data"]["auditEvents"]["edges"] == []
    refused = await graphql(client, admin, query, k="robot")
    assert refused["errors"][0]["extensions"]["userErrors"][0]["field"] == "filter.actorKind"

    response = await client.get("/audit/events.csv", params={"actor": "api_client"}, headers=admin)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["actor_kind"] for r in rows} == {"api_client"}
    response = await client.get("/audit/events.csv", params={"actor": "robot"}, headers=admin)
    assert response.status_code == 400 and response.json()["userErrors"][0]["field"] == "actorKind"
