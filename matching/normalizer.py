"""Write-time normalisation: map a free competency phrase to a taxonomy concept.

An exact hit on a normalised variant (or on its closed-compound spelling) scores
100. Otherwise all variants are scored in one batch:

* word alignment: each word of the phrase against each word of a variant with
  ``fuzz.ratio`` (so a typo per word still counts), weighted by how rare the word
  is in the taxonomy, combined as an F2 score of precision and recall — extra
  words in the phrase cost less than missing words of the variant;
* character similarity (``fuzz.ratio``, ``fuzz.token_sort_ratio``) of the whole
  phrase, which may lift the word score by at most ``CHAR_SLACK`` points: enough
  for odd spacing and word order, not enough to carry a phrase on a shared
  substring alone ("bancaire sector" is not "care sector").

Closed compounds are split into known words first ("energiesector" → "energie
sector"), and two or three words are also tried joined ("klant contact"). Word
similarities come from one ``process.cdist`` per batch. Below the threshold a
phrase stays free, with the candidates it had.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

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
from matching.types import Competency

__all__ = ["DEFAULT_THRESHOLD", "Candidate", "NormalizationResult", "Normalizer"]

DEFAULT_THRESHOLD = 68.0
EXACT_SCORE = 100.0
COMPOUND_SCORE = 97.0  # the same closed compound with another linking morpheme
FUZZY_CAP = 99.0  # a fuzzy match never claims to be exact
CHAR_SLACK = 15.0
TOP_CANDIDATES = 5
_CHUNK = 256  # queries scored together; bounds memory
_WORD_CACHE_SIZE = 200_000  # words whose vocabulary matches an index remembers

_Floats = npt.NDArray[np.float32]
_Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Candidate:
    concept_id: str
    label: str  # Dutch label, English when there is none
    score: float  # 0..100
    matched_variant: str  # the normalised variant that scored best


@dataclass(frozen=True, slots=True)
class NormalizationResult:
    phrase: str
    normalized: str
    concept_id: str | None  # None: the phrase stays a free phrase
    label_nl: str | None
    label_en: str | None
    score: float  # 0..100; for a free phrase, its best candidate's score
    candidates: tuple[Candidate, ...]  # best first, at most five concepts

    @property
    def confidence(self) -> float:
        """``score`` as a fraction 0..1."""
        return round(self.score / 100.0, 4)

    def to_competency(self, level: int | None = None) -> Competency:
        return Competency(
            phrase=self.phrase,
            normalized=self.normalized,
            concept_id=self.concept_id,
            confidence=self.confidence,
            level=level,
        )


@dataclass(frozen=True, slots=True)
class _Match:
    concept_id: str | None
    score: float
    candidates: tuple[Candidate, ...]


def _token_cutoffs(tokens: Sequence[str]) -> _Floats:
    """Least similarity for a typo'd word to count as that word: short words must be exact."""
    return np.asarray(
        [100.0 if len(t) <= 3 else 75.0 for t in tokens],
        dtype=np.float32,
    )


def _group_starts(keys: Sequence[int] | _Ints) -> _Ints:
    keys = np.asarray(keys)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).astype(np.int64)


class _Index:
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
        position = {t: i for i, t in enumerate(self.tokens)}
        self.idf = np.asarray(
            [math.log(1.0 + len(concepts) / len(frequency[t])) for t in self.tokens],
            dtype=np.float32,
        )
        self.unknown_idf = float(math.log(1.0 + len(concepts) / 3.0))  # as if in 3 concepts
        self.token_cutoffs = _token_cutoffs(self.tokens)
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

    def query_forms(self, text: str) -> list[str]:
        """``text``, its known-word split, and (for 2-3 words) its closed-compound form."""
        forms = [text, self.split_unknown(text)]
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
        if not self.tokens:
            for word in missing:
                self._word_matches[word] = (np.zeros(0, np.int64), np.zeros(0, np.float32), 0.0)
            return
        workers = -1 if len(missing) > 64 else 1  # threads only pay off for big batches
        similarity = process.cdist(
            missing, self.tokens, scorer=fuzz.ratio, dtype=np.float32, workers=workers
        )
        best_raw = similarity.max(axis=1)
        cutoffs = np.maximum(_token_cutoffs(missing)[:, None], self.token_cutoffs[None, :])
        similarity[similarity < cutoffs] = 0.0
        rows, cols = np.nonzero(similarity)
        starts = np.searchsorted(rows, np.arange(len(missing) + 1))
        for i, word in enumerate(missing):
            found = cols[starts[i] : starts[i + 1]].astype(np.int64)
            self._word_matches[word] = (found, similarity[i, found] / 100.0, float(best_raw[i]))

    def resembles_known(self, word: str) -> bool:
        """Whether ``word`` is a known word or a likely typo of one."""
        if word in self.lexicon:
            return True
        self.match_words([word])
        return self._word_matches[word][2] >= 85.0

    def split_unknown(self, text: str, split_known: bool = False) -> str:
        """``text`` with long closed compounds split into known words.

        A variant (``split_known``) is split only into known words; a phrase may
        also keep one unknown part ("hypotheekverstrekker" → "hypotheek verstrekker").
        """
        words: list[str] = []
        for word in text.split():
            parts: tuple[str, ...] = ()
            if len(word) >= 8:
                parts = split_compound(word, self.lexicon, split_known=split_known)
                if split_known and any(part in STOPWORDS for part in parts):
                    parts = ()  # "kennissysteem" is not just a "systeem"
                if not parts and not split_known and not self.resembles_known(word):
                    parts = split_known_part(word, self.lexicon)
            words.extend(parts or (word,))
        return " ".join(words)

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
        first, value = _group_max(pair_of * len(self.tokens) + token, score)
        recall = np.bincount(pair_of[first], value * entry_weight[first], len(pairs))
        # precision: each query word counts with its best-matching entry word
        first, value = _group_max(pair_of * len(unique) + word, score)
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


def _group_max(keys: _Ints, values: _Floats) -> tuple[_Ints, _Floats]:
    """Per distinct key: the position of its largest value, and that value."""
    if not len(keys):
        return np.zeros(0, np.int64), values
    order = np.lexsort((-values, keys))
    sorted_keys = keys[order]
    first = order[np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])]
    return first, values[first]


class Normalizer:
    """Maps phrases to concepts of ``taxonomy``; rebuilds itself when the taxonomy changes.

    Results are cached per normalised text (LRU, ``cache_size`` entries). Not
    thread-safe: give each thread its own instance or guard it with a lock.
    """

    def __init__(
        self, taxonomy: Taxonomy, threshold: float = DEFAULT_THRESHOLD, cache_size: int = 50_000
    ) -> None:
        if not 0.0 <= threshold <= 100.0:
            raise ValueError("threshold must be between 0 and 100")
        self.taxonomy = taxonomy
        self.threshold = threshold
        self._cache_size = cache_size
        self._cache: OrderedDict[str, _Match] = OrderedDict()
        self._version = taxonomy.version
        self._index = _Index(taxonomy)

    def _current_index(self) -> _Index:
        if self.taxonomy.version != self._version:
            self._version = self.taxonomy.version
            self._index = _Index(self.taxonomy)
            self._cache.clear()
        return self._index

    def normalize(self, phrase: str) -> NormalizationResult:
        """The concept for one phrase, with its score and best candidates."""
        return self.normalize_many([phrase])[0]

    def normalize_many(self, phrases: Iterable[str]) -> list[NormalizationResult]:
        """:meth:`normalize` for many phrases, with all fuzzy ones scored in batches."""
        index = self._current_index()
        phrases = list(phrases)
        normalized = [normalize_text(p) for p in phrases]
        fuzzy: list[str] = []
        for text in dict.fromkeys(normalized):
            if text in self._cache:
                continue
            hit = self._exact_match(index, text)
            if hit is None:
                fuzzy.append(text)
            else:
                self._remember(text, hit)
        for start in range(0, len(fuzzy), _CHUNK):
            chunk = fuzzy[start : start + _CHUNK]
            for text, match in zip(chunk, self._fuzzy_matches(index, chunk), strict=True):
                self._remember(text, match)
        results = []
        for phrase, text in zip(phrases, normalized, strict=True):
            match = self._cache.get(text) or self._exact_match(index, text) or _Match(None, 0, ())
            results.append(self._result(phrase, text, match))
        return results

    def _remember(self, text: str, match: _Match) -> None:
        self._cache[text] = match
        self._cache.move_to_end(text)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _result(self, phrase: str, text: str, match: _Match) -> NormalizationResult:
        concept = self.taxonomy.get(match.concept_id) if match.concept_id else None
        return NormalizationResult(
            phrase=phrase,
            normalized=text,
            concept_id=concept.id if concept else None,
            label_nl=concept.label("nl") if concept else None,
            label_en=concept.label("en") if concept else None,
            score=match.score,
            candidates=match.candidates,
        )

    @staticmethod
    def _exact_match(index: _Index, text: str) -> _Match | None:
        if not text:
            return _Match(None, 0.0, ())
        owner = index.exact.get(text)
        score = EXACT_SCORE
        if owner is None:
            owner, score = index.compound.get(join_compound(text), (-1, 0.0))
            if owner < 0:
                return None
        candidate = Candidate(index.concept_ids[owner], index.labels[owner], score, text)
        return _Match(candidate.concept_id, score, (candidate,))

    def _fuzzy_matches(self, index: _Index, texts: Sequence[str]) -> list[_Match]:
        joined = (join_compound(t) for t in texts if 2 <= t.count(" ") + 1 <= 3)
        index.match_words([*(word for text in texts for word in text.split()), *joined])
        forms = [index.query_forms(t) for t in texts]
        queries = [q for group in forms for q in group]
        form_text = np.repeat(np.arange(len(texts)), [len(g) for g in forms])
        query, entry, score = index.word_pairs(queries)
        # Character similarity may lift a pair that could still reach the threshold.
        for i in np.flatnonzero((score >= self.threshold - CHAR_SLACK) & (score < FUZZY_CAP)):
            text, variant = queries[query[i]], index.texts[entry[i]]
            chars = max(fuzz.ratio(text, variant), fuzz.token_sort_ratio(text, variant))
            score[i] = max(score[i], min(chars, score[i] + CHAR_SLACK))
        rounded = np.round(np.minimum(score, FUZZY_CAP), 2).astype(np.float32)
        text_of = form_text[query]
        concept = index.entry_concepts[entry]
        first, best = _group_max(text_of * len(index.concept_ids) + concept, rounded)
        text_of, concept, entry = text_of[first], concept[first], entry[first]
        order = np.lexsort((concept, -best, text_of))
        candidates: list[list[Candidate]] = [[] for _ in texts]
        for i in order:
            found = candidates[text_of[i]]
            if len(found) < TOP_CANDIDATES:
                c = int(concept[i])
                found.append(
                    Candidate(
                        index.concept_ids[c], index.labels[c], float(best[i]), index.shown[entry[i]]
                    )
                )
        return [self._decide(tuple(found)) for found in candidates]

    def _decide(self, candidates: tuple[Candidate, ...]) -> _Match:
        if not candidates:
            return _Match(None, 0.0, ())
        top = candidates[0]
        concept_id = top.concept_id if top.score >= self.threshold else None
        return _Match(concept_id, top.score, candidates)
