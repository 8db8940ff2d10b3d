"""The periodic checkpoint job: signs every intact chain, refuses a broken one, runs once."""

from __future__ import annotations

import pytest

from exchange.audit.checkpoints import ChainBroken
from exchange.audit.jobs import checkpoint_all
from infra.scope import AccessScope
from tests.support import factories
from tests.support.audit import append, as_owner_behind_the_back
from tests.support.databases import app_database

pytestmark = pytest.mark.slow


async def test_the_job_signs_intact_chains_and_refuses_a_broken_one(fresh_database: str) -> None:
    async with app_database(fresh_database) as database:
        good, bad, empty = [(await factories.create_consortium(database)).id for _ in range(3)]
        await append(database, good, 4)
        await append(database, bad, 4)
        first = await checkpoint_all(database)
        assert first is not None and first[empty] is None
        signed_good = first[good]
        assert signed_good is not None and signed_good.seq == 4
        again = await checkpoint_all(database)  # nothing new: the same checkpoint, not another
        assert again is not None and again[good] == first[good]

        await append(database, good, 2)
        await append(database, bad, 1)
        async with as_owner_behind_the_back(fresh_database) as owner:
            await owner.execute(
                "update audit_event set action = 'x.y' where consortium_id = $1 and seq = 5", bad
            )
        with pytest.raises(ChainBroken, match="changed after it was written"):
            await checkpoint_all(database)
        async with database.transaction(AccessScope.system()) as conn:
            rows = await conn.fetch(
                "select consortium_id, seq from audit_checkpoint order by consortium_id, seq"
            )
    signed = {(r["consortium_id"], r["seq"]) for r in rows}
    assert signed == {(good, 4), (good, 6), (bad, 4)}
