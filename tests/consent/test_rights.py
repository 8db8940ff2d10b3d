"""The person's rights: profile, consents with receipts, access log, export, erasure."""

from __future__ import annotations

import json

import pytest

from consent.receipt import RECEIPT_VERSION
from exchange.consent_flow import rights
from exchange.consent_flow.updates import MyProfileUpdate
from exchange.introductions import service as introductions
from exchange.matching import service as matching
from infra.caller import Caller
from infra.errors import Forbidden, UserError
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.consent import SETTINGS, grant


@pytest.fixture
async def placed(db):  # type: ignore[no-untyped-def]
    """A person who accepted partner B's introduction, and was shown in B's matches."""
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    hr_a, hr_b = callers.partner_caller(a), callers.partner_caller(b)
    contact = factories.contact_input(full_name="Canary Wilhelmina Zonneveld")
    profile = await factories.share_profile(db, hr_a, contact=contact)
    person = callers.candidate_caller(profile)
    await grant(db, person, months=6)
    vacancy = await factories.create_vacancy(db, hr_b)
    async with db.transaction(hr_b.access_scope()) as conn:
        await conn.execute(
            "select 1"
        )  # matches are recorded by the matcher; we write the same event it writes
        from exchange.audit.service import record_caller_event

        await record_caller_event(
            conn, hr_b, action="profile.shown_in_matches", subject_kind="vacancy",
            subject_id=str(vacancy.id), details={"profiles": [str(profile.id)], "offset": 0},
        )  # fmt: skip
        intro = await introductions.request_introduction(
            conn, hr_b, profile_id=profile.id, vacancy_id=vacancy.id, message="Welkom bij ons"
        )
    async with db.transaction(person.access_scope()) as conn:
        await introductions.respond_to_introduction(
            conn, person, intro.id, accept=True, message="Graag"
        )
    _, staff_email = await factories.create_staff(db, b, display_name="HR")
    return {"a": a, "b": b, "profile": profile, "person": person, "contact": contact,
            "intro": intro, "staff_email": staff_email, "hr_b": hr_b}  # fmt: skip


async def test_access_log_names_partners_and_times(db, placed) -> None:  # type: ignore[no-untyped-def]
    person: Caller = placed["person"]
    async with db.transaction(person.access_scope()) as conn:
        entries, more = await rights.my_access_log(conn, person, limit=50)
    kinds = [(e.kind, e.partner_name) for e in entries]
    assert ("SHOWN_IN_MATCHES", "Klantpunt Heuvelland") in kinds
    assert ("CONTACT_REQUESTED", "Klantpunt Heuvelland") in kinds
    assert not more
    assert all(e.partner_name != "Contactcenter Maas" for e in entries)


async def test_consents_carry_kantara_receipts(db, placed) -> None:  # type: ignore[no-untyped-def]
    person: Caller = placed["person"]
    async with db.transaction(person.access_scope()) as conn:
        consents = await rights.my_consents(conn, person, SETTINGS)
    assert [c.record.event.value for c in consents] == ["GRANTED"]
    receipt = consents[0].receipt
    for key in ("version", "jurisdiction", "consentTimestamp", "collectionMethod",
                "consentReceiptID", "language", "piiPrincipalId", "piiControllers",
                "policyUrl", "services", "sensitive", "spiCat"):  # fmt: skip
        assert key in receipt
    assert receipt["version"] == RECEIPT_VERSION
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["thirdPartyDisclosure"] is True
    assert purpose["thirdPartyName"] == "Klantpunt Heuvelland"
    assert "termination" in purpose
    assert receipt["piiPrincipalId"].startswith("P-")
    assert placed["contact"].full_name not in json.dumps(receipt)


async def test_export_holds_everything_and_is_audited(db, placed) -> None:  # type: ignore[no-untyped-def]
    person: Caller = placed["person"]
    async with db.transaction(person.access_scope()) as conn:
        document = await rights.export_my_data(conn, person, SETTINGS)
    json.dumps(document)  # one JSON document
    assert document["contact"]["fullName"] == placed["contact"].full_name
    assert document["profile"]["pseudonym"] == placed["profile"].pseudonym
    introduction = document["introductions"][0]
    assert list(introduction) == [
        "id", "profile_id", "vacancy_id", "requesting_partner_id", "sharing_partner_id",
        "status", "message", "response_message", "requested_at", "responded_at", "expires_at",
        "vacancy_title", "requestingPartner",
    ]  # fmt: skip
    assert introduction["status"] == "ACCEPTED"
    assert introduction["id"] == str(placed["intro"].id)
    assert introduction["requestingPartner"] == "Klantpunt Heuvelland"
    assert document["person"]["sharedBy"] == "Contactcenter Maas"
    assert document["consents"][0]["receipt"]["consentReceiptID"]
    assert {e["kind"] for e in document["accessLog"]} >= {"SHOWN_IN_MATCHES"}
    events = await system_fetch(
        db,
        "select 1 from audit_event where action = 'person.data_exported' and subject_id = $1",
        str(person.person_id),
    )
    assert len(events) == 1


async def test_update_my_profile(db, placed) -> None:  # type: ignore[no-untyped-def]
    person: Caller = placed["person"]
    async with db.transaction(person.access_scope()) as conn:
        profile = await rights.update_my_profile(
            conn, person, factories.normalizer(),
            MyProfileUpdate(headline="Ervaren in klachten", hours_min=20, phone="+31 6 87654321"),
        )  # fmt: skip
    assert (profile.headline, profile.hours_min) == ("Ervaren in klachten", 20)
    async with db.transaction(person.access_scope()) as conn:
        with pytest.raises(UserError) as caught:
            await rights.update_my_profile(
                conn, person, factories.normalizer(),
                MyProfileUpdate(hours_min=40, hours_max=30, postcode_area="0123", phone="x"),
            )  # fmt: skip
    fields = {e.field for e in caught.value.errors}
    assert {"input.postcodeArea", "input.phone"} <= fields
    async with db.transaction(placed["hr_b"].access_scope()) as conn:
        with pytest.raises(Forbidden):
            await rights.my_profile(conn, placed["hr_b"])


async def test_erase_removes_the_person_and_notifies_the_partner(db, placed) -> None:  # type: ignore[no-untyped-def]
    person: Caller = placed["person"]
    contact = placed["contact"]
    async with db.transaction(person.access_scope()) as conn:
        counts = await rights.erase_my_data(conn, person, SETTINGS)
    assert counts["profiles"] == 1 and counts["notices"] == 1
    for sql in (
        "select 1 from person where id = $1",
        "select 1 from person_contact where person_id = $1",
        "select 1 from sign_in_token where person_id = $1",
        "select 1 from consent_record where person_id = $1",
        "select 1 from introduction where person_id = $1",
    ):
        assert not await system_fetch(db, sql, person.person_id)
    intro = await system_fetch(
        db, "select message, response_message, status from introduction where id = $1",
        placed["intro"].id,
    )  # fmt: skip
    assert tuple(intro[0]) == (None, None, "ACCEPTED")
    notices = await system_fetch(
        db, "select to_address, body_text from mail_outbox where template = 'erasure_notice'"
    )
    assert [n["to_address"] for n in notices] == [placed["staff_email"]]
    assert str(placed["intro"].id) in notices[0]["body_text"]
    everywhere = await system_fetch(
        db,
        """select count(*) as n from mail_outbox
           where body_text ilike '%' || $1 || '%' or to_address = $2""",
        contact.full_name, contact.email,
    )  # fmt: skip
    assert everywhere[0]["n"] == 0
    events = await system_fetch(
        db, "select details from audit_event where action = 'person.data_erased'"
    )
    assert contact.full_name not in json.dumps([e["details"] for e in events])
    hr_b = placed["hr_b"]
    async with db.transaction(hr_b.access_scope()) as conn:
        assert await conn.fetch("select 1 from person_contact") == []
    assert matching  # the matcher module imports cleanly alongside
