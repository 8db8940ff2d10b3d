"""SQL of the consent flow: profile consent state, the person's data, erasure, retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from consent.models import ConsentScope, ScopeKind
from exchange.audit.actions import PLACEMENT_PROPOSALS_SHOWN, PROFILE_SHOWN_IN_MATCHES
from exchange.consent_flow.models import (
    AccessEvent,
    DueProfile,
    DueReminder,
    Person,
    PersonIntroduction,
    PersonPlacement,
    ProfileConsent,
)
from exchange.introductions.models import IntroductionStatus
from exchange.placements.models import LeftReason
from exchange.profiles.models import ProfileStatus
from infra.db import Connection, apply_scope
from infra.scope import AccessScope


@asynccontextmanager
async def system_step(conn: Connection, restore: AccessScope) -> AsyncIterator[Connection]:
    """Run one narrow step of a person's use case with the system scope, then give the
    transaction its caller back. Only for what row-level security cannot express per
    person (reading partners' staff addresses, the consortium-wide audit trail); the
    caller's right is always checked before, under the caller's own scope."""
    await apply_scope(conn, AccessScope.system())
    try:
        yield conn
    finally:
        await apply_scope(conn, restore)


# ---------------------------------------------------------------- the person's profile


_CONSENT_COLUMNS = """id, consortium_id, partner_id, person_id, pseudonym, status,
    consent_scope_kind, consent_scope_partner_ids, consent_expires_at, pending_until,
    consent_ended_at, consent_reminded_for"""


def _profile_consent(row: asyncpg.Record) -> ProfileConsent:
    kind = row["consent_scope_kind"]
    return ProfileConsent(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        person_id=row["person_id"],
        pseudonym=row["pseudonym"],
        status=ProfileStatus(row["status"]),
        consent_scope=(
            ConsentScope(ScopeKind(kind), frozenset(row["consent_scope_partner_ids"]))
            if kind is not None
            else None
        ),
        consent_expires_at=row["consent_expires_at"],
        pending_until=row["pending_until"],
        consent_ended_at=row["consent_ended_at"],
        consent_reminded_for=row["consent_reminded_for"],
    )


async def person_profile_row(conn: Connection, *, person_id: UUID) -> ProfileConsent | None:
    row = await conn.fetchrow(
        f"""select {_CONSENT_COLUMNS}
            from profile where person_id = $1 order by created_at limit 1""",
        person_id,
    )
    return _profile_consent(row) if row is not None else None


async def lock_profile(conn: Connection, *, profile_id: UUID) -> ProfileConsent | None:
    row = await conn.fetchrow(
        f"select {_CONSENT_COLUMNS} from profile where id = $1 for update", profile_id
    )
    return _profile_consent(row) if row is not None else None


async def set_consent(
    conn: Connection,
    *,
    profile_id: UUID,
    status: ProfileStatus,
    scope: ConsentScope,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> None:
    await conn.execute(
        """update profile set status = $2, consent_scope_kind = $3,
               consent_scope_partner_ids = $4, consent_expires_at = $5, pending_until = null,
               consent_ended_at = null, updated_at = $6
           where id = $1""",
        profile_id,
        status.value,
        scope.kind.value,
        scope.sorted_ids(),
        expires_at,
        now,
    )


async def end_consent(
    conn: Connection,
    *,
    profile_id: UUID,
    status: ProfileStatus,
    ended_at: dt.datetime,
    now: dt.datetime,
) -> None:
    await conn.execute(
        """update profile set status = $2, consent_ended_at = $3, updated_at = $4
           where id = $1""",
        profile_id,
        status.value,
        ended_at,
        now,
    )


async def person_row(conn: Connection, *, person_id: UUID) -> Person | None:
    row = await conn.fetchrow(
        """select p.id, p.consortium_id, p.pseudonym, p.language, p.created_at,
                  p.created_by_partner_id, c.full_name, c.email, c.phone
           from person p left join person_contact c on c.person_id = p.id
           where p.id = $1""",
        person_id,
    )
    if row is None:
        return None
    return Person(
        id=row["id"],
        consortium_id=row["consortium_id"],
        pseudonym=row["pseudonym"],
        language=row["language"],
        created_at=row["created_at"],
        created_by_partner_id=row["created_by_partner_id"],
        full_name=row["full_name"],
        email=row["email"],
        phone=row["phone"],
    )


async def set_person_language(conn: Connection, *, person_id: UUID, language: str) -> None:
    await conn.execute("update person set language = $2 where id = $1", person_id, language)


async def update_contact(
    conn: Connection, *, person_id: UUID, full_name: str, phone: str | None, now: dt.datetime
) -> None:
    await conn.execute(
        """update person_contact set full_name = $2, phone = $3, updated_at = $4
           where person_id = $1""",
        person_id,
        full_name,
        phone,
        now,
    )


async def delete_person(conn: Connection, *, person_id: UUID) -> None:
    """Profiles, competencies, contact data, tokens, sessions and the person's mail go with it
    (foreign keys cascade); consent records, introductions and placements lose the reference."""
    await conn.execute("delete from profile where person_id = $1", person_id)
    await conn.execute("delete from person where id = $1", person_id)


# ---------------------------------------------------------------- introductions of the person


async def person_introductions(conn: Connection, *, person_id: UUID) -> list[PersonIntroduction]:
    rows = await conn.fetch(
        """select i.id, i.profile_id, i.vacancy_id, i.requesting_partner_id,
                  i.sharing_partner_id, i.status, i.message, i.response_message,
                  i.requested_at, i.responded_at, i.expires_at, v.title as vacancy_title
           from introduction i left join vacancy v on v.id = i.vacancy_id
           where i.person_id = $1 order by i.requested_at, i.id""",
        person_id,
    )
    return [
        PersonIntroduction(
            id=r["id"],
            profile_id=r["profile_id"],
            vacancy_id=r["vacancy_id"],
            requesting_partner_id=r["requesting_partner_id"],
            sharing_partner_id=r["sharing_partner_id"],
            status=IntroductionStatus(r["status"]),
            message=r["message"],
            response_message=r["response_message"],
            requested_at=r["requested_at"],
            responded_at=r["responded_at"],
            expires_at=r["expires_at"],
            vacancy_title=r["vacancy_title"],
        )
        for r in rows
    ]


async def forget_introduction_texts(conn: Connection, *, person_id: UUID) -> int:
    result = await conn.execute(
        """update introduction set message = null, response_message = null
           where person_id = $1""",
        person_id,
    )
    return int(result.split()[-1])


async def person_placements(conn: Connection, *, person_id: UUID) -> list[PersonPlacement]:
    rows = await conn.fetch(
        """select pl.id, pl.introduction_id, pl.vacancy_id, pl.hiring_partner_id,
                  pl.start_date, pl.employed_at_3_months, pl.employed_at_6_months,
                  pl.left_on, pl.left_reason, pl.recorded_at
           from placement pl join introduction i on i.id = pl.introduction_id
           where i.person_id = $1 order by pl.recorded_at""",
        person_id,
    )
    return [
        PersonPlacement(
            id=r["id"],
            introduction_id=r["introduction_id"],
            vacancy_id=r["vacancy_id"],
            hiring_partner_id=r["hiring_partner_id"],
            start_date=r["start_date"],
            employed_at_3_months=r["employed_at_3_months"],
            employed_at_6_months=r["employed_at_6_months"],
            left_on=r["left_on"],
            left_reason=LeftReason(r["left_reason"]) if r["left_reason"] else None,
            recorded_at=r["recorded_at"],
        )
        for r in rows
    ]


# ---------------------------------------------------------------- system steps


async def staff_addresses(conn: Connection, *, partner_ids: list[UUID]) -> dict[UUID, list[str]]:
    """Partner HR addresses by partner (system scope)."""
    rows = await conn.fetch(
        """select partner_id, email from staff_user
           where partner_id = any($1::uuid[]) and role = 'partner_hr' and disabled_at is null
           order by partner_id, created_at""",
        partner_ids,
    )
    found: dict[UUID, list[str]] = {}
    for r in rows:
        found.setdefault(r["partner_id"], []).append(r["email"])
    return found


async def scrub_outbox(
    conn: Connection, *, person_id: UUID, email: str | None, phone: str | None
) -> int:
    """Remove queued or sent mail to or about the person (system scope)."""
    result = await conn.execute(
        """delete from mail_outbox
           where person_id = $1
              or ($2::text is not null and (lower(to_address) = lower($2)
                                            or strpos(lower(body_text), lower($2)) > 0))
              or ($3::text is not null and strpos(body_text, $3) > 0)""",
        person_id,
        email,
        phone,
    )
    return int(result.split()[-1])


async def access_events(
    conn: Connection,
    *,
    consortium_id: UUID,
    profile_ids: list[str],
    introduction_ids: list[str],
    actions: list[str],
    before_seq: int | None,
    limit: int,
) -> list[AccessEvent]:
    """Partner actions about the person's profiles and introductions, newest first (system)."""
    rows = await conn.fetch(
        # The partner is the actor, except when the person revealed contact data to it.
        """select e.seq, e.occurred_at, e.action, seen.partner_id, p.name as partner_name
           from audit_event e
           cross join lateral (select coalesce(
               e.partner_id, (e.details ->> 'requesting_partner_id')::uuid) as partner_id
           ) seen
           left join partner p on p.id = seen.partner_id
           where e.consortium_id = $1 and seen.partner_id is not null
             and e.action = any($4::text[])
             and ($5::bigint is null or e.seq < $5)
             and ((e.subject_kind = 'profile' and e.subject_id = any($2::text[]))
                  or (e.subject_kind = 'introduction' and e.subject_id = any($3::text[]))
                  or (e.subject_kind = 'placement' and e.details ->> 'profile_id' = any($2))
                  or (e.action = any($7::text[])
                      and e.details -> 'profiles' ?| $2::text[]))
           order by e.seq desc limit $6""",
        consortium_id,
        profile_ids,
        introduction_ids,
        actions,
        before_seq,
        limit,
        [PROFILE_SHOWN_IN_MATCHES, PLACEMENT_PROPOSALS_SHOWN],
    )
    return [
        AccessEvent(r["seq"], r["occurred_at"], r["action"], r["partner_id"], r["partner_name"])
        for r in rows
    ]


# ---------------------------------------------------------------- retention (system scope)


async def due_pending(conn: Connection, *, now: dt.datetime, limit: int) -> list[DueProfile]:
    rows = await conn.fetch(
        """select id, consortium_id, person_id from profile
           where status = 'PENDING_CONSENT' and pending_until <= $1
           order by pending_until limit $2 for update skip locked""",
        now,
        limit,
    )
    return [DueProfile(r["id"], r["consortium_id"], r["person_id"]) for r in rows]


async def due_expiry(conn: Connection, *, now: dt.datetime, limit: int) -> list[ProfileConsent]:
    rows = await conn.fetch(
        f"""select {_CONSENT_COLUMNS}
            from profile
            where status in ('ACTIVE', 'PAUSED') and consent_expires_at <= $1
            order by consent_expires_at limit $2 for update skip locked""",
        now,
        limit,
    )
    return [_profile_consent(r) for r in rows]


async def due_erasure(
    conn: Connection, *, erase_before: dt.datetime, limit: int
) -> list[DueProfile]:
    rows = await conn.fetch(
        """select distinct on (person_id) id, consortium_id, person_id from profile
           where status in ('EXPIRED', 'WITHDRAWN') and consent_ended_at <= $1
           order by person_id limit $2""",
        erase_before,
        limit,
    )
    return [DueProfile(r["id"], r["consortium_id"], r["person_id"]) for r in rows]


async def due_reminders(
    conn: Connection, *, now: dt.datetime, remind_until: dt.datetime, limit: int
) -> list[DueReminder]:
    rows = await conn.fetch(
        """select pr.id, pr.consortium_id, pr.person_id, pr.consent_expires_at,
                  p.language, c.email
           from profile pr join person p on p.id = pr.person_id
           left join person_contact c on c.person_id = pr.person_id
           where pr.status in ('ACTIVE', 'PAUSED')
             and pr.consent_expires_at > $1 and pr.consent_expires_at <= $2
             and pr.consent_reminded_for is distinct from pr.consent_expires_at
           order by pr.consent_expires_at limit $3 for update of pr skip locked""",
        now,
        remind_until,
        limit,
    )
    return [
        DueReminder(
            r["id"], r["consortium_id"], r["person_id"], r["consent_expires_at"], r["language"],
            r["email"],
        )
        for r in rows
    ]  # fmt: skip


async def mark_reminded(conn: Connection, *, profile_id: UUID, expires_at: dt.datetime) -> None:
    await conn.execute(
        "update profile set consent_reminded_for = $2 where id = $1", profile_id, expires_at
    )


# ---------------------------------------------------------------- erasure and retention steps


async def person_profile_ids(conn: Connection, *, person_id: UUID) -> list[UUID]:
    rows = await conn.fetch("select id from profile where person_id = $1", person_id)
    return [r["id"] for r in rows]


async def staff_languages(conn: Connection, *, emails: list[str]) -> dict[str, str]:
    """The language of each staff address among ``emails`` (system scope)."""
    rows = await conn.fetch(
        "select email, language from staff_user where email = any($1::text[])", emails
    )
    return {r["email"]: r["language"] for r in rows}


async def due_introductions_by_consortium(conn: Connection, *, now: dt.datetime) -> dict[UUID, int]:
    """How many requested introductions have expired at ``now``, per consortium."""
    rows = await conn.fetch(
        """select consortium_id, count(*) as n from introduction
           where status = 'REQUESTED' and expires_at <= $1 group by consortium_id""",
        now,
    )
    return {r["consortium_id"]: int(r["n"]) for r in rows}
