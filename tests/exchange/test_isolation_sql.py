"""SQL level, as the app role: other partners' rows are invisible; no context sees nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from infra.db import ConnectionDatabase
from infra.scope import AccessScope, ScopeRole
from tests.support import factories

TENANT_TABLES = (
    "vacancy",
    "vacancy_requirement",
    "vacancy_shortlist",
    "vacancy_visit",
    "profile",
    "profile_competency",
    "person",
    "person_contact",
    "consent_record",
    "introduction",
    "placement",
    "audit_event",
    "api_client",
    "sign_in_token",
    "mail_outbox",
    "partner",
    "consortium",
)


async def _insert_vacancy(
    db: ConnectionDatabase, partner_id: uuid.UUID, consortium_id: uuid.UUID
) -> uuid.UUID:
    scope = AccessScope(
        role=ScopeRole.PARTNER_HR, consortium_id=consortium_id, partner_id=partner_id
    )
    vacancy_id = uuid.uuid4()
    async with db.transaction(scope) as conn:
        await conn.execute(
            """insert into vacancy (id, consortium_id, partner_id, title, postcode_area,
                   hours_min, hours_max, start_date)
               values ($1, $2, $3, 'Agent', '6211', 20, 32, $4)""",
            vacancy_id,
            consortium_id,
            partner_id,
            dt.date.today(),
        )
        await conn.execute(
            """insert into vacancy_requirement (id, vacancy_id, position, phrase, normalized)
               values ($1, $2, 0, 'klachten afhandelen', 'klachten afhandelen')""",
            uuid.uuid4(),
            vacancy_id,
        )
    return vacancy_id


async def test_partner_sees_only_its_own_vacancies_at_sql_level(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner_a = await factories.create_partner(db, consortium, name="A")
    partner_b = await factories.create_partner(db, consortium, name="B")
    vacancy_a = await _insert_vacancy(db, partner_a.id, consortium.id)
    vacancy_b = await _insert_vacancy(db, partner_b.id, consortium.id)

    scope_a = AccessScope(
        role=ScopeRole.PARTNER_HR, consortium_id=consortium.id, partner_id=partner_a.id
    )
    async with db.transaction(scope_a) as conn:
        seen = {r["id"] for r in await conn.fetch("select id from vacancy")}
        requirements = await conn.fetchval(
            "select count(*) from vacancy_requirement where vacancy_id = $1", vacancy_b
        )
        updated = await conn.execute("update vacancy set title = 'x' where id = $1", vacancy_b)
        deleted = await conn.execute(
            "delete from vacancy_requirement where vacancy_id = $1", vacancy_b
        )
    assert seen == {vacancy_a}
    assert requirements == 0
    assert updated == "UPDATE 0"
    assert deleted == "DELETE 0"


async def test_partner_cannot_write_rows_for_another_partner(db: ConnectionDatabase) -> None:
    consortium = await factories.create_consortium(db)
    partner_a = await factories.create_partner(db, consortium, name="A")
    partner_b = await factories.create_partner(db, consortium, name="B")
    scope_a = AccessScope(
        role=ScopeRole.PARTNER_HR, consortium_id=consortium.id, partner_id=partner_a.id
    )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with db.transaction(scope_a) as conn:
            await conn.execute(
                """insert into vacancy (id, consortium_id, partner_id, title, postcode_area,
                       hours_min, hours_max, start_date)
                   values ($1, $2, $3, 'Agent', '6211', 20, 32, current_date)""",
                uuid.uuid4(),
                consortium.id,
                partner_b.id,
            )


@pytest.mark.parametrize("scope", [AccessScope.nobody(), AccessScope.anonymous()])
async def test_no_context_sees_nothing(db: ConnectionDatabase, scope: AccessScope) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    await _insert_vacancy(db, partner.id, consortium.id)
    async with db.transaction(AccessScope.system()) as conn:
        assert await conn.fetchval("select count(*) from vacancy") >= 1
    async with db.transaction(scope) as conn:
        counts = {t: await conn.fetchval(f"select count(*) from {t}") for t in TENANT_TABLES}  # noqa: S608
    assert counts == dict.fromkeys(TENANT_TABLES, 0)


async def test_a_bare_connection_without_set_config_sees_nothing(
    app_dsn: str, db: ConnectionDatabase
) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    await _insert_vacancy(db, partner.id, consortium.id)
    conn = await asyncpg.connect(app_dsn)
    try:
        # committed rows from other tests may exist; none may be visible
        assert await conn.fetchval("select count(*) from vacancy") == 0
        assert await conn.fetchval("select count(*) from partner") == 0
    finally:
        await conn.close()
