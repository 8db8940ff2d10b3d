"""Normalising free competency phrases at write time, with a PostgreSQL cache.

A phrase is first split into the concepts it lists, if it lists several
(:meth:`matching.normalizer.Normalizer.split`: "empathisch en geduldig" is two
competencies); each part is then scored against the taxonomy once ever per
taxonomy version: the cache table ``phrase_normalization`` keeps (normalised part
→ concept, confidence). :func:`expand` pairs the parts with the inputs they came
from, so one input phrase can become several stored competencies or requirements,
each keeping the phrase as written for display.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from exchange.taxonomy import repository
from exchange.taxonomy.repository import CachedNormalization
from infra.db import Connection
from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy
from matching.text import normalize_text

# Bump when what the cache stores changes meaning (1: confidence in 0..1; 2: the
# normaliser's framing, typo and specificity rules changed what a text maps to).
CACHE_FORMAT = 2

_Input = TypeVar("_Input", bound=Hashable)


@dataclass(frozen=True, slots=True)
class NormalizedPhrase:
    phrase: str  # the input phrase as given, for display
    normalized: str  # the normalised text of this part of it
    concept_id: str | None
    confidence: float  # 0..1
    source: int = 0  # index of the input phrase this part came from


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
        """Each phrase's parts, normalised, in input order: one or more per phrase
        (``source`` says which phrase). See :func:`expand`."""
        parts = [
            (source, part)
            for source, split in enumerate(self.normalizer.split_many(phrases))
            for part in split
        ]
        normalized = [normalize_text(part) for _, part in parts]
        version = self.cache_version
        known = await repository.cached_normalizations(
            conn, taxonomy_version=version, normalized=sorted(set(normalized))
        )
        missing = sorted({n for n in normalized if n not in known})
        if missing:
            results = self.normalizer.normalize_many(missing)
            fresh = {
                n: CachedNormalization(r.concept_id, r.confidence)
                for n, r in zip(missing, results, strict=True)
            }
            await repository.cache_normalizations(conn, taxonomy_version=version, found=fresh)
            known.update(fresh)
        return [
            NormalizedPhrase(
                phrase=phrases[source],
                normalized=n,
                concept_id=known[n].concept_id,
                confidence=known[n].confidence,
                source=source,
            )
            for (source, _), n in zip(parts, normalized, strict=True)
        ]


def expand(
    inputs: Sequence[_Input], normalized: Sequence[NormalizedPhrase]
) -> list[tuple[_Input, NormalizedPhrase]]:
    """Each input with each part its phrase became, in order: the explicit step where
    one input phrase becomes several stored competencies or requirements.

    ``normalized`` is :meth:`CompetencyNormalizer.normalize` of the inputs' phrases.
    A part that an equal input already produced is left out, so a profile read back
    (a split phrase is stored once per part, each with the phrase as written) and
    saved again keeps each part once instead of doubling it. An input phrase that was
    not split is kept as often as it is given.
    """
    parts_per_source: dict[int, int] = {}
    for n in normalized:
        parts_per_source[n.source] = parts_per_source.get(n.source, 0) + 1
    seen: set[tuple[_Input, str, str | None]] = set()
    pairs: list[tuple[_Input, NormalizedPhrase]] = []
    for n in normalized:
        item = inputs[n.source]
        if parts_per_source[n.source] > 1:
            key = (item, n.normalized, n.concept_id)
            if key in seen:
                continue
            seen.add(key)
        pairs.append((item, n))
    return pairs
