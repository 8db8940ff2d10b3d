"""JWT access tokens (RFC 9068 profile): issuing them, and validating them strictly.

Validation order: size cap, shape, header (our one algorithm, a known ``kid``,
``typ`` at+jwt, no ``crit``, no other header parameters), signature with that one
key, then the claims (essential iss/aud/exp/iat/nbf/sub/jti, lifetimes, our own
claims). Every failure is :class:`infra.errors.Unauthenticated`.

Beside the registered claims, our own say who the caller is:
``tdr_role`` (partner_hr | candidate | consortium_admin), ``tdr_consortium``,
``tdr_partner`` (partner callers only), ``tdr_sub_kind`` (api_client | staff_user |
person: what ``sub`` names) and ``tdr_lang``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderRegistryDict

from exchange.identity.exceptions import UnknownKey
from exchange.identity.keys import ACCESS_TOKEN_TYPE, SIGNING_ALG, KeyRing
from exchange.identity.models import SubjectKind
from infra.caller import ADMIN_SCOPES, CANDIDATE_SCOPES, PARTNER_SCOPES, Caller, CallerRole
from infra.errors import Unauthenticated
from infra.settings import Settings

MAX_TOKEN_BYTES = 4096
CLOCK_LEEWAY_SECONDS = 30
MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600
PORTAL_CLIENT_ID = "tussendeur-portal"  # `client_id` of tokens people get by sign-in link

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})
_LANGUAGES = frozenset({"nl", "en"})


ROLE_SCOPES: dict[CallerRole, frozenset[str]] = {
    CallerRole.PARTNER_HR: frozenset(s.value for s in PARTNER_SCOPES),
    CallerRole.CONSORTIUM_ADMIN: frozenset(s.value for s in ADMIN_SCOPES),
    CallerRole.CANDIDATE: frozenset(s.value for s in CANDIDATE_SCOPES),
}


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    jti: str
    token_type: str = "Bearer"  # noqa: S105 (the RFC 6750 scheme name)

    def response(self) -> dict[str, Any]:
        """The RFC 6749 §5.1 token response body."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "scope": self.scope,
        }


def subject_kind(caller: Caller) -> SubjectKind:
    if caller.client_id:
        return SubjectKind.API_CLIENT
    if caller.role is CallerRole.CANDIDATE:
        return SubjectKind.PERSON
    return SubjectKind.STAFF_USER


def _subject(caller: Caller, kind: SubjectKind) -> str:
    if kind is SubjectKind.API_CLIENT:
        assert caller.client_id is not None
        return caller.client_id
    if kind is SubjectKind.PERSON:
        if caller.person_id is None:
            raise ValueError("a candidate token needs person_id")
        return str(caller.person_id)
    if caller.user_id is None:
        raise ValueError("a staff token needs user_id")
    return str(caller.user_id)


def issue_access_token(
    key_ring: KeyRing,
    settings: Settings,
    caller: Caller,
    *,
    ttl_seconds: int | None = None,
    now: int | None = None,
) -> IssuedToken:
    """Sign an access token for ``caller`` (its ids are authoritative; ``sub`` follows them)."""
    ttl = ttl_seconds if ttl_seconds is not None else settings.access_token_ttl_seconds
    if not 0 < ttl <= MAX_TOKEN_LIFETIME_SECONDS:
        raise ValueError(f"token lifetime must be 1..{MAX_TOKEN_LIFETIME_SECONDS} seconds")
    if caller.role is CallerRole.PARTNER_HR and caller.partner_id is None:
        raise ValueError("a partner_hr token needs partner_id")
    issued_at = int(time.time()) if now is None else now
    kind = subject_kind(caller)
    scope = " ".join(sorted(caller.scopes))
    jti = uuid.uuid4().hex
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.token_audience,
        "sub": _subject(caller, kind),
        "client_id": caller.client_id or PORTAL_CLIENT_ID,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl,
        "jti": jti,
        "scope": scope,
        "tdr_role": caller.role.value,
        "tdr_consortium": str(caller.consortium_id),
        "tdr_sub_kind": kind.value,
        "tdr_lang": caller.language,
    }
    if caller.partner_id is not None:
        claims["tdr_partner"] = str(caller.partner_id)
    return IssuedToken(key_ring.sign(claims), ttl, scope, jti)


def _b64json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def read_header(raw: str) -> dict[str, Any]:
    """The protected header, checked before any key is chosen."""
    if len(raw) > MAX_TOKEN_BYTES:
        raise Unauthenticated("the access token is too large")
    if not _COMPACT_JWS.fullmatch(raw):
        raise Unauthenticated("the access token is not a compact JWS")
    try:
        header = _b64json(raw.split(".", 1)[0])
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Unauthenticated("the access token header is malformed") from exc
    if not isinstance(header, dict):
        raise Unauthenticated("the access token header is malformed")
    if "crit" in header:
        raise Unauthenticated("the access token carries critical header parameters")
    if not set(header) <= _ALLOWED_HEADER:
        raise Unauthenticated("the access token header has unexpected parameters")
    if header.get("alg") != SIGNING_ALG:
        raise Unauthenticated(f"the access token must be signed with {SIGNING_ALG}")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in (ACCESS_TOKEN_TYPE, "application/at+jwt"):
        raise Unauthenticated("the token is not an access token (typ at+jwt)")
    if not isinstance(header.get("kid"), str):
        raise Unauthenticated("the access token names no key")
    return header


class _AccessTokenRegistry(JWSRegistry):
    """Only the header parameters we write (so no ``crit``, ``b64``, ``jku``, ``jwk``…)."""

    default_header_registry: HeaderRegistryDict = {  # noqa: RUF012 (read-only)
        k: v for k, v in JWSRegistry.default_header_registry.items() if k in _ALLOWED_HEADER
    }


_REGISTRY = _AccessTokenRegistry(algorithms=[SIGNING_ALG], strict_check_header=True)


def validate_access_token(
    raw: str, key_ring: KeyRing, settings: Settings, *, now: int | None = None
) -> Caller:
    """The caller an access token names, or :class:`Unauthenticated` (:class:`UnknownKey`)."""
    header = read_header(raw)
    key = key_ring.verification_key(header["kid"])
    if key is None:
        raise UnknownKey("the access token is signed by an unknown key")
    try:
        token = jwt.decode(raw, key, algorithms=[SIGNING_ALG], registry=_REGISTRY)
    except JoseError as exc:
        raise Unauthenticated("the access token signature does not hold") from exc
    current = int(time.time()) if now is None else now
    registry = jwt.JWTClaimsRegistry(
        now=current,
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.token_audience},
        exp={"essential": True},
        iat={"essential": True},
        nbf={"essential": True},
        sub={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
    )
    claims = token.claims
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise Unauthenticated("the access token has expired") from exc
    except JoseError as exc:
        raise Unauthenticated(f"the access token claims do not hold ({exc.description})") from exc
    if claims["exp"] - claims["iat"] > MAX_TOKEN_LIFETIME_SECONDS:
        raise Unauthenticated("the access token lives too long")
    return caller_from_claims(claims)


def _uuid(claims: dict[str, Any], name: str) -> UUID:
    value = claims.get(name)
    if not isinstance(value, str):
        raise Unauthenticated(f"the access token lacks {name}")
    try:
        return UUID(value)
    except ValueError as exc:
        raise Unauthenticated(f"the access token has a malformed {name}") from exc


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    try:
        role = CallerRole(str(claims.get("tdr_role")))
        kind = SubjectKind(str(claims.get("tdr_sub_kind")))
    except ValueError as exc:
        raise Unauthenticated("the access token names no known role") from exc
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise Unauthenticated("the access token scope is malformed")
    scopes = frozenset(scope.split())
    if not scopes <= ROLE_SCOPES[role]:
        raise Unauthenticated("the access token carries scopes its role cannot hold")
    language = claims.get("tdr_lang", "nl")
    consortium_id = _uuid(claims, "tdr_consortium")
    partner_id = _uuid(claims, "tdr_partner") if role is CallerRole.PARTNER_HR else None
    if role is not CallerRole.PARTNER_HR and "tdr_partner" in claims:
        raise Unauthenticated("the access token names a partner for a role without one")
    subject, client_id = claims["sub"], claims["client_id"]
    if not isinstance(client_id, str):
        raise Unauthenticated("the access token client_id is malformed")
    person_id = user_id = None
    if kind is SubjectKind.API_CLIENT:
        if subject != client_id or role is CallerRole.CANDIDATE:
            raise Unauthenticated("the access token subject does not match its client")
    elif kind is SubjectKind.PERSON:
        if role is not CallerRole.CANDIDATE:
            raise Unauthenticated("the access token subject does not match its role")
        person_id = _uuid(claims, "sub")
    else:
        if role is CallerRole.CANDIDATE:
            raise Unauthenticated("the access token subject does not match its role")
        user_id = _uuid(claims, "sub")
    language = language if language in _LANGUAGES else "nl"
    if kind is SubjectKind.API_CLIENT:
        return Caller.api_client(consortium_id, client_id, partner_id=partner_id, scopes=scopes)
    if person_id is not None:
        return Caller.person(consortium_id, person_id, scopes=scopes, language=language)
    assert user_id is not None
    if partner_id is not None:
        return Caller.partner_staff(
            consortium_id, partner_id, user_id, scopes=scopes, language=language
        )
    return Caller.admin(consortium_id, user_id, scopes=scopes, language=language)
