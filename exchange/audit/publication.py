"""What ``entrypoints.audit_routes`` serves: published checkpoints and the CSV export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from exchange.audit import oversight, repository
from exchange.audit.checkpoints import published_entry
from exchange.audit.models import AuditFilter
from exchange.audit.signing import load_checkpoint_keys
from infra.caller import Caller
from infra.db import Connection, Database
from infra.scope import AccessScope


async def _consortium_ids(conn: Connection, consortium: str | None) -> list[UUID] | None:
    if consortium is None:
        return None
    try:
        return [UUID(consortium)]
    except ValueError:
        found = await repository.consortium_id_for_slug(conn, slug=consortium)
        return [found] if found else []


class AuditPublication:
    """The :class:`entrypoints.audit_routes.AuditFeed` of this exchange."""

    async def checkpoints(
        self, database: Database, *, consortium: str | None, limit: int
    ) -> list[dict[str, Any]]:
        keys = await load_checkpoint_keys(database, signing=False)
        # Checkpoints are public (their table is readable by every role); resolving a
        # consortium's slug to its id is the one system read, of id and slug only.
        async with database.transaction(AccessScope.system()) as conn:
            ids = await _consortium_ids(conn, consortium)
            rows = [] if ids == [] else await repository.list_checkpoints(
                conn, consortium_ids=ids, limit=limit
            )  # fmt: skip
        return [published_entry(c, jwk=keys.jwk_for(c.signed_jws)) for c in rows]

    async def events_csv(
        self, database: Database, caller: Caller, audit_filter: AuditFilter
    ) -> AsyncIterator[str]:
        oversight.require_auditor(caller)
        oversight.validate_filter(audit_filter, field="")
        async with database.transaction(caller.access_scope()) as conn:
            yield oversight.csv_text([], header=True)
            async for batch in oversight.export_events(conn, caller, audit_filter):
                yield oversight.csv_text(batch)
