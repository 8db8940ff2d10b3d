"""Who a database transaction acts for. Turned into ``app.*`` settings by :mod:`infra.db`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID


class ScopeRole(StrEnum):
    PARTNER_HR = "partner_hr"
    CANDIDATE = "candidate"
    CONSORTIUM_ADMIN = "consortium_admin"
    SYSTEM = "system"  # background jobs and the matcher index; never a request's caller
    ANONYMOUS = "anonymous"  # before sign-in: may only find the row a lookup names
    NONE = "none"


LOOKUP_KEYS = ("client_id", "email", "token_hash", "person_id", "staff_user_id", "introduction_id")


@dataclass(frozen=True, slots=True)
class AccessScope:
    role: ScopeRole
    consortium_id: UUID | None = None
    partner_id: UUID | None = None
    person_id: UUID | None = None
    user_id: UUID | None = None
    lookups: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.lookups) - set(LOOKUP_KEYS)
        if unknown:
            raise ValueError(f"unknown lookup keys: {sorted(unknown)}")

    @classmethod
    def system(cls) -> AccessScope:
        return cls(role=ScopeRole.SYSTEM)

    @classmethod
    def anonymous(cls, **lookups: str) -> AccessScope:
        return cls(role=ScopeRole.ANONYMOUS, lookups=lookups)

    @classmethod
    def nobody(cls) -> AccessScope:
        return cls(role=ScopeRole.NONE)

    def settings(self) -> dict[str, str]:
        values = {
            "app.role": self.role.value,
            "app.consortium_id": str(self.consortium_id or ""),
            "app.partner_id": str(self.partner_id or ""),
            "app.person_id": str(self.person_id or ""),
            "app.user_id": str(self.user_id or ""),
        }
        for key in LOOKUP_KEYS:
            values[f"app.lookup_{key}"] = self.lookups.get(key, "")
        return values
