"""SQL of webhooks: endpoints, the event outbox, messages and their attempts, erasure notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from exchange.webhooks.models import (
    Attempt,
    AttemptOutcome,
    DisabledReason,
    DueMessage,
    Endpoint,
    EndpointStatus,
    ErasureMethod,
    ErasureNotice,
    ErasureReason,
    EventType,
    Message,
    MessageStatus,
    UnreachablePartner,
)
from infra.db import Connection
from infra.keywrap import SealedSecret

_ENDPOINT_COLUMNS = """id, consortium_id, partner_id, url, event_types, description, status,
    disabled_reason, secret_version, created_at, updated_at"""


def _endpoint(r: Any) -> Endpoint:
    return Endpoint(
        id=r["id"],
        consortium_id=r["consortium_id"],
        partner_id=r["partner_id"],
        url=r["url"],
        event_types=tuple(EventType(t) for t in r["event_types"]),
        description=r["description"],
        status=EndpointStatus(r["status"]),
        disabled_reason=DisabledReason(r["disabled_reason"]) if r["disabled_reason"] else None,
        secret_version=r["secret_version"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


# ---------------------------------------------------------------- endpoints


async def insert_endpoint(
    conn: Connection,
    *,
    endpoint_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    url: str,
    event_types: Sequence[str],
    description: str | None,
    sealed: SealedSecret,
) -> Endpoint:
    row = await conn.fetchrow(
        f"""insert into webhook_endpoint (id, consortium_id, partner_id, url, event_types,
               description, secret_ciphertext, secret_nonce, secret_wrapped_key, secret_kek_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           returning {_ENDPOINT_COLUMNS}""",
        endpoint_id,
        consortium_id,
        partner_id,
        url,
        list(event_types),
        description,
        sealed.ciphertext,
        sealed.nonce,
        sealed.wrapped_key,
        sealed.kek_id,
    )
    return _endpoint(row)


async def get_endpoint(
    conn: Connection, *, endpoint_id: UUID, consortium_id: UUID, lock: bool = False
) -> Endpoint | None:
    row = await conn.fetchrow(
        f"""select {_ENDPOINT_COLUMNS} from webhook_endpoint
            where id = $1 and consortium_id = $2 {"for update" if lock else ""}""",
        endpoint_id,
        consortium_id,
    )
    return _endpoint(row) if row else None


async def list_endpoints(
    conn: Connection, *, consortium_id: UUID, partner_id: UUID | None
) -> list[Endpoint]:
    rows = await conn.fetch(
        f"""select {_ENDPOINT_COLUMNS} from webhook_endpoint
            where consortium_id = $1 and ($2::uuid is null or partner_id = $2)
            order by created_at, id""",
        consortium_id,
        partner_id,
    )
    return [_endpoint(r) for r in rows]


async def update_endpoint(
    conn: Connection,
    *,
    endpoint_id: UUID,
    url: str,
    event_types: Sequence[str],
    description: str | None,
) -> Endpoint:
    row = await conn.fetchrow(
        f"""update webhook_endpoint set url = $2, event_types = $3, description = $4,
                updated_at = now()
            where id = $1 returning {_ENDPOINT_COLUMNS}""",
        endpoint_id,
        url,
        list(event_types),
        description,
    )
    return _endpoint(row)


async def store_secret(conn: Connection, *, endpoint_id: UUID, sealed: SealedSecret) -> Endpoint:
    """Replace the signing secret (the old one stops signing at once)."""
    row = await conn.fetchrow(
        f"""update webhook_endpoint set secret_ciphertext = $2, secret_nonce = $3,
                secret_wrapped_key = $4, secret_kek_id = $5,
                secret_version = secret_version + 1, updated_at = now()
            where id = $1 returning {_ENDPOINT_COLUMNS}""",
        endpoint_id,
        sealed.ciphertext,
        sealed.nonce,
        sealed.wrapped_key,
        sealed.kek_id,
    )
    return _endpoint(row)


async def disable_endpoint(
    conn: Connection, *, endpoint_id: UUID, reason: DisabledReason
) -> Endpoint | None:
    """Disable an active endpoint; None when it was disabled already."""
    row = await conn.fetchrow(
        f"""update webhook_endpoint set status = 'DISABLED', disabled_reason = $2,
                disabled_at = now(), updated_at = now()
            where id = $1 and status = 'ACTIVE' returning {_ENDPOINT_COLUMNS}""",
        endpoint_id,
        reason.value,
    )
    return _endpoint(row) if row else None


async def partners_with_endpoint(
    conn: Connection, *, partner_ids: Sequence[UUID], event_type: EventType
) -> set[UUID]:
    """The partners among ``partner_ids`` with an active endpoint for ``event_type`` (system)."""
    rows = await conn.fetch(
        """select distinct partner_id from webhook_endpoint
           where partner_id = any($1::uuid[]) and status = 'ACTIVE' and $2 = any(event_types)""",
        list(partner_ids),
        event_type.value,
    )
    return {r["partner_id"] for r in rows}


# ---------------------------------------------------------------- the outbox


async def insert_event(
    conn: Connection,
    *,
    event_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    event_type: EventType,
    payload: dict[str, Any],
    erasure: bool,
) -> None:
    await conn.execute(
        """insert into webhook_event (id, consortium_id, partner_id, event_type, payload, erasure)
           values ($1, $2, $3, $4, $5, $6)""",
        event_id,
        consortium_id,
        partner_id,
        event_type.value,
        payload,
        erasure,
    )


async def fan_out(conn: Connection, *, limit: int, now: dt.datetime) -> int:
    """Turn up to ``limit`` events into one message per subscribed active endpoint (system
    scope; events another worker is fanning out are skipped); return the events taken."""
    row = await conn.fetchrow(
        """with taken as (
               delete from webhook_event where id in (
                   select id from webhook_event order by created_at, id
                   limit $1 for update skip locked)
               returning id, consortium_id, partner_id, event_type, payload, erasure),
           made as (
               insert into webhook_message (id, event_id, consortium_id, partner_id,
                                            endpoint_id, event_type, body, erasure,
                                            next_attempt_at)
               select gen_random_uuid(), t.id, t.consortium_id, t.partner_id, e.id,
                      t.event_type, t.payload::text, t.erasure, $2
               from taken t join webhook_endpoint e
                    on e.partner_id = t.partner_id and e.status = 'ACTIVE'
                   and t.event_type = any(e.event_types)
               returning 1)
           select (select count(*) from taken) as events, (select count(*) from made) as made""",
        limit,
        now,
    )
    return int(row["events"]) if row else 0


async def claim_due(
    conn: Connection, *, limit: int, now: dt.datetime, lease: dt.timedelta
) -> list[DueMessage]:
    """Up to ``limit`` pending messages due at ``now``, leased until ``now + lease`` (system
    scope; rows another worker holds are skipped)."""
    rows = await conn.fetch(
        """with due as (
               update webhook_message set next_attempt_at = $2::timestamptz + $3::interval
               where id in (select id from webhook_message
                            where status = 'PENDING' and next_attempt_at <= $2
                            order by next_attempt_at, id limit $1 for update skip locked)
               returning id, consortium_id, partner_id, endpoint_id, event_type, body, erasure,
                         attempts, created_at)
           select d.*, e.url, e.status as endpoint_status, e.secret_ciphertext, e.secret_nonce,
                  e.secret_wrapped_key, e.secret_kek_id, e.secret_version
           from due d join webhook_endpoint e on e.id = d.endpoint_id
           order by d.created_at, d.id""",
        limit,
        now,
        lease,
    )
    return [
        DueMessage(
            id=r["id"],
            consortium_id=r["consortium_id"],
            partner_id=r["partner_id"],
            endpoint_id=r["endpoint_id"],
            event_type=r["event_type"],
            body=r["body"],
            erasure=r["erasure"],
            attempts=r["attempts"],
            url=r["url"],
            endpoint_status=EndpointStatus(r["endpoint_status"]),
            sealed_secret=SealedSecret(
                r["secret_ciphertext"],
                r["secret_nonce"],
                r["secret_wrapped_key"],
                r["secret_kek_id"],
            ),
            secret_version=r["secret_version"],
        )
        for r in rows
    ]


async def record_attempt(
    conn: Connection,
    *,
    message: DueMessage,
    attempted_at: dt.datetime,
    status_code: int | None,
    latency_ms: int,
    outcome: AttemptOutcome,
    error: str | None,
) -> None:
    await conn.execute(
        """insert into webhook_attempt (message_id, endpoint_id, consortium_id, partner_id,
               attempted_at, status_code, latency_ms, outcome, error)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        message.id,
        message.endpoint_id,
        message.consortium_id,
        message.partner_id,
        attempted_at,
        status_code,
        latency_ms,
        outcome.value,
        error[:300] if error else None,
    )


async def settle_message(
    conn: Connection,
    *,
    message_id: UUID,
    status: MessageStatus,
    attempts: int,
    status_code: int | None,
    error: str | None,
    next_attempt_at: dt.datetime,
    delivered_at: dt.datetime | None,
) -> None:
    await conn.execute(
        """update webhook_message set status = $2, attempts = $3, last_status_code = $4,
               last_error = $5, next_attempt_at = $6, delivered_at = $7
           where id = $1""",
        message_id,
        status.value,
        attempts,
        status_code,
        error[:300] if error else None,
        next_attempt_at,
        delivered_at,
    )


_MESSAGE_COLUMNS = """id, endpoint_id, event_type, status, attempts, next_attempt_at,
    last_status_code, created_at, delivered_at"""


def _message(r: Any) -> Message:
    return Message(
        id=r["id"],
        endpoint_id=r["endpoint_id"],
        event_type=r["event_type"],
        status=MessageStatus(r["status"]),
        attempts=r["attempts"],
        next_attempt_at=r["next_attempt_at"],
        last_status_code=r["last_status_code"],
        created_at=r["created_at"],
        delivered_at=r["delivered_at"],
    )


async def list_messages(conn: Connection, *, endpoint_id: UUID, limit: int) -> list[Message]:
    rows = await conn.fetch(
        f"""select {_MESSAGE_COLUMNS} from webhook_message where endpoint_id = $1
            order by created_at desc, id limit $2""",
        endpoint_id,
        limit,
    )
    return [_message(r) for r in rows]


async def get_message(conn: Connection, *, message_id: UUID, consortium_id: UUID) -> Message | None:
    row = await conn.fetchrow(
        f"""select {_MESSAGE_COLUMNS} from webhook_message
            where id = $1 and consortium_id = $2 for update""",
        message_id,
        consortium_id,
    )
    return _message(row) if row else None


async def list_attempts(conn: Connection, *, message_ids: Sequence[UUID]) -> list[Attempt]:
    rows = await conn.fetch(
        """select message_id, attempted_at, status_code, latency_ms, outcome, error
           from webhook_attempt where message_id = any($1::uuid[]) order by attempted_at, id""",
        list(message_ids),
    )
    return [
        Attempt(
            r["message_id"],
            r["attempted_at"],
            r["status_code"],
            r["latency_ms"],
            AttemptOutcome(r["outcome"]),
            r["error"],
        )
        for r in rows
    ]


async def requeue_message(conn: Connection, *, message_id: UUID, now: dt.datetime) -> Message:
    """A manual redelivery: the message is due again, with a fresh count of tries."""
    row = await conn.fetchrow(
        f"""update webhook_message set status = 'PENDING', attempts = 0, next_attempt_at = $2
            where id = $1 returning {_MESSAGE_COLUMNS}""",
        message_id,
        now,
    )
    return _message(row)


# ---------------------------------------------------------------- erasure notices

_NOTICE_COLUMNS = """id, consortium_id, partner_id, reason, profile_id, pseudonym,
    introduction_ids, erase_by, created_at, confirmed_at, method"""


def _notice(r: Any) -> ErasureNotice:
    return ErasureNotice(
        id=r["id"],
        consortium_id=r["consortium_id"],
        partner_id=r["partner_id"],
        reason=ErasureReason(r["reason"]),
        profile_id=r["profile_id"],
        pseudonym=r["pseudonym"],
        introduction_ids=tuple(r["introduction_ids"]),
        erase_by=r["erase_by"],
        created_at=r["created_at"],
        confirmed_at=r["confirmed_at"],
        method=ErasureMethod(r["method"]) if r["method"] else None,
    )


async def insert_notice(
    conn: Connection,
    *,
    notice_id: UUID,
    consortium_id: UUID,
    partner_id: UUID,
    reason: ErasureReason,
    profile_id: UUID | None,
    pseudonym: str | None,
    introduction_ids: Sequence[UUID],
    erase_by: dt.datetime,
    now: dt.datetime,
) -> None:
    await conn.execute(
        """insert into erasure_notice (id, consortium_id, partner_id, reason, profile_id,
               pseudonym, introduction_ids, erase_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        notice_id,
        consortium_id,
        partner_id,
        reason.value,
        profile_id,
        pseudonym,
        list(introduction_ids),
        erase_by,
        now,
    )


async def get_notice(
    conn: Connection, *, notice_id: UUID, consortium_id: UUID
) -> ErasureNotice | None:
    row = await conn.fetchrow(
        f"""select {_NOTICE_COLUMNS} from erasure_notice
            where id = $1 and consortium_id = $2 for update""",
        notice_id,
        consortium_id,
    )
    return _notice(row) if row else None


async def confirm_notice(
    conn: Connection,
    *,
    notice_id: UUID,
    method: ErasureMethod,
    confirmed_by: str,
    now: dt.datetime,
) -> ErasureNotice:
    row = await conn.fetchrow(
        f"""update erasure_notice set confirmed_at = $2, method = $3, confirmed_by = $4
            where id = $1 returning {_NOTICE_COLUMNS}""",
        notice_id,
        now,
        method.value,
        confirmed_by,
    )
    return _notice(row)


async def list_notices(
    conn: Connection,
    *,
    consortium_id: UUID,
    partner_id: UUID | None,
    confirmed: bool | None,
    overdue_at: dt.datetime | None,
    limit: int,
) -> list[ErasureNotice]:
    rows = await conn.fetch(
        f"""select {_NOTICE_COLUMNS} from erasure_notice
            where consortium_id = $1 and ($2::uuid is null or partner_id = $2)
              and ($3::boolean is null or (confirmed_at is not null) = $3)
              and ($4::timestamptz is null or (confirmed_at is null and erase_by < $4))
            order by created_at desc, id limit $5""",
        consortium_id,
        partner_id,
        confirmed,
        overdue_at,
        limit,
    )
    return [_notice(r) for r in rows]


# ---------------------------------------------------------------- who to tell (system scope)


async def staff_addresses(
    conn: Connection, *, partner_ids: Sequence[UUID]
) -> dict[UUID, list[str]]:
    """Partner HR addresses by partner (system scope)."""
    rows = await conn.fetch(
        """select partner_id, email from staff_user
           where partner_id = any($1::uuid[]) and role = 'partner_hr' and disabled_at is null
           order by partner_id, created_at""",
        list(partner_ids),
    )
    found: dict[UUID, list[str]] = {}
    for r in rows:
        found.setdefault(r["partner_id"], []).append(r["email"])
    return found


async def admin_addresses(conn: Connection, *, consortium_id: UUID) -> list[str]:
    rows = await conn.fetch(
        """select email from staff_user where consortium_id = $1 and role = 'consortium_admin'
               and disabled_at is null order by created_at""",
        consortium_id,
    )
    return [r["email"] for r in rows]


async def unreachable_partners(
    conn: Connection, *, consortium_id: UUID, erasure_events: Sequence[EventType]
) -> list[UnreachablePartner]:
    """Active partners with no active endpoint for erasure events and no HR staff to mail."""
    rows = await conn.fetch(
        """select p.id, p.name from partner p
           where p.consortium_id = $1
             and not exists (select 1 from webhook_endpoint e
                             where e.partner_id = p.id and e.status = 'ACTIVE'
                               and e.event_types && $2::text[])
             and not exists (select 1 from staff_user s
                             where s.partner_id = p.id and s.role = 'partner_hr'
                               and s.disabled_at is null)
           order by p.name, p.id""",
        consortium_id,
        [e.value for e in erasure_events],
    )
    return [UnreachablePartner(r["id"], r["name"]) for r in rows]


async def contact_received(conn: Connection, *, profile_id: UUID) -> dict[UUID, list[UUID]]:
    """The accepted introductions of a profile, by requesting partner (the partners that
    hold its contact data); under the person's or the system scope."""
    rows = await conn.fetch(
        """select requesting_partner_id, id from introduction
           where profile_id = $1 and status = 'ACCEPTED' order by requested_at, id""",
        profile_id,
    )
    found: dict[UUID, list[UUID]] = {}
    for r in rows:
        found.setdefault(r["requesting_partner_id"], []).append(r["id"])
    return found


async def profile_pseudonym(conn: Connection, *, profile_id: UUID) -> str | None:
    value: str | None = await conn.fetchval(
        "select pseudonym from profile where id = $1", profile_id
    )
    return value


async def names_of(conn: Connection, *, partner_id: UUID, consortium_id: UUID) -> tuple[str, str]:
    """A partner's name and its consortium's (system scope), for mail."""
    row = await conn.fetchrow(
        """select p.name as partner, c.name as consortium
           from partner p join consortium c on c.id = p.consortium_id
           where p.id = $1 and c.id = $2""",
        partner_id,
        consortium_id,
    )
    return (row["partner"], row["consortium"]) if row else ("", "Tussendeur")


# ---------------------------------------------------------------- time-based events (system)


@dataclass(frozen=True, slots=True)
class OutcomeDue:
    placement_id: UUID
    consortium_id: UUID
    hiring_partner_id: UUID
    vacancy_id: UUID
    months: int


async def claim_outcomes_due(conn: Connection, *, today: dt.date) -> list[OutcomeDue]:
    """Placements whose 3- or 6-month outcome is due and unrecorded, for hiring partners
    subscribed to ``placement.outcome_due``; each (placement, milestone) is returned once
    ever (its key is written here)."""
    rows = await conn.fetch(
        """with due as (
               select p.id, p.consortium_id, p.hiring_partner_id, p.vacancy_id, m.months,
                      'placement.outcome_due:' || p.id || ':' || m.months as key
               from placement p cross join (values (3), (6)) as m(months)
               where p.left_on is null
                 and case m.months when 3 then p.employed_at_3_months is null
                                   else p.employed_at_6_months is null end
                 and (p.start_date + make_interval(months => m.months))::date <= $1
                 and exists (select 1 from webhook_endpoint e
                             where e.partner_id = p.hiring_partner_id and e.status = 'ACTIVE'
                               and $2 = any(e.event_types))),
           fresh as (
               insert into webhook_sent_once (key, consortium_id)
               select key, consortium_id from due on conflict do nothing returning key)
           select due.* from due join fresh using (key) order by due.id, due.months""",
        today,
        EventType.PLACEMENT_OUTCOME_DUE.value,
    )
    return [
        OutcomeDue(
            r["id"], r["consortium_id"], r["hiring_partner_id"], r["vacancy_id"], r["months"]
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class WatchedVacancy:
    vacancy_id: UUID
    consortium_id: UUID
    partner_id: UUID


async def vacancies_watched_for_matches(conn: Connection, *, day: dt.date) -> list[WatchedVacancy]:
    """Open vacancies of partners subscribed to ``matches.new`` not yet announced on ``day``."""
    rows = await conn.fetch(
        """select v.id, v.consortium_id, v.partner_id from vacancy v
           join partner p on p.id = v.partner_id and p.status = 'ACTIVE'
           where v.status = 'OPEN'
             and exists (select 1 from webhook_endpoint e
                         where e.partner_id = v.partner_id and e.status = 'ACTIVE'
                           and $1 = any(e.event_types))
             and not exists (select 1 from webhook_sent_once s
                             where s.key = 'matches.new:' || v.id || ':' || $2::text)
           order by v.id""",
        EventType.MATCHES_NEW.value,
        day.isoformat(),
    )
    return [WatchedVacancy(r["id"], r["consortium_id"], r["partner_id"]) for r in rows]


async def announce_matches(
    conn: Connection,
    *,
    vacancy: WatchedVacancy,
    profile_ids: Sequence[UUID],
    day: dt.date,
) -> list[UUID]:
    """Of ``profile_ids``, those never announced for the vacancy, now marked announced;
    at most once per vacancy and day (an empty list when the day's key exists)."""
    key = f"{EventType.MATCHES_NEW.value}:{vacancy.vacancy_id}:{day.isoformat()}"
    fresh = await conn.fetch(
        """select id from unnest($2::uuid[]) as id
           where not exists (select 1 from webhook_match_announced a
                             where a.vacancy_id = $1 and a.profile_id = id)""",
        vacancy.vacancy_id,
        list(profile_ids),
    )
    if not fresh:
        return []
    claimed = await conn.fetchval(
        """insert into webhook_sent_once (key, consortium_id) values ($1, $2)
           on conflict do nothing returning key""",
        key,
        vacancy.consortium_id,
    )
    if claimed is None:
        return []
    ids = [r["id"] for r in fresh]
    await conn.execute(
        """insert into webhook_match_announced (vacancy_id, profile_id, consortium_id)
           select $1, id, $3 from unnest($2::uuid[]) as id on conflict do nothing""",
        vacancy.vacancy_id,
        ids,
        vacancy.consortium_id,
    )
    return ids
