"""The example partner client against the real exchange: its receiver on loopback gets
``introduction.accepted`` and then ``consent.withdrawn``, verifies both and confirms the
erasure; no webhook body or log line carries a name, email or phone (a canary)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from examples.ats_client import SCHEMA_FILE, Receiver, TussendeurApi
from exchange.webhooks.delivery import config_from_settings, deliver_due, signed_headers
from infra.settings import Environment, Settings
from schema.root import build_schema
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.browser import served_on_localhost
from tests.support.consent import grant, withdraw
from tests.support.http import TEST_BASE_URL
from tests.support.introductions import respond
from tests.support.webhooks import partner_api_client, serving

REGISTER = """mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) { endpoint { id } secret userErrors { field code } }
}"""
ROTATE = """mutation($id: ID!) {
  rotateWebhookSecret(id: $id) { secret userErrors { field code } }
}"""
CANARY_NAME = "Canary Zwartkop"
CANARY_EMAIL = f"canary.{uuid.uuid4().hex[:8]}@example.nl"
CANARY_PHONE = "+31 6 55501234"


def test_the_exported_schema_is_current() -> None:
    current = build_schema(Settings(env=Environment.PRODUCTION)).as_str().rstrip("\n") + "\n"
    assert SCHEMA_FILE.read_text("utf-8") == current, "run: tussendeur schema export > " + str(
        SCHEMA_FILE.relative_to(SCHEMA_FILE.parents[1])
    )


async def _until(check: Any, seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.2)


async def test_share_consent_match_introduce_accept_withdraw(
    fresh_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    overrides: dict[str, Any] = {
        "webhook_allow_loopback": True,
        "webhook_delivery_interval_seconds": 0,  # this test runs the worker itself
    }
    async with served_on_localhost(fresh_database, **overrides) as (base_url, db):
        consortium = await factories.create_consortium(db)
        a = await factories.create_partner(db, consortium, name="Deelt A")
        b = await factories.create_partner(db, consortium, name="Werft B")
        hr_a, hr_b = callers.partner_caller(a), callers.partner_caller(b)
        vacancy = await factories.create_vacancy(db, hr_b)
        api = TussendeurApi(base_url, *await partner_api_client(db, b))
        receiver = Receiver("whsec_placeholder", api)
        async with serving(receiver.app()) as port:
            registered = await api.graphql(
                REGISTER,
                input={
                    "url": f"http://127.0.0.1:{port}/webhooks",
                    "eventTypes": ["introduction.accepted", "consent.withdrawn"],
                },
            )
            payload = registered["registerWebhookEndpoint"]
            assert payload["userErrors"] == []
            receiver.secret = payload["secret"]

            contact = factories.contact_input(
                full_name=CANARY_NAME, email=CANARY_EMAIL, phone=CANARY_PHONE
            )
            profile = await factories.share_profile(db, hr_a, contact=contact)  # share
            person = callers.candidate_caller(profile)
            await grant(db, person)  # consent

            async def matched() -> bool:  # the served matcher hears the consent
                return str(profile.id) in await api.matches(str(vacancy.id))

            await _until(matched)
            introduction_id = await api.request_introduction(str(profile.id), str(vacancy.id))
            await respond(db, person, uuid.UUID(introduction_id), accept=True)

            settings = Settings(
                env=Environment.TEST, public_url=TEST_BASE_URL, webhook_allow_loopback=True
            )
            config = config_from_settings(settings)
            assert (await deliver_due(db, config)).delivered == 1
            assert receiver.store.events == ["introduction.accepted"]
            assert receiver.store.contacts[introduction_id]["email"] == CANARY_EMAIL

            await withdraw(db, person)
            assert (await deliver_due(db, config)).delivered == 1
            assert receiver.store.events == ["introduction.accepted", "consent.withdrawn"]
            assert receiver.store.contacts == {}
            [notice_id] = receiver.store.confirmed_notices

        trail = await system_fetch(
            db,
            "select action, subject_id from audit_event where consortium_id = $1 order by seq",
            consortium.id,
        )
        steps = [(t["action"], t["subject_id"]) for t in trail]
        assert ("erasure.notice_issued", notice_id) in steps
        assert ("erasure.confirmed", notice_id) in steps
        bodies = await system_fetch(db, "select body from webhook_message")
    sent = "\n".join(row["body"] for row in bodies)
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}" for r in caplog.records
    )
    for canary in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, "Zwartkop", CANARY_PHONE[-8:]):
        assert canary not in sent
        assert canary not in logged


def _receiver(secret: str) -> Receiver:
    return Receiver(secret, TussendeurApi("http://127.0.0.1:9", "x", "y", schema=""))


def test_the_receiver_refuses_tampering_wrong_secret_old_timestamp_and_replay() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = (
        '{"data":{"noticeId":"n1"},"timestamp":"2026-01-01T00:00:00Z","type":"consent.withdrawn"}'
    )
    now = dt.datetime.now(dt.UTC)
    headers = signed_headers(secret, "msg_1", body, now)
    receiver = _receiver(secret)
    assert receiver.verify(body.encode(), headers)["type"] == "consent.withdrawn"
    with pytest.raises(WebhookVerificationError):  # a tampered body
        receiver.verify(body.replace("n1", "n2").encode(), headers)
    other = "whsec_" + "QzJ1dGhlcnNlY3JldHRoYXRpc2xvbmdlbm91Z2g="
    with pytest.raises(WebhookVerificationError):  # signed with another secret
        receiver.verify(body.encode(), signed_headers(other, "msg_1", body, now))
    old = signed_headers(secret, "msg_2", body, now - dt.timedelta(minutes=6))
    with pytest.raises(WebhookVerificationError):  # older than 5 minutes
        receiver.verify(body.encode(), old)
    receiver.seen_ids.add("msg_1")
    with pytest.raises(WebhookVerificationError):  # a replayed webhook-id
        receiver.verify(body.encode(), headers)


async def test_after_rotation_the_old_secret_stops_verifying(fresh_database: str) -> None:
    overrides: dict[str, Any] = {"webhook_allow_loopback": True}
    async with served_on_localhost(fresh_database, **overrides) as (base_url, db):
        consortium = await factories.create_consortium(db)
        partner = await factories.create_partner(db, consortium)
        api = TussendeurApi(base_url, *await partner_api_client(db, partner))
        registered = await api.graphql(
            REGISTER,
            input={"url": "http://127.0.0.1:9/webhooks", "eventTypes": ["partner.suspended"]},
        )
        old_secret = registered["registerWebhookEndpoint"]["secret"]
        endpoint_id = registered["registerWebhookEndpoint"]["endpoint"]["id"]
        rotated = await api.graphql(ROTATE, id=endpoint_id)
        new_secret = rotated["rotateWebhookSecret"]["secret"]
    assert new_secret != old_secret
    body = '{"data":{},"timestamp":"2026-01-01T00:00:00Z","type":"partner.suspended"}'
    headers = signed_headers(new_secret, "msg_9", body, dt.datetime.now(dt.UTC))
    assert _receiver(new_secret).verify(body.encode(), headers)["type"] == "partner.suspended"
    with pytest.raises(WebhookVerificationError):
        _receiver(old_secret).verify(body.encode(), headers)
