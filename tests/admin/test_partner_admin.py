"""Partner administration use cases: register, API clients, suspend, reinstate."""

from __future__ import annotations

import uuid

import pytest

from exchange.admin import service
from exchange.admin.models import SuspensionReason
from exchange.identity.clients import find_api_client, verify_client_secret
from exchange.partners.models import PartnerStatus
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.support import callers, factories, introductions
from tests.support.as_system import system_fetchrow


async def _events(db: ConnectionDatabase, consortium_id: uuid.UUID) -> list[tuple[str, str]]:
    async with db.transaction(AccessScope.system()) as conn:
        rows = await conn.fetch(
            "select action, subject_id from audit_event where consortium_id = $1 order by seq",
            consortium_id,
        )
    return [(r["action"], r["subject_id"]) for r in rows]


async def test_register_partner_derives_the_slug_and_audits(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        partner = await service.register_partner(
            conn, admin, name="Bel & Zo Contactcenter Heerlen", city="Heerlen"
        )
    assert partner.slug == "bel-zo-contactcenter-heerlen"
    assert partner.status is PartnerStatus.ACTIVE and partner.consortium_id == consortium.id
    assert await _events(db, consortium.id) == [("partner.registered", str(partner.id))]


async def test_register_partner_names_bad_fields_and_writes_nothing(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    admin = callers.admin_caller(consortium)
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.register_partner(conn, admin, name=" ", slug="Not A Slug", city="x" * 81)
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("input.slug", "INVALID"),
        ("input.name", "INVALID"),
        ("input.city", "TOO_LONG"),
    }
    async with db.transaction(admin.access_scope()) as conn:
        await service.register_partner(conn, admin, name="Een", slug="een")
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.register_partner(conn, admin, name="Een bis", slug="een")
    assert [(e.field, e.code) for e in caught.value.errors] == [("input.slug", "CONFLICT")]
    assert len(await _events(db, consortium.id)) == 1


async def test_create_api_client_shows_the_secret_once_and_stores_its_hash(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    admin = callers.admin_caller(consortium)
    async with db.transaction(admin.access_scope()) as conn:
        created = await service.create_api_client(conn, admin, partner_id=partner.id)
    stored = await find_api_client(db, created.client.client_id)
    assert stored is not None and stored.partner_id == partner.id
    assert created.client_secret not in stored.secret_hash
    assert verify_client_secret(stored.secret_hash, created.client_secret)
    assert "profiles:write" in created.client.scopes and "admin" not in created.client.scopes
    assert await _events(db, consortium.id) == [("api_client.created", created.client.client_id)]


async def test_api_client_scopes_are_checked(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    admin = callers.admin_caller(consortium)
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.create_api_client(
                conn, admin, partner_id=partner.id, scopes=["vacancies:read", "admin"]
            )
    assert [(e.field, e.code) for e in caught.value.errors] == [("scopes.1", "INVALID_SCOPE")]
    async with db.transaction(admin.access_scope()) as conn:
        consortium_client = await service.create_api_client(conn, admin, partner_id=None)
        unknown = uuid.uuid4()
        with pytest.raises(UserError) as caught:
            await service.create_api_client(conn, admin, partner_id=unknown)
    assert consortium_client.client.scopes == ("admin", "audit:read")
    assert [(e.field, e.code) for e in caught.value.errors] == [("partnerId", "NOT_FOUND")]


async def test_revoke_api_client(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    other = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    admin, other_admin = callers.admin_caller(consortium), callers.admin_caller(other)
    async with db.transaction(admin.access_scope()) as conn:
        created = await service.create_api_client(conn, admin, partner_id=partner.id)
    client_id = created.client.client_id
    with pytest.raises(UserError) as caught:
        async with db.transaction(other_admin.access_scope()) as conn:
            await service.revoke_api_client(conn, other_admin, client_id=client_id)
    assert caught.value.errors[0].code == "NOT_FOUND"
    async with db.transaction(admin.access_scope()) as conn:
        revoked = await service.revoke_api_client(conn, admin, client_id=client_id)
    assert revoked.revoked_at is not None
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.revoke_api_client(conn, admin, client_id=client_id)
    assert caught.value.errors[0].code == "CLOSED"
    assert (await _events(db, consortium.id))[-1] == ("api_client.revoked", client_id)


async def test_suspension_takes_the_partner_out_of_the_exchange(db: ConnectionDatabase) -> None:
    world = await introductions.build_world(db)
    admin = callers.admin_caller(world.consortium)
    # B asks for A's profile; A's profile is visible to B.
    introduction = await introductions.request(db, world.hr_b, world.profile.id, world.vacancy_b.id)
    assert await _visible_profiles(db, world.hr_b) == 1

    async with db.transaction(admin.access_scope()) as conn:
        partner, effect = await service.suspend_partner(
            conn, admin, partner_id=world.a.id, reason=SuspensionReason.SECURITY_INCIDENT
        )
    assert partner.status is PartnerStatus.SUSPENDED
    assert (effect.active_profiles, effect.introductions_withdrawn) == (1, 1)
    assert await _visible_profiles(db, world.hr_b) == 0  # A's shared profile left the exchange
    row = await system_fetchrow(
        db, "select status from introduction where id = $1", introduction.id
    )
    assert row["status"] == "WITHDRAWN"
    actions_written = [a for a, _ in await _events(db, world.consortium.id)]
    assert actions_written[-2:] == ["partner.suspended", "introduction.withdrawn"]

    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.suspend_partner(conn, admin, partner_id=world.a.id)
    assert caught.value.errors[0].code == "CONFLICT"
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.create_api_client(conn, admin, partner_id=world.a.id)
    assert caught.value.errors[0].code == "CONFLICT"

    async with db.transaction(admin.access_scope()) as conn:
        reinstated = await service.reinstate_partner(conn, admin, partner_id=world.a.id)
    assert reinstated.status is PartnerStatus.ACTIVE
    assert await _visible_profiles(db, world.hr_b) == 1
    with pytest.raises(UserError) as caught:
        async with db.transaction(admin.access_scope()) as conn:
            await service.reinstate_partner(conn, admin, partner_id=world.a.id)
    assert caught.value.errors[0].code == "CONFLICT"


async def test_suspending_the_requesting_partner_withdraws_its_requests(
    db: ConnectionDatabase,
) -> None:
    world = await introductions.build_world(db)
    admin = callers.admin_caller(world.consortium)
    introduction = await introductions.request(db, world.hr_c, world.profile.id, world.vacancy_c.id)
    async with db.transaction(admin.access_scope()) as conn:
        _, effect = await service.suspend_partner(conn, admin, partner_id=world.c.id)
    assert (effect.open_vacancies, effect.introductions_withdrawn) == (1, 1)
    row = await system_fetchrow(
        db, "select status from introduction where id = $1", introduction.id
    )
    assert row["status"] == "WITHDRAWN"


async def _visible_profiles(db: ConnectionDatabase, caller: Caller) -> int:
    async with db.transaction(caller.access_scope()) as conn:
        return int(
            await conn.fetchval(
                "select count(*) from profile where partner_id <> $1", caller.partner_id
            )
        )
