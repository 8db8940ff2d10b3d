"""SQL for identity: platform keys, API clients, one-time tokens, sign-in, portal sessions.

Every function runs inside its caller's transaction and scope; none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from exchange.identity.models import (
    ApiClient,
    ClearPrivateKey,
    Identity,
    KeyInfo,
    KeyStatus,
    OneTimeToken,
    PortalSession,
    SealedPrivateKey,
    SessionSubject,
    StaffProfile,
    StaffStanding,
    StoredKey,
    SubjectKind,
    SubjectStanding,
    TokenPurpose,
)
from infra.caller import CallerRole
from infra.db import Connection
from infra.keywrap import SealedSecret

_KEY_LOCK = (7_420_200, 1)  # pg_advisory_xact_lock key: creating or rotating keys

# ---------------------------------------------------------------- platform keys


async def lock_keys(conn: Connection) -> None:
    """Serialise key creation and rotation (two replicas starting at once make one key)."""
    await conn.execute("select pg_advisory_xact_lock($1, $2)", *_KEY_LOCK)


async def retire_active_keys(conn: Connection) -> None:
    await conn.execute(
        "update platform_key set retired_at = clock_timestamp() where retired_at is null"
    )


async def list_keys(conn: Connection, *, grace: dt.timedelta) -> list[KeyInfo]:
    """Every key ever made, newest first, with whether it still signs or verifies."""
    rows = await conn.fetch(
        """select kid, alg, created_at, retired_at,
                  case when retired_at is null then 'ACTIVE'
                       when retired_at > clock_timestamp() - $1::interval then 'PUBLISHED'
                       else 'EXPIRED' end as status
           from platform_key order by created_at desc""",
        grace,
    )
    return [
        KeyInfo(r["kid"], r["alg"], r["created_at"], r["retired_at"], KeyStatus(r["status"]))
        for r in rows
    ]


# ---------------------------------------------------------------- API clients


async def insert_api_client(
    conn: Connection,
    *,
    id: UUID,
    consortium_id: UUID,
    partner_id: UUID | None,
    client_id: str,
    secret_hash: str,
    name: str,
    scopes: Iterable[str],
) -> None:
    await conn.execute(
        """insert into api_client
               (id, consortium_id, partner_id, client_id, secret_hash, name, scopes)
           values ($1, $2, $3, $4, $5, $6, $7)""",
        id,
        consortium_id,
        partner_id,
        client_id,
        secret_hash,
        name,
        sorted(set(scopes)),
    )


async def find_api_client(conn: Connection, *, client_id: str) -> ApiClient | None:
    row = await conn.fetchrow(
        """select id, consortium_id, partner_id, client_id, name, scopes, secret_hash, revoked_at
           from api_client where client_id = $1""",
        client_id,
    )
    if row is None:
        return None
    return ApiClient(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        client_id=row["client_id"],
        name=row["name"],
        scopes=frozenset(row["scopes"]),
        secret_hash=row["secret_hash"],
        revoked_at=row["revoked_at"],
    )


async def partner_is_active(conn: Connection, *, partner_id: UUID) -> bool:
    status = await conn.fetchval("select status from partner where id = $1", partner_id)
    return bool(status == "ACTIVE")


async def mark_client_used(conn: Connection, *, client_id: str) -> bool:
    """Stamp ``last_used_at``; False when the client is gone or revoked."""
    updated = await conn.execute(
        """update api_client set last_used_at = clock_timestamp()
           where client_id = $1 and revoked_at is null""",
        client_id,
    )
    return bool(updated == "UPDATE 1")


async def replace_secret_hash(conn: Connection, *, client_id: str, secret_hash: str) -> None:
    await conn.execute(
        "update api_client set secret_hash = $2 where client_id = $1", client_id, secret_hash
    )


# ---------------------------------------------------------------- who a subject is now


async def api_client_standing(conn: Connection, *, client_id: str) -> SubjectStanding | None:
    """The client's standing; ``None`` when it is gone or revoked."""
    row = await conn.fetchrow(
        """select c.consortium_id, c.partner_id, c.scopes, p.status as partner_status
           from api_client c left join partner p on p.id = c.partner_id
           where c.client_id = $1 and c.revoked_at is null""",
        client_id,
    )
    if row is None:
        return None
    return SubjectStanding(
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        partner_active=row["partner_id"] is None or row["partner_status"] == "ACTIVE",
        scopes=frozenset(row["scopes"]),
    )


async def active_staff_user(conn: Connection, *, user_id: UUID) -> StaffStanding | None:
    """The staff user unless disabled (or invisible in the caller's scope)."""
    row = await conn.fetchrow(
        """select s.id, s.consortium_id, s.partner_id, s.role, s.language,
                  p.status as partner_status
           from staff_user s left join partner p on p.id = s.partner_id
           where s.id = $1 and s.disabled_at is null""",
        user_id,
    )
    return None if row is None else _staff_standing(row)


def _staff_standing(row: asyncpg.Record) -> StaffStanding:
    return StaffStanding(
        id=row["id"],
        consortium_id=row["consortium_id"],
        partner_id=row["partner_id"],
        role=CallerRole(row["role"]),
        language=row["language"],
        partner_active=row["partner_id"] is None or row["partner_status"] == "ACTIVE",
    )


async def active_staff_user_by_email(
    conn: Connection, *, consortium_slug: str, email: str
) -> StaffStanding | None:
    """The staff user of the consortium ``consortium_slug`` whose address is ``email``
    (normalised; unique per consortium), unless disabled."""
    row = await conn.fetchrow(
        """select s.id, s.consortium_id, s.partner_id, s.role, s.language,
                  p.status as partner_status
           from staff_user s join consortium c on c.id = s.consortium_id
           left join partner p on p.id = s.partner_id
           where c.slug = $1 and lower(s.email) = $2 and s.disabled_at is null""",
        consortium_slug,
        email,
    )
    return None if row is None else _staff_standing(row)


def _person(row: asyncpg.Record) -> Identity:
    return Identity(
        SubjectKind.PERSON,
        row["id"],
        row["consortium_id"],
        CallerRole.CANDIDATE,
        language=row["language"],
        consortium_name=row.get("consortium_name") or "",
    )


async def find_person(conn: Connection, *, person_id: UUID) -> Identity | None:
    row = await conn.fetchrow(
        "select id, consortium_id, language from person where id = $1", person_id
    )
    return None if row is None else _person(row)


# ---------------------------------------------------------------- one-time tokens


async def insert_one_time_token(
    conn: Connection,
    *,
    id: UUID,
    token_hash: str,
    purpose: TokenPurpose,
    ttl: dt.timedelta,
    consortium_id: UUID | None,
    staff_user_id: UUID | None,
    person_id: UUID | None,
    profile_id: UUID | None,
    introduction_id: UUID | None,
    now: dt.datetime | None,
) -> None:
    await conn.execute(
        """insert into sign_in_token
               (id, token_hash, purpose, consortium_id, staff_user_id, person_id, profile_id,
                introduction_id, created_at, expires_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, clock_timestamp()),
                   coalesce($9, clock_timestamp()) + $10::interval)""",
        id,
        token_hash,
        purpose.value,
        consortium_id,
        staff_user_id,
        person_id,
        profile_id,
        introduction_id,
        now,
        ttl,
    )


_ONE_TIME_COLUMNS = """id, purpose, consortium_id, staff_user_id, person_id, profile_id,
                    introduction_id, created_at, expires_at"""


async def use_one_time_token(
    conn: Connection, *, token_hash: str, purpose: TokenPurpose, now: dt.datetime | None
) -> OneTimeToken | None:
    """Mark the token used if it is unused, unexpired and for ``purpose``: one statement,
    so two racing requests cannot both use it."""
    row = await conn.fetchrow(
        f"""update sign_in_token set used_at = coalesce($3, clock_timestamp())
           where token_hash = $1 and purpose = $2 and used_at is null
             and expires_at > coalesce($3, clock_timestamp())
           returning {_ONE_TIME_COLUMNS}""",
        token_hash,
        purpose.value,
        now,
    )
    return None if row is None else _one_time_token(row)


async def usable_one_time_token(
    conn: Connection, *, token_hash: str, purpose: TokenPurpose
) -> OneTimeToken | None:
    """The token if it is unused, unexpired and for ``purpose``, without using it."""
    row = await conn.fetchrow(
        f"""select {_ONE_TIME_COLUMNS} from sign_in_token
           where token_hash = $1 and purpose = $2 and used_at is null
             and expires_at > clock_timestamp()""",
        token_hash,
        purpose.value,
    )
    return None if row is None else _one_time_token(row)


def _one_time_token(row: asyncpg.Record) -> OneTimeToken:
    return OneTimeToken(
        id=row["id"],
        purpose=TokenPurpose(row["purpose"]),
        consortium_id=row["consortium_id"],
        staff_user_id=row["staff_user_id"],
        person_id=row["person_id"],
        profile_id=row["profile_id"],
        introduction_id=row["introduction_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


# ---------------------------------------------------------------- sign-in


async def lock_sign_in_address(conn: Connection, *, address: str) -> None:
    """Serialise sign-in requests for one address until the transaction ends, so counting
    recent links and issuing new ones cannot interleave."""
    await conn.execute(
        "select pg_advisory_xact_lock(hashtextextended('sign-in:' || $1, 0))", address
    )


async def find_identities(conn: Connection, *, email: str, limit: int) -> list[Identity]:
    """Active staff users, then people, whose address is ``email`` (normalised); at most
    ``limit`` of each, with their consortium's (and HR users' partner's) name."""
    staff = await conn.fetch(
        """select s.id, s.consortium_id, s.partner_id, s.role, s.language,
                  c.name as consortium_name, pa.name as partner_name
           from staff_user s join consortium c on c.id = s.consortium_id
           left join partner pa on pa.id = s.partner_id
           where lower(s.email) = $1 and s.disabled_at is null
           order by s.created_at, s.id limit $2""",
        email,
        limit,
    )
    people = await conn.fetch(
        """select p.id, p.consortium_id, p.language, c.name as consortium_name
           from person_contact pc join person p on p.id = pc.person_id
           join consortium c on c.id = p.consortium_id
           where lower(pc.email) = $1 order by pc.created_at, pc.person_id limit $2""",
        email,
        limit,
    )
    found = [
        Identity(
            SubjectKind.STAFF_USER,
            r["id"],
            r["consortium_id"],
            CallerRole(r["role"]),
            r["partner_id"],
            r["language"],
            r["consortium_name"],
            r["partner_name"],
        )
        for r in staff
    ]
    return found + [_person(r) for r in people]


async def count_recent_sign_in_links(
    conn: Connection,
    *,
    staff_user_ids: Sequence[UUID],
    person_ids: Sequence[UUID],
    window: dt.timedelta,
) -> int:
    count = await conn.fetchval(
        """select count(*) from sign_in_token
           where purpose = 'SIGN_IN' and created_at > clock_timestamp() - $3::interval
             and (staff_user_id = any($1::uuid[]) or person_id = any($2::uuid[]))""",
        list(staff_user_ids),
        list(person_ids),
        window,
    )
    return int(count or 0)


# ---------------------------------------------------------------- portal sessions


async def insert_portal_session(
    conn: Connection,
    *,
    id: UUID,
    token_hash: str,
    consortium_id: UUID,
    person_id: UUID,
    purpose: TokenPurpose,
    minutes: int,
) -> None:
    await conn.execute(
        """insert into portal_session (id, token_hash, consortium_id, person_id, purpose,
                                       expires_at)
           values ($1, $2, $3, $4, $5, clock_timestamp() + make_interval(mins => $6))""",
        id,
        token_hash,
        consortium_id,
        person_id,
        purpose.value,
        minutes,
    )


async def find_portal_session(conn: Connection, *, token_hash: str) -> PortalSession | None:
    row = await conn.fetchrow(
        """select person_id, consortium_id from portal_session
           where token_hash = $1 and expires_at > clock_timestamp()
             and person_id is not null""",
        token_hash,
    )
    return None if row is None else PortalSession(row["person_id"], row["consortium_id"])


async def delete_portal_session(conn: Connection, *, token_hash: str) -> None:
    await conn.execute("delete from portal_session where token_hash = $1", token_hash)


# ---------------------------------------------------------------- sealed private keys
# Private JWKs are stored sealed (infra/keywrap.py); private_jwk only ever holds a key an
# earlier version wrote in clear, until it is sealed (migration 0010).


async def insert_sealed_key(
    conn: Connection, *, kid: str, alg: str, public_jwk: dict[str, Any], sealed: SealedSecret
) -> KeyInfo:
    row = await conn.fetchrow(
        """insert into platform_key (kid, alg, public_jwk, private_ciphertext, private_nonce,
                                     private_wrapped_key, private_kek_id, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
           returning kid, alg, created_at""",
        kid,
        alg,
        public_jwk,
        sealed.ciphertext,
        sealed.nonce,
        sealed.wrapped_key,
        sealed.kek_id,
    )
    assert row is not None
    return KeyInfo(row["kid"], row["alg"], row["created_at"], None, KeyStatus.ACTIVE)


def _sealed(row: asyncpg.Record) -> SealedSecret | None:
    if row["private_ciphertext"] is None:
        return None
    return SealedSecret(
        ciphertext=bytes(row["private_ciphertext"]),
        nonce=bytes(row["private_nonce"]),
        wrapped_key=bytes(row["private_wrapped_key"]),
        kek_id=row["private_kek_id"],
    )


async def current_keys(conn: Connection, *, grace: dt.timedelta) -> list[StoredKey]:
    """Keys that sign or still verify, newest first; the sealed private key of active ones."""
    rows = await conn.fetch(
        """select kid, alg, public_jwk, created_at, retired_at, private_ciphertext,
                  private_nonce, private_wrapped_key, private_kek_id
           from platform_key
           where retired_at is null or retired_at > clock_timestamp() - $1::interval
           order by created_at desc""",
        grace,
    )
    return [
        StoredKey(
            kid=r["kid"],
            alg=r["alg"],
            created_at=r["created_at"],
            retired_at=r["retired_at"],
            public_jwk=dict(r["public_jwk"]),
            sealed_private=_sealed(r) if r["retired_at"] is None else None,
        )
        for r in rows
    ]


async def clear_private_keys(conn: Connection) -> list[ClearPrivateKey]:
    """Private keys still stored in clear (written before migration 0010)."""
    rows = await conn.fetch(
        "select kid, private_jwk from platform_key where private_jwk is not null order by kid"
    )
    return [ClearPrivateKey(r["kid"], dict(r["private_jwk"])) for r in rows]


async def sealed_private_keys(conn: Connection) -> list[SealedPrivateKey]:
    """Every sealed private key, retired ones included, oldest first."""
    rows = await conn.fetch(
        """select kid, private_ciphertext, private_nonce, private_wrapped_key, private_kek_id
           from platform_key where private_ciphertext is not null order by created_at"""
    )
    return [SealedPrivateKey(r["kid"], sealed) for r in rows if (sealed := _sealed(r))]


async def store_sealed_private_key(conn: Connection, *, kid: str, sealed: SealedSecret) -> None:
    """Replace a key's private part by ``sealed``; the clear column is emptied."""
    await conn.execute(
        """update platform_key
           set private_ciphertext = $2, private_nonce = $3, private_wrapped_key = $4,
               private_kek_id = $5, private_jwk = null
           where kid = $1""",
        kid,
        sealed.ciphertext,
        sealed.nonce,
        sealed.wrapped_key,
        sealed.kek_id,
    )


# ---------------------------------------------------------------- rate limits


@dataclass(frozen=True, slots=True)
class WindowCount:
    """A key's hits in its current window, and the whole seconds until that window ends."""

    bucket: str
    key_hash: bytes
    hits: int
    seconds_left: int


async def count_hits(
    conn: Connection, *, hits: Sequence[tuple[str, bytes, int]]
) -> list[WindowCount]:
    """Count one hit for each ``(bucket, key hash, window seconds)``, atomically, in one
    statement: a key whose window has ended starts a new one. The same statement removes
    a few counters whose window ended over a minute ago (never one it counts), so the
    table holds little more than the live windows."""
    ordered = sorted(hits)  # one lock order for every caller: no deadlocks
    rows = await conn.fetch(
        """with hit as (
               select h.*, statement_timestamp() as at
               from unnest($1::text[], $2::bytea[], $3::int[]) as h(bucket, key_hash, secs)
           ), stale as (
               delete from rate_limit_counter
               where (bucket, key_hash) in (
                   select r.bucket, r.key_hash from rate_limit_counter r
                   where r.window_end < statement_timestamp() - interval '1 minute'
                     and (r.bucket, r.key_hash) not in (select bucket, key_hash from hit)
                   limit 20 for update skip locked)
           )
           insert into rate_limit_counter as c (bucket, key_hash, window_start, window_end, hits)
           select bucket, key_hash, at, at + make_interval(secs => secs), 1 from hit
           on conflict (bucket, key_hash) do update set  -- excluded.window_start: now
               window_start = case when c.window_end <= excluded.window_start
                                   then excluded.window_start else c.window_start end,
               window_end = case when c.window_end <= excluded.window_start
                                 then excluded.window_end else c.window_end end,
               hits = case when c.window_end <= excluded.window_start then 1 else c.hits + 1 end
           returning bucket, key_hash, hits,
               greatest(1, ceil(extract(epoch from window_end - statement_timestamp())))::int
               as seconds_left""",
        [h[0] for h in ordered],
        [h[1] for h in ordered],
        [h[2] for h in ordered],
    )
    return [
        WindowCount(r["bucket"], bytes(r["key_hash"]), r["hits"], r["seconds_left"]) for r in rows
    ]


async def refund_hit(conn: Connection, *, bucket: str, key_hash: bytes) -> None:
    """Take back one hit of a live window (a reserved attempt that turned out fine)."""
    await conn.execute(
        """update rate_limit_counter set hits = greatest(hits - 1, 0)
           where bucket = $1 and key_hash = $2 and window_end > statement_timestamp()""",
        bucket,
        key_hash,
    )


# ---------------------------------------------------------------- staff portal sessions


async def insert_staff_portal_session(
    conn: Connection,
    *,
    id: UUID,
    token_hash: str,
    consortium_id: UUID,
    staff_user_id: UUID,
    minutes: int,
) -> None:
    await conn.execute(
        """insert into portal_session (id, token_hash, consortium_id, staff_user_id, purpose,
                                       expires_at)
           values ($1, $2, $3, $4, 'SIGN_IN', clock_timestamp() + make_interval(mins => $5))""",
        id,
        token_hash,
        consortium_id,
        staff_user_id,
        minutes,
    )


async def find_session_subject(conn: Connection, *, token_hash: str) -> SessionSubject | None:
    """Whose open session this is: a person's or a staff user's."""
    row = await conn.fetchrow(
        """select consortium_id, person_id, staff_user_id from portal_session
           where token_hash = $1 and expires_at > clock_timestamp()""",
        token_hash,
    )
    if row is None:
        return None
    return SessionSubject(row["consortium_id"], row["person_id"], row["staff_user_id"])


async def staff_profile(conn: Connection, *, user_id: UUID) -> StaffProfile | None:
    """Who a signed-in staff user is, and for which partner and consortium."""
    row = await conn.fetchrow(
        """select s.email, s.display_name, s.role, p.name as partner_name,
                  c.name as consortium_name
           from staff_user s
           join consortium c on c.id = s.consortium_id
           left join partner p on p.id = s.partner_id
           where s.id = $1""",
        user_id,
    )
    if row is None:
        return None
    return StaffProfile(
        email=row["email"],
        display_name=row["display_name"],
        role=CallerRole(row["role"]),
        partner_name=row["partner_name"],
        consortium_name=row["consortium_name"],
    )
