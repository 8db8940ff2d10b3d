"""SQL of webhooks: endpoints, the event outbox, messages and their attempts, erasure notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from exchange.webhooks.models import (
    Attempt,
    AttemptOutcome,
    DisabledReason,
    DueMessage,
    Endpoint,
    EndpointStatus,
    EventType,
    Message,
    MessageStatus,
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


async def purge_settled(conn: Connection, *, before: dt.datetime) -> int:
    """Forget messages settled (delivered, given up, gone, escalated) before ``before``,
    with their tries (system scope); how many."""
    result = await conn.execute(
        """delete from webhook_message
           where status <> 'PENDING' and coalesce(delivered_at, next_attempt_at) < $1""",
        before,
    )
    return int(result.split()[-1])
