"""The database's COPY-text escaping (``audit_copy_text``, migration 0011) is Python's.

Both hash the same canonical bytes, so any difference breaks the chain for the events the
database appends. PostgreSQL before 16 reads ``E'\\v'`` as a plain "v"; this runs on every
server the suite runs on (embedded, and the CI's PostgreSQL 15).
"""

from __future__ import annotations

import pytest

from exchange.audit.chain import copy_text
from infra.db import ConnectionDatabase
from infra.scope import AccessScope

SAMPLES = [
    "vacancy.created",
    "a\vb",
    "tab\there",
    "back\\slash",
    "line\nbreak\rreturn",
    "bell\b form\f",
    "Müller ß ü 🙂",
    '{"reason": "geen Duits C1", "n": 1.5}',
]


@pytest.mark.parametrize("value", SAMPLES)
async def test_sql_and_python_escape_alike(db: ConnectionDatabase, value: str) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        escaped = await conn.fetchval("select audit_copy_text($1)", value)
    assert escaped == copy_text(value)


async def test_null_is_escaped_alike(db: ConnectionDatabase) -> None:
    async with db.transaction(AccessScope.system()) as conn:
        escaped = await conn.fetchval("select audit_copy_text(null)")
    assert escaped == copy_text(None)
