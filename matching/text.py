"""Text normalisation for competency phrases, and Dutch compound helpers.

:func:`normalize_text` runs on every phrase that is written, so it stays cheap:
an ASCII fast path, one precompiled pattern for CV framings, no taxonomy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

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

# CV framings around the real competency: "3 jaar ruime ervaring met X", "knowledge of X".
_QUANTITY = (
    r"(?:(?:\d+|een|twee|drie|vier|vijf|zes|tien|enkele|meerdere|several|many|one|two|three|"
    r"four|five|ten)\s+(?:\d+\s+)?(?:jaar|jaren|years?|maanden|months?)\s+(?:of\s+)?)?"
)
_ADJECTIVES = (
    r"(?:(?:ruime|ruim|veel|brede|goede|zeer|heel|erg|uitstekende|aantoonbare|relevante|eerdere|"
    r"enige|praktische|gedegen|uitgebreide|sterke|professionele|some|extensive|strong|good|very|"
    r"solid|proven|prior|previous|relevant|excellent|basic|practical|deep|working|hands\s+on|"
    r"in\s+depth|professional)\s+)*"
)
_HEADS = (
    r"(?:werkervaring|ervaring|kennis|basiskennis|vakkennis|experience|knowledge|expertise|"
    r"affiniteit|bekendheid|understanding|achtergrond|background|vaardigheid|vaardigheden|"
    r"skills?|beheersing)"
)
_PREPOSITIONS = (
    r"(?:met|van|in|op|als|binnen|bij|omtrent|rondom|with|of|as|within|on|at|"
    r"op\s+het\s+gebied\s+van|in\s+the\s+field\s+of|opgedaan\s+(?:met|in|als|bij))"
)
_ARTICLE = r"(?:(?:de|het|een|the|a|an)\s+)?"
_PHRASAL = (
    r"(?:(?:zeer\s+|heel\s+|erg\s+|very\s+)?(?:goed|vaardig|bedreven|sterk|ervaren|deskundig|"
    r"thuis|handig|good|skilled|proficient|competent|experienced|familiar|expert|specialist)\s+"
    r"(?:in|met|at|with|als|as)|bekend\s+met|gewerkt\s+(?:met|als|in|bij)|werkzaam\s+(?:in|als|bij)|"
    r"(?:kunnen|kan)\s+(?:werken\s+)?met|werken\s+met|worked\s+(?:with|as|in|at)|"
    r"working\s+with|capable\s+of|able\s+to|know\s+how\s+to|in\s+staat\s+om)"
)
_LEADING_FILLER = re.compile(
    rf"^(?:{_QUANTITY}{_ADJECTIVES}{_HEADS}\s+{_PREPOSITIONS}|"
    rf"{_QUANTITY}{_ADJECTIVES}(?:werkervaring|ervaring|experience)|{_PHRASAL})\s+{_ARTICLE}"
)
# "Salesforce ervaring" → "salesforce"; but "customer experience" and "product kennis" stay.
_TRAILING_FILLER = re.compile(
    r"(?<!\bcustomer)(?<!\buser)(?<!\bproduct)(?<!\bproducten)(?<!\bklant)(?<!\btechnische)"
    r"(?<!\btechnical)(?<!\bvak)(?<!\bmensen)(?<!\bdomain)(?<!\bdomein)(?<!\bproduct)"
    r"\s+(?:werkervaring|ervaring|experience|kennis|knowledge)$"
)


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


def _strip_fillers(text: str) -> str:
    while True:
        match = _LEADING_FILLER.match(text)
        if match is None:
            match = _TRAILING_FILLER.search(text)
            shorter = text[: match.start()] if match else ""
        else:
            shorter = text[match.end() :]
        if not match or not shorter or all(t in STOPWORDS for t in shorter.split()):
            return text
        text = shorter


def normalize_text(phrase: str) -> str:
    """Lower case, without accents or punctuation, single-spaced, without CV framings.

    ``"Ervaring met Klachten-afhandeling!"`` becomes ``"klachten afhandeling"``.
    Idempotent: ``normalize_text(normalize_text(p)) == normalize_text(p)``.
    """
    if phrase.isascii():
        text = " ".join(phrase.lower().translate(_ASCII_TABLE).split())
    else:
        text = _clean_unicode(phrase)
    return _strip_fillers(text) if text else text


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
