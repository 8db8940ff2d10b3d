"""Double opt-in: the request mail, confirm with scope and duration, refuse, withdraw, change."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.models import CollectionMethod
from exchange.consent_flow import service as flow
from infra.errors import UserError
from tests.support import callers, factories
from tests.support.as_system import system_fetch, visible_profile_ids
from tests.support.consent import SETTINGS, grant


@pytest.fixture
async def world(db):  # type: ignore[no-untyped-def]
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    c = await factories.create_partner(db, consortium, name="Belwerk Parkstad")
    return consortium, a, b, c


async def test_share_mails_a_single_use_consent_link(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, _, _ = world
    profile = await factories.share_profile(db, callers.partner_caller(a))
    mails = await system_fetch(
        db,
        "select template, body_text, to_address from mail_outbox where person_id = $1",
        profile.person_id,
    )
    assert [m["template"] for m in mails] == ["consent_request"]
    assert "/portal/consent?token=" in mails[0]["body_text"]
    tokens = await system_fetch(
        db, "select purpose, profile_id from sign_in_token where person_id = $1", profile.person_id
    )
    assert [(t["purpose"], t["profile_id"]) for t in tokens] == [("CONSENT", profile.id)]
    contact = await system_fetch(
        db, "select full_name from person_contact where person_id = $1", profile.person_id
    )
    assert contact[0]["full_name"] not in mails[0]["body_text"]


async def test_confirm_makes_the_profile_visible_in_scope_only(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, b, c = world
    hr_a, hr_b, hr_c = (callers.partner_caller(p) for p in (a, b, c))
    profile = await factories.share_profile(db, hr_a)
    assert profile.id not in await visible_profile_ids(db, hr_b)
    person = callers.candidate_caller(profile)
    outcome = await grant(db, person, kind="ONLY", partners=(b.id,), months=3)
    assert outcome.status == "ACTIVE"
    assert outcome.record.event.value == "GRANTED"
    assert profile.id in await visible_profile_ids(db, hr_b)
    assert profile.id not in await visible_profile_ids(db, hr_c)
    rows = await system_fetch(db, "select * from profile where id = $1", profile.id)
    assert rows[0]["status"] == "ACTIVE" and rows[0]["pending_until"] is None
    assert rows[0]["consent_scope_partner_ids"] == [b.id]
    expires = rows[0]["consent_expires_at"]
    assert dt.timedelta(days=88) < expires - dt.datetime.now(dt.UTC) < dt.timedelta(days=93)


async def test_choices_are_validated_per_field(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, _, _ = world
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    other = await factories.create_partner(db, await factories.create_consortium(db))
    with pytest.raises(UserError) as caught:
        await grant(db, person, kind="ONLY", partners=(other.id, a.id), months=13)
    codes = {(e.field, e.code) for e in caught.value.errors}
    assert codes == {
        ("input.durationMonths", "OUT_OF_RANGE"),
        ("input.scope.partnerIds.0", "NOT_FOUND"),
        ("input.scope.partnerIds.1", "OWN_PARTNER"),
    }
    with pytest.raises(UserError) as caught:
        await grant(db, person, kind="SOME")
    assert [e.code for e in caught.value.errors] == ["INVALID"]
    with pytest.raises(UserError) as caught:
        await grant(db, person, kind="ALL_EXCEPT")
    assert [e.code for e in caught.value.errors] == ["REQUIRED"]
    rows = await system_fetch(db, "select status from profile where id = $1", profile.id)
    assert rows[0]["status"] == "PENDING_CONSENT"


async def test_refuse_deletes_profile_person_and_contact(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, _, _ = world
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    async with db.transaction(person.access_scope()) as conn:
        outcome = await flow.refuse_consent(conn, person, method=CollectionMethod.EMAIL_LINK)
    assert outcome.status == "DELETED"
    for table, column in (
        ("profile", "id"),
        ("person", "id"),
        ("person_contact", "person_id"),
        ("mail_outbox", "person_id"),
        ("sign_in_token", "person_id"),
    ):
        value = profile.id if table == "profile" else profile.person_id
        assert not await system_fetch(db, f"select 1 from {table} where {column} = $1", value)  # noqa: S608
    records = await system_fetch(
        db,
        "select event, person_id, profile_id from consent_record where id = $1",
        outcome.record.id,
    )
    assert [tuple(r) for r in records] == [("REFUSED", None, None)]


async def test_withdraw_hides_at_once_and_only_in_force_can_be_withdrawn(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, b, _ = world
    hr_b = callers.partner_caller(b)
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    async with db.transaction(person.access_scope()) as conn:
        with pytest.raises(UserError) as caught:
            await flow.withdraw_consent(conn, person, method=CollectionMethod.API)
    assert caught.value.errors[0].code == "CONFLICT"
    await grant(db, person)
    assert profile.id in await visible_profile_ids(db, hr_b)
    async with db.transaction(person.access_scope()) as conn:
        outcome = await flow.withdraw_consent(conn, person, method=CollectionMethod.API)
    assert outcome.status == "WITHDRAWN"
    assert profile.id not in await visible_profile_ids(db, hr_b)
    async with db.transaction(person.access_scope()) as conn:
        with pytest.raises(UserError) as caught:
            await flow.withdraw_consent(conn, person, method=CollectionMethod.API)
    assert caught.value.errors[0].code == "CLOSED"
    again = await grant(db, person, months=2)  # granted again inside the grace period
    assert (again.record.event.value, again.status) == ("RENEWED", "ACTIVE")
    assert profile.id in await visible_profile_ids(db, hr_b)


async def test_change_scope_keeps_expiry_and_renew_sets_a_new_term(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, b, c = world
    hr_b, hr_c = callers.partner_caller(b), callers.partner_caller(c)
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    first = await grant(db, person, months=2)
    changed = await grant(db, person, kind="ALL_EXCEPT", partners=(c.id,))
    assert changed.record.event.value == "CHANGED"
    assert changed.record.expires_at == first.record.expires_at
    assert profile.id in await visible_profile_ids(db, hr_b)
    assert profile.id not in await visible_profile_ids(db, hr_c)
    renewed = await grant(db, person, kind="ALL_EXCEPT", partners=(c.id,), months=12)
    assert renewed.record.event.value == "RENEWED"
    assert renewed.record.expires_at and first.record.expires_at
    assert renewed.record.expires_at > first.record.expires_at
    events = await system_fetch(
        db,
        "select action from audit_event where subject_id = $1 order by seq",
        str(profile.id),
    )
    assert [e["action"] for e in events] == [
        "profile.shared",
        "consent.granted",
        "consent.changed",
        "consent.renewed",
    ]


async def test_consent_records_are_append_only(db, world) -> None:  # type: ignore[no-untyped-def]
    _, a, _, _ = world
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    outcome = await grant(db, person)
    import asyncpg

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(person.access_scope()) as conn:
            await conn.execute(
                "update consent_record set scope_kind = 'ONLY' where id = $1", outcome.record.id
            )
    assert SETTINGS.consent_grace_days == 30
