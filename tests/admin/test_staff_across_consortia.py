"""A staff address is unique per consortium (issue 11, finding 6): an admin of one
consortium learns nothing about another's staff by adding their address, and one address
with accounts in two consortia signs in to either."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from exchange.partners.models import Consortium
from exchange.staff import service
from infra.caller import CallerRole
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.admin.test_staff import ADD
from tests.support import callers, factories
from tests.support.http import me
from tests.support.mail import SIGN_IN_LINK, SignInOutbox
from tests.support.tokens import BearerHeaders, bearer_header


async def add_admin(db: ConnectionDatabase, consortium: Consortium, email: str) -> Any:
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        return await service.add_staff_user(
            conn, admin, email=email, display_name="Beheer", role=CallerRole.CONSORTIUM_ADMIN
        )


async def staff_rows(db: ConnectionDatabase, email: str) -> list[tuple[Any, ...]]:
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch(
            """select id, consortium_id, role, email, display_name, disabled_at from staff_user
               where lower(email) = $1 order by created_at, id""",
            email,
        )
    return [tuple(r) for r in rows]


async def add_by_graphql(
    client: httpx.AsyncClient, headers: dict[str, str], email: str
) -> dict[str, Any]:
    answer = await client.post(
        "/graphql",
        json={
            "query": ADD,
            "variables": {
                "input": {"email": email, "displayName": "Nieuw", "role": "CONSORTIUM_ADMIN"}
            },
        },
        headers=headers,
    )
    payload: dict[str, Any] = answer.json()["data"]["addStaffUser"]
    return payload


async def test_another_consortiums_address_answers_as_an_unknown_one(
    client: httpx.AsyncClient, bearer: BearerHeaders, db: ConnectionDatabase
) -> None:
    a, b = await factories.create_consortium(db), await factories.create_consortium(db)
    await add_admin(db, b, "beheer.b@example.nl")
    before = await staff_rows(db, "beheer.b@example.nl")
    headers = await bearer(callers.admin_caller(a))

    taken_elsewhere = await add_by_graphql(client, headers, "Beheer.B@example.nl")
    unknown = await add_by_graphql(client, headers, "niemand@example.nl")

    assert taken_elsewhere["userErrors"] == unknown["userErrors"] == []
    assert taken_elsewhere["staffUser"].keys() == unknown["staffUser"].keys()
    after = await staff_rows(db, "beheer.b@example.nl")
    assert after[0] == before[0]  # B's account is untouched
    assert [row[1] for row in after] == [b.id, a.id]  # and A has an account of its own


async def test_within_a_consortium_an_address_is_one_account(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    await add_admin(db, consortium, "beheer@example.nl")
    admin = callers.admin_caller(consortium)
    for role, partner_id in [
        (CallerRole.CONSORTIUM_ADMIN, None),
        (CallerRole.PARTNER_HR, partner.id),
    ]:
        try:
            async with db.transaction(admin.access_scope()) as conn:
                await service.add_staff_user(
                    conn, admin, email="BEHEER@example.nl", display_name="Dubbel", role=role,
                    partner_id=partner_id,
                )  # fmt: skip
        except UserError as error:
            assert [(e.field, e.code) for e in error.errors] == [("input.email", "CONFLICT")]
        else:
            raise AssertionError(f"a second {role.value} account was added")
    assert len(await staff_rows(db, "beheer@example.nl")) == 1


async def test_one_address_in_two_consortia_signs_in_to_either(
    app: FastAPI, client: httpx.AsyncClient, db: ConnectionDatabase
) -> None:
    outbox = SignInOutbox()
    app.state.services.mail_sender = outbox
    a, b = await factories.create_consortium(db), await factories.create_consortium(db)
    in_a = await add_admin(db, a, "twee@example.nl")
    in_b = await add_admin(db, b, "twee@example.nl")

    assert (
        await client.post("/auth/sign-in", json={"email": "twee@example.nl"})
    ).status_code == 202
    [mail] = outbox.sent
    tokens = SIGN_IN_LINK.findall(mail.body_text)
    assert len(tokens) == 2
    subjects = set()
    for token in tokens:
        redeemed = await client.post("/auth/sign-in/redeem", data={"token": token})
        assert redeemed.status_code == 200, redeemed.text
        answer = await me(client, bearer_header(redeemed.json()["access_token"]))
        subjects.add(answer.json()["data"]["me"]["subject"])
    assert subjects == {str(in_a.id), str(in_b.id)}
