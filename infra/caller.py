"""The authenticated caller of a request, and the database scope it acts in."""

from __future__ import annotations

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
    }
)
ADMIN_SCOPES = frozenset({Scope.ADMIN, Scope.AUDIT_READ})
CANDIDATE_SCOPES = frozenset({Scope.ME})


@dataclass(frozen=True, slots=True)
class Caller:
    role: CallerRole
    consortium_id: UUID
    subject: str  # token `sub`: a client id, staff user id or person id
    partner_id: UUID | None = None
    person_id: UUID | None = None
    user_id: UUID | None = None
    client_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    language: str = "nl"

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
