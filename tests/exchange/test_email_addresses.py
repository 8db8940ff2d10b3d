"""One e-mail check for the whole exchange: what sharing accepts, the outbox mails to,
and the address is found again by sign-in however it is typed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest

from exchange.identity import repository as identity_repository
from exchange.staff import service as staff_service
from infra.caller import Caller, CallerRole
from infra.db import ConnectionDatabase
from infra.email_address import normalize_email, smtp_address
from infra.errors import UserError
from infra.mail import enqueue_mail
from infra.scope import AccessScope
from tests.support import callers, factories
from tests.support.http import graphql
from tests.support.tokens import BearerHeaders

SHARE_PROFILE = """
mutation Share($input: ShareProfileInputType!) {
  shareProfile(input: $input) { profile { id } userErrors { field code message } }
}"""


def share_variables(email: str) -> dict[str, Any]:
    return {
        "input": {
            "profile": {
                "kind": "READY_TO_MOVE",
                "postcodeArea": "6221",
                "maxTravelKm": 25,
                "hoursMin": 24,
                "hoursMax": 32,
                "availableFrom": dt.datetime.now(dt.UTC).date().isoformat(),
                "competencies": [{"phrase": "klachtafhandeling"}],
            },
            "contact": {"fullName": "Mara O'Brien", "email": email},
        }
    }


@pytest.fixture
async def hr(db: ConnectionDatabase) -> Caller:
    consortium = await factories.create_consortium(db)
    return callers.partner_caller(await factories.create_partner(db, consortium))


async def share(client: httpx.AsyncClient, headers: dict[str, str], email: str) -> dict[str, Any]:
    body = await graphql(client, headers, SHARE_PROFILE, share_variables(email))
    payload: dict[str, Any] = body["data"]["shareProfile"]
    return payload


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("o'brien@example.nl", "o'brien@example.nl"),
        ("jan@müller.nl", "jan@müller.nl"),
        (" Jan@MÜLLER.nl ", "jan@müller.nl"),
        ("jan@xn--mller-kva.nl", "jan@müller.nl"),
    ],
)
async def test_an_address_sharing_accepts_gets_its_consent_mail(
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
    db: ConnectionDatabase,
    hr: Caller,
    typed: str,
    stored: str,
) -> None:
    payload = await share(client, await bearer(hr), typed)
    assert payload["userErrors"] == []
    async with db.transaction(AccessScope.system()) as conn:
        row = await conn.fetchrow(
            """select c.email, m.to_address, m.template from profile p
               join person_contact c using (person_id)
               join mail_outbox m on m.person_id = p.person_id
               where p.id = $1""",
            uuid.UUID(payload["profile"]["id"]),
        )
    assert row is not None
    assert (row["email"], row["to_address"], row["template"]) == (stored, stored, "consent_request")


@pytest.mark.parametrize(
    "bad", ["geen-adres", "jan@müller", "o'brien@@example.nl", '"quoted"@example.nl', "a@x.test"]
)
async def test_a_bad_address_names_the_input_field_and_writes_nothing(
    client: httpx.AsyncClient, bearer: BearerHeaders, db: ConnectionDatabase, hr: Caller, bad: str
) -> None:
    payload = await share(client, await bearer(hr), bad)
    assert payload["profile"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        ("input.contact.email", "INVALID_EMAIL")
    ]
    async with db.transaction(AccessScope.system()) as conn:
        assert await conn.fetchval("select count(*) from mail_outbox") == 0
        assert await conn.fetchval("select count(*) from person_contact") == 0


async def test_staff_accounts_take_the_same_addresses(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        staff = await staff_service.add_staff_user(
            conn, admin, email="Jan@Müller.NL", display_name="Jan",
            role=CallerRole.CONSORTIUM_ADMIN,
        )  # fmt: skip
        with pytest.raises(UserError) as refused:
            await staff_service.add_staff_user(
                conn, admin, email="jan@müller", display_name="Jan",
                role=CallerRole.CONSORTIUM_ADMIN,
            )  # fmt: skip
    assert staff.email == "jan@müller.nl"
    assert [(e.field, e.code) for e in refused.value.errors] == [("input.email", "INVALID_EMAIL")]


async def test_sign_in_finds_a_shared_address_however_it_is_typed(
    db: ConnectionDatabase, hr: Caller
) -> None:
    contact = factories.contact_input(email="O'Brien@Müller.nl")
    profile = await factories.share_profile(db, hr, contact=contact)
    for typed in ("o'brien@müller.nl", "O'BRIEN@xn--mller-kva.nl"):
        async with db.transaction(AccessScope.system()) as conn:  # as the sign-in job looks
            found = await identity_repository.find_identities(
                conn, email=normalize_email(typed, field="email"), limit=5
            )
        assert [i.id for i in found] == [profile.person_id]


async def test_the_outbox_takes_what_the_check_returns_and_refuses_the_rest_as_a_bug(
    db: ConnectionDatabase,
) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        for typed in ("o'brien@example.nl", "jan@müller.nl", "Ünïcode.Ñame@Example.NL"):
            address = normalize_email(typed, field="input.email")
            assert normalize_email(address, field="input.email") == address  # a fixed point
            await enqueue_mail(conn, address, "Onderwerp", "Tekst", "test")
        with pytest.raises(ValueError, match="not a checked address"):
            await enqueue_mail(conn, "jan@müller", "Onderwerp", "Tekst", "test")
    assert smtp_address("jan@müller.nl") == "jan@xn--mller-kva.nl"
