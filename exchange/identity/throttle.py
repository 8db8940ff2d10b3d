"""Throttles at the doors that take guesses, counted in PostgreSQL so every replica shares
them (migration 0009, ``rate_limit_counter``).

- ``/oauth/token``: every request per source address; and per client id the failed
  secrets. A client id's attempt is counted *before* its secret is checked and refunded
  when the secret was right, so parallel guesses cannot slip past the limit while the
  check runs.
- ``/auth/sign-in`` and the portal's sign-in form: every request per source address, one
  count for both doors (the per-address cap of links in :mod:`.service` stays as well).

A door asks once per request, in one statement; a refusal carries the seconds until the
window that refused ends (``Retry-After``). Counters hold keyed hashes, never an address
or a client id: HMAC-SHA256 under ``throttle_hash_key`` (without one the key is a fixed
constant, and a dump's hashes of IPv4 addresses could be reversed by trying them all).

The counting transaction runs in the anonymous scope without lookups: it can see no
tenant row, and it depends on the source address only, so it tells nothing about an
email address. The source address is ``request.client.host``, which uvicorn takes from
``X-Forwarded-For`` only when the peer is in ``FORWARDED_ALLOW_IPS`` (``--proxy-headers
--forwarded-allow-ips``): behind a reverse proxy set it to the proxy's address, or every
client shares the proxy's count.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass

from exchange.identity import repository
from infra.db import Database
from infra.scope import AccessScope
from infra.settings import Settings

log = logging.getLogger("tussendeur.auth")

OAUTH_PER_ADDRESS = "oauth.address"
OAUTH_PER_CLIENT = "oauth.client"
SIGN_IN_PER_ADDRESS = "sign_in.address"
LIMITER_SCOPE = AccessScope.anonymous()  # no lookups: sees the counters and nothing else
_DEFAULT_HASH_KEY = b"tussendeur rate limit counters"
_IPV6_PREFIX = 64  # one subscriber usually holds a whole /64


@dataclass(frozen=True, slots=True)
class Verdict:
    """``retry_after`` is ``None`` when the request may go ahead, else the seconds to wait."""

    retry_after: int | None = None

    @property
    def refused(self) -> bool:
        return self.retry_after is not None


ALLOWED = Verdict()


@dataclass(frozen=True, slots=True)
class _Limit:
    bucket: str
    value: str
    limit: int
    window_seconds: int


def source_key(host: str | None) -> str:
    """The address a throttle counts: an IPv4 address, an IPv6 address's /64 network (an
    IPv4-mapped one as IPv4), or the raw text when it is no address (a test client)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, _IPV6_PREFIX), strict=False))
    return str(address)


def key_hash(settings: Settings, bucket: str, value: str) -> bytes:
    """The keyed hash a counter is stored under (bucket included: one address gets
    unrelated hashes in different buckets)."""
    secret = settings.throttle_hash_key
    key = secret.get_secret_value().encode() if secret is not None else _DEFAULT_HASH_KEY
    return hmac.new(key, f"{bucket}\x00{value}".encode(), hashlib.sha256).digest()


async def _count(database: Database, settings: Settings, limits: list[_Limit]) -> Verdict:
    active = [limit for limit in limits if limit.limit > 0]
    if not active:
        return ALLOWED
    hashed = {
        (limit.bucket, key_hash(settings, limit.bucket, limit.value)): limit for limit in active
    }
    async with database.transaction(LIMITER_SCOPE) as conn:
        counts = await repository.count_hits(
            conn,
            hits=[
                (bucket, digest, hashed[bucket, digest].window_seconds) for bucket, digest in hashed
            ],
        )
    waits = [c.seconds_left for c in counts if c.hits > hashed[c.bucket, c.key_hash].limit]
    if not waits:
        return ALLOWED
    log.info("throttled", extra={"buckets": sorted({c.bucket for c in counts})})
    return Verdict(max(waits))


async def admit_token_request(
    database: Database, settings: Settings, *, source: str | None, client_id: str | None
) -> Verdict:
    """Count a token request from ``source`` and, when it names one, an attempt of
    ``client_id``; refuse when either is over its limit. Call :func:`refund_token_attempt`
    when the client authenticated after all."""
    window = settings.token_throttle_window_seconds
    limits = [
        _Limit(OAUTH_PER_ADDRESS, source_key(source), settings.token_requests_per_address, window)
    ]
    if client_id is not None:
        limits.append(
            _Limit(OAUTH_PER_CLIENT, client_id, settings.token_failures_per_client, window)
        )
    return await _count(database, settings, limits)


async def refund_token_attempt(database: Database, settings: Settings, *, client_id: str) -> None:
    """The client's secret was right (or never checked): its attempt was no failure."""
    if settings.token_failures_per_client <= 0:
        return
    async with database.transaction(LIMITER_SCOPE) as conn:
        await repository.refund_hit(
            conn, bucket=OAUTH_PER_CLIENT, key_hash=key_hash(settings, OAUTH_PER_CLIENT, client_id)
        )


async def admit_sign_in(database: Database, settings: Settings, *, source: str | None) -> Verdict:
    """Count a sign-in request (either door) from ``source``; refuse past the limit."""
    limit = _Limit(
        SIGN_IN_PER_ADDRESS,
        source_key(source),
        settings.sign_in_requests_per_address,
        settings.sign_in_throttle_window_seconds,
    )
    return await _count(database, settings, [limit])
