"""The authenticated caller of a request, and the database scope it acts in."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from infra.errors import Forbidden, Unauthenticated
from infra.scope import AccessScope, ScopeRole


class CallerRole(StrEnum):
    PARTNER_HR = "partner_hr"
    CANDIDATE = "candidate"
    CONSORTIUM_ADMIN = "consortium_admin"


class Scope(StrEnum):
    """OAuth scopes, one per group of operations."""

    VACANCIES_READ = "vacancies:read"
    VACANCIES_WRITE = "vacancies:write"
    PROFILES_READ = "profiles:read"
    PROFILES_WRITE = "profiles:write"
    MATCHES_READ = "matches:read"
    INTRODUCTIONS_WRITE = "introductions:write"
    PLACEMENTS_WRITE = "placements:write"
    WEBHOOKS = "webhooks"
    ADMIN = "admin"
    AUDIT_READ = "audit:read"
    ME = "me"


PARTNER_SCOPES = frozenset(
    {
        Scope.VACANCIES_READ,
        Scope.VACANCIES_WRITE,
        Scope.PROFILES_READ,
        Scope.PROFILES_WRITE,
        Scope.MATCHES_READ,
        Scope.INTRODUCTIONS_WRITE,
        Scope.PLACEMENTS_WRITE,
        Scope.WEBHOOKS,
    }
)
ADMIN_SCOPES = frozenset({Scope.ADMIN, Scope.AUDIT_READ})
CANDIDATE_SCOPES = frozenset({Scope.ME})


def _names(scopes: frozenset[Scope]) -> frozenset[str]:
    return frozenset(s.value for s in scopes)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who acts. Build one with a named constructor (``Caller.api_client(...)``,
    ``Caller.partner_staff(...)``, ``Caller.admin(...)``, ``Caller.person(...)``,
    ``Caller.system(...)``); each fills the ids its kind of caller has, and by default
    every scope its role may hold."""

    role: CallerRole
    consortium_id: UUID
    subject: str  # token `sub`: a client id, staff user id or person id
    partner_id: UUID | None = None
    person_id: UUID | None = None
    user_id: UUID | None = None
    client_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    language: str = "nl"

    @classmethod
    def api_client(
        cls,
        consortium_id: UUID,
        client_id: str,
        *,
        partner_id: UUID | None = None,
        scopes: frozenset[str] | None = None,
    ) -> Caller:
        """A partner's systems (``partner_id`` given) or the consortium's own client."""
        role = CallerRole.PARTNER_HR if partner_id is not None else CallerRole.CONSORTIUM_ADMIN
        default = PARTNER_SCOPES if partner_id is not None else ADMIN_SCOPES
        return cls(
            role=role,
            consortium_id=consortium_id,
            subject=client_id,
            partner_id=partner_id,
            client_id=client_id,
            scopes=scopes if scopes is not None else _names(default),
        )

    @classmethod
    def partner_staff(
        cls,
        consortium_id: UUID,
        partner_id: UUID,
        user_id: UUID,
        *,
        scopes: frozenset[str] | None = None,
        language: str = "nl",
    ) -> Caller:
        """A partner's HR staff member, signed in."""
        return cls(
            role=CallerRole.PARTNER_HR,
            consortium_id=consortium_id,
            subject=str(user_id),
            partner_id=partner_id,
            user_id=user_id,
            scopes=scopes if scopes is not None else _names(PARTNER_SCOPES),
            language=language,
        )

    @classmethod
    def admin(
        cls,
        consortium_id: UUID,
        user_id: UUID,
        *,
        scopes: frozenset[str] | None = None,
        language: str = "nl",
    ) -> Caller:
        """A consortium admin staff member, signed in."""
        return cls(
            role=CallerRole.CONSORTIUM_ADMIN,
            consortium_id=consortium_id,
            subject=str(user_id),
            user_id=user_id,
            scopes=scopes if scopes is not None else _names(ADMIN_SCOPES),
            language=language,
        )

    @classmethod
    def person(
        cls,
        consortium_id: UUID,
        person_id: UUID,
        *,
        scopes: frozenset[str] | None = None,
        language: str = "nl",
    ) -> Caller:
        """The person behind a profile (candidate), signed in by link or token."""
        return cls(
            role=CallerRole.CANDIDATE,
            consortium_id=consortium_id,
            subject=str(person_id),
            person_id=person_id,
            scopes=scopes if scopes is not None else _names(CANDIDATE_SCOPES),
            language=language,
        )

    @classmethod
    def system(cls, consortium_id: UUID, *, actor: str) -> Caller:
        """The service itself acting as a consortium admin (the CLI, the demo, a bench):
        no token, every admin scope; ``actor`` names it in the audit trail."""
        return cls(
            role=CallerRole.CONSORTIUM_ADMIN,
            consortium_id=consortium_id,
            subject=actor,
            scopes=_names(ADMIN_SCOPES),
        )

    def with_scopes(self, scopes: frozenset[str]) -> Caller:
        """The same caller holding ``scopes`` (e.g. narrowed to what its client still holds)."""
        return dataclasses.replace(self, scopes=scopes)

    def access_scope(self) -> AccessScope:
        return AccessScope(
            role=ScopeRole(self.role.value),
            consortium_id=self.consortium_id,
            partner_id=self.partner_id,
            person_id=self.person_id,
            user_id=self.user_id,
        )

    def require(self, role: CallerRole, scope: Scope | None = None) -> None:
        if self.role is not role:
            raise Forbidden(f"this operation is for {role.value} callers")
        if scope is not None and scope.value not in self.scopes:
            raise Forbidden(f"the token lacks the scope {scope.value}")

    @property
    def actor_kind(self) -> str:
        if self.client_id:
            return "api_client"
        return {
            CallerRole.PARTNER_HR: "staff_user",
            CallerRole.CONSORTIUM_ADMIN: "staff_user",
            CallerRole.CANDIDATE: "person",
        }[self.role]


def require_caller(caller: Caller | None) -> Caller:
    if caller is None:
        raise Unauthenticated("a valid bearer token is required")
    return caller
