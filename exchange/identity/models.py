"""Identity's values: what the repository returns and the use cases pass around."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from infra.caller import CallerRole
from infra.keywrap import SealedSecret


class SubjectKind(StrEnum):
    """What a token's ``sub`` names."""

    API_CLIENT = "api_client"
    STAFF_USER = "staff_user"
    PERSON = "person"


class TokenPurpose(StrEnum):
    SIGN_IN = "SIGN_IN"
    CONSENT = "CONSENT"
    INTRODUCTION = "INTRODUCTION"
    RENEW = "RENEW"


class SignInDoor(StrEnum):
    """Where a sign-in link was asked for, and so where it leads."""

    API = "api"  # POST /auth/sign-in: staff and people; the link buys an access token
    PORTAL = "portal"  # the portal's form: people only; the link opens a portal session


class KeyStatus(StrEnum):
    ACTIVE = "ACTIVE"  # signs and verifies
    PUBLISHED = "PUBLISHED"  # retired, still verifies during the grace period
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class OneTimeToken:
    id: UUID
    purpose: TokenPurpose
    consortium_id: UUID | None
    staff_user_id: UUID | None
    person_id: UUID | None
    profile_id: UUID | None
    introduction_id: UUID | None
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Identity:
    """Someone an address can sign in as."""

    kind: SubjectKind  # STAFF_USER or PERSON
    id: UUID
    consortium_id: UUID
    role: CallerRole
    partner_id: UUID | None = None
    language: str = "nl"
    consortium_name: str = ""  # names the link in a mail for an address with several
    partner_name: str | None = None  # the partner an HR user works for


@dataclass(frozen=True, slots=True)
class StaffStanding:
    """A staff user as sign-in and the per-request check see them."""

    id: UUID
    consortium_id: UUID
    partner_id: UUID | None
    role: CallerRole
    language: str
    partner_active: bool  # True for staff without a partner


@dataclass(frozen=True, slots=True)
class SubjectStanding:
    """Who a token's subject is now: its consortium and partner, and whether it may act."""

    consortium_id: UUID
    partner_id: UUID | None
    partner_active: bool  # True for subjects without a partner
    scopes: frozenset[str] | None = None  # an API client's scopes now
    role: CallerRole | None = None  # a staff user's role now


@dataclass(frozen=True, slots=True)
class ApiClient:
    id: UUID
    consortium_id: UUID
    partner_id: UUID | None
    client_id: str
    name: str
    scopes: frozenset[str]
    secret_hash: str
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A ``platform_key`` row; the sealed private JWK only while the key is not retired."""

    kid: str
    alg: str
    created_at: dt.datetime
    retired_at: dt.datetime | None
    public_jwk: dict[str, Any]
    sealed_private: SealedSecret | None


@dataclass(frozen=True, slots=True)
class SealedPrivateKey:
    """A key's sealed private JWK, as re-wrapping under a new KEK sees it."""

    kid: str
    sealed: SealedSecret


@dataclass(frozen=True, slots=True)
class ClearPrivateKey:
    """A private JWK an earlier version stored in clear, waiting to be sealed."""

    kid: str
    private_jwk: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A key as ``tussendeur keys list`` shows it (no private material)."""

    kid: str
    alg: str
    created_at: dt.datetime
    retired_at: dt.datetime | None
    status: KeyStatus


@dataclass(frozen=True, slots=True)
class PortalSession:
    person_id: UUID
    consortium_id: UUID


@dataclass(frozen=True, slots=True)
class SessionSubject:
    """Whose portal session it is: exactly one of ``person_id`` and ``staff_user_id``."""

    consortium_id: UUID
    person_id: UUID | None
    staff_user_id: UUID | None


@dataclass(frozen=True, slots=True)
class StaffProfile:
    """A signed-in staff user as their own portal page shows them."""

    email: str
    display_name: str
    role: CallerRole
    partner_name: str | None
    consortium_name: str
