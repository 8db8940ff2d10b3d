"""Vacancy use cases: validation names the field and writes nothing; partners stay apart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from exchange.partners.models import Consortium
from exchange.vacancies import service
from exchange.vacancies.models import LanguageRequirementInput, RequirementInput, VacancyStatus
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import Forbidden, NotFound, UserError
from infra.pagination import Keyset
from infra.scope import AccessScope
from tests.support import callers, factories


async def _count(db: ConnectionDatabase, table: str) -> int:
    async with db.transaction(AccessScope.system()) as conn:
        return int(await conn.fetchval(f"select count(*) from {table}"))  # noqa: S608


@pytest.fixture
async def hr(db: ConnectionDatabase) -> Caller:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    return callers.partner_caller(partner)


async def test_create_vacancy_normalises_requirements_and_audits(
    db: ConnectionDatabase, hr: Caller
) -> None:
    vacancy = await factories.create_vacancy(db, hr)
    assert vacancy.status is VacancyStatus.OPEN
    assert [r.phrase for r in vacancy.requirements] == ["klachten afhandelen", "Salesforce"]
    assert vacancy.requirements[0].concept_id is not None
    async with db.transaction(hr.access_scope()) as conn:
        stored = await service.get_vacancy(conn, hr, vacancy.id)
        actions = await conn.fetch(
            "select action, subject_id from audit_event where consortium_id = $1",
            hr.consortium_id,
        )
    assert stored == vacancy
    assert [(a["action"], a["subject_id"]) for a in actions] == [
        ("vacancy.created", str(vacancy.id))
    ]


BAD_INPUTS = [
    ({"title": "  "}, "input.title", "REQUIRED"),
    (
        {"languages": (LanguageRequirementInput("de", "D1"),)},
        "input.languages.0.level",
        "INVALID_CEFR_LEVEL",
    ),
    ({"hours_max": 60}, "input.hoursMax", "OUT_OF_RANGE"),
    ({"postcode_area": "62110"}, "input.postcodeArea", "INVALID_POSTCODE"),
    ({"postcode_area": "0211"}, "input.postcodeArea", "INVALID_POSTCODE"),
    (
        {"requirements": tuple(RequirementInput(f"skill {i}") for i in range(500))},
        "input.requirements",
        "TOO_MANY",
    ),
    (
        {"requirements": (RequirementInput("x" * 10_000),)},
        "input.requirements.0.phrase",
        "TOO_LONG",
    ),
    ({"start_date": dt.date(1999, 1, 1)}, "input.startDate", "OUT_OF_RANGE"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_INPUTS)
async def test_bad_input_names_the_field_and_writes_nothing(
    db: ConnectionDatabase, hr: Caller, overrides: dict[str, object], field: str, code: str
) -> None:
    before = (await _count(db, "vacancy"), await _count(db, "audit_event"))
    with pytest.raises(UserError) as raised:
        await factories.create_vacancy(db, hr, **overrides)
    assert (field, code) in [(e.field, e.code) for e in raised.value.errors]
    assert (await _count(db, "vacancy"), await _count(db, "audit_event")) == before


async def test_partner_cannot_read_change_or_close_another_partners_vacancy(
    db: ConnectionDatabase, hr: Caller
) -> None:
    consortium_id = hr.consortium_id
    other_partner = await factories.create_partner(
        db, Consortium(consortium_id, "x", "x"), name="Ander BV"
    )
    other = callers.partner_caller(other_partner)
    vacancy = await factories.create_vacancy(db, other)
    async with db.transaction(hr.access_scope()) as conn:
        assert await service.get_vacancy(conn, hr, vacancy.id) is None
        page = await service.list_vacancies(conn, hr, status=None, limit=50, after=None)
    assert vacancy.id not in [v.id for v in page.items]
    with pytest.raises(NotFound):
        async with db.transaction(hr.access_scope()) as conn:
            await service.close_vacancy(conn, hr, vacancy.id)
    with pytest.raises(NotFound):
        async with db.transaction(hr.access_scope()) as conn:
            await service.update_vacancy(
                conn, hr, factories.normalizer(), vacancy.id, factories.vacancy_input()
            )
    # a random id gets the very same answer: existence is not revealed
    with pytest.raises(NotFound) as unknown:
        async with db.transaction(hr.access_scope()) as conn:
            await service.close_vacancy(conn, hr, uuid.uuid4())
    assert unknown.value.errors[0].code == "NOT_FOUND"


async def test_update_and_close(db: ConnectionDatabase, hr: Caller) -> None:
    vacancy = await factories.create_vacancy(db, hr)
    changed = factories.vacancy_input(
        title="Teamleider klantenservice", requirements=(RequirementInput("coachen"),)
    )
    async with db.transaction(hr.access_scope()) as conn:
        updated = await service.update_vacancy(
            conn, hr, factories.normalizer(), vacancy.id, changed
        )
        closed = await service.close_vacancy(conn, hr, vacancy.id)
    assert updated.title == "Teamleider klantenservice"
    assert [r.phrase for r in updated.requirements] == ["coachen"]
    assert closed.status is VacancyStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(UserError) as raised:
        async with db.transaction(hr.access_scope()) as conn:
            await service.update_vacancy(conn, hr, factories.normalizer(), vacancy.id, changed)
    assert raised.value.errors[0].code == "CLOSED"


async def test_scope_and_role_are_enforced(db: ConnectionDatabase, hr: Caller) -> None:
    read_only = dataclasses.replace(hr, scopes=frozenset({"vacancies:read"}))
    with pytest.raises(Forbidden):
        await factories.create_vacancy(db, read_only)
    consortium = Consortium(hr.consortium_id, "x", "x")
    with pytest.raises(Forbidden):
        await factories.create_vacancy(db, callers.admin_caller(consortium))


async def test_pagination_is_stable_and_complete(db: ConnectionDatabase, hr: Caller) -> None:
    created = [await factories.create_vacancy(db, hr, title=f"Vacature {i}") for i in range(5)]
    seen: list[uuid.UUID] = []
    after = None
    async with db.transaction(hr.access_scope()) as conn:
        while True:
            page = await service.list_vacancies(conn, hr, status=None, limit=2, after=after)
            seen.extend(v.id for v in page.items)
            if not page.has_next_page:
                break
            last = page.items[-1]
            after = Keyset(last.created_at, last.id)
    assert seen == [v.id for v in reversed(created)]
