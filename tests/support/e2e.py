"""The end-to-end exchange test's person and operator (tests/test_exchange_end_to_end.py):
contact data that must only surface where the design allows, and the operator's one-time
bootstrap of a consortium and its first admin, done as the CLI does it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from entrypoints import cli_admin_ops as ops
from exchange.audit import actions
from exchange.audit.service import record_system_event
from exchange.partners.service import create_consortium
from infra.caller import CallerRole
from infra.db import Database
from infra.scope import AccessScope


@dataclass(frozen=True, slots=True)
class Canary:
    """Contact data that must only ever surface where the design allows it."""

    full_name: str
    email: str
    phone: str

    @classmethod
    def new(cls) -> Canary:
        tag = secrets.token_hex(4)
        return cls(
            full_name=f"Canary Kx{tag} Qz",
            email=f"canary.{tag}@example.nl",
            phone=f"+31 6 {secrets.randbelow(10**8):08d}",
        )

    @property
    def values(self) -> tuple[str, str, str]:
        return (self.full_name, self.email, self.phone)

    def found_in(self, text: str) -> list[str]:
        lowered = text.lower()
        found = [value for value in (self.full_name, self.email) if value.lower() in lowered]
        if self.phone in text or self.phone.replace(" ", "") in text:
            found.append(self.phone)
        return found


@dataclass(frozen=True, slots=True)
class Bootstrapped:
    consortium_id: uuid.UUID
    admin_id: uuid.UUID
    admin_email: str


async def bootstrap_consortium(database: Database) -> Bootstrapped:
    """What an operator does once: set up a consortium (as ``tussendeur partner create
    --create-consortium`` does) and its first admin (``tussendeur staff add``)."""
    admin_email = f"beheer.{secrets.token_hex(4)}@example.nl"
    async with database.transaction(AccessScope.system()) as conn:
        consortium = await create_consortium(conn, slug="zuid-limburg", name="Zuid-Limburg")
        await record_system_event(
            conn, consortium_id=consortium.id, job=ops.OPERATOR,
            action=actions.CONSORTIUM_CREATED, subject_kind="consortium",
            subject_id=str(consortium.id), details={"slug": consortium.slug},
        )  # fmt: skip
    _, admin = await ops.add_staff_user(
        database,
        consortium_slug=consortium.slug,
        email=admin_email,
        display_name="Beheer Zuid-Limburg",
        role=CallerRole.CONSORTIUM_ADMIN,
    )
    return Bootstrapped(consortium.id, admin.id, admin_email)
