"""SQL for introductions. Every query runs under the caller's row-level security."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from exchange.introductions.models import (
    Contact,
    Introduction,
    IntroductionStatus,
    MyIntroduction,
    Offer,
)
from exchange.vacancies.models import VacancyStatus
from infra.db import Connection
from infra.pagination import Keyset, Page
from infra.repository import fetch_keyset_page
from matching.types import PayPeriod, Role, Shift, WorkMode


@dataclass(frozen=True, slots=True)
class VisibleProfile:
    id: UUID
    consortium_id: UUID
    partner_id: UUID
    person_id: UUID
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IntroductionRow:
    """The bare row, for state changes."""

    id: UUID
    consortium_id: UUID
    profile_id: UUID | None
    person_id: UUID | None
    vacancy_id: UUID
    requesting_partner_id: UUID
    sharing_partner_id: UUID
    status: IntroductionStatus
    requested_at: dt.datetime
    expires_at: dt.datetime
    profile_shared_at: dt.datetime | None


_ROW_COLUMNS = """i.id, i.consortium_id, i.profile_id, i.person_id, i.vacancy_id,
    i.requesting_partner_id, i.sharing_partner_id, i.status, i.requested_at, i.expires_at,
    i.profile_shared_at"""


def _row(r: asyncpg.Record) -> IntroductionRow:
    return IntroductionRow(
        id=r["id"],
        consortium_id=r["consortium_id"],
        profile_id=r["profile_id"],
        person_id=r["person_id"],
        vacancy_id=r["vacancy_id"],
        requesting_partner_id=r["requesting_partner_id"],
        sharing_partner_id=r["sharing_partner_id"],
        status=IntroductionStatus(r["status"]),
        requested_at=r["requested_at"],
        expires_at=r["expires_at"],
        profile_shared_at=r["profile_shared_at"],
    )


async def find_visible_profile(
    conn: Connection, *, profile_id: UUID, partner_id: UUID
) -> VisibleProfile | None:
    """The profile when the partner can see it now, by the one rule: row-level security.

    RLS shows a partner its own profiles too; those are never introduced, hence the
    ``partner_id <>`` clause. Everything else (consent active and in scope, sharing
    partner not suspended) is the policy ``profile_read``.
    """
    r = await conn.fetchrow(
        """select id, consortium_id, partner_id, person_id, created_at from profile
           where id = $1 and partner_id <> $2""",
        profile_id,
        partner_id,
    )
    if r is None:
        return None
    return VisibleProfile(
        r["id"], r["consortium_id"], r["partner_id"], r["person_id"], r["created_at"]
    )


async def lock_own_vacancy(
    conn: Connection, *, vacancy_id: UUID, partner_id: UUID
) -> VacancyStatus | None:
    """The status of the partner's own vacancy, share-locked against a concurrent close."""
    status: str | None = await conn.fetchval(
        "select status from vacancy where id = $1 and partner_id = $2 for share",
        vacancy_id,
        partner_id,
    )
    return VacancyStatus(status) if status is not None else None


async def partner_name(conn: Connection, *, partner_id: UUID) -> str:
    name: str = await conn.fetchval("select name from partner where id = $1", partner_id)
    return name


async def lock_request_slot(conn: Connection, *, partner_id: UUID, profile_id: UUID) -> None:
    """Serialise requests of one partner for one profile (the daily cap and the open check)."""
    await conn.execute(
        "select pg_advisory_xact_lock(hashtextextended('introduction:' || $1 || ':' || $2, 0))",
        str(partner_id),
        str(profile_id),
    )


async def expire_due(
    conn: Connection,
    *,
    now: dt.datetime,
    profile_id: UUID | None = None,
    vacancy_id: UUID | None = None,
    limit: int = 1_000,
) -> list[IntroductionRow]:
    """Mark open requests past their expiry EXPIRED (those visible to the scope); return them."""
    rows = await conn.fetch(
        f"""with due as (
                select id from introduction
                where status = 'REQUESTED' and expires_at <= $1
                  and ($2::uuid is null or profile_id = $2)
                  and ($3::uuid is null or vacancy_id = $3)
                order by expires_at
                limit $4
                for update skip locked)
            update introduction i set status = 'EXPIRED'
            from due where i.id = due.id
            returning {_ROW_COLUMNS}""",
        now,
        profile_id,
        vacancy_id,
        limit,
    )
    return [_row(r) for r in rows]


async def has_open(conn: Connection, *, profile_id: UUID, vacancy_id: UUID) -> bool:
    found = await conn.fetchval(
        """select 1 from introduction
           where profile_id = $1 and vacancy_id = $2 and status = 'REQUESTED'""",
        profile_id,
        vacancy_id,
    )
    return found is not None


async def count_requests_since(
    conn: Connection, *, partner_id: UUID, profile_id: UUID, since: dt.datetime
) -> int:
    count: int = await conn.fetchval(
        """select count(*) from introduction
           where requesting_partner_id = $1 and profile_id = $2 and requested_at > $3""",
        partner_id,
        profile_id,
        since,
    )
    return count


async def insert_introduction(
    conn: Connection,
    *,
    introduction_id: UUID,
    profile: VisibleProfile,
    vacancy_id: UUID,
    requesting_partner_id: UUID,
    message: str | None,
    requested_at: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await conn.execute(
        """insert into introduction (id, consortium_id, profile_id, person_id, vacancy_id,
               requesting_partner_id, sharing_partner_id, message, status, requested_at,
               expires_at, profile_shared_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'REQUESTED', $9, $10, $11)""",
        introduction_id,
        profile.consortium_id,
        profile.id,
        profile.person_id,
        vacancy_id,
        requesting_partner_id,
        profile.partner_id,
        message,
        requested_at,
        expires_at,
        profile.created_at,
    )


async def enqueue_notice(
    conn: Connection,
    *,
    introduction_id: UUID,
    template: str,
    subject_nl: str,
    body_nl: str,
    subject_en: str,
    body_en: str,
) -> UUID | None:
    """Queue the person's mail; the address is resolved inside the database (0006)."""
    mail_id: UUID | None = await conn.fetchval(
        "select enqueue_introduction_notice($1, $2, $3, $4, $5, $6)",
        introduction_id,
        template,
        subject_nl,
        body_nl,
        subject_en,
        body_en,
    )
    return mail_id


_PARTNER_SELECT = """
    select i.id, i.consortium_id, i.profile_id, p.pseudonym as profile_pseudonym,
           i.vacancy_id, v.title as vacancy_title, i.requesting_partner_id,
           i.sharing_partner_id, i.status, i.message, i.response_message, i.requested_at,
           i.responded_at, i.expires_at, c.full_name, c.email, c.phone
    from introduction i
    join vacancy v on v.id = i.vacancy_id
    left join profile p on p.id = i.profile_id
    left join person_contact c on c.person_id = i.person_id and i.status = 'ACCEPTED'
"""


def _introduction(r: asyncpg.Record) -> Introduction:
    status = IntroductionStatus(r["status"])
    contact = None
    if status is IntroductionStatus.ACCEPTED and r["email"] is not None:
        contact = Contact(full_name=r["full_name"], email=r["email"], phone=r["phone"])
    return Introduction(
        id=r["id"],
        consortium_id=r["consortium_id"],
        profile_id=r["profile_id"],
        profile_pseudonym=r["profile_pseudonym"],
        vacancy_id=r["vacancy_id"],
        vacancy_title=r["vacancy_title"],
        requesting_partner_id=r["requesting_partner_id"],
        sharing_partner_id=r["sharing_partner_id"],
        status=status,
        message=r["message"],
        response_message=r["response_message"],
        requested_at=r["requested_at"],
        responded_at=r["responded_at"],
        expires_at=r["expires_at"],
        contact=contact,
    )


async def get_partner_introduction(
    conn: Connection, *, introduction_id: UUID, partner_id: UUID
) -> Introduction | None:
    r = await conn.fetchrow(
        _PARTNER_SELECT + " where i.id = $1 and i.requesting_partner_id = $2",
        introduction_id,
        partner_id,
    )
    return _introduction(r) if r else None


async def list_partner_introductions(
    conn: Connection,
    *,
    partner_id: UUID,
    status: IntroductionStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[Introduction]:
    rows, more = await fetch_keyset_page(
        conn,
        _PARTNER_SELECT
        + " where i.requesting_partner_id = $1 and ($2::text is null or i.status = $2)",
        partner_id,
        status.value if status else None,
        after=after,
        limit=limit,
        time_column="i.requested_at",
        id_column="i.id",
    )
    return Page(items=[_introduction(r) for r in rows], has_next_page=more)


_PERSON_SELECT = """
    select i.id, i.profile_id, i.status, i.message, i.response_message, i.requested_at,
           i.responded_at, i.expires_at, v.id as vacancy_id, v.title, v.description, v.role,
           v.role_level, v.postcode_area, v.hours_min, v.hours_max, v.pay_min_cents,
           v.pay_max_cents, v.pay_period, v.shifts, v.work_mode, v.training_offered,
           v.start_date, pa.name as partner_name, pa.city as partner_city
    from introduction i
    join vacancy v on v.id = i.vacancy_id
    join partner pa on pa.id = i.requesting_partner_id
"""


def _my_introduction(r: asyncpg.Record) -> MyIntroduction:
    offer = Offer(
        vacancy_id=r["vacancy_id"],
        title=r["title"],
        description=r["description"],
        role=Role(r["role"]),
        role_level=r["role_level"],
        partner_name=r["partner_name"],
        partner_city=r["partner_city"],
        postcode_area=r["postcode_area"],
        hours_min=r["hours_min"],
        hours_max=r["hours_max"],
        pay_min_cents=r["pay_min_cents"],
        pay_max_cents=r["pay_max_cents"],
        pay_period=PayPeriod(r["pay_period"]) if r["pay_period"] else None,
        shifts=tuple(Shift(s) for s in r["shifts"]),
        work_mode=WorkMode(r["work_mode"]),
        training_offered=r["training_offered"],
        start_date=r["start_date"],
    )
    return MyIntroduction(
        id=r["id"],
        profile_id=r["profile_id"],
        status=IntroductionStatus(r["status"]),
        message=r["message"],
        response_message=r["response_message"],
        requested_at=r["requested_at"],
        responded_at=r["responded_at"],
        expires_at=r["expires_at"],
        offer=offer,
    )


async def get_person_introduction(
    conn: Connection, *, introduction_id: UUID, person_id: UUID
) -> MyIntroduction | None:
    r = await conn.fetchrow(
        _PERSON_SELECT + " where i.id = $1 and i.person_id = $2", introduction_id, person_id
    )
    return _my_introduction(r) if r else None


async def list_person_introductions(
    conn: Connection,
    *,
    person_id: UUID,
    status: IntroductionStatus | None,
    limit: int,
    after: Keyset | None,
) -> Page[MyIntroduction]:
    rows, more = await fetch_keyset_page(
        conn,
        _PERSON_SELECT + " where i.person_id = $1 and ($2::text is null or i.status = $2)",
        person_id,
        status.value if status else None,
        after=after,
        limit=limit,
        time_column="i.requested_at",
        id_column="i.id",
    )
    return Page(items=[_my_introduction(r) for r in rows], has_next_page=more)


async def lock_person_introduction(
    conn: Connection, *, introduction_id: UUID, person_id: UUID
) -> IntroductionRow | None:
    r = await conn.fetchrow(
        f"select {_ROW_COLUMNS} from introduction i where i.id = $1 and i.person_id = $2"
        " for update",
        introduction_id,
        person_id,
    )
    return _row(r) if r else None


async def lock_partner_introduction(
    conn: Connection, *, introduction_id: UUID, partner_id: UUID
) -> IntroductionRow | None:
    r = await conn.fetchrow(
        f"select {_ROW_COLUMNS} from introduction i"
        " where i.id = $1 and i.requesting_partner_id = $2 for update",
        introduction_id,
        partner_id,
    )
    return _row(r) if r else None


async def record_response(
    conn: Connection,
    *,
    introduction_id: UUID,
    status: IntroductionStatus,
    message: str | None,
    now: dt.datetime,
) -> None:
    await conn.execute(
        """update introduction set status = $2, response_message = $3, responded_at = $4
           where id = $1 and status = 'REQUESTED'""",
        introduction_id,
        status.value,
        message,
        now,
    )


async def withdraw_open_for_profile(conn: Connection, *, profile_id: UUID) -> list[IntroductionRow]:
    rows = await conn.fetch(
        f"""update introduction i set status = 'WITHDRAWN'
            where i.profile_id = $1 and i.status = 'REQUESTED'
            returning {_ROW_COLUMNS}""",
        profile_id,
    )
    return [_row(r) for r in rows]
