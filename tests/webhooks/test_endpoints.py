"""Registering, listing, rotating and disabling webhook endpoints; the SSRF guard."""

from __future__ import annotations

from typing import Any

import pytest

from exchange.webhooks import service
from exchange.webhooks.address_guard import AddressPolicy
from exchange.webhooks.delivery import deliver_due
from exchange.webhooks.exceptions import EndpointNotFound
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.settings import Environment, Settings
from tests.conftest import GraphQLAs
from tests.support import callers, factories
from tests.support.as_system import system_fetchrow
from tests.support.http import TEST_BASE_URL
from tests.support.introductions import build_world, request
from tests.support.webhooks import (
    PRODUCTION_POLICY,
    FakeReceiver,
    context,
    delivery_config,
    register,
    resolver_of,
)

REGISTER = """mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) {
    endpoint { id url eventTypes status secretVersion }
    secret
    userErrors { field code message }
  }
}"""


@pytest.fixture
def app_settings() -> Settings:
    """Test settings, loopback receivers not allowed: the guard as production has it."""
    return Settings(env=Environment.TEST, public_url=TEST_BASE_URL, smtp_host=None)


async def test_a_partner_registers_an_endpoint_and_sees_its_secret_once(
    db: ConnectionDatabase, gql: GraphQLAs
) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    hr = callers.partner_caller(partner)
    body = await gql(
        hr,
        REGISTER,
        input={"url": "https://8.8.8.8/hooks", "eventTypes": ["consent.withdrawn"]},
    )
    payload = body["data"]["registerWebhookEndpoint"]
    assert payload["userErrors"] == []
    assert payload["secret"].startswith("whsec_")
    assert payload["endpoint"]["eventTypes"] == ["consent.withdrawn"]
    listed = await gql(hr, "{ webhookEndpoints { id url status } }")
    assert listed["data"]["webhookEndpoints"] == [
        {"id": payload["endpoint"]["id"], "url": "https://8.8.8.8/hooks", "status": "ACTIVE"}
    ]
    row = await system_fetchrow(
        db, "select * from webhook_endpoint where id = $1::uuid", payload["endpoint"]["id"]
    )
    stored = b"".join(v for v in row.values() if isinstance(v, bytes))
    assert payload["secret"].encode() not in stored
    assert payload["secret"][6:].encode() not in stored


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1",
        "http://169.254.169.254",
        "http://10.0.0.1",
        "https://169.254.169.254/latest",
        "https://[fd00:ec2::254]/",
        "http://0.0.0.0:8000/",
    ],
)
async def test_graphql_refuses_internal_addresses_naming_the_field(
    db: ConnectionDatabase, gql: GraphQLAs, url: str
) -> None:
    consortium = await factories.create_consortium(db)
    hr = callers.partner_caller(await factories.create_partner(db, consortium))
    body = await gql(hr, REGISTER, input={"url": url, "eventTypes": ["partner.suspended"]})
    payload: dict[str, Any] = body["data"]["registerWebhookEndpoint"]
    assert payload["endpoint"] is None and payload["secret"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("input.url", "NOT_ALLOWED")
    ]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/hook", "NOT_ALLOWED"),
        ("https://169.254.169.254/latest/meta-data", "NOT_ALLOWED"),
        ("https://10.0.0.1/hook", "NOT_ALLOWED"),
        ("https://[::1]/hook", "NOT_ALLOWED"),
        ("https://[::ffff:10.0.0.1]/hook", "NOT_ALLOWED"),
        ("https://intranet.partner.example/hook", "NOT_ALLOWED"),  # resolves to 192.168.1.20
        ("http://hooks.partner.example/hook", "NOT_ALLOWED"),  # not HTTPS
        ("https://user:pw@hooks.partner.example/hook", "NOT_ALLOWED"),
        ("ftp://hooks.partner.example/", "INVALID_LINK"),
        ("not a url", "INVALID_LINK"),
    ],
)
async def test_outside_development_the_guard_refuses(
    db: ConnectionDatabase, url: str, code: str
) -> None:
    consortium = await factories.create_consortium(db)
    hr = callers.partner_caller(await factories.create_partner(db, consortium))
    # the resolver knows one private name; any other lookup fails the test
    resolver = resolver_of({"intranet.partner.example": "192.168.1.20"})
    with pytest.raises(UserError) as refused:
        await register(
            db, hr, url, ["consent.withdrawn"], policy=PRODUCTION_POLICY, resolver=resolver
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [("input.url", code)]


async def test_a_public_name_is_accepted_in_production(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    hr = callers.partner_caller(await factories.create_partner(db, consortium))
    resolver = resolver_of({"hooks.partner.example": "93.184.216.34"})
    created = await register(
        db,
        hr,
        "https://hooks.partner.example/tussendeur",
        ["consent.withdrawn"],
        policy=PRODUCTION_POLICY,
        resolver=resolver,
    )
    assert created.endpoint.url == "https://hooks.partner.example/tussendeur"


async def test_rotate_disable_and_another_partner_sees_nothing(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    a = callers.partner_caller(await factories.create_partner(db, consortium))
    b = callers.partner_caller(await factories.create_partner(db, consortium))
    created = await register(db, a, "http://127.0.0.1:9/hook", ["partner.suspended"])
    async with db.transaction(a.access_scope()) as conn:
        rotated = await service.rotate_secret(conn, a, context(), endpoint_id=created.endpoint.id)
    assert rotated.secret != created.secret
    assert rotated.endpoint.secret_version == created.endpoint.secret_version + 1
    async with db.transaction(b.access_scope()) as conn:
        assert await service.list_endpoints(conn, b) == []
        with pytest.raises(EndpointNotFound):
            await service.disable_endpoint(conn, b, endpoint_id=created.endpoint.id)
    async with db.transaction(a.access_scope()) as conn:
        disabled = await service.disable_endpoint(conn, a, endpoint_id=created.endpoint.id)
    assert disabled.status.value == "DISABLED"


async def test_an_admin_registers_for_a_partner_and_lists_all(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        created = await service.register_endpoint(
            conn,
            admin,
            context(),
            url="http://127.0.0.1:9/hook",
            event_types=["person.erased"],
            partner_id=partner.id,
        )
        listed = await service.list_endpoints(conn, admin)
    assert created.endpoint.partner_id == partner.id
    assert [e.id for e in listed] == [created.endpoint.id]


async def test_unknown_and_repeated_event_types_are_named(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    hr = callers.partner_caller(await factories.create_partner(db, consortium))
    with pytest.raises(UserError) as refused:
        await register(
            db, hr, "http://127.0.0.1/h", ["consent.withdrawn", "nope", "consent.withdrawn"]
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("input.eventTypes.1", "INVALID"),
        ("input.eventTypes.2", "DUPLICATE"),
    ]


async def test_the_delivery_log_update_and_redelivery_over_graphql(
    db: ConnectionDatabase, gql: GraphQLAs
) -> None:
    world = await build_world(db)
    created = await register(db, world.hr_b, "http://127.0.0.1:9/hook", ["introduction.requested"])
    await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await deliver_due(db, delivery_config(transport=FakeReceiver(statuses=[500]).transport()))
    log = await gql(
        world.hr_b,
        """query($id: ID!) { webhookDeliveries(endpointId: $id) {
             id webhookId eventType status attemptCount
             attempts { statusCode latencyMs outcome } } }""",
        id=str(created.endpoint.id),
    )
    [message] = log["data"]["webhookDeliveries"]
    assert (message["eventType"], message["status"], message["attemptCount"]) == (
        "introduction.requested", "PENDING", 1,
    )  # fmt: skip
    assert message["attempts"][0]["statusCode"] == 500
    assert message["webhookId"] == "msg_" + message["id"].replace("-", "")
    other = await gql(
        world.hr_c,
        "query($id: ID!) { webhookDeliveries(endpointId: $id) { id } }",
        id=str(created.endpoint.id),
    )
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    redelivered = await gql(
        world.hr_b,
        "mutation($id: ID!) { redeliverWebhookMessage(messageId: $id) { message { status } "
        "userErrors { field code } } }",
        id=message["id"],
    )
    assert redelivered["data"]["redeliverWebhookMessage"]["message"]["status"] == "PENDING"
    updated = await gql(
        world.hr_b,
        """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
             endpoint { url eventTypes } secret userErrors { field code } } }""",
        input={"id": str(created.endpoint.id), "url": "http://10.0.0.5/x"},
    )
    assert updated["data"]["updateWebhookEndpoint"]["userErrors"] == [
        {"field": "input.url", "code": "NOT_ALLOWED"}
    ]
    updated = await gql(
        world.hr_b,
        """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
             endpoint { eventTypes } secret userErrors { field code } } }""",
        input={"id": str(created.endpoint.id), "eventTypes": ["matches.new"]},
    )
    payload = updated["data"]["updateWebhookEndpoint"]
    assert payload["endpoint"]["eventTypes"] == ["matches.new"] and payload["secret"] is None


async def test_the_loopback_allowance_admits_plain_http_to_loopback_only(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    hr = callers.partner_caller(await factories.create_partner(db, consortium))
    allowance = AddressPolicy(require_https=True, allow_loopback=True)
    created = await register(
        db, hr, "http://127.0.0.1:8765/webhooks", ["matches.new"], policy=allowance
    )
    assert created.endpoint.url == "http://127.0.0.1:8765/webhooks"
    resolver = resolver_of({"hooks.partner.example": "93.184.216.34"})
    with pytest.raises(UserError) as refused:
        await register(
            db, hr, "http://hooks.partner.example/h", ["matches.new"],
            policy=allowance, resolver=resolver,
        )  # fmt: skip
    assert [(e.field, e.code) for e in refused.value.errors] == [("input.url", "NOT_ALLOWED")]
    with pytest.raises(UserError):
        await register(db, hr, "http://10.1.1.1/h", ["matches.new"], policy=allowance)
