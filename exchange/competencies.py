"""Normalising free competency phrases at write time, with a PostgreSQL cache.

A phrase is scored against the taxonomy once ever per taxonomy version: the
cache table ``phrase_normalization`` keeps (normalised text → concept, confidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy

from infra.db import Connection
from matching.text import normalize_text


# Bump when what the cache stores changes meaning (1: confidence in 0..1).
CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class NormalizedPhrase:
    phrase: str
    normalized: str
    concept_id: str | None
    confidence: float  # 0..1


class CompetencyNormalizer:
    """The taxonomy-backed normaliser shared by every request of a process."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self._taxonomy = taxonomy

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy or Taxonomy.load_default()

    @cached_property
    def normalizer(self) -> Normalizer:
        return Normalizer(self.taxonomy)

    @property
    def cache_version(self) -> str:
        return f"{self.taxonomy.version}:{CACHE_FORMAT}"

    async def normalize(self, conn: Connection, phrases: Sequence[str]) -> list[NormalizedPhrase]:
        normalized = [normalize_text(p) for p in phrases]
        version = self.cache_version
        rows = await conn.fetch(
            """select normalized, concept_id, confidence from phrase_normalization
               where taxonomy_version = $1 and normalized = any($2::text[])""",
            version,
            list(set(normalized)),
        )
        known = {r["normalized"]: (r["concept_id"], float(r["confidence"])) for r in rows}
        missing = sorted({n for n in normalized if n not in known})
        if missing:
            results = self.normalizer.normalize_many(missing)
            fresh = {n: (r.concept_id, r.confidence) for n, r in zip(missing, results, strict=True)}
            await conn.executemany(
                """insert into phrase_normalization
                       (normalized, taxonomy_version, concept_id, confidence)
                   values ($1, $2, $3, $4) on conflict do nothing""",
                [(n, version, c, s) for n, (c, s) in fresh.items()],
            )
            known.update(fresh)
        return [
            NormalizedPhrase(phrase=p, normalized=n, concept_id=known[n][0], confidence=known[n][1])
            for p, n in zip(phrases, normalized, strict=True)
        ]
