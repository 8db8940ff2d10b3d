"""The candidate's GraphQL operations over HTTP, with real tokens."""

from __future__ import annotations

from tests.support import callers, factories
from tests.support.http import graphql

GRANT = """mutation($input: GrantConsentInput!) {
  grantConsent(input: $input) {
    profileStatus
    consent { event expiresAt scope { kind partnerIds } receipt }
    userErrors { field code message }
  }
}"""


async def test_candidate_operations_end_to_end(db, client, bearer) -> None:  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = await bearer(callers.candidate_caller(profile))

    body = await graphql(client, person, "{ myProfile { pseudonym status } }")
    assert body["data"]["myProfile"] == {
        "pseudonym": profile.pseudonym,
        "status": "PENDING_CONSENT",
    }

    bad = await graphql(client, person, GRANT, {"input": {
        "scope": {"kind": "ONLY", "partnerIds": ["nope"]}, "durationMonths": 0}})  # fmt: skip
    errors = bad["data"]["grantConsent"]["userErrors"]
    assert {e["code"] for e in errors} == {"INVALID_ID"}

    ok = await graphql(client, person, GRANT, {"input": {
        "scope": {"kind": "ONLY", "partnerIds": [str(b.id)]}, "durationMonths": 6}})  # fmt: skip
    payload = ok["data"]["grantConsent"]
    assert payload["userErrors"] == [] and payload["profileStatus"] == "ACTIVE"
    assert payload["consent"]["event"] == "GRANTED"

    consents = await graphql(client, person, "{ myConsents { event receiptId receipt } }")
    record = consents["data"]["myConsents"][0]
    assert record["receipt"]["consentReceiptID"] == record["receiptId"]

    log = await graphql(client, person, "{ myAccessLog(first: 5) { edges { node { kind } } } }")
    assert log["data"]["myAccessLog"]["edges"] == []

    update = await graphql(
        client, person,
        """mutation { updateMyProfile(input: {headline: "Klantgericht", hoursMax: 50}) {
             profile { headline } userErrors { field code } } }""",
    )  # fmt: skip
    assert update["data"]["updateMyProfile"] == {
        "profile": None,
        "userErrors": [{"field": "input.hoursMax", "code": "OUT_OF_RANGE"}],
    }

    export = await graphql(client, person, "{ exportMyData }")
    assert export["data"]["exportMyData"]["person"]["pseudonym"].startswith("P-")

    withdrawn = await graphql(
        client, person, "mutation { withdrawConsent { consent { event } userErrors { code } } }"
    )
    assert withdrawn["data"]["withdrawConsent"]["consent"]["event"] == "WITHDRAWN"

    erased = await graphql(
        client, person, "mutation { eraseMyData { erased profiles userErrors { code } } }"
    )
    assert erased["data"]["eraseMyData"] == {"erased": True, "profiles": 1, "userErrors": []}


async def test_candidate_operations_are_for_candidates_only(db, client, bearer) -> None:  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium)
    partner = await bearer(callers.partner_caller(a))
    for query in ("{ myProfile { id } }", "{ myConsents { id } }", "{ exportMyData }",
                  "mutation { eraseMyData { erased } }"):  # fmt: skip
        body = await graphql(client, partner, query)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
    anonymous = await graphql(client, {}, "{ myConsents { id } }")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
