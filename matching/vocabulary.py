"""The unique normalised free phrases of an index, matched fuzzily as a whole.

A requirement's free phrase is compared once against every *distinct* profile
phrase (``rapidfuzz.process.cdist``), never per profile. Results are cached
per (query, cutoff) and extended incrementally as the vocabulary grows (it is
append-only). Above ``prefilter_from`` texts a word-trigram prefilter (like
pg_trgm) picks the texts worth scoring: texts sharing at least
``PREFILTER_SHARE`` of the smaller trigram set. That is a recall heuristic;
``bench/matching.py`` reports its recall against the full scan.
"""

from __future__ import annotations

import math
from array import array
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from rapidfuzz import fuzz, process

from matching.postings import F32, I32

Scorer = Callable[..., float]

PREFILTER_SHARE = 0.25
CACHE_SIZE = 4096
_PARALLEL_FROM = 20_000  # below this, thread start-up costs more than it saves


def word_trigrams(text: str) -> set[str]:
    """pg_trgm-style trigrams: each word padded with two spaces before, one after."""
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


class PhraseVocabulary:
    """Distinct texts with stable ids, fuzzy lookup, trigram prefilter and a cache."""

    def __init__(self, scorer: Scorer = fuzz.token_set_ratio, prefilter_from: int = 5_000) -> None:
        self._scorer = scorer
        self._prefilter_from = prefilter_from
        self._texts: list[str] = []
        self._ids: dict[str, int] = {}
        self._grams: dict[str, array[int]] = {}
        self._gram_counts: array[int] = array("i")
        self._cache: OrderedDict[tuple[str, float], tuple[int, I32, F32]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._texts)

    def text(self, text_id: int) -> str:
        return self._texts[text_id]

    def get(self, text: str) -> int | None:
        return self._ids.get(text)

    def intern(self, text: str) -> int:
        """The id of ``text``, adding it when new."""
        found = self._ids.get(text)
        if found is not None:
            return found
        text_id = len(self._texts)
        self._texts.append(text)
        self._ids[text] = text_id
        grams = word_trigrams(text)
        self._gram_counts.append(len(grams))
        for gram in grams:
            bucket = self._grams.get(gram)
            if bucket is None:
                bucket = self._grams[gram] = array("i")
            bucket.append(text_id)
        return text_id

    def nbytes(self) -> int:
        """Rough memory held: strings, dicts and trigram postings."""
        strings = sum(49 + len(t) for t in self._texts)
        maps = 8 * len(self._texts) + 100 * len(self._ids) + 100 * len(self._grams)
        grams = sum(len(b) * 4 + 64 for b in self._grams.values())
        return strings + maps + grams + 4 * len(self._gram_counts)

    def match(self, query: str, cutoff: float) -> tuple[I32, F32]:
        """Ids and scores (0..100) of the texts scoring at least ``cutoff`` against ``query``."""
        key = (query, cutoff)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == len(self._texts):
            self._cache.move_to_end(key)
            return cached[1], cached[2]
        start = cached[0] if cached is not None else 0
        ids, scores = self._scan(query, cutoff, start)
        if cached is not None:
            ids = np.concatenate((cached[1], ids))
            scores = np.concatenate((cached[2], scores))
        self._cache[key] = (len(self._texts), ids, scores)
        self._cache.move_to_end(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return ids, scores

    def clear_cache(self) -> None:
        self._cache.clear()

    def _scan(self, query: str, cutoff: float, start: int) -> tuple[I32, F32]:
        if not query or start >= len(self._texts):
            return np.empty(0, np.int32), np.empty(0, np.float32)
        choices: list[str]
        if len(self._texts) - start >= self._prefilter_from:
            ids = self._prefilter(query, start)
            choices = [self._texts[i] for i in ids.tolist()]
        else:
            ids = np.arange(start, len(self._texts), dtype=np.int32)
            choices = self._texts if start == 0 else self._texts[start:]
        if ids.size == 0:
            return ids, np.empty(0, np.float32)
        scores = process.cdist(
            [query],
            choices,
            scorer=self._scorer,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=-1 if len(choices) >= _PARALLEL_FROM else 1,
        )[0]
        keep = np.flatnonzero(scores >= max(cutoff, 1e-6))
        return ids[keep].astype(np.int32), scores[keep].astype(np.float32)

    def _prefilter(self, query: str, start: int) -> I32:
        grams = word_trigrams(query)
        buckets = [self._grams[g] for g in grams if g in self._grams]
        if not buckets:
            return np.empty(0, np.int32)
        hits = np.concatenate([np.array(b, dtype=np.int32) for b in buckets])
        hits = hits[hits >= start]
        counts = np.bincount(hits, minlength=len(self._texts))
        own = np.array(self._gram_counts, dtype=np.int32)
        need = np.ceil(PREFILTER_SHARE * np.minimum(own, len(grams)))
        ok = (counts > 0) & (counts >= need)
        ok[:start] = False
        return np.flatnonzero(ok).astype(np.int32)


def trigram_share(a: str, b: str) -> float:
    """Shared trigrams over the smaller set (used by tests and the bench)."""
    ga, gb = word_trigrams(a), word_trigrams(b)
    return len(ga & gb) / max(1, min(len(ga), len(gb))) if ga and gb else math.nan
