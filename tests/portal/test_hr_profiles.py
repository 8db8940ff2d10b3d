"""Sharing a profile from the recruiter's pages, and the list of what the partner shared."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from exchange.partners.models import Partner
from infra.db import ConnectionDatabase
from infra.settings import Settings
from tests.support import factories
from tests.support.as_system import system_fetch
from tests.support.http import post_form
from tests.support.staff_portal import sign_in_staff


@pytest.fixture
async def partner(db: ConnectionDatabase) -> Partner:
    consortium = await factories.create_consortium(db)
    return await factories.create_partner(db, consortium, name="Contactcenter Maas")


def _profile_fields(**overrides: str) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "kind": "REJECTED_CANDIDATE",
        "full_name": "Canary Fenna Bakhuis",
        "email": "fenna.bakhuis@example.nl",
        "phone": "+31 6 12345678",
        "language": "nl",
        "not_fit_reason": "Duits C1 vereist",
        "postcode_area": "6221",
        "max_travel_km": "30",
        "hours_min": "24",
        "hours_max": "32",
        "available_from": dt.date.today().isoformat(),
        "shifts": ["DAY", "EVENING"],
        "sectors": ["horeca"],
        "comp_rows": "3",
        "comp-0-phrase": "klachtafhandeling",
        "comp-0-level": "4",
        "comp-1-phrase": "Zendesk",
        "lang_rows": "2",
        "lang-0-code": "nl",
        "lang-0-level": "NATIVE",
    }
    fields.update(overrides)
    return fields


async def test_share_a_profile_pending_consent_and_see_its_state(
    client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings, partner: Partner
) -> None:
    await sign_in_staff(client, db, app_settings, partner)
    form = await client.get("/portal/hr/profiles/share")
    assert form.status_code == 200 and "toestemming" in form.text

    bad = await post_form(
        client, "/portal/hr/profiles/share", page=form,
        **_profile_fields(email="geen-adres", hours_min="veertig"),  # type: ignore[arg-type]
    )  # fmt: skip
    assert bad.status_code == 422 and 'href="#hours_min"' in bad.text
    bad = await post_form(
        client, "/portal/hr/profiles/share", page=form,
        **_profile_fields(email="geen-adres"),  # type: ignore[arg-type]
    )  # fmt: skip
    assert bad.status_code == 422 and 'href="#email"' in bad.text
    assert 'value="Canary Fenna Bakhuis"' in bad.text and 'value="klachtafhandeling"' in bad.text
    assert await system_fetch(db, "select 1 from profile") == []

    shared = await post_form(
        client,
        "/portal/hr/profiles/share",
        page=form,
        **_profile_fields(),  # type: ignore[arg-type]
    )
    assert shared.status_code == 303, shared.text
    rows = await system_fetch(db, "select pseudonym, status, shifts, partner_id from profile")
    assert [(r["status"], r["shifts"], r["partner_id"]) for r in rows] == [
        ("PENDING_CONSENT", ["DAY", "EVENING"], partner.id)
    ]
    mails = await system_fetch(db, "select 1 from mail_outbox")
    assert len(mails) == 1  # the consent request
    listed = await client.get(shared.headers["location"])
    assert "We hebben de persoon gemaild" in listed.text
    assert rows[0]["pseudonym"] in listed.text
    assert "wacht op toestemming van de persoon" in listed.text
    assert "Canary Fenna Bakhuis" not in listed.text
