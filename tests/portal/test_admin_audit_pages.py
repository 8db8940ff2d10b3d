"""The audit trail in the admin's portal: every exchange step found, filters, pages, one
event with its hashes, the verdict of the verifier (intact, then broken), checkpoints,
and the CSV of the filtered set."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from entrypoints.app import create_app
from exchange.audit import actions
from exchange.audit.checkpoints import create_checkpoint
from exchange.audit.signing import load_checkpoint_keys
from infra.db import ConnectionDatabase, dsn_for_role
from infra.scope import AccessScope
from infra.settings import Environment, Settings
from portal.admin_labels import ACTIONS
from tests.support import audit
from tests.support.as_system import system_fetch as _system
from tests.support.databases import APP_ROLE, one_connection
from tests.support.exchange_steps import Exchanged, run_exchange
from tests.support.http import TEST_BASE_URL, client_of, post_form
from tests.support.staff_portal import sign_in_admin

STEPS = (
    actions.VACANCY_CREATED,
    actions.PROFILE_SHOWN_IN_MATCHES,
    actions.INTRODUCTION_REQUESTED,
    actions.INTRODUCTION_ACCEPTED,
    actions.PLACEMENT_RECORDED,
    actions.PLACEMENT_OUTCOME_RECORDED,
)


def listed(page: httpx.Response) -> str:
    """The table of events (the filter's choices name every action too)."""
    return page.text.split("<tbody>")[1].split("</tbody>")[0]


@pytest.fixture
async def exchanged(db: ConnectionDatabase) -> Exchanged:
    return await run_exchange(db)


@pytest.fixture
async def admin(client: httpx.AsyncClient, db: ConnectionDatabase, app_settings: Settings,
                exchanged: Exchanged) -> httpx.AsyncClient:  # fmt: skip
    await sign_in_admin(client, db, app_settings, exchanged.world.a)
    return client


async def test_the_admin_finds_each_exchange_step(
    admin: httpx.AsyncClient, exchanged: Exchanged
) -> None:
    trail = await admin.get("/portal/admin/audit")
    assert trail.status_code == 200
    for action in STEPS:
        assert action in listed(trail), action
    assert "introductie gevraagd" in listed(trail) and "plaatsing vastgelegd" in listed(trail)
    assert str(exchanged.world.profile.id) in exchanged.shown_profile_ids
    assert "Canary" not in trail.text and exchanged.world.email not in trail.text

    placed = await admin.get(
        "/portal/admin/audit",
        params={"action": "placement.*", "partner": str(exchanged.world.b.id)},
    )
    assert placed.status_code == 200
    assert "placement.recorded" in listed(placed)
    assert "placement.outcome_recorded" in listed(placed)
    assert "introduction.requested" not in listed(placed)
    by_subject = await admin.get(
        "/portal/admin/audit", params={"subject": str(exchanged.introduction.id)}
    )
    assert "introduction.accepted" in listed(by_subject)
    assert "vacancy.created" not in listed(by_subject)
    people = await admin.get("/portal/admin/audit", params={"actor": "person"})
    assert "introduction.accepted" in listed(people) and "vacancy.created" not in listed(people)
    bad = await admin.get("/portal/admin/audit", params={"actor": "robot", "from": "gisteren"})
    assert bad.status_code == 422
    assert "Kies een soort actor" in bad.text and "JJJJ-MM-DD" in bad.text
    future = await admin.get("/portal/admin/audit", params={"from": "2999-01-01"})
    assert "Geen gebeurtenissen" in future.text


async def test_pages_of_events_follow_each_other_without_gaps(
    admin: httpx.AsyncClient, db: ConnectionDatabase, exchanged: Exchanged
) -> None:
    await audit.append(db, exchanged.world.consortium.id, 60)
    first = await admin.get("/portal/admin/audit", params={"action": "introduction.*"})
    assert 'rel="next"' not in first.text
    everything = await admin.get("/portal/admin/audit")
    assert 'rel="next"' in everything.text
    link = everything.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = await admin.get(link.replace("&amp;", "&"))
    assert second.status_code == 200 and "Nieuwste gebeurtenissen" in second.text
    assert 'aria-label="Gebeurtenis 1"' in second.text


async def test_one_event_shows_its_details_and_hashes(
    admin: httpx.AsyncClient, db: ConnectionDatabase, exchanged: Exchanged
) -> None:
    rows = await _system(
        db, "select seq, hash, prev_hash from audit_event where consortium_id = $1 "
        "and action = 'placement.recorded'", exchanged.world.consortium.id,
    )  # fmt: skip
    event = await admin.get(f"/portal/admin/audit/events/{rows[0]['seq']}?lang=en")
    assert event.status_code == 200
    assert rows[0]["hash"] in event.text and rows[0]["prev_hash"] in event.text
    assert "placement recorded" in event.text and str(exchanged.introduction.id) in event.text
    assert 'rel="prev"' in event.text and 'rel="next"' in event.text
    head = await _system(
        db, "select max(seq) as seq from audit_event where consortium_id = $1",
        exchanged.world.consortium.id,
    )  # fmt: skip
    last = await admin.get(f"/portal/admin/audit/events/{head[0]['seq']}")
    assert last.status_code == 200 and 'rel="next"' not in last.text
    assert (await admin.get("/portal/admin/audit/events/999999")).status_code == 404
    assert (await admin.get("/portal/admin/audit/events/abc")).status_code == 404


async def test_checkpoints_are_listed_and_an_intact_trail_verifies(
    admin: httpx.AsyncClient, db: ConnectionDatabase, exchanged: Exchanged
) -> None:
    keys = await load_checkpoint_keys(db, signing=True)
    async with db.transaction(AccessScope.system()) as conn:
        checkpoint = await create_checkpoint(
            conn, keys, consortium_id=exchanged.world.a.consortium_id
        )
    assert checkpoint is not None
    listed = await admin.get("/portal/admin/audit/checkpoints")
    assert checkpoint.head_hash in listed.text and checkpoint.signed_jws in listed.text

    page = await admin.get("/portal/admin/audit/verify")
    assert (await admin.post("/portal/admin/audit/verify")).status_code == 403
    intact = await post_form(admin, "/portal/admin/audit/verify", page=page)
    assert intact.status_code == 200 and "De audittrail is intact" in intact.text
    assert "Gecontroleerde ijkpunten" in intact.text


async def test_a_tampered_trail_is_reported_with_its_first_broken_link(
    fresh_database: str,
) -> None:
    settings = Settings(
        env=Environment.TEST, database_url=fresh_database, public_url=TEST_BASE_URL,
        retention_interval_seconds=0, smtp_host=None,
    )  # fmt: skip
    async with (
        one_connection(dsn_for_role(fresh_database, APP_ROLE, None)) as db,
        client_of(create_app(settings)) as admin,
    ):
        exchanged = await run_exchange(db)
        await sign_in_admin(admin, db, settings, exchanged.world.a)
        rows = await _system(
            db, "select seq from audit_event where consortium_id = $1 and action = $2",
            exchanged.world.consortium.id, actions.INTRODUCTION_REQUESTED,
        )  # fmt: skip
        seq = rows[0]["seq"]
        async with audit.as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute(
                """update audit_event set details = details || '{"tampered": true}'::jsonb
                   where consortium_id = $1 and seq = $2""",
                exchanged.world.consortium.id,
                seq,
            )
        page = await admin.get("/portal/admin/audit/verify")
        broken = await post_form(admin, "/portal/admin/audit/verify", page=page)
        assert broken.status_code == 200 and "De audittrail is gebroken" in broken.text
        assert f'href="/portal/admin/audit/events/{seq}"' in broken.text
        assert "veranderd nadat" in broken.text


async def test_csv_export_of_the_filtered_set(
    admin: httpx.AsyncClient, exchanged: Exchanged
) -> None:
    trail = await admin.get("/portal/admin/audit", params={"action": "introduction.*"})
    assert 'href="/portal/admin/audit/events.csv?action=introduction.%2A"' in trail.text
    exported = await admin.get(
        "/portal/admin/audit/events.csv", params={"action": "introduction.*"}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["introduction.requested", "introduction.accepted"]
    assert all(len(r["hash"]) == 64 for r in rows)
    refused = await admin.get("/portal/admin/audit/events.csv", params={"actor": "robot"})
    assert refused.status_code == 303


def test_every_audit_action_has_a_label_on_the_pages() -> None:
    """The trail names each step in words (a missing one showed its raw code instead)."""
    assert sorted(set(actions.CATALOGUE) - set(ACTIONS)) == []
