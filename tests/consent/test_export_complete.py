"""The data-subject export holds the whole access log, however long it is."""

from __future__ import annotations

import httpx
import pytest

from exchange.audit import actions
from exchange.audit.service import record_caller_event
from exchange.consent_flow import rights
from infra.db import ConnectionDatabase
from tests.support import callers, factories
from tests.support.consent import grant
from tests.support.http import graphql
from tests.support.tokens import BearerHeaders

OPENED = 450  # more than two pages of myAccessLog (MAX_ACCESS_PAGE = 200)


async def test_the_export_holds_every_access_log_entry(
    db: ConnectionDatabase,
    client: httpx.AsyncClient,
    bearer: BearerHeaders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rights, "EXPORT_ACCESS_PAGE", 100)  # so the export reads 5 pages
    consortium = await factories.create_consortium(db)
    a = await factories.create_partner(db, consortium, name="Contactcenter Maas")
    b = await factories.create_partner(db, consortium, name="Klantpunt Heuvelland")
    profile = await factories.share_profile(db, callers.partner_caller(a))
    person = callers.candidate_caller(profile)
    await grant(db, person, months=6)
    hr_b = callers.partner_caller(b)
    async with db.transaction(hr_b.access_scope()) as conn:
        for _ in range(OPENED):
            await record_caller_event(
                conn, hr_b, action=actions.PROFILE_OPENED, subject_kind="profile",
                subject_id=str(profile.id),
            )  # fmt: skip

    body = await graphql(client, await bearer(person), "{ exportMyData }")
    log = body["data"]["exportMyData"]["accessLog"]
    assert len(log) == OPENED
    assert {(e["kind"], e["partner_name"]) for e in log} == {("OPENED", "Klantpunt Heuvelland")}
    seqs = [e["seq"] for e in log]
    assert seqs == sorted(set(seqs), reverse=True)  # newest first, none twice

    async with db.transaction(person.access_scope()) as conn:
        first, more = await rights.my_access_log(conn, person, limit=500)
    assert len(first) == rights.MAX_ACCESS_PAGE and more  # a page stays a page
