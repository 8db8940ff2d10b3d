"""People sign in by emailed one-time links: single use, short-lived, hashed at rest,
and the same answer whether or not an address is known."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import httpx
import pytest
from fastapi import FastAPI

from exchange.identity import repository
from exchange.identity.keys import key_store
from exchange.identity.models import SignInDoor
from exchange.identity.one_time import TokenPurpose, issue_one_time_token, token_scope
from exchange.identity.service import (
    MAX_LINKS_PER_WINDOW,
    SIGN_IN_ACCEPTED,
    redeem_sign_in,
    send_sign_in_links,
)
from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.mail import MemorySender, deliver_pending
from infra.scope import AccessScope
from infra.settings import Settings
from tests.support.callers import partner_caller
from tests.support.factories import (
    contact_input,
    create_consortium,
    create_partner,
    create_staff,
    share_profile,
)
from tests.support.http import error_code, me
from tests.support.mail import SIGN_IN_LINK, SignInOutbox, sign_in_token
from tests.support.tokens import bearer_header


async def _noop_audit(*_: object, **__: object) -> int:
    return 0


@pytest.fixture
def outbox(app: FastAPI) -> MemorySender:
    sender = SignInOutbox()
    app.state.services.mail_sender = sender
    return sender


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    return await create_partner(db, await create_consortium(db))


async def test_staff_signs_in_with_the_emailed_link(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    user_id, email = await create_staff(db, partner)
    response = await client.post("/auth/sign-in", json={"email": f"  {email.upper()} "})
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "message": SIGN_IN_ACCEPTED}
    [mail] = outbox.sent
    assert mail.to == email and mail.template == "sign_in" and mail.language == "nl"
    raw = sign_in_token(mail.body_text)

    page = await client.get(f"/auth/sign-in/redeem?token={raw}")  # opening the link uses nothing
    assert page.status_code == 200 and f'value="{raw}"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"

    redeemed = await client.post("/auth/sign-in/redeem", data={"token": raw})
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.headers["cache-control"] == "no-store"
    body = redeemed.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900
    data = (await me(client, bearer_header(body["access_token"]))).json()["data"]["me"]
    assert data["role"] == "PARTNER_HR"
    assert data["subject"] == str(user_id)
    assert data["partnerId"] == str(partner.id)

    async with db.transaction(AccessScope.system()) as conn:
        event = await conn.fetchrow(
            """select actor_kind, actor_id, partner_id, subject_id, details::text as details
               from audit_event where action = 'auth.signed_in' and consortium_id = $1""",
            partner.consortium_id,
        )
    assert event is not None
    assert (event["actor_kind"], event["actor_id"]) == ("staff_user", str(user_id))
    assert event["partner_id"] == partner.id
    assert email not in event["details"] and "@" not in event["details"]


async def test_link_works_once(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await client.post("/auth/sign-in", data={"email": email})
    raw = sign_in_token(outbox.sent[0].body_text)
    first = await client.post("/auth/sign-in/redeem", json={"token": raw})
    second = await client.post("/auth/sign-in/redeem", json={"token": raw})
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert second.json()["errors"][0]["field"] == "token"


async def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    known = await client.post("/auth/sign-in", json={"email": email})
    unknown = await client.post("/auth/sign-in", json={"email": "nobody.here@example.nl"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert known.headers["content-length"] == unknown.headers["content-length"]
    assert [m.to for m in outbox.sent] == [email]


async def test_link_expires_after_fifteen_minutes(
    db: ConnectionDatabase, app: FastAPI, app_settings: Settings, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    issued_at = dt.datetime.now(dt.UTC)
    await send_sign_in_links(db, app_settings, email, SignInDoor.API, now=issued_at)
    async with db.transaction(AccessScope.system()) as conn:
        body = await conn.fetchval("select body_text from mail_outbox where to_address = $1", email)
    raw = sign_in_token(body)
    keys = key_store(app.state.services)
    with pytest.raises(UserError) as raised:
        await redeem_sign_in(
            db, keys, app_settings, raw, audit=_noop_audit, now=issued_at + dt.timedelta(minutes=15)
        )
    assert raised.value.errors[0].code == "INVALID_LINK"
    # one minute earlier it still works (and then it is used up)
    token = await redeem_sign_in(
        db, keys, app_settings, raw, audit=_noop_audit, now=issued_at + dt.timedelta(minutes=14)
    )
    assert token.access_token


async def test_expired_link_is_refused_over_http(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await client.post("/auth/sign-in", json={"email": email})
    raw = sign_in_token(outbox.sent[0].body_text)
    async with db.transaction(AccessScope.system()) as conn:  # move the link's clock on
        await conn.execute(
            "update sign_in_token set expires_at = clock_timestamp() - interval '1 second' "
            "where token_hash = $1",
            hashlib.sha256(raw.encode()).hexdigest(),
        )
    response = await client.post("/auth/sign-in/redeem", json={"token": raw})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_only_hashes_are_stored(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await client.post("/auth/sign-in", json={"email": email})
    raw = sign_in_token(outbox.sent[0].body_text)
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch("select t::text as row, token_hash from sign_in_token t")
        mails = await conn.fetch("select m::text as row, status from mail_outbox m")
    assert [r["token_hash"] for r in rows] == [hashlib.sha256(raw.encode()).hexdigest()]
    assert all(raw not in r["row"] for r in rows)
    # delivered (by the request's background task), the stored mail keeps no usable link
    assert mails and {m["status"] for m in mails} == {"SENT"}
    assert all(raw not in m["row"] and "token=[redacted]" in m["row"] for m in mails)


async def test_candidate_signs_in_to_their_own_data(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    email = f"sanne.{uuid.uuid4().hex[:6]}@example.nl"
    profile = await share_profile(db, partner_caller(partner), contact=contact_input(email=email))
    await client.post("/auth/sign-in", json={"email": email})
    redeemed = await client.post(
        "/auth/sign-in/redeem", json={"token": sign_in_token(outbox.sent[0].body_text)}
    )
    data = (await me(client, bearer_header(redeemed.json()["access_token"]))).json()["data"]["me"]
    assert data["role"] == "CANDIDATE"
    assert data["subject"] == str(profile.person_id)
    assert data["partnerId"] is None
    assert data["scopes"] == ["me"]


async def test_one_mail_with_a_link_per_identity(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner, role="consortium_admin")
    await share_profile(db, partner_caller(partner), contact=contact_input(email=email))
    await client.post("/auth/sign-in", json={"email": email})
    [mail] = outbox.sent
    assert len(SIGN_IN_LINK.findall(mail.body_text)) == 2
    assert "Als consortiumbeheerder" in mail.body_text


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-address"},
        {"email": ""},
        {},
        {"email": "a@b"},
        {"email": "x" * 300 + "@e.nl"},
    ],
)
async def test_malformed_address_names_the_field(
    client: httpx.AsyncClient, outbox: MemorySender, payload: dict[str, str]
) -> None:
    response = await client.post("/auth/sign-in", json=payload)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"
    assert outbox.sent == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'["a@example.nl"]', "application/json"),
        (b'{"email": 5}', "application/json"),
        (b"{nope", "application/json"),
        (b"email=a@example.nl", "text/plain"),
        (b"email=" + b"a" * 10_000, "application/x-www-form-urlencoded"),
    ],
)
async def test_malformed_bodies_never_5xx(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    for path in ("/auth/sign-in", "/auth/sign-in/redeem"):
        response = await client.post(path, content=content, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500, (path, response.text)


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "!", "a" * 5000, "../../etc/passwd"])
async def test_garbage_tokens_are_invalid_grant(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post("/auth/sign-in/redeem", json={"token": token})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_consent_token_does_not_sign_in(
    client: httpx.AsyncClient, db: ConnectionDatabase, partner: Partner
) -> None:
    user_id, _ = await create_staff(db, partner)
    async with db.transaction(AccessScope.system()) as conn:
        raw = await issue_one_time_token(
            conn,
            TokenPurpose.CONSENT,
            ttl=dt.timedelta(days=14),
            consortium_id=partner.consortium_id,
            staff_user_id=user_id,
        )
    response = await client.post("/auth/sign-in/redeem", json={"token": raw})
    assert response.status_code == 400
    async with db.transaction(token_scope(raw)) as conn:  # and it is still unused
        assert await conn.fetchval("select used_at from sign_in_token") is None


async def test_suspended_partners_staff_cannot_redeem(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await client.post("/auth/sign-in", json={"email": email})
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update partner set status = 'SUSPENDED' where id = $1", partner.id)
    response = await client.post(
        "/auth/sign-in/redeem", json={"token": sign_in_token(outbox.sent[0].body_text)}
    )
    assert response.status_code == 400


async def test_disabled_staff_get_no_link(db: ConnectionDatabase, partner: Partner) -> None:
    user_id, email = await create_staff(db, partner)
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute("update staff_user set disabled_at = now() where id = $1", user_id)
    async with db.transaction(AccessScope.system()) as conn:
        assert await repository.find_identities(conn, email=email, limit=5) == []


async def test_link_requests_are_throttled_per_identity(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    answers = {
        (await client.post("/auth/sign-in", json={"email": email})).status_code
        for _ in range(MAX_LINKS_PER_WINDOW + 2)
    }
    assert answers == {202}
    assert len(outbox.sent) == MAX_LINKS_PER_WINDOW


async def test_redeemed_token_is_a_short_lived_access_token(
    client: httpx.AsyncClient, db: ConnectionDatabase, outbox: MemorySender, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await client.post("/auth/sign-in", json={"email": email})
    redeemed = await client.post(
        "/auth/sign-in/redeem", json={"token": sign_in_token(outbox.sent[0].body_text)}
    )
    token = redeemed.json()["access_token"]
    response = await me(client, bearer_header(token))
    assert error_code(response) is None
    assert redeemed.json()["expires_in"] <= 900


async def test_delivery_of_mail_written_by_the_service(
    db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    _, email = await create_staff(db, partner)
    await send_sign_in_links(db, app_settings, email, SignInDoor.API)
    sender = MemorySender()
    report = await deliver_pending(db, sender)
    assert report.sent == 1 and [(m.to, m.template) for m in sender.sent] == [(email, "sign_in")]
