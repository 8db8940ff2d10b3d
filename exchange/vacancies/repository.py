"""SQL for vacancies and their requirements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID, uuid4

import asyncpg

from exchange.vacancies.models import PayRange, Vacancy, VacancyStatus
from infra.db import Connection
from infra.pagination import Keyset, Page
from infra.repository import fetch_keyset_page
from matching.types import (
    CefrLevel,
    LanguageRequirement,
    PayPeriod,
    Requirement,
    Role,
    Shift,
    WorkMode,
)

_COLUMNS = """id, consortium_id, partner_id, title, description, role, role_level, status,
    postcode_area, hours_min, hours_max, pay_min_cents, pay_max_cents, pay_period, shifts,
    work_mode, training_offered, soft_skill_weight, start_date, created_at, updated_at, closed_at"""


def _vacancy(
    row: asyncpg.Record,
    requirements: Sequence[Requirement] = (),
    languages: Sequence[LanguageRequirement] = (),
) -> Vacancy:
    pay = None
    if row["pay_period"] is not None:
        pay = PayRange(row["pay_min_cents"], row["pay_max_cents"], PayPeriod(row["pay_period"]))
    return Vacancy(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        title=row["title"],
        description=row["description"],
        role=Role(row["role"]),
        role_level=row["role_level"],
        status=VacancyStatus(row["status"]),
        postcode_area=row["postcode_area"],
        hours_min=row["hours_min"],
        hours_max=row["hours_max"],
        pay=pay,
        shifts=tuple(Shift(s) for s in row["shifts"]),
        work_mode=WorkMode(row["work_mode"]),
        training_offered=row["training_offered"],
        soft_skill_weight=float(row["soft_skill_weight"]),
        start_date=row["start_date"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        requirements=tuple(requirements),
        languages=tuple(languages),
    )


async def insert_vacancy(conn: Connection, *, vacancy: Vacancy) -> None:
    pay = vacancy.pay
    await conn.execute(
        f"""insert into vacancy ({_COLUMNS}) values
            ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, $20, $21, $22)""",
        vacancy.id,
        vacancy.consortium_id,
        vacancy.partner_id,
        vacancy.title,
        vacancy.description,
        vacancy.role.value,
        vacancy.role_level,
        vacancy.status.value,
        vacancy.postcode_area,
        vacancy.hours_min,
        vacancy.hours_max,
        pay.min_cents if pay else None,
        pay.max_cents if pay else None,
        pay.period.value if pay else None,
        [s.value for s in vacancy.shifts],
        vacancy.work_mode.value,
        vacancy.training_offered,
        vacancy.soft_skill_weight,
        vacancy.start_date,
        vacancy.created_at,
        vacancy.updated_at,
        vacancy.closed_at,
    )
    await replace_requirements(conn, vacancy=vacancy)


async def update_vacancy(conn: Connection, *, vacancy: Vacancy) -> None:
    pay = vacancy.pay
    await conn.execute(
        """update vacancy set title = $2, description = $3, role = $4, role_level = $5,
               postcode_area = $6, hours_min = $7, hours_max = $8, pay_min_cents = $9,
               pay_max_cents = $10, pay_period = $11, shifts = $12, work_mode = $13,
               training_offered = $14, soft_skill_weight = $15, start_date = $16,
               updated_at = $17, status = $18, closed_at = $19
           where id = $1""",
        vacancy.id,
        vacancy.title,
        vacancy.description,
        vacancy.role.value,
        vacancy.role_level,
        vacancy.postcode_area,
        vacancy.hours_min,
        vacancy.hours_max,
        pay.min_cents if pay else None,
        pay.max_cents if pay else None,
        pay.period.value if pay else None,
        [s.value for s in vacancy.shifts],
        vacancy.work_mode.value,
        vacancy.training_offered,
        vacancy.soft_skill_weight,
        vacancy.start_date,
        vacancy.updated_at,
        vacancy.status.value,
        vacancy.closed_at,
    )
    await replace_requirements(conn, vacancy=vacancy)


async def replace_requirements(conn: Connection, *, vacancy: Vacancy) -> None:
    await conn.execute("delete from vacancy_requirement where vacancy_id = $1", vacancy.id)
    await conn.execute("delete from vacancy_language where vacancy_id = $1", vacancy.id)
    await conn.executemany(
        """insert into vacancy_requirement (id, vacancy_id, position, phrase, normalized,
               concept_id, confidence, must_have, weight, min_level)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        [
            (
                uuid4(),
                vacancy.id,
                i,
                r.phrase,
                r.normalized,
                r.concept_id,
                r.confidence,
                r.must_have,
                r.weight,
                r.min_level,
            )
            for i, r in enumerate(vacancy.requirements)
        ],
    )
    await conn.executemany(
        """insert into vacancy_language (vacancy_id, language, min_level, must_have)
           values ($1, $2, $3, $4)""",
        [
            (vacancy.id, lang.language, lang.min_level.value, lang.must_have)
            for lang in vacancy.languages
        ],
    )


async def _attach_children(conn: Connection, rows: Sequence[asyncpg.Record]) -> list[Vacancy]:
    ids = [r["id"] for r in rows]
    requirements: dict[UUID, list[Requirement]] = defaultdict(list)
    languages: dict[UUID, list[LanguageRequirement]] = defaultdict(list)
    for r in await conn.fetch(
        """select vacancy_id, phrase, normalized, concept_id, confidence, must_have, weight,
                  min_level
           from vacancy_requirement where vacancy_id = any($1::uuid[])
           order by vacancy_id, position""",
        ids,
    ):
        requirements[r["vacancy_id"]].append(
            Requirement(
                r["phrase"],
                r["normalized"],
                r["concept_id"],
                float(r["confidence"]),
                r["must_have"],
                float(r["weight"]),
                r["min_level"],
            )
        )
    for r in await conn.fetch(
        """select vacancy_id, language, min_level, must_have from vacancy_language
           where vacancy_id = any($1::uuid[]) order by vacancy_id, language""",
        ids,
    ):
        languages[r["vacancy_id"]].append(
            LanguageRequirement(r["language"], CefrLevel(r["min_level"]), r["must_have"])
        )
    return [_vacancy(r, requirements[r["id"]], languages[r["id"]]) for r in rows]


async def get_vacancy(
    conn: Connection, *, vacancy_id: UUID, partner_id: UUID | None
) -> Vacancy | None:
    """One vacancy, scoped to ``partner_id`` when given (RLS scopes it again)."""
    row = await conn.fetchrow(
        f"""select {_COLUMNS} from vacancy
            where id = $1 and ($2::uuid is null or partner_id = $2)""",
        vacancy_id,
        partner_id,
    )
    if row is None:
        return None
    return (await _attach_children(conn, [row]))[0]


async def get_vacancies(conn: Connection, *, vacancy_ids: Sequence[UUID]) -> list[Vacancy]:
    rows = await conn.fetch(
        f"select {_COLUMNS} from vacancy where id = any($1::uuid[])", list(vacancy_ids)
    )
    return await _attach_children(conn, rows)


async def list_vacancies(
    conn: Connection,
    *,
    partner_id: UUID,
    status: VacancyStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Vacancy]:
    rows, more = await fetch_keyset_page(
        conn,
        f"""select {_COLUMNS} from vacancy
            where partner_id = $1 and ($2::text is null or status = $2)""",
        partner_id,
        status.value if status else None,
        after=after,
        limit=limit,
        time_column="created_at",
    )
    return Page(items=await _attach_children(conn, rows), has_next_page=more)


async def lock_vacancy(conn: Connection, *, vacancy_id: UUID, partner_id: UUID) -> bool:
    row = await conn.fetchval(
        "select 1 from vacancy where id = $1 and partner_id = $2 for update", vacancy_id, partner_id
    )
    return row is not None
