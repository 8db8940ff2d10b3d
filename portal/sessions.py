"""Portal sessions: opened by an emailed one-time link, kept in PostgreSQL, ended at will.

The ``td_session`` cookie holds a random token; the table keeps its SHA-256 only.
Redeeming the link and opening the session happen in one transaction, so a link
either yields a session or stays unused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from uuid import UUID

from exchange.identity.one_time import TokenPurpose, redeem_one_time_token, token_scope
from infra.caller import Caller
from infra.db import Database, apply_scope
from infra.scope import AccessScope, ScopeRole

SESSION_COOKIE = "td_session"


@dataclass(frozen=True, slots=True)
class OpenedSession:
    raw_token: str
    caller: Caller
    profile_id: UUID | None


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def person_caller(person_id: UUID, consortium_id: UUID, language: str) -> Caller:
    return Caller.person(consortium_id, person_id, language=language)


async def open_from_link(
    database: Database,
    raw_link_token: str,
    purpose: TokenPurpose,
    *,
    minutes: int,
    language: str,
) -> OpenedSession | None:
    """Use the emailed link once and open the person's session; ``None`` when the link is
    unknown, used, expired or for something else."""
    async with database.transaction(token_scope(raw_link_token)) as conn:
        token = await redeem_one_time_token(conn, raw_link_token, purpose)
        if token is None or token.person_id is None or token.consortium_id is None:
            return None
        caller = person_caller(token.person_id, token.consortium_id, language)
        await apply_scope(conn, caller.access_scope())
        exists = await conn.fetchval("select 1 from person where id = $1", token.person_id)
        if not exists:
            return None
        raw = secrets.token_urlsafe(32)
        await conn.execute(
            """insert into portal_session (id, token_hash, consortium_id, person_id, purpose,
                                           expires_at)
               values ($1, $2, $3, $4, $5, clock_timestamp() + make_interval(mins => $6))""",
            uuid.uuid4(),
            _hash(raw),
            token.consortium_id,
            token.person_id,
            purpose.value,
            minutes,
        )
    return OpenedSession(raw, caller, token.profile_id)


async def current_caller(database: Database, raw: str, *, language: str) -> Caller | None:
    if not 20 <= len(raw) <= 128:
        return None
    scope = AccessScope(role=ScopeRole.ANONYMOUS, lookups={"token_hash": _hash(raw)})
    async with database.transaction(scope) as conn:
        row = await conn.fetchrow(
            """select person_id, consortium_id from portal_session
               where token_hash = $1 and expires_at > clock_timestamp()""",
            _hash(raw),
        )
    if row is None:
        return None
    return person_caller(row["person_id"], row["consortium_id"], language)


async def end_session(database: Database, raw: str) -> None:
    scope = AccessScope(role=ScopeRole.ANONYMOUS, lookups={"token_hash": _hash(raw)})
    async with database.transaction(scope) as conn:
        await conn.execute("delete from portal_session where token_hash = $1", _hash(raw))


def session_lifetime(now: dt.datetime, minutes: int) -> dt.datetime:
    return now + dt.timedelta(minutes=minutes)
