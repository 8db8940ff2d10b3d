"""How much a typed word resembles a vocabulary word: typo-aware, length-aware.

A typo'd word counts as a vocabulary word when the edits between them are few for
its length (:func:`max_typo_cost`). Edits are weighed by how people mistype
(:func:`typo_cost`): a neighbouring key hit instead of the right one, a doubled or
dropped double letter and two neighbouring letters swapped cost half an edit; any
other insertion, deletion or substitution costs one. So ``"tcat"`` is ``"tact"``
(one swap) rather than ``"chat"`` (two substitutions), and ``"trien"`` is
``"trein"`` rather than ``"trainen"``; ``"schaken"`` is not ``"schakelen"`` (two
insertions in a word of seven letters is another word).

The similarity of an accepted pair is the larger of ``fuzz.ratio`` and
``1 - cost / longer length``; rejected pairs score 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

__all__ = ["KEYBOARD_NEIGHBOURS", "Vocabulary", "typo_cost", "typo_limits", "word_similarities"]

_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, frozenset[str]]:
    """Keys that touch on a staggered QWERTY keyboard (same row ±1, rows above and below)."""
    found: dict[str, set[str]] = {c: set() for row in _ROWS for c in row}
    for r, row in enumerate(_ROWS):
        for i, key in enumerate(row):
            for rr, ii in ((r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1)):
                if 0 <= rr < len(_ROWS) and 0 <= ii < len(_ROWS[rr]):
                    found[key].add(_ROWS[rr][ii])
                    found[_ROWS[rr][ii]].add(key)
    return {k: frozenset(v) for k, v in found.items()}


KEYBOARD_NEIGHBOURS: dict[str, frozenset[str]] = _neighbours()
_CHEAP = 0.5  # a keyboard slip, a double letter or a swap of neighbours
_MIN_RATIO = 75.0  # fuzz.ratio for a word's inflections
_LEAST_RATIO = 55.0  # below this fuzz.ratio no pair is within the typo limits


def typo_limits(length: int) -> tuple[int, float]:
    """The most edits (a swap of neighbours is one) and the most typo cost a typed word
    of ``length`` characters may carry: one slip in a short word, two (one of them
    cheap) from six letters, two from eight, three from eleven."""
    if length <= 2:
        return 0, 0.0
    if length <= 5:
        return 1, 1.0  # for three letters, only one dropped letter of a four-letter word
    if length <= 7:
        return 2, 1.5
    if length <= 10:
        return 2, 2.0
    return 3, 2.5


def typo_cost(typed: str, word: str) -> float:
    """Weighted edit distance from ``typed`` to ``word`` (see the module doc)."""
    if typed == word:
        return 0.0
    ops = [(op.tag, op.src_pos, op.dest_pos) for op in Levenshtein.editops(typed, word)]
    cost = 0.0
    i = 0
    while i < len(ops):
        tag, src, dest = ops[i]
        if i + 1 < len(ops) and _is_swap(typed, word, ops[i], ops[i + 1]):
            cost += _CHEAP
            i += 2
            continue
        if tag == "replace":
            slip = word[dest] in KEYBOARD_NEIGHBOURS.get(typed[src], frozenset())
            cost += _CHEAP if slip else 1.0
        elif tag == "insert":  # ``word`` has a letter that ``typed`` lacks
            cost += _CHEAP if _doubled(word, dest) else 1.0
        else:  # delete: ``typed`` has a letter too many
            cost += _CHEAP if _doubled(typed, src) else 1.0
        i += 1
    # The alignment above may split a swap among other edits; counted apart, every swap
    # is what Levenshtein charges beyond the transposition-aware distance.
    transposing = OSA.distance(typed, word)
    swaps = len(ops) - transposing
    return min(cost, transposing - _CHEAP * swaps)


def _replaced(typed: str, word: str) -> int:
    """How many letters the cheapest alignment replaces (a swap of neighbours is none)."""
    replaced = sum(op.tag == "replace" for op in Levenshtein.editops(typed, word))
    swaps = Levenshtein.distance(typed, word) - OSA.distance(typed, word)
    return max(0, replaced - 2 * swaps)


def _doubled(text: str, at: int) -> bool:
    letter = text[at]
    return (at > 0 and text[at - 1] == letter) or (at + 1 < len(text) and text[at + 1] == letter)


def _is_swap(typed: str, word: str, a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    """Two edits that together swap two neighbouring letters."""
    (tag_a, src_a, dest_a), (tag_b, src_b, dest_b) = a, b
    if tag_a == tag_b == "replace":
        return (
            src_b == src_a + 1
            and dest_b == dest_a + 1
            and typed[src_a] == word[dest_b]
            and typed[src_b] == word[dest_a]
        )
    if {tag_a, tag_b} == {"insert", "delete"}:
        # "ab" -> "ba" as delete a, insert a (or the reverse): the same letter moves by one
        src, dest = (src_a, dest_b) if tag_a == "delete" else (src_b, dest_a)
        return word[dest] == typed[src] and abs(dest - src) <= 1
    return False


_Floats = npt.NDArray[np.float32]
_Ints = npt.NDArray[np.int64]


class Vocabulary:
    """The words typed words are matched against, with what :meth:`similarities` needs
    precomputed."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self.known = frozenset(self.words)
        self.lengths = np.fromiter((len(w) for w in self.words), np.int64, len(self.words))
        self.long_enough = self.lengths > 3

    def similarities(self, words: Sequence[str]) -> list[tuple[_Ints, _Floats, float]]:
        """Per word: the vocabulary positions it may stand for, their similarity 0..1,
        and the best raw ``fuzz.ratio`` over the whole vocabulary (0..100).

        A known word (one of the vocabulary) matches itself and its inflections (one
        stem, ``fuzz.ratio`` >= 75: "klant"/"klanten"): it is no typo of another
        word. An unknown word is a typo of the vocabulary words it reaches within
        :func:`typo_limits` at the least :func:`typo_cost` (or half an edit more),
        and matches their inflections too ("trianingen" → "trainingen" →
        "training"); a three-letter word only drops one letter of a four-letter word
        with the same first letter ("m65" for "m365"). An unknown word of eight
        letters or more also matches its own inflections. Vocabulary words of three
        letters or fewer match only exactly.
        """
        if not words:
            return []
        if not self.words:
            return [(np.zeros(0, np.int64), np.zeros(0, np.float32), 0.0) for _ in words]
        workers = -1 if len(words) > 64 else 1  # threads only pay off for big batches
        # An edit (a swap included) is at most two insertions or deletions, so the Indel
        # distance behind ``fuzz.ratio`` bounds which pairs can be within the limits:
        # never below a ratio of 60 (one edit: 71), so lower ratios are not kept.
        ratio = process.cdist(
            words,
            self.words,
            scorer=fuzz.ratio,
            dtype=np.float32,
            workers=workers,
            score_cutoff=_LEAST_RATIO,
        )
        best_ratio = ratio.max(axis=1)
        rows, cols = np.nonzero(ratio)
        pair_ratio = ratio[rows, cols]
        lengths = np.fromiter((len(w) for w in words), np.int64, len(words))
        max_edits = np.fromiter((typo_limits(n)[0] for n in lengths), np.int64, len(words))
        indel = (1.0 - pair_ratio / 100.0) * (lengths[rows] + self.lengths[cols])
        known = np.fromiter((w in self.known for w in words), bool, len(words))
        # a known word only keeps its inflections (by ratio); an unknown one its typo reach
        keep = (~known[rows] & (indel <= 2 * max_edits[rows] + 1e-3)) | (pair_ratio >= _MIN_RATIO)
        keep &= self.long_enough[cols] | (pair_ratio >= 100.0)
        rows, cols, pair_ratio = rows[keep], cols[keep], pair_ratio[keep]
        starts = np.searchsorted(rows, np.arange(len(words) + 1))
        results: list[tuple[_Ints, _Floats, float]] = []
        for i, typed in enumerate(words):
            found = cols[starts[i] : starts[i + 1]]
            scores = _similarities(
                typed,
                [self.words[c] for c in found],
                pair_ratio[starts[i] : starts[i + 1]].tolist(),
                bool(known[i]),
            )
            keep = scores > 0.0
            results.append((found[keep].astype(np.int64), scores[keep], float(best_ratio[i])))
        return results


def word_similarities(
    words: Sequence[str], vocabulary: Sequence[str]
) -> list[tuple[_Ints, _Floats, float]]:
    """:meth:`Vocabulary.similarities` of ``words`` against ``vocabulary``."""
    return Vocabulary(vocabulary).similarities(words)


def _inflection(word: str, other: str, ratio: float | None = None) -> float:
    """``fuzz.ratio`` 0..1 (``ratio`` when known) of two words of one stem (the same
    first four letters: "klant"/"klanten", "onderhandelingsvaardig"/
    "onderhandelingsvaardigheden"), 0 for words that merely look alike
    ("bewaking"/"banking", "pianospelen"/"kansspelen")."""
    if len(other) <= 3 or word[:4] != other[:4]:
        return 0.0
    ratio = fuzz.ratio(word, other) if ratio is None else ratio
    return ratio / 100.0 if ratio >= _MIN_RATIO else 0.0


def _similarities(
    typed: str, candidates: Sequence[str], ratios: Sequence[float], known: bool
) -> _Floats:
    """Similarity 0..1 of ``typed`` to each shortlisted word; 0 = not that word.

    A known word: itself and its inflections. An unknown word: the typo readings of
    least cost (or half an edit more), their inflections (scaled by the reading's
    similarity), and, from eight letters, its own inflections.
    """
    scores = np.zeros(len(candidates), np.float32)
    if known or len(typed) >= 8:
        for j, (word, ratio) in enumerate(zip(candidates, ratios, strict=True)):
            scores[j] = 1.0 if word == typed else _inflection(typed, word, ratio)
    if known:
        return scores
    max_edits, max_cost = typo_limits(len(typed))
    costs: dict[int, float] = {}
    for j, word in enumerate(candidates):
        if len(typed) == 3 and not (len(word) == 4 and word[0] == typed[0]):
            continue
        edits = OSA.distance(typed, word, score_cutoff=max_edits)
        if len(word) > 3 and edits <= max_edits:
            cost = typo_cost(typed, word)
            # two letters replaced in a word of six or seven is another word, however
            # near the keys ("spelen"/"doelen", "helpen"/"bellen")
            if cost <= max_cost and not (
                edits == 2 and len(typed) <= 7 and _replaced(typed, word) >= 2
            ):
                costs[j] = cost
    if not costs:
        return scores
    least = min(costs.values())
    readings: list[tuple[str, float]] = []
    for j, cost in costs.items():
        if cost <= least + _CHEAP:
            word = candidates[j]
            similarity = max(
                fuzz.ratio(typed, word) / 100.0, 1.0 - cost / max(len(typed), len(word))
            )
            scores[j] = max(scores[j], similarity)
            readings.append((word, similarity))
    for j, word in enumerate(candidates):
        for reading, similarity in readings:
            if word != reading:
                scores[j] = max(scores[j], similarity * _inflection(reading, word))
    return scores
