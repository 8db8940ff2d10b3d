"""SQL for consent texts and the consent history (keyword-only, one statement each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from consent.models import (
    CollectionMethod,
    ConsentEvent,
    ConsentRecord,
    ConsentScope,
    ConsentText,
    Purpose,
    ScopeKind,
)
from infra.db import Connection

_RECORD_COLUMNS = """id, consortium_id, profile_id, person_id, collected_by_partner_id, event,
    purpose, scope_kind, scope_partner_ids, granted_at, expires_at, withdrawn_at, text_version,
    text_sha256, collection_method, language, receipt_id, recorded_at"""

_TEXT_COLUMNS = "id, purpose, version, language, body, body_sha256, published_at"


def _text(row: asyncpg.Record) -> ConsentText:
    return ConsentText(
        id=row["id"],
        purpose=Purpose(row["purpose"]),
        version=row["version"],
        language=row["language"],
        body=row["body"],
        body_sha256=row["body_sha256"],
        published_at=row["published_at"],
    )


def _record(row: asyncpg.Record) -> ConsentRecord:
    scope = None
    if row["scope_kind"] is not None:
        scope = ConsentScope(ScopeKind(row["scope_kind"]), frozenset(row["scope_partner_ids"]))
    return ConsentRecord(
        id=row["id"],
        consortium_id=row["consortium_id"],
        profile_id=row["profile_id"],
        person_id=row["person_id"],
        collected_by_partner_id=row["collected_by_partner_id"],
        event=ConsentEvent(row["event"]),
        purpose=Purpose(row["purpose"]),
        scope=scope,
        granted_at=row["granted_at"],
        expires_at=row["expires_at"],
        withdrawn_at=row["withdrawn_at"],
        text_version=row["text_version"],
        text_sha256=row["text_sha256"],
        collection_method=CollectionMethod(row["collection_method"]),
        language=row["language"],
        receipt_id=row["receipt_id"],
        recorded_at=row["recorded_at"],
    )


async def current_text(conn: Connection, *, purpose: Purpose, language: str) -> ConsentText | None:
    """The newest published text of ``purpose`` in ``language``."""
    row = await conn.fetchrow(
        f"""select {_TEXT_COLUMNS} from consent_text
            where purpose = $1 and language = $2
            order by published_at desc, version desc limit 1""",
        purpose.value,
        language,
    )
    return _text(row) if row else None


async def get_text(
    conn: Connection, *, purpose: Purpose, version: str, language: str
) -> ConsentText | None:
    row = await conn.fetchrow(
        f"""select {_TEXT_COLUMNS} from consent_text
            where purpose = $1 and version = $2 and language = $3""",
        purpose.value,
        version,
        language,
    )
    return _text(row) if row else None


async def insert_record(conn: Connection, *, record: ConsentRecord) -> None:
    r = record
    await conn.execute(
        f"""insert into consent_record ({_RECORD_COLUMNS})
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18)""",
        r.id,
        r.consortium_id,
        r.profile_id,
        r.person_id,
        r.collected_by_partner_id,
        r.event.value,
        r.purpose.value,
        r.scope.kind.value if r.scope else None,
        r.scope.sorted_ids() if r.scope else [],
        r.granted_at,
        r.expires_at,
        r.withdrawn_at,
        r.text_version,
        r.text_sha256,
        r.collection_method.value,
        r.language,
        r.receipt_id,
        r.recorded_at,
    )


async def records_for_profile(conn: Connection, *, profile_id: UUID) -> list[ConsentRecord]:
    rows = await conn.fetch(
        f"""select {_RECORD_COLUMNS} from consent_record where profile_id = $1
            order by seq""",
        profile_id,
    )
    return [_record(r) for r in rows]


async def records_for_person(conn: Connection, *, person_id: UUID) -> list[ConsentRecord]:
    rows = await conn.fetch(
        f"""select {_RECORD_COLUMNS} from consent_record where person_id = $1
            order by seq""",
        person_id,
    )
    return [_record(r) for r in rows]


async def partner_names(conn: Connection, *, partner_ids: Sequence[UUID]) -> dict[UUID, str]:
    rows = await conn.fetch(
        "select id, name from partner where id = any($1::uuid[])", list(partner_ids)
    )
    return {r["id"]: r["name"] for r in rows}


async def consortium_name(conn: Connection, *, consortium_id: UUID) -> str | None:
    value = await conn.fetchval("select name from consortium where id = $1", consortium_id)
    return str(value) if value is not None else None


def new_record(
    *,
    record_id: UUID,
    receipt_id: UUID,
    consortium_id: UUID,
    profile_id: UUID | None,
    person_id: UUID | None,
    collected_by_partner_id: UUID,
    event: ConsentEvent,
    scope: ConsentScope | None,
    granted_at: dt.datetime | None,
    expires_at: dt.datetime | None,
    withdrawn_at: dt.datetime | None,
    text: ConsentText | None,
    method: CollectionMethod,
    language: str,
    now: dt.datetime,
    purpose: Purpose = Purpose.EXCHANGE_MATCHING,
) -> ConsentRecord:
    return ConsentRecord(
        id=record_id,
        consortium_id=consortium_id,
        profile_id=profile_id,
        person_id=person_id,
        collected_by_partner_id=collected_by_partner_id,
        event=event,
        purpose=purpose,
        scope=scope,
        granted_at=granted_at,
        expires_at=expires_at,
        withdrawn_at=withdrawn_at,
        text_version=text.version if text else None,
        text_sha256=text.body_sha256 if text else None,
        collection_method=method,
        language=language,
        receipt_id=receipt_id,
        recorded_at=now,
    )
