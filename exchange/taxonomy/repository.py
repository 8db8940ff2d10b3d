"""SQL for concepts added to the shipped taxonomy (ESCO imports)."""

from __future__ import annotations

from collections.abc import Sequence

from infra.db import Connection
from matching.taxonomy import Concept


async def stored_concepts(conn: Connection) -> list[Concept]:
    rows = await conn.fetch(
        """select id, esco_uri, category, soft_skill, label_nl, label_en, variants
           from competency_concept order by id"""
    )
    return [
        Concept(
            id=r["id"],
            esco_uri=r["esco_uri"],
            category=r["category"],
            soft_skill=r["soft_skill"],
            label_nl=r["label_nl"],
            label_en=r["label_en"],
            variants=tuple(r["variants"]),
        )
        for r in rows
    ]


async def upsert_concepts(conn: Connection, *, concepts: Sequence[Concept], source: str) -> None:
    await conn.executemany(
        """insert into competency_concept (id, esco_uri, category, soft_skill, label_nl, label_en,
                                           variants, source)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (id) do update set esco_uri = excluded.esco_uri,
               category = excluded.category, soft_skill = excluded.soft_skill,
               label_nl = excluded.label_nl, label_en = excluded.label_en,
               variants = excluded.variants, updated_at = now()""",
        [
            (
                c.id,
                c.esco_uri,
                c.category,
                c.soft_skill,
                c.label_nl,
                c.label_en,
                list(c.variants),
                source,
            )
            for c in concepts
        ],
    )
