"""Write-time normalisation: map a free competency phrase to a taxonomy concept.

Framings are stripped first (:mod:`matching.framing`: "3 jaar ervaring met X",
"X (2 jaar)", "je bent X"). An exact hit on a normalised variant (or on its
closed-compound spelling) scores 100. Otherwise all variants are scored in one
batch:

* word alignment: each word of the phrase against the vocabulary words it may
  stand for (:mod:`matching.wordsim`: itself, its inflections, or, for an unknown
  word, its cheapest typo readings within limits by length), weighted by how rare
  the word is in the taxonomy, combined as an F2 score of precision and recall —
  extra words in the phrase cost less than missing words of the variant;
* character similarity (``fuzz.ratio``, ``fuzz.token_sort_ratio``) of the whole
  phrase, which may lift the word score by at most ``CHAR_SLACK`` points: enough
  for odd spacing and word order, not enough to carry a phrase on a shared
  substring alone ("bancaire sector" is not "care sector");
* specificity: a more specific concept whose distinguishing words the phrase
  names, if with a typo too many, beats its parent ("heajh insurance").

Closed compounds are split into known words first ("energiesector" → "energie
sector"; not "voetbaltrainer", whose unknown first part makes it another kind of
trainer), and two or three words are also tried joined ("klant contact"). Below
the threshold a phrase stays free, with the candidates it had.

One phrase gives one concept; :meth:`Normalizer.split` says which coordinated
phrases ("empathisch en geduldig") are to be stored as several.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from matching.coordination import coordinated_parts, shared_tail_forms
from matching.normalizer_index import COMPOUND_SCORE, EXACT_SCORE, VariantIndex, group_max
from matching.taxonomy import Taxonomy
from matching.text import content_tokens, join_compound, normalize_text
from matching.types import Competency

__all__ = [
    "COMPOUND_SCORE",
    "DEFAULT_THRESHOLD",
    "EXACT_SCORE",
    "Candidate",
    "NormalizationResult",
    "Normalizer",
]

DEFAULT_THRESHOLD = 68.0
FUZZY_CAP = 99.0  # a fuzzy match never claims to be exact
CHAR_SLACK = 15.0
TOP_CANDIDATES = 5
_SPECIFIC_FLOOR = 40.0  # least score of a more specific candidate that may step up
SURE_SCORE = 97.0  # a coordinated phrase mapped this well names one concept: no split
_CHUNK = 256  # queries scored together; bounds memory


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
        self._index = VariantIndex(taxonomy)

    def _current_index(self) -> VariantIndex:
        if self.taxonomy.version != self._version:
            self._version = self.taxonomy.version
            self._index = VariantIndex(self.taxonomy)
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

    def split(self, phrase: str) -> list[str]:
        """The parts of a coordinated phrase that each map to a concept of their own.

        ``"empathisch en geduldig"`` → ``["empathisch", "geduldig"]``; a phrase that
        names one concept ("plannen en organiseren", "werving & selectie"), whose
        parts do not all map, or that lists nothing comes back whole: ``[phrase]``.
        """
        return self.split_many([phrase])[0]

    def split_many(self, phrases: Iterable[str]) -> list[list[str]]:
        """:meth:`split` for many phrases, normalising all parts in one batch.

        A phrase is split when it lists parts (:func:`coordinated_parts`), every part
        maps to a concept, the parts name at least two concepts, and the whole
        phrase neither maps surely (``SURE_SCORE``: one variant explains it all) nor
        to a concept none of its parts names. A one-word part may borrow the words
        the last part adds ("klachten en escalaties afhandelen" → "klachten
        afhandelen") when that maps better. Parts naming a concept an earlier part
        named are left out.
        """
        phrases = list(phrases)
        listed = [coordinated_parts(p) for p in phrases]
        candidates = {p for p, parts in zip(phrases, listed, strict=True) if len(parts) > 1}
        if not candidates:
            return [[p] for p in phrases]
        forms: dict[str, list[list[str]]] = {}
        texts: list[str] = []
        for phrase, parts in zip(phrases, listed, strict=True):
            if phrase in candidates and phrase not in forms:
                options = [[part] for part in parts]
                for option, longer in zip(options, shared_tail_forms(parts), strict=True):
                    option.extend([longer] if longer else [])
                forms[phrase] = options
                texts.extend([phrase, *(t for option in options for t in option)])
        unique = list(dict.fromkeys(texts))
        result = dict(zip(unique, self.normalize_many(unique), strict=True))
        return [
            self._split_parts(phrase, forms[phrase], result) if phrase in forms else [phrase]
            for phrase in phrases
        ]

    def _split_parts(
        self, phrase: str, options: list[list[str]], result: dict[str, NormalizationResult]
    ) -> list[str]:
        whole = result[phrase]
        if whole.concept_id is not None and whole.score >= SURE_SCORE:
            return [phrase]  # one variant explains the whole phrase: "werving & selectie"
        chosen = [max(option, key=lambda text: result[text].score) for option in options]
        concepts = [result[text].concept_id for text in chosen]
        if any(c is None for c in concepts) or len(set(concepts)) < 2:
            return [phrase]
        if whole.concept_id is not None and whole.concept_id not in concepts:
            return [phrase]  # together the parts mean something else than apart
        first = {c: text for text, c in reversed(list(zip(chosen, concepts, strict=True)))}
        return [text for text, c in zip(chosen, concepts, strict=True) if first[c] == text]

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
    def _exact_match(index: VariantIndex, text: str) -> _Match | None:
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

    def _fuzzy_matches(self, index: VariantIndex, texts: Sequence[str]) -> list[_Match]:
        index.prefetch(texts)
        splits = [index.split_unknown(t) for t in texts]
        forms = [index.query_forms(t, split) for t, split in zip(texts, splits, strict=True)]
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
        first, best = group_max(text_of * len(index.concept_ids) + concept, rounded)
        text_of, concept, entry = text_of[first], concept[first], entry[first]
        order = np.lexsort((concept, -best, text_of))
        ranked: list[list[tuple[int, float, int]]] = [[] for _ in texts]
        for i in order:
            found = ranked[text_of[i]]
            if len(found) < TOP_CANDIDATES:
                found.append((int(concept[i]), float(best[i]), int(entry[i])))
        matches = []
        for split, found in zip(splits, ranked, strict=True):
            found = self._prefer_specific(index, split, found)
            candidates = tuple(
                Candidate(index.concept_ids[c], index.labels[c], score, index.shown[e])
                for c, score, e in found
            )
            matches.append(self._decide(candidates))
        return matches

    def _prefer_specific(
        self, index: VariantIndex, split: str, found: list[tuple[int, float, int]]
    ) -> list[tuple[int, float, int]]:
        """Candidates (concept, score, entry) with a more specific concept first when the
        phrase names what makes it specific, if only with a typo too many.

        "heajh insurance" matches "insurance" fully and "health insurance" weakly: the
        more specific variant holds every word of the best one and more, and each
        word more resembles a word of four letters or more that the best one left
        unexplained (``fuzz.ratio`` >= 60). It then takes the best one's place and
        score.
        """
        if not found or not self.threshold <= found[0][1] < FUZZY_CAP:
            return found
        top_words = set(content_tokens(index.texts[found[0][2]]))
        spare = [
            word
            for word in content_tokens(split)
            if len(word) >= 4 and not any(fuzz.ratio(word, known) >= 75 for known in top_words)
        ]
        if not spare:
            return found
        for rank, (concept, score, entry) in enumerate(found[1:], start=1):
            words = set(content_tokens(index.texts[entry]))
            if score < _SPECIFIC_FLOOR or not top_words < words:
                continue
            if all(any(fuzz.ratio(w, s) >= 60 for s in spare) for w in words - top_words):
                return [(concept, found[0][1], entry), *found[:rank], *found[rank + 1 :]]
        return found

    def _decide(self, candidates: tuple[Candidate, ...]) -> _Match:
        if not candidates:
            return _Match(None, 0.0, ())
        top = candidates[0]
        concept_id = top.concept_id if top.score >= self.threshold else None
        return _Match(concept_id, top.score, candidates)
