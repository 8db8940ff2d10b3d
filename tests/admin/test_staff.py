"""Staff accounts: an admin onboards HR users and admins, who then sign in by emailed link."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from exchange.partners.models import Consortium, Partner
from exchange.staff import service
from infra.caller import CallerRole
from infra.db import ConnectionDatabase
from infra.errors import Forbidden, UserError
from infra.scope import AccessScope
from tests.support import callers, factories
from tests.support.http import graphql
from tests.support.mail import SignInOutbox, sign_in_token
from tests.support.tokens import BearerHeaders

ADD = """
mutation($input: AddStaffUserInput!) {
  addStaffUser(input: $input) { staffUser { id role email partnerId } userErrors { field code } }
}"""


@pytest.fixture
async def consortium(db: ConnectionDatabase) -> Consortium:
    return await factories.create_consortium(db)


@pytest.fixture
async def partner(db: ConnectionDatabase, consortium: Consortium) -> Partner:
    return await factories.create_partner(db, consortium)


async def _staff_rows(db: ConnectionDatabase) -> int:
    async with db.transaction(AccessScope.system()) as conn:
        return int(await conn.fetchval("select count(*) from staff_user"))


async def test_admin_adds_an_hr_user_who_is_listed_and_audited(
    db: ConnectionDatabase, consortium: Consortium, partner: Partner
) -> None:
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        staff = await service.add_staff_user(
            conn,
            admin,
            email=" HR@Example.nl ",
            display_name="Ilse HR",
            role=CallerRole.PARTNER_HR,
            partner_id=partner.id,
        )
        listed = await service.list_staff_users(conn, admin)
    async with db.transaction(admin.access_scope()) as conn:  # events join the chain at commit
        event = await conn.fetchrow(
            "select action, subject_id, details from audit_event where action = 'staff_user.added'"
        )
    assert staff.email == "hr@example.nl" and staff.partner_id == partner.id  # normalised
    assert [s.id for s in listed] == [staff.id]
    assert event is not None and event["subject_id"] == str(staff.id)
    assert event["details"] == {"role": "partner_hr"}


@pytest.mark.parametrize(
    ("email", "role", "with_partner", "field", "code"),
    [
        ("not-an-address", CallerRole.CONSORTIUM_ADMIN, False, "input.email", "INVALID_EMAIL"),
        ("hr@example.nl", CallerRole.PARTNER_HR, False, "input.partnerId", "REQUIRED"),
        ("admin@example.nl", CallerRole.CONSORTIUM_ADMIN, True, "input.partnerId", "NOT_ALLOWED"),
        ("person@example.nl", CallerRole.CANDIDATE, False, "input.role", "INVALID_ROLE"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    db: ConnectionDatabase,
    consortium: Consortium,
    partner: Partner,
    email: str,
    role: CallerRole,
    with_partner: bool,
    field: str,
    code: str,
) -> None:
    admin = callers.admin_caller(consortium)
    before = await _staff_rows(db)
    with pytest.raises(UserError) as raised:
        async with db.transaction(admin.access_scope()) as conn:
            await service.add_staff_user(
                conn,
                admin,
                email=email,
                display_name="Iemand",
                role=role,
                partner_id=partner.id if with_partner else None,
            )
    assert (field, code) in [(e.field, e.code) for e in raised.value.errors]
    assert await _staff_rows(db) == before


async def test_an_address_is_one_account_and_only_admins_add(
    db: ConnectionDatabase, consortium: Consortium, partner: Partner
) -> None:
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        await service.add_staff_user(
            conn, admin, email="beheer@example.nl", display_name="Beheer",
            role=CallerRole.CONSORTIUM_ADMIN,
        )  # fmt: skip
    with pytest.raises(UserError) as raised:
        async with db.transaction(admin.access_scope()) as conn:
            await service.add_staff_user(
                conn, admin, email="BEHEER@example.nl", display_name="Dubbel",
                role=CallerRole.CONSORTIUM_ADMIN,
            )  # fmt: skip
    assert raised.value.errors[0].code == "CONFLICT"
    hr = callers.partner_caller(partner)
    with pytest.raises(Forbidden):
        async with db.transaction(hr.access_scope()) as conn:
            await service.add_staff_user(
                conn, hr, email="x@example.nl", display_name="X", role=CallerRole.PARTNER_HR,
                partner_id=partner.id,
            )  # fmt: skip


async def test_an_added_hr_user_signs_in_by_emailed_link(
    app: FastAPI,
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
    consortium: Consortium,
    partner: Partner,
) -> None:
    outbox = SignInOutbox()
    app.state.services.mail_sender = outbox
    admin = await bearer(callers.admin_caller(consortium))
    added = await graphql(
        client,
        admin,
        ADD,
        input={
            "email": "ilse.hr@example.nl",
            "displayName": "Ilse",
            "role": "PARTNER_HR",
            "partnerId": str(partner.id),
        },
    )
    payload = added["data"]["addStaffUser"]
    assert payload["userErrors"] == [] and payload["staffUser"]["role"] == "PARTNER_HR"

    await client.post("/auth/sign-in", json={"email": "ilse.hr@example.nl"})
    [mail] = outbox.sent
    redeemed = await client.post(
        "/auth/sign-in/redeem", data={"token": sign_in_token(mail.body_text)}
    )
    me = await graphql(client, redeemed.json()["access_token"], "{ me { role partnerId } }")
    assert me["data"]["me"] == {"role": "PARTNER_HR", "partnerId": str(partner.id)}
