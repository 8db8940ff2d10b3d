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

__all__ = ["KEYBOARD_NEIGHBOURS", "typo_cost", "typo_limits", "word_similarities"]

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
_MIN_RATIO = 75.0  # fuzz.ratio for a known word's inflections and for long compounds


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
    return 3, 3.0


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


def word_similarities(
    words: Sequence[str], vocabulary: Sequence[str]
) -> list[tuple[_Ints, _Floats, float]]:
    """Per word: the vocabulary positions it may stand for, their similarity 0..1, and
    the best raw ``fuzz.ratio`` over the whole vocabulary (0..100).

    A known word (one of ``vocabulary``) matches itself and, by ``fuzz.ratio`` of at
    least 75, its inflections ("klant"/"klanten"): it is no typo of
    another word. An unknown word is a typo of the vocabulary words it reaches
    within :func:`typo_limits` at the least :func:`typo_cost` (or half an edit
    more); a three-letter word only of a four-letter word it lacks one letter of,
    with the same first letter ("m65" for "m365"). Unknown words of eight letters
    or more also match by ``fuzz.ratio`` (long compounds sharing most letters).
    Vocabulary words of three letters or fewer match only exactly.
    """
    if not words:
        return []
    if not vocabulary:
        return [(np.zeros(0, np.int64), np.zeros(0, np.float32), 0.0) for _ in words]
    workers = -1 if len(words) > 64 else 1  # threads only pay off for big batches
    ratio = process.cdist(words, vocabulary, scorer=fuzz.ratio, dtype=np.float32, workers=workers)
    best_ratio = ratio.max(axis=1)
    lengths = np.fromiter((len(w) for w in words), np.int64, len(words))
    vocab_lengths = np.fromiter((len(v) for v in vocabulary), np.int64, len(vocabulary))
    max_edits = np.fromiter((typo_limits(n)[0] for n in lengths), np.int64, len(words))
    # An edit (a swap included) is at most two insertions or deletions, so the Indel
    # distance behind ``fuzz.ratio`` bounds which pairs can be within the limits.
    indel = (1.0 - ratio / 100.0) * (lengths[:, None] + vocab_lengths[None, :])
    shortlist = (indel <= 2 * max_edits[:, None] + 1e-3) | (ratio >= _MIN_RATIO)
    shortlist &= (vocab_lengths > 3)[None, :] | (ratio >= 100.0)
    rows, cols = np.nonzero(shortlist)
    starts = np.searchsorted(rows, np.arange(len(words) + 1))
    known = set(vocabulary)
    results: list[tuple[_Ints, _Floats, float]] = []
    for i, typed in enumerate(words):
        found = cols[starts[i] : starts[i + 1]]
        scores = _similarities(
            typed, [vocabulary[c] for c in found], ratio[i, found].tolist(), typed in known
        )
        keep = scores > 0.0
        results.append((found[keep].astype(np.int64), scores[keep], float(best_ratio[i])))
    return results


def _similarities(
    typed: str, candidates: Sequence[str], ratios: Sequence[float], known: bool
) -> _Floats:
    """Similarity 0..1 of ``typed`` to each shortlisted word; 0 = not that word."""
    scores = np.zeros(len(candidates), np.float32)
    for j, (word, ratio) in enumerate(zip(candidates, ratios, strict=True)):
        if word == typed:
            scores[j] = 1.0
        elif (known or len(typed) >= 8) and len(word) > 3 and ratio >= _MIN_RATIO:
            scores[j] = ratio / 100.0
    if known:
        return scores
    max_edits, max_cost = typo_limits(len(typed))
    costs: dict[int, float] = {}
    for j, word in enumerate(candidates):
        if len(typed) == 3 and not (len(word) == 4 and word[0] == typed[0]):
            continue
        if len(word) > 3 and OSA.distance(typed, word, score_cutoff=max_edits) <= max_edits:
            cost = typo_cost(typed, word)
            if cost <= max_cost:
                costs[j] = cost
    if costs:
        least = min(costs.values())
        for j, cost in costs.items():
            if cost <= least + _CHEAP:
                longer = max(len(typed), len(candidates[j]))
                scores[j] = max(scores[j], ratios[j] / 100.0, 1.0 - cost / longer)
    return scores
