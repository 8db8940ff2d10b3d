"""The taxonomy's variants laid out for batch scoring of phrases (see :mod:`matching.normalizer`).

Entries are the normalised variants and their compound-split forms; postings map
each vocabulary word to the entries that contain it, with its weight (its IDF,
normalised per entry). Word similarities come from :mod:`matching.wordsim`, one
batch per call, remembered per word.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from matching.taxonomy import Taxonomy
from matching.text import (
    STOPWORDS,
    compound_variants,
    content_tokens,
    join_compound,
    normalize_text,
    split_compound,
    split_known_part,
)
from matching.wordsim import Vocabulary

__all__ = ["COMPOUND_SCORE", "EXACT_SCORE", "VariantIndex", "group_max"]

EXACT_SCORE = 100.0
COMPOUND_SCORE = 97.0  # the same closed compound with another linking morpheme
_WORD_CACHE_SIZE = 200_000  # words whose vocabulary matches an index remembers

_Floats = npt.NDArray[np.float32]
_Ints = npt.NDArray[np.int64]


def _group_starts(keys: Sequence[int] | _Ints) -> _Ints:
    keys = np.asarray(keys)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).astype(np.int64)


class VariantIndex:
    """The normalised vocabulary of one taxonomy version, laid out for batch scoring.

    Entries are the normalised variants and their compound-split forms; postings
    map each vocabulary word to the entries that contain it, with its weight.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        concepts = taxonomy.concepts
        self.concept_ids = [c.id for c in concepts]
        self.labels = [c.label("nl") for c in concepts]
        self.exact: dict[str, int] = {}
        self.compound: dict[str, tuple[int, float]] = {}
        variants: list[tuple[int, str]] = []
        for index, concept in enumerate(concepts):
            texts = [t for t in dict.fromkeys(map(normalize_text, concept.all_phrases)) if t]
            for text in texts or [concept.id]:
                variants.append((index, text))
                self.exact.setdefault(text, index)
                for rank, form in enumerate(compound_variants(text) or (text,)):
                    score = EXACT_SCORE if rank == 0 else COMPOUND_SCORE
                    if self.compound.get(form, (0, 0.0))[1] < score:
                        self.compound[form] = (index, score)
        self.lexicon = frozenset(t for _, text in variants for t in text.split() if len(t) >= 4)
        entries: list[tuple[int, str, str]] = []  # (concept, text to score, variant shown)
        for index, text in variants:
            entries.append((index, text, text))
            split = self.split_unknown(text, split_known=True)
            if split != text:
                entries.append((index, split, text))
        self.texts = [text for _, text, _ in entries]
        self.shown = [shown for _, _, shown in entries]
        self.entry_concepts = np.asarray([index for index, _, _ in entries], dtype=np.int64)
        # Word alignment tables: the content words of each entry, and their weights.
        frequency: dict[str, set[int]] = {}
        for index, text, _ in entries:
            for token in content_tokens(text):
                frequency.setdefault(token, set()).add(index)
        self.tokens = sorted(frequency)
        self.vocabulary = Vocabulary(self.tokens)
        position = {t: i for i, t in enumerate(self.tokens)}
        self.idf = np.asarray(
            [math.log(1.0 + len(concepts) / len(frequency[t])) for t in self.tokens],
            dtype=np.float32,
        )
        self.unknown_idf = float(math.log(1.0 + len(concepts) / 3.0))  # as if in 3 concepts
        rows: list[int] = []
        cols: list[int] = []
        for row, text in enumerate(self.texts):
            for token in dict.fromkeys(content_tokens(text)):
                rows.append(row)
                cols.append(position[token])
        token_cols = np.asarray(cols, dtype=np.int64)
        entry_starts = _group_starts(rows)
        weights = self.idf[token_cols]  # a word weighs what it tells apart
        totals = np.add.reduceat(weights, entry_starts)
        weights /= np.repeat(totals, np.diff(np.r_[entry_starts, len(rows)]))
        # Postings: for each vocabulary word, the entries that contain it and its weight there.
        by_token = np.argsort(token_cols, kind="stable")
        self.posting_entries = np.asarray(rows, dtype=np.int64)[by_token]
        self.posting_weights = weights[by_token]
        self.posting_starts = np.searchsorted(token_cols[by_token], np.arange(len(self.tokens) + 1))
        self._word_matches: dict[str, tuple[_Ints, _Floats, float]] = {}
        self._word_splits: dict[str, tuple[str, ...]] = {}  # long phrase words, split

    def query_forms(self, text: str, split: str | None = None) -> list[str]:
        """``text``, its known-word split (``split`` when known), and (for 2-3 words) its
        closed-compound form."""
        forms = [text, split if split is not None else self.split_unknown(text)]
        if 2 <= text.count(" ") + 1 <= 3:
            joined = join_compound(text)
            forms += [joined, self.split_unknown(joined)]
        return list(dict.fromkeys(forms))

    def match_words(self, words: Iterable[str]) -> None:
        """Find (once, in one ``cdist``) the vocabulary words that each word resembles."""
        missing = [w for w in dict.fromkeys(words) if w not in self._word_matches]
        if not missing:
            return
        if len(self._word_matches) > _WORD_CACHE_SIZE:
            self._word_matches.clear()
            self._word_splits.clear()
        for word, found in zip(missing, self.vocabulary.similarities(missing), strict=True):
            self._word_matches[word] = found

    def resembles_known(self, word: str) -> bool:
        """Whether ``word`` is a known word or a likely typo of one."""
        if word in self.lexicon:
            return True
        self.match_words([word])
        return self._word_matches[word][2] >= 85.0

    def is_typo_of_known(self, word: str) -> bool:
        """Whether ``word`` is a known word or plainly a typo of one (similarity >= 0.85)."""
        if word in self.lexicon:
            return True
        self.match_words([word])
        similarities = self._word_matches[word][1]
        return bool(len(similarities)) and float(similarities.max()) >= 0.85

    def prefetch(self, texts: Sequence[str]) -> None:
        """Match, in one batch, every word :meth:`query_forms` of ``texts`` will ask about."""
        joined = [join_compound(t) for t in texts if 2 <= t.count(" ") + 1 <= 3]
        self.match_words([*(word for text in texts for word in text.split()), *joined])
        pending: list[str] = []
        for text in (*texts, *joined):
            self.split_unknown(text, pending=pending)
        self.match_words(pending)

    def split_unknown(
        self, text: str, split_known: bool = False, pending: list[str] | None = None
    ) -> str:
        """``text`` with long closed compounds split into known words.

        A variant (``split_known``) is split only into known words; a phrase may
        also keep one unknown part ("hypotheekverstrekker" → "hypotheek verstrekker").
        An unknown first part must be a typo of a known word ("onderwisinstelling"):
        a compound names a kind of its last part, and "voetbaltrainer" or
        "voedselbank" are kinds the taxonomy does not know.
        """
        words: list[str] = []
        for word in text.split():
            parts: tuple[str, ...] | None = () if len(word) < 8 else None
            if parts is None and not split_known:
                parts = self._word_splits.get(word)
            if parts is None:
                parts, final = self._split_word(word, split_known, pending)
                if final and not split_known:
                    self._word_splits[word] = parts
            words.extend(parts or (word,))
        return " ".join(words)

    def _split_word(
        self, word: str, split_known: bool, pending: list[str] | None
    ) -> tuple[tuple[str, ...], bool]:
        """:meth:`split_unknown` of one long word, and whether that answer is final
        (not waiting for a ``pending`` look-up)."""
        parts = split_compound(word, self.lexicon, split_known=split_known)
        if split_known and any(part in STOPWORDS for part in parts):
            return (), True  # "kennissysteem" is not just a "systeem"
        if parts or split_known or self.resembles_known(word):
            return parts, True
        parts = split_known_part(word, self.lexicon)
        if not parts or parts[0] in self.lexicon:
            return parts, True
        if pending is not None and parts[0] not in self._word_matches:
            pending.append(parts[0])  # looked up in one batch later
            return (), False
        return (parts if self.is_typo_of_known(parts[0]) else ()), True

    def word_pairs(self, queries: Sequence[str]) -> tuple[_Ints, _Ints, _Floats]:
        """Word-alignment F2 scores (0..100) as (query, entry, score) arrays.

        Sparse: only (query, query word, vocabulary word, entry) combinations whose
        words are similar enough are materialised; pairs sharing no word are absent.
        """
        query_tokens = [list(dict.fromkeys(content_tokens(q))) for q in queries]
        unique = sorted({t for tokens in query_tokens for t in tokens})
        row_of = {t: i for i, t in enumerate(unique)}
        self.match_words(unique)
        matches = [self._word_matches[t] for t in unique]
        match_token = np.concatenate([m[0] for m in matches] or [np.zeros(0, np.int64)])
        match_score = np.concatenate([m[1] for m in matches] or [np.zeros(0, np.float32)])
        match_starts = np.r_[0, np.cumsum([len(m[0]) for m in matches], dtype=np.int64)]
        word_weights = np.asarray(
            [self.idf[m[0][np.argmax(m[1])]] if len(m[0]) else self.unknown_idf for m in matches],
            dtype=np.float32,
        )

        position_word = np.asarray([row_of[t] for ts in query_tokens for t in ts], np.int64)
        position_query = np.repeat(np.arange(len(queries)), [len(ts) for ts in query_tokens])
        # Each query word with each vocabulary word it resembles ...
        picked, owner = _ragged(match_starts[position_word], match_starts[position_word + 1])
        query, word = position_query[owner], position_word[owner]
        token, score = match_token[picked], match_score[picked]
        # ... and with each entry that contains that vocabulary word.
        picked, owner = _ragged(self.posting_starts[token], self.posting_starts[token + 1])
        query, word, token, score = query[owner], word[owner], token[owner], score[owner]
        entry, entry_weight = self.posting_entries[picked], self.posting_weights[picked]
        if not len(entry):
            return entry, entry, np.zeros(0, np.float32)

        n_entries = len(self.texts)
        pairs, pair_of = np.unique(query * n_entries + entry, return_inverse=True)
        # recall: each entry word counts with its best-matching query word
        first, value = group_max(pair_of * len(self.tokens) + token, score)
        recall = np.bincount(pair_of[first], value * entry_weight[first], len(pairs))
        # precision: each query word counts with its best-matching entry word
        first, value = group_max(pair_of * len(unique) + word, score)
        covered = np.bincount(pair_of[first], value * word_weights[word[first]], len(pairs))
        totals = np.bincount(position_query, word_weights[position_word], len(queries))
        precision = covered / totals[pairs // n_entries]
        denominator = 4.0 * precision + recall
        f2 = np.divide(
            5.0 * precision * recall, denominator, out=np.zeros_like(recall), where=denominator > 0
        )
        keep = f2 > 0.0
        pairs = pairs[keep]
        return pairs // n_entries, pairs % n_entries, np.asarray(100.0 * f2[keep], np.float32)


def _ragged(starts: _Ints, stops: _Ints) -> tuple[_Ints, _Ints]:
    """All positions in the ranges ``starts[i]:stops[i]``, and the ``i`` each came from."""
    counts = stops - starts
    owner = np.repeat(np.arange(len(starts)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets, owner


def group_max(keys: _Ints, values: _Floats) -> tuple[_Ints, _Floats]:
    """Per distinct key: the position of its largest value, and that value."""
    if not len(keys):
        return np.zeros(0, np.int64), values
    order = np.lexsort((-values, keys))
    sorted_keys = keys[order]
    first = order[np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])]
    return first, values[first]
