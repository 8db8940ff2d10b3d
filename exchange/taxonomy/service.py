"""The taxonomy in force: the shipped concepts plus what was imported into PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from exchange.taxonomy import repository
from infra.db import Connection
from matching.taxonomy import Concept, Taxonomy

IMPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class ImportReport:
    read: int
    changed: int
    total_concepts: int
    version: str


async def load_taxonomy(conn: Connection) -> Taxonomy:
    taxonomy = Taxonomy.load_default()
    taxonomy.add(await repository.stored_concepts(conn))
    return taxonomy


async def import_concepts(
    conn: Connection,
    concepts: Sequence[Concept],
    *,
    source: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Merge concepts into the stored taxonomy; importing the same file twice changes nothing."""
    taxonomy = await load_taxonomy(conn)
    changed = 0
    for start in range(0, len(concepts), IMPORT_BATCH):
        batch = concepts[start : start + IMPORT_BATCH]
        before = {c.id: c for c in taxonomy}
        taxonomy.add(batch)
        touched = [c for c in taxonomy if before.get(c.id) != c]
        if touched:
            await repository.upsert_concepts(conn, concepts=touched, source=source)
        changed += len(touched)
        if progress is not None:
            progress(len(batch))
    return ImportReport(
        read=len(concepts), changed=changed, total_concepts=len(taxonomy), version=taxonomy.version
    )
