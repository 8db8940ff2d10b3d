"""Plain async factory functions for test data: a consortium, a partner, a staff user, a
vacancy, a shared profile and an activated one. Each writes through the use case or
repository the service itself uses, on whatever ``Database`` the test hands it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from exchange.competencies import CompetencyNormalizer
from exchange.partners import repository as partners_repository
from exchange.partners.models import Consortium, Partner
from exchange.partners.service import new_partner
from exchange.profiles import service as profiles_service
from exchange.profiles.models import (
    CompetencyInput,
    ContactInput,
    LanguageInput,
    Profile,
    ProfileInput,
    ShareProfileInput,
)
from exchange.vacancies import service as vacancies_service
from exchange.vacancies.models import (
    LanguageRequirementInput,
    RequirementInput,
    Vacancy,
    VacancyInput,
)
from infra.caller import Caller
from infra.db import Database
from infra.scope import AccessScope
from matching.types import ProfileKind

_NORMALIZER: CompetencyNormalizer | None = None


def normalizer() -> CompetencyNormalizer:
    global _NORMALIZER
    if _NORMALIZER is None:
        _NORMALIZER = CompetencyNormalizer()
    return _NORMALIZER


async def create_consortium(
    db: Database, *, slug: str | None = None, name: str = "Zuid-Limburg test"
) -> Consortium:
    consortium = Consortium(id=uuid.uuid4(), slug=slug or f"c-{uuid.uuid4().hex[:8]}", name=name)
    async with db.transaction(AccessScope.system()) as conn:
        await partners_repository.insert_consortium(conn, consortium=consortium)
    return consortium


async def create_partner(
    db: Database, consortium: Consortium, *, name: str = "Klantcontact Test BV"
) -> Partner:
    partner = new_partner(
        consortium_id=consortium.id, slug=f"p-{uuid.uuid4().hex[:8]}", name=name, city="Heerlen"
    )
    async with db.transaction(AccessScope.system()) as conn:
        await partners_repository.insert_partner(conn, partner=partner)
    return partner


async def create_staff(
    db: Database,
    partner: Partner,
    *,
    role: str = "partner_hr",
    email: str | None = None,
    display_name: str = "Anouk",
) -> tuple[uuid.UUID, str]:
    """A staff user of ``partner`` (an HR user) or of its consortium (``role=
    "consortium_admin"``): (its id, its address)."""
    user_id, address = uuid.uuid4(), email or f"hr.{uuid.uuid4().hex[:8]}@example.nl"
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            """insert into staff_user (id, consortium_id, partner_id, role, email, display_name)
               values ($1, $2, $3, $4, $5, $6)""",
            user_id,
            partner.consortium_id,
            partner.id if role == "partner_hr" else None,
            role,
            address,
            display_name,
        )
    return user_id, address


def vacancy_input(**overrides: Any) -> VacancyInput:
    values: dict[str, Any] = {
        "title": "Klantenservicemedewerker energie",
        "postcode_area": "6411",
        "hours_min": 24,
        "hours_max": 36,
        "start_date": dt.date.today() + dt.timedelta(days=30),
        "requirements": (
            RequirementInput("klachten afhandelen", must_have=True, weight=2),
            RequirementInput("Salesforce", weight=1),
        ),
        "languages": (LanguageRequirementInput("nl", "C1"),),
    }
    values.update(overrides)
    return VacancyInput(**values)


async def create_vacancy(db: Database, caller: Caller, **overrides: Any) -> Vacancy:
    async with db.transaction(caller.access_scope()) as conn:
        return await vacancies_service.create_vacancy(
            conn, caller, normalizer(), vacancy_input(**overrides)
        )


def profile_input(**overrides: Any) -> ProfileInput:
    values: dict[str, Any] = {
        "kind": ProfileKind.REJECTED_CANDIDATE,
        "postcode_area": "6221",
        "max_travel_km": 30,
        "hours_min": 24,
        "hours_max": 32,
        "available_from": dt.date.today(),
        "competencies": (
            CompetencyInput("klachtafhandeling", 4),
            CompetencyInput("Zendesk", 3),
            CompetencyInput("empathisch"),
        ),
        "languages": (LanguageInput("nl", "NATIVE"), LanguageInput("de", "B2")),
        "not_fit_reason": "Duits C1 vereist voor deze klant",
    }
    values.update(overrides)
    return ProfileInput(**values)


def contact_input(**overrides: Any) -> ContactInput:
    values: dict[str, Any] = {
        "full_name": "Sanne de Vries",
        "email": f"sanne.{uuid.uuid4().hex[:6]}@example.nl",
        "phone": "+31 6 12345678",
    }
    values.update(overrides)
    return ContactInput(**values)


async def share_profile(
    db: Database,
    caller: Caller,
    *,
    contact: ContactInput | None = None,
    language: str = "nl",
    **overrides: Any,
) -> Profile:
    """A profile shared by ``caller`` (pending the person's consent); ``language`` is the
    person's language for mail and pages, ``overrides`` change the profile's fields."""
    data = ShareProfileInput(
        profile=profile_input(**overrides), contact=contact or contact_input(), language=language
    )
    async with db.transaction(caller.access_scope()) as conn:
        return await profiles_service.share_profile(conn, caller, normalizer(), data)


async def activate_profile(
    db: Database,
    profile: Profile,
    *,
    scope_kind: str = "ALL_PARTNERS",
    scope_partner_ids: tuple[uuid.UUID, ...] = (),
    days: int = 180,
) -> None:
    """Put a profile in the state a confirmed consent leaves it (as the consent flow does)."""
    async with db.transaction(AccessScope.system()) as conn:
        await conn.execute(
            """update profile set status = 'ACTIVE', consent_scope_kind = $2,
                   consent_scope_partner_ids = $3,
                   consent_expires_at = now() + make_interval(days => $4),
                   pending_until = null
               where id = $1""",
            profile.id,
            scope_kind,
            list(scope_partner_ids),
            days,
        )
