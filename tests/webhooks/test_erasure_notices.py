"""Erasure notices: issued with the change, confirmed by the partner, listed for admins;
by webhook or by mail; partners neither reaches are listed as unreachable."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.models import CollectionMethod, ConsentEvent
from exchange.consent_flow import rights
from exchange.consent_flow.service import end_consent, own_profile
from exchange.webhooks import service
from exchange.webhooks.exceptions import NoticeNotFound
from exchange.webhooks.models import ErasureMethod, NoticeStatus
from infra.db import ConnectionDatabase
from tests.conftest import GraphQLAs
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.consent import SETTINGS, withdraw
from tests.support.introductions import World, build_world, request, respond
from tests.support.webhooks import register

CONFIRM = """mutation($id: ID!, $method: ErasureMethod!) {
  confirmErasure(noticeId: $id, method: $method) {
    notice { id status method reason }
    userErrors { field code }
  }
}"""


async def _accepted(db: ConnectionDatabase) -> World:
    world = await build_world(db)
    introduction = await request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    await respond(db, world.person, introduction.id, accept=True)
    return world


async def _actions(db: ConnectionDatabase, consortium_id: object) -> list[str]:
    rows = await system_fetch(
        db, "select action from audit_event where consortium_id = $1 order by seq", consortium_id
    )
    return [r["action"] for r in rows]


async def test_withdrawal_issues_a_notice_the_partner_confirms(
    db: ConnectionDatabase, gql: GraphQLAs
) -> None:
    world = await _accepted(db)
    await withdraw(db, world.person)
    events = await system_fetch(db, "select event_type, payload from webhook_event")
    withdrawn = [e for e in events if e["event_type"] == "consent.withdrawn"]
    assert len(withdrawn) == 1
    data = withdrawn[0]["payload"]["data"]
    assert data["reason"] == "CONSENT_WITHDRAWN" and data["eraseBy"]
    async with db.transaction(world.hr_b.access_scope()) as conn:
        [notice] = await service.erasure_notices(conn, world.hr_b)
    assert str(notice.id) == data["noticeId"]
    async with db.transaction(world.hr_c.access_scope()) as conn:
        assert await service.erasure_notices(conn, world.hr_c) == []
        with pytest.raises(NoticeNotFound):
            await service.confirm_erasure(
                conn, world.hr_c, notice_id=notice.id, method=ErasureMethod.DELETED
            )
    body = await gql(world.hr_b, CONFIRM, id=str(notice.id), method="ANONYMISED")
    assert body["data"]["confirmErasure"]["notice"]["status"] == "CONFIRMED"
    again = await gql(world.hr_b, CONFIRM, id=str(notice.id), method="DELETED")
    assert again["data"]["confirmErasure"]["userErrors"] == [
        {"field": "noticeId", "code": "CONFLICT"}
    ]
    assert {"erasure.notice_issued", "erasure.confirmed"} <= set(
        await _actions(db, world.consortium.id)
    )


async def test_admins_list_open_and_overdue_notices(db: ConnectionDatabase, gql: GraphQLAs) -> None:
    world = await _accepted(db)
    await withdraw(db, world.person)
    admin = callers.admin_caller(world.consortium)
    query = (
        "query($o: Boolean!) { erasureNotices(status: OPEN, overdue: $o) { partnerId overdue } }"
    )
    open_now = await gql(admin, query, o=False)
    assert open_now["data"]["erasureNotices"] == [{"partnerId": str(world.b.id), "overdue": False}]
    assert (await gql(admin, query, o=True))["data"]["erasureNotices"] == []
    async with db.transaction(admin.access_scope()) as conn:
        await conn.execute("update erasure_notice set erase_by = now() - interval '1 day'")
    overdue = await gql(admin, query, o=True)
    assert overdue["data"]["erasureNotices"] == [{"partnerId": str(world.b.id), "overdue": True}]
    async with db.transaction(admin.access_scope()) as conn:
        confirmed = await service.erasure_notices(conn, admin, status=NoticeStatus.CONFIRMED)
    assert confirmed == []


async def test_erasure_goes_by_webhook_to_partners_with_an_endpoint_and_by_mail_to_others(
    db: ConnectionDatabase,
) -> None:
    world = await build_world(db)
    _, b_address = await factories.create_staff(db, world.b)
    _, c_address = await factories.create_staff(db, world.c)
    await register(db, world.hr_b, "http://127.0.0.1:9/hook", ["person.erased"])
    for hr, vacancy in ((world.hr_b, world.vacancy_b), (world.hr_c, world.vacancy_c)):
        introduction = await request(db, hr, world.profile.id, vacancy.id)
        await respond(db, world.person, introduction.id, accept=True)
    async with db.transaction(world.person.access_scope()) as conn:
        counts = await rights.erase_my_data(conn, world.person, SETTINGS)
    assert counts["partners_notified"] == 2 and counts["partners_without_address"] == 0
    mailed = await system_fetch(
        db, "select to_address from mail_outbox where template = 'erasure_notice'"
    )
    assert [m["to_address"] for m in mailed] == [c_address]
    assert b_address not in {m["to_address"] for m in mailed}
    erased = await system_fetch(
        db, "select partner_id from webhook_event where event_type = 'person.erased'"
    )
    assert {e["partner_id"] for e in erased} == {world.b.id, world.c.id}  # C has no endpoint
    notices = await system_fetch(db, "select partner_id, reason from erasure_notice")
    assert {(n["partner_id"], n["reason"]) for n in notices} == {
        (world.b.id, "PERSON_ERASED"),
        (world.c.id, "PERSON_ERASED"),
    }


async def test_partners_with_neither_endpoint_nor_mail_are_listed_to_the_admin(
    db: ConnectionDatabase, gql: GraphQLAs
) -> None:
    world = await build_world(db)
    await factories.create_staff(db, world.a)
    await register(db, world.hr_b, "http://127.0.0.1:9/hook", ["consent.withdrawn"])
    admin = callers.admin_caller(world.consortium)
    body = await gql(admin, "{ unreachablePartners { partnerId name } }")
    assert body["data"]["unreachablePartners"] == [
        {"partnerId": str(world.c.id), "name": world.c.name}
    ]
    refused = await gql(world.hr_a, "{ unreachablePartners { partnerId } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_consent_expiry_issues_a_notice_too(db: ConnectionDatabase) -> None:
    world = await _accepted(db)
    async with db.transaction(world.person.access_scope()) as conn:
        profile = await own_profile(conn, world.person, lock=True)
        now = dt.datetime.now(dt.UTC)
        await end_consent(
            conn, profile, event=ConsentEvent.EXPIRED, ended_at=now,
            method=CollectionMethod.PORTAL, language="nl", now=now,
        )  # fmt: skip
    notices = await system_fetch(db, "select partner_id, reason from erasure_notice")
    assert [(n["partner_id"], n["reason"]) for n in notices] == [(world.b.id, "CONSENT_EXPIRED")]
