"""One-time tokens behind emailed links: sign-in, consent, introduction, renewal.

The raw token (``secrets.token_urlsafe(32)``) goes only into the mail; the table
keeps its SHA-256. Redeeming is one statement that marks the row used only if it
is unused, unexpired and of the expected purpose, so a token works exactly once
even when two requests race.

Row-level security lets an anonymous transaction touch a token only when it names
its hash: open the redeeming transaction with :func:`token_scope`::

    async with database.transaction(token_scope(raw)) as conn:
        token = await redeem_one_time_token(conn, raw, TokenPurpose.CONSENT)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from uuid import UUID

from exchange.identity import repository
from exchange.identity.models import OneTimeToken, TokenPurpose
from infra.db import Connection
from infra.scope import AccessScope

__all__ = [
    "MAX_TTL",
    "OneTimeToken",
    "TokenPurpose",
    "hash_token",
    "is_well_formed",
    "issue_one_time_token",
    "peek_one_time_token",
    "redeem_one_time_token",
    "token_scope",
]

MAX_TTL = dt.timedelta(days=30)
_RAW_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def is_well_formed(raw_token: str) -> bool:
    return bool(_RAW_TOKEN.fullmatch(raw_token))


def token_scope(raw_token: str) -> AccessScope:
    """The anonymous scope that may find (and use) exactly this token's row."""
    return AccessScope.anonymous(token_hash=hash_token(raw_token))


async def issue_one_time_token(
    conn: Connection,
    purpose: TokenPurpose,
    *,
    ttl: dt.timedelta,
    consortium_id: UUID | None = None,
    staff_user_id: UUID | None = None,
    person_id: UUID | None = None,
    profile_id: UUID | None = None,
    introduction_id: UUID | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Store the hash of a new token bound to what it is for; return the raw token.

    Any transaction with a caller (even an anonymous one) may issue; ``now`` is for tests.
    """
    if not dt.timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"a one-time token lives between 0 and {MAX_TTL}")
    if (
        staff_user_id is None
        and person_id is None
        and profile_id is None
        and (introduction_id is None)
    ):
        raise ValueError(
            "a one-time token must be bound to a user, person, profile or introduction"
        )
    raw = secrets.token_urlsafe(32)
    await repository.insert_one_time_token(
        conn,
        id=uuid.uuid4(),
        token_hash=hash_token(raw),
        purpose=TokenPurpose(purpose),
        ttl=ttl,
        consortium_id=consortium_id,
        staff_user_id=staff_user_id,
        person_id=person_id,
        profile_id=profile_id,
        introduction_id=introduction_id,
        now=now,
    )
    return raw


async def redeem_one_time_token(
    conn: Connection,
    raw_token: str,
    purpose: TokenPurpose,
    *,
    now: dt.datetime | None = None,
) -> OneTimeToken | None:
    """Use the token once. ``None`` when it is unknown, used, expired or for another
    purpose: callers show one message for all four. Needs :func:`token_scope`."""
    if not is_well_formed(raw_token):
        return None
    return await repository.use_one_time_token(
        conn, token_hash=hash_token(raw_token), purpose=TokenPurpose(purpose), now=now
    )


async def peek_one_time_token(
    conn: Connection, raw_token: str, purpose: TokenPurpose
) -> OneTimeToken | None:
    """The token as :func:`redeem_one_time_token` would use it, left unused: for the page
    that says what a link is for before its button is pressed. Needs :func:`token_scope`."""
    if not is_well_formed(raw_token):
        return None
    return await repository.usable_one_time_token(
        conn, token_hash=hash_token(raw_token), purpose=TokenPurpose(purpose)
    )
