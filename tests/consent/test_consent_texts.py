"""Consent texts are versioned: version 2 says "werkgever"/"employer" where version 1 said
"collega-organisatie"/"fellow organisation", with the same meaning. New consents take the
newest text; a consent keeps pointing at the version its person read."""

from __future__ import annotations

import pytest

from consent import repository as consent_repository
from consent.models import CollectionMethod, Purpose
from exchange.consent_flow import service as flow
from infra.db import ConnectionDatabase
from infra.scope import AccessScope
from tests.support import callers, factories
from tests.support.as_system import system_fetch
from tests.support.consent import SETTINGS, grant

OLD_WORDS = {"nl": "collega-organisatie", "en": "fellow organisation"}
NEW_WORDS = {"nl": "Zo kan een andere werkgever je", "en": "That way another employer can"}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_current_text_is_version_2_in_the_portals_words(
    db: ConnectionDatabase, language: str
) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        current = await consent_repository.current_text(
            conn, purpose=Purpose.EXCHANGE_MATCHING, language=language
        )
        first = await consent_repository.get_text(
            conn, purpose=Purpose.EXCHANGE_MATCHING, version="1", language=language
        )
    assert current is not None and first is not None
    assert current.version == "2"
    assert OLD_WORDS[language] not in current.body and NEW_WORDS[language] in current.body
    assert OLD_WORDS[language] in first.body  # what earlier consents agreed to stays published
    # the same text but for the one sentence's subject
    changed = [
        (old, new)
        for old, new in zip(first.body.splitlines(), current.body.splitlines(), strict=True)
        if old != new
    ]
    [(old, new)] = changed
    assert OLD_WORDS[language] in old and NEW_WORDS[language] in new


async def test_new_consents_take_version_2_and_old_ones_keep_version_1(
    db: ConnectionDatabase,
) -> None:
    consortium = await factories.create_consortium(db)
    partner = await factories.create_partner(db, consortium)
    hr = callers.partner_caller(partner)
    earlier = callers.candidate_caller(await factories.share_profile(db, hr))
    later = callers.candidate_caller(await factories.share_profile(db, hr))
    async with db.transaction(earlier.access_scope()) as conn:
        read_before = await flow.grant_consent(  # a form loaded before version 2 was out
            conn,
            earlier,
            flow.ConsentChoice("ALL_PARTNERS", text_version="1"),
            method=CollectionMethod.PORTAL,
            settings=SETTINGS,
        )
    newest = await grant(db, later)
    assert read_before.record.text_version == "1"
    assert newest.record.text_version == "2"
    rows = await system_fetch(
        db,
        "select profile_id, text_version from consent_record where profile_id = any($1)",
        [read_before.profile_id, newest.profile_id],
    )
    assert {(r["profile_id"], r["text_version"]) for r in rows} == {
        (read_before.profile_id, "1"),
        (newest.profile_id, "2"),
    }
