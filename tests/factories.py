"""Plain async factory functions for test data, written through the app role."""

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
from infra.caller import (
    Caller,
)
from infra.db import Database
from infra.pagination import Keyset
from infra.scope import AccessScope
from matching.types import ProfileKind

__all__ = ["Consortium", "Keyset"]

_NORMALIZER: CompetencyNormalizer | None = None


def normalizer() -> CompetencyNormalizer:
    global _NORMALIZER
    if _NORMALIZER is None:
        _NORMALIZER = CompetencyNormalizer()
    return _NORMALIZER


async def create_consortium(db: Database, *, slug: str | None = None) -> Consortium:
    consortium = Consortium(
        id=uuid.uuid4(), slug=slug or f"c-{uuid.uuid4().hex[:8]}", name="Zuid-Limburg test"
    )
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


def partner_caller(partner: Partner, *, scopes: frozenset[str] | None = None) -> Caller:
    return Caller.api_client(
        partner.consortium_id, f"client-{partner.slug}", partner_id=partner.id, scopes=scopes
    )


def admin_caller(consortium: Consortium) -> Caller:
    return Caller.admin(consortium.id, uuid.uuid4())


def candidate_caller(profile: Profile) -> Caller:
    return Caller.person(profile.consortium_id, profile.person_id)


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
    db: Database, caller: Caller, *, contact: ContactInput | None = None, **overrides: Any
) -> Profile:
    data = ShareProfileInput(profile=profile_input(**overrides), contact=contact or contact_input())
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
