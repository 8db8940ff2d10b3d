"""Sharing a profile: pending consent, contact data apart, validation that writes nothing."""

from __future__ import annotations

import pytest

from exchange.partners.models import Consortium
from exchange.profiles import service
from exchange.profiles.models import CompetencyInput, LanguageInput, ProfileStatus
from infra.caller import Caller
from infra.db import ConnectionDatabase
from infra.errors import UserError
from infra.scope import AccessScope
from tests.support import callers, factories


async def _counts(db: ConnectionDatabase) -> tuple[int, ...]:
    async with db.transaction(AccessScope.system()) as conn:
        return tuple(
            [
                int(await conn.fetchval(f"select count(*) from {table}"))  # noqa: S608
                for table in ("person", "person_contact", "profile", "profile_competency")
            ]
        )


@pytest.fixture
async def hr(db: ConnectionDatabase) -> Caller:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    return callers.partner_caller(partner)


async def test_share_profile_keeps_contact_apart_and_waits_for_consent(
    db: ConnectionDatabase, hr: Caller
) -> None:
    contact = factories.contact_input(full_name="Canary Jansen")
    profile = await factories.share_profile(db, hr, contact=contact)
    assert profile.status is ProfileStatus.PENDING_CONSENT
    assert profile.pending_until is not None
    assert profile.pseudonym.startswith("TD-")
    assert "Canary" not in repr(profile)
    assert {c.concept_id is not None for c in profile.competencies} == {True}
    async with db.transaction(hr.access_scope()) as conn:
        contact_rows = await conn.fetchval("select count(*) from person_contact")
        page = await service.list_shared_profiles(conn, hr, status=None, limit=10, after=None)
    # the sharing partner gave the contact data but does not get it back through the exchange
    assert contact_rows == 0
    assert [p.id for p in page.items] == [profile.id]
    async with db.transaction(AccessScope.system()) as conn:
        stored = await conn.fetchrow(
            "select full_name, email from person_contact where person_id = $1", profile.person_id
        )
    assert stored is not None and stored["full_name"] == "Canary Jansen"


BAD_INPUTS = [
    ({"postcode_area": "62A1"}, "input.profile.postcodeArea", "INVALID_POSTCODE"),
    ({"hours_min": 0}, "input.profile.hoursMin", "OUT_OF_RANGE"),
    ({"hours_max": 49}, "input.profile.hoursMax", "OUT_OF_RANGE"),
    (
        {"languages": (LanguageInput("de", "B3"),)},
        "input.profile.languages.0.level",
        "INVALID_CEFR_LEVEL",
    ),
    ({"competencies": ()}, "input.profile.competencies", "REQUIRED"),
    (
        {"competencies": tuple(CompetencyInput(f"vaardigheid {i}") for i in range(500))},
        "input.profile.competencies",
        "TOO_MANY",
    ),
    (
        {"competencies": (CompetencyInput("y" * 10_240),)},
        "input.profile.competencies.0.phrase",
        "TOO_LONG",
    ),
    ({"max_travel_km": 5000}, "input.profile.maxTravelKm", "OUT_OF_RANGE"),
    (
        {"transferable_sectors": ("ruimtevaart",)},
        "input.profile.transferableSectors.0",
        "UNKNOWN_SECTOR",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_INPUTS)
async def test_bad_profile_input_names_the_field_and_writes_nothing(
    db: ConnectionDatabase, hr: Caller, overrides: dict[str, object], field: str, code: str
) -> None:
    before = await _counts(db)
    with pytest.raises(UserError) as raised:
        await factories.share_profile(db, hr, **overrides)  # type: ignore[arg-type]
    assert (field, code) in [(e.field, e.code) for e in raised.value.errors]
    assert await _counts(db) == before


@pytest.mark.parametrize(
    ("contact", "field", "code"),
    [
        ({"email": "not-an-email"}, "input.contact.email", "INVALID_EMAIL"),
        ({"full_name": ""}, "input.contact.fullName", "REQUIRED"),
        ({"phone": "call me maybe"}, "input.contact.phone", "INVALID_PHONE"),
    ],
)
async def test_bad_contact_input_is_refused(
    db: ConnectionDatabase, hr: Caller, contact: dict[str, str], field: str, code: str
) -> None:
    before = await _counts(db)
    with pytest.raises(UserError) as raised:
        await factories.share_profile(db, hr, contact=factories.contact_input(**contact))
    assert (field, code) in [(e.field, e.code) for e in raised.value.errors]
    assert await _counts(db) == before


async def test_other_partner_cannot_see_a_pending_profile(
    db: ConnectionDatabase, hr: Caller
) -> None:
    other = callers.partner_caller(
        await factories.create_partner(db, Consortium(hr.consortium_id, "x", "x"))
    )
    profile = await factories.share_profile(db, hr)
    async with db.transaction(other.access_scope()) as conn:
        assert await conn.fetchval("select count(*) from profile where id = $1", profile.id) == 0
        page = await service.list_shared_profiles(conn, other, status=None, limit=10, after=None)
    assert page.items == []
