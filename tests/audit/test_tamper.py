"""Tampering as the database owner, behind the app's back: each kind is caught where it happened."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from exchange.audit import checkpoints as cp
from exchange.audit.models import BreakKind
from exchange.audit.signing import kept_key_verifier, load_checkpoint_keys
from exchange.audit.verify import verify_chain
from infra.db import PoolDatabase
from infra.scope import AccessScope
from tests.support import factories
from tests.support.audit import append, as_owner_behind_the_back, rehash_event, rewrite_consistently
from tests.support.databases import app_database

pytestmark = pytest.mark.slow


async def _verify(database: PoolDatabase, consortium_id: uuid.UUID, **kwargs: object):  # type: ignore[no-untyped-def]
    async with database.transaction(AccessScope.system()) as conn:
        return await verify_chain(conn, consortium_id, batch_size=7, **kwargs)  # type: ignore[arg-type]


async def test_changed_details_are_caught_at_their_event(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 20)
        assert (await _verify(database, cid)).intact
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute(
                """update audit_event set details = jsonb_set(details, '{n}', '99')
                   where consortium_id = $1 and seq = 13""",
                cid,
            )
        report = await _verify(database, cid)
    assert not report.intact
    assert (report.first_broken_seq, report.break_kind) == (13, BreakKind.HASH_MISMATCH)
    assert report.events_checked == 13


async def test_a_deleted_event_is_caught_at_its_position(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 20)
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute("delete from audit_event where consortium_id = $1 and seq = 8", cid)
        report = await _verify(database, cid)
    assert (report.first_broken_seq, report.break_kind) == (8, BreakKind.SEQUENCE_GAP)


async def test_a_deleted_event_renumbered_away_breaks_the_link(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 10)
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute("delete from audit_event where consortium_id = $1 and seq = 4", cid)
            await owner.execute(
                "update audit_event set seq = seq - 1 where consortium_id = $1 and seq > 4", cid
            )
        report = await _verify(database, cid)
    # The event now numbered 4 was hashed as number 5.
    assert (report.first_broken_seq, report.break_kind) == (4, BreakKind.HASH_MISMATCH)


async def test_two_swapped_events_are_caught_at_the_first(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 20)
        async with as_owner_behind_the_back(fresh_database) as owner:
            # Swap places: 6 becomes 15 and 15 becomes 6, each keeping its own content and hashes.
            for old_seq, new_seq in ((6, 1_000_000), (15, 6), (1_000_000, 15)):
                await owner.execute(
                    "update audit_event set seq = $3 where consortium_id = $1 and seq = $2",
                    cid,
                    old_seq,
                    new_seq,
                )
        report = await _verify(database, cid)
    assert (report.first_broken_seq, report.break_kind) == (6, BreakKind.HASH_MISMATCH)


async def test_swapped_content_with_prev_links_rewired_is_still_caught(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 12)
        async with as_owner_behind_the_back(fresh_database) as owner:
            # Swap the subjects of 5 and 9 but leave hashes: content no longer matches.
            await owner.execute(
                """update audit_event e set subject_id = o.subject_id from audit_event o
                   where e.consortium_id = $1 and o.consortium_id = $1
                     and ((e.seq, o.seq) in ((5, 9), (9, 5)))""",
                cid,
            )
        report = await _verify(database, cid)
    assert (report.first_broken_seq, report.break_kind) == (5, BreakKind.HASH_MISMATCH)


async def test_a_broken_prev_link_is_named(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 6)
        async with as_owner_behind_the_back(fresh_database) as owner:
            # Event 4 re-pointed at another predecessor and rehashed: its own hash holds,
            # its link does not.
            await rehash_event(owner, cid, 4, prev_hash="f" * 64)
        report = await _verify(database, cid)
    assert (report.first_broken_seq, report.break_kind) == (4, BreakKind.PREV_LINK_MISMATCH)


async def test_a_consistent_rewrite_is_caught_only_by_a_checkpoint_kept_outside(
    fresh_database: str, tmp_path: Path
) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 30)
        keys = await load_checkpoint_keys(database)
        async with database.transaction(AccessScope.system()) as conn:
            checkpoint = await cp.create_checkpoint(conn, keys, consortium_id=cid)
        assert checkpoint is not None and checkpoint.seq == 30
        # A partner fetches and keeps the published checkpoint (with its key).
        kept = tmp_path / "checkpoints.json"
        import json

        kept.write_text(
            json.dumps([cp.published_entry(checkpoint, jwk=keys.jwk_for(checkpoint.signed_jws))])
        )
        await append(database, cid, 5)

        async with as_owner_behind_the_back(fresh_database) as owner:
            await rewrite_consistently(owner, cid, 11, {"n": "forged"})
            await owner.execute("delete from audit_checkpoint where consortium_id = $1", cid)

        on_its_own = await _verify(database, cid)
        assert on_its_own.intact and on_its_own.events_checked == 35

        entries = cp.parse_published(kept.read_text())
        claims = cp.claims_from_published(
            entries, lambda e: kept_key_verifier(e.jwk) if e.jwk else keys, source=str(kept)
        )
        report = await _verify(database, cid, checkpoints=claims)
    assert not report.intact
    assert (report.first_broken_seq, report.break_kind) == (30, BreakKind.CHECKPOINT_MISMATCH)
    assert str(kept) in report.message


async def test_a_truncated_tail_is_caught_by_a_checkpoint(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 10)
        keys = await load_checkpoint_keys(database)
        async with database.transaction(AccessScope.system()) as conn:
            await cp.create_checkpoint(conn, keys, consortium_id=cid)
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute("delete from audit_event where consortium_id = $1 and seq > 7", cid)
        async with database.transaction(AccessScope.system()) as conn:
            claims, warnings = await cp.stored_claims(conn, keys, consortium_id=cid)
        assert not warnings
        report = await _verify(database, cid, checkpoints=claims)
    assert (report.first_broken_seq, report.break_kind) == (8, BreakKind.CHECKPOINT_MISMATCH)


async def test_a_forged_checkpoint_signature_is_refused(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 3)
        keys = await load_checkpoint_keys(database)
        async with database.transaction(AccessScope.system()) as conn:
            checkpoint = await cp.create_checkpoint(conn, keys, consortium_id=cid)
        assert checkpoint is not None
        header, payload, signature = checkpoint.signed_jws.split(".")
        forged = f"{header}.{payload}.{signature[:-4]}AAAA"
        with pytest.raises(cp.InvalidCheckpoint):
            cp.verify_claim(keys, forged, source="test")


async def test_no_checkpoint_for_a_broken_chain(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        cid = (await factories.create_consortium(database)).id
        await append(database, cid, 5)
        keys = await load_checkpoint_keys(database)
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute(
                "update audit_event set actor_id = 'other' where consortium_id = $1 and seq = 2",
                cid,
            )
        async with database.transaction(AccessScope.system()) as conn:
            with pytest.raises(cp.ChainBroken):
                await cp.create_checkpoint(conn, keys, consortium_id=cid)


async def test_twenty_concurrent_writers_leave_an_intact_chain(fresh_database: str) -> None:
    async with app_database(fresh_database, max_size=20) as database:
        cid = (await factories.create_consortium(database)).id
        stop = asyncio.get_running_loop().time() + 3.0

        async def writer() -> int:
            written = 0
            while asyncio.get_running_loop().time() < stop:
                await append(database, cid, 1)
                written += 1
            return written

        counts = await asyncio.gather(*(writer() for _ in range(20)))
        report = await _verify(database, cid)
        async with database.transaction(AccessScope.system()) as conn:
            times = await conn.fetch(
                "select occurred_at from audit_event where consortium_id = $1 order by seq", cid
            )
    assert report.intact, report.message
    assert report.events_checked == sum(counts) == report.head_seq
    assert all(counts)
    # The clock is read once the head is locked: time order follows sequence order.
    assert [r["occurred_at"] for r in times] == sorted(r["occurred_at"] for r in times)
