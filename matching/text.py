"""Text normalisation for competency phrases, and Dutch compound helpers.

:func:`normalize_text` runs on every phrase that is written, so it stays cheap:
an ASCII fast path, precompiled patterns for CV and vacancy framings
(:mod:`matching.framing`), no taxonomy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

from matching.framing import drop_asides, strip_framing

__all__ = [
    "LINKING_MORPHEMES",
    "STOPWORDS",
    "compound_variants",
    "content_tokens",
    "join_compound",
    "normalize_text",
    "split_compound",
    "split_known_part",
]

# Dutch linking morphemes between the parts of a compound ("klacht-en-afhandeling").
LINKING_MORPHEMES: tuple[str, ...] = ("en", "s")

# Function words that carry no competency meaning (Dutch and English).
_FUNCTION_WORDS = (
    "de het een en of in op van voor met bij aan als te tot om door naar uit over via per "
    "the a an and or in on of for with at to by as from into"
)
# Generic CV words that say nothing about which competency is meant.
_GENERIC_WORDS = (
    "ervaring werkervaring kennis experience knowledge werkzaamheden taken goed goede zeer sterk "
    "sterke"
)
STOPWORDS: frozenset[str] = frozenset(f"{_FUNCTION_WORDS} {_GENERIC_WORDS}".split())

_APOSTROPHES = "'’‘`´"
_ASCII_TABLE: dict[int, str | None] = {c: " " for c in range(128) if not chr(c).isalnum()}
_ASCII_TABLE.update({ord(c): None for c in "'`"})
_UNICODE_TABLE = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_NON_WORD = re.compile(r"[\W_]+")
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_ASIDE_MARKS = frozenset("([:,-–—|")  # where drop_asides may find something


def _clean_unicode(text: str) -> str:
    text = _APOSTROPHE_RE.sub("", text)
    for _ in range(3):  # NFKD and case folding can each expose work for the other
        decomposed = unicodedata.normalize("NFKD", text).casefold()
        decomposed = unicodedata.normalize("NFKD", decomposed)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        cleaned = _NON_WORD.sub(" ", stripped.translate(_UNICODE_TABLE)).strip()
        if cleaned == text:
            break
        text = cleaned
    return " ".join(text.split())


def normalize_text(phrase: str) -> str:
    """Lower case, without accents or punctuation, single-spaced, without CV framings.

    ``"Ervaring met Klachten-afhandeling!"`` becomes ``"klachten afhandeling"``.
    Idempotent: ``normalize_text(normalize_text(p)) == normalize_text(p)``.
    """
    if not _ASIDE_MARKS.isdisjoint(phrase):
        phrase = drop_asides(phrase, _fold)
    text = _fold(phrase)
    return strip_framing(text, STOPWORDS) if text else text


def _fold(phrase: str) -> str:
    """Lower case, without accents or punctuation, single-spaced."""
    if phrase.isascii():
        return " ".join(phrase.lower().translate(_ASCII_TABLE).split())
    return _clean_unicode(phrase)


def content_tokens(text: str) -> list[str]:
    """The tokens of normalised ``text`` without stopwords (all tokens if only stopwords)."""
    tokens = text.split()
    content = [t for t in tokens if t not in STOPWORDS]
    return content or tokens


def join_compound(text: str) -> str:
    """Write a (normalised) phrase as one closed compound: ``"klachten afhandeling"``
    → ``"klachtenafhandeling"``."""
    return text.replace(" ", "")


def compound_variants(text: str) -> tuple[str, ...]:
    """Closed-compound spellings of a normalised phrase of two or three words.

    Each joint may carry a linking morpheme or not: ``"klacht afhandeling"`` yields
    ``"klachtafhandeling"``, ``"klachtenafhandeling"``, ``"klachtsafhandeling"``, …;
    ``"klachten afhandeling"`` also yields the form without ``-en-``. The plain
    joined form comes first. Longer phrases yield only the plain joined form.
    """
    parts = text.split()
    if len(parts) < 2:
        return ()
    if len(parts) > 3:
        return (join_compound(text),)
    forms: list[str] = [parts[0]]
    for part in parts[1:]:
        nxt: list[str] = []
        for form in forms:
            nxt.append(form + part)
            if len(form) < 3:
                continue
            linked = [link for link in LINKING_MORPHEMES if form.endswith(link)]
            if linked:
                nxt.extend(
                    form[: -len(link)] + part for link in linked if len(form) > len(link) + 2
                )
            else:
                nxt.extend(form + link + part for link in LINKING_MORPHEMES)
        forms = nxt
    joined = join_compound(text)
    ordered = [joined, *sorted(set(forms) - {joined})]
    return tuple(ordered)


def split_compound(
    word: str, lexicon: Collection[str], min_part: int = 4, *, split_known: bool = False
) -> tuple[str, ...]:
    """Split a closed Dutch compound into known parts, skipping linking morphemes.

    ``split_compound("energiesector", {"energie", "sector"})`` → ``("energie", "sector")``.
    Prefers the fewest parts, then the longest first part. Returns ``()`` when the
    word cannot be split, or is itself in the lexicon (unless ``split_known``).
    """
    if (word in lexicon and not split_known) or len(word) < 2 * min_part:
        return ()
    lex = frozenset(lexicon) if not isinstance(lexicon, frozenset) else lexicon
    return _split_cached(word, lex, min_part, True) or ()


def split_known_part(word: str, lexicon: Collection[str], min_part: int = 4) -> tuple[str, ...]:
    """Split off the longest known head or tail of a closed compound, keeping the rest.

    ``split_known_part("horecaervaring", {"horeca"})`` → ``("horeca", "ervaring")``.
    Returns ``()`` when no known part of at least ``min_part`` letters leaves a rest
    of at least ``min_part`` letters.
    """
    best: tuple[str, ...] = ()
    best_length = 0
    for cut in range(min_part, len(word) - min_part + 1):
        head, tail = word[:cut], word[cut:]
        if head in lexicon and len(head) > best_length:
            best, best_length = (head, tail), len(head)
        if tail in lexicon and len(tail) > best_length:
            best, best_length = (head, tail), len(tail)
    return best


@lru_cache(maxsize=4096)
def _split_cached(
    word: str, lexicon: frozenset[str], min_part: int, first: bool
) -> tuple[str, ...] | None:
    best: tuple[str, ...] | None = None
    if not first and word in lexicon:
        return (word,)
    for cut in range(len(word) - min_part, min_part - 1, -1):
        head = word[:cut]
        if head not in lexicon:
            continue
        rest = word[cut:]
        for link in ("", *LINKING_MORPHEMES):
            if not rest.startswith(link) or len(rest) - len(link) < min_part:
                continue
            tail = _split_cached(rest[len(link) :], lexicon, min_part, False)
            if tail is not None and (best is None or len(tail) + 1 < len(best)):
                best = (head, *tail)
    return best
