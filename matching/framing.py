"""CV and vacancy framings around a competency, and how :func:`normalize_text` drops them.

People seldom write a bare competency. CVs say "3 jaar ruime ervaring met X",
"X (2 jaar)", "sinds 2019 werkzaam in de X", "2018-2021: X"; vacancies say "je
bent X", "kennis van X is een pre", "pré: X". Three steps remove such framings:

1. :func:`drop_asides`, on the raw phrase: a bracketed aside, a trailing "- …" or
   ", …" tail or a leading "…:" head that only says how long, since when, how well
   or how much it matters ("(1,5 jaar)", "(gevorderd)", "- basiskennis", "2018-2021:",
   "pré:", "Tools:") goes; any other bracket keeps its words ("LiveChat (software)").
2. :func:`strip_framing`, on the folded text, repeatedly: leading framings (durations,
   dates, "ervaring met", "werkzaam geweest in de", "je bent") and trailing ones
   ("ervaring", "2 jaar", "sinds 2020", "is een pre").
3. In step 2, a framing word with one typo ("2 jaar ervarign met", "3 jaaar", "2 ykars
   of") counts as that word where a framing would have it: a unit right after a
   number, a head word among the first words. Elsewhere words are left alone.

A framing never empties a phrase: "ervaring met" and "2 jaar" stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz.distance import OSA

__all__ = ["drop_asides", "strip_framing"]

_NUMBER_WORDS = (
    r"een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|enkele|meerdere|several|many|one|two|"
    r"three|four|five|six|seven|eight|nine|ten"
)
_ABOUT = (
    r"(?:(?:ca|circa|ongeveer|bijna|ruim|meer\s+dan|minimaal|min|minstens|ten\s+minste|tenminste|"
    r"maximaal|max|ruim|about|around|approx|approximately|almost|nearly|over|more\s+than|"
    r"at\s+least|plus\s+minus)\s+)?"
)
_UNIT = r"(?:jaar|jaren|jr|jrs|years?|yrs?|maanden|maand|mnd|months?|weken|weeks?)"
_AMOUNT = rf"(?:\d+(?:\s+\d+)?(?:\s+(?:tot|a|to|of)\s+\d+)?|{_NUMBER_WORDS})"
_DURATION = rf"{_ABOUT}{_AMOUNT}\s+{_UNIT}"
_YEAR = r"(?:\d{1,2}\s+)?(?:19|20)\d\d"
_DATES = (
    rf"(?:(?:sinds|vanaf|since|from|tot|until)\s+{_YEAR}|"
    rf"{_YEAR}\s+(?:(?:tot|to|tm|t\s+m)\s+)?(?:{_YEAR}|heden|nu|now|present|today|current))"
)
# "(gevorderd)", "- basiskennis", "pré:", "is een pluspunt": how well, or how much it counts.
_RATING = (
    r"(?:(?:zeer\s+|heel\s+|very\s+)?(?:goed|good)|basis|basiskennis|basic|beginner|beginnend|"
    r"gevorderd|gevorderde|advanced|intermediate|expert|ervaren|junior|medior|senior|uitstekend|"
    r"excellent|fluent|vloeiend|(?:niveau|level)\s+\d|\d\s+(?:van|uit|of|op)?\s*(?:5|10)|"
    r"pre|pluspunt|plus|must|must\s+have|nice\s+to\s+have|wens|gewenst|vereist|vereiste|"
    r"required|preferred|optioneel|optional|gecertificeerd|certified)"
)
_ASIDE_ITEM = (
    rf"(?:{_DURATION}(?:\s+(?:ervaring|werkervaring|experience))?|{_DATES}|{_YEAR}|{_RATING})"
)
_ASIDE = re.compile(rf"^{_ASIDE_ITEM}(?:\s+(?:en\s+|and\s+)?{_ASIDE_ITEM})*$")
# Section labels of CVs and ATS exports: "Tools: Zendesk", "Sector: energie".
_SECTION = re.compile(
    r"^(?:tools?|software|systemen|systems?|applicaties|skills?|vaardigheden|competenties|"
    r"competencies|kennis|ervaring|werkervaring|experience|sector|branche|industry|"
    r"soft\s+skills|hard\s+skills|pre)$"
)

_BRACKET = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_TAIL = re.compile(r"\s[-–—|,]\s*([^-–—|,:]+?)\s*$|,\s*([^,]+?)\s*$")
_HEAD = re.compile(r"^\s*([^:]{1,40}):\s*(?=\S)")

# CV framings around the real competency: "3 jaar ruime ervaring met X", "knowledge of X".
_QUANTITY = rf"(?:{_DURATION}\s+(?:of\s+)?)?"
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
    r"(?:in|met|at|with|als|as)|bekend\s+met|gewerkt\s+(?:met|als|in|bij|binnen)|"
    r"werkzaam\s+(?:geweest\s+)?(?:in|als|bij|binnen)|"
    r"(?:kunnen|kan)\s+(?:werken\s+)?met|werken\s+met|worked\s+(?:with|as|in|at)|"
    r"working\s+with|capable\s+of|able\s+to|know\s+how\s+to|in\s+staat\s+om|"
    r"(?:je|jij|u)\s+(?:bent|hebt|heeft|beschikt\s+over|kunt|kan)|beschikt\s+over|"
    r"in\s+(?:het\s+)?bezit\s+van)"
)
_LEADING = re.compile(
    rf"^(?:{_QUANTITY}{_ADJECTIVES}{_HEADS}\s+{_PREPOSITIONS}|"
    rf"{_QUANTITY}{_ADJECTIVES}(?:werkervaring|ervaring|experience)|{_PHRASAL}|"
    rf"{_DURATION}(?:\s+(?:of|lang))?(?:\s+{_PREPOSITIONS})?|{_DATES}|{_YEAR}|"
    rf"(?:pre|must|wens|nice\s+to\s+have))\s+{_ARTICLE}"
)
# "Salesforce ervaring" → "salesforce"; but "customer experience" and "product kennis" stay.
_TRAILING = re.compile(
    r"(?:(?<!\bcustomer)(?<!\buser)(?<!\bproduct)(?<!\bproducten)(?<!\bklant)(?<!\btechnische)"
    r"(?<!\btechnical)(?<!\bvak)(?<!\bmensen)(?<!\bdomain)(?<!\bdomein)"
    r"\s+(?:werkervaring|ervaring|experience|kennis|knowledge)|"
    rf"\s+{_DURATION}(?:\s+(?:ervaring|werkervaring|experience))?|\s+{_DATES}|"
    r"\s+is\s+(?:een\s+|a\s+)?(?:pre|pluspunt|plus|must|vereiste|vereist|gewenst|wens|required)|"
    r"\s+(?:gevorderd|gevorderde|advanced|intermediate|beginner|basiskennis|pre|pluspunt|gewenst|"
    r"vereist|must|nice\s+to\s+have|gecertificeerd|certified)|\s+strekt\s+tot\s+aanbeveling)$"
)

# The last words a trailing framing can end on: only phrases ending on one are searched.
_TRAILING_ENDS = frozenset(
    [
        "werkervaring",
        "ervaring",
        "experience",
        "kennis",
        "knowledge",
        "jaar",
        "jaren",
        "jr",
        "jrs",
        "year",
        "years",
        "yr",
        "yrs",
        "maanden",
        "maand",
        "mnd",
        "month",
        "months",
        "weken",
        "week",
        "weeks",
        "heden",
        "nu",
        "now",
        "present",
        "today",
        "current",
        "pre",
        "pluspunt",
        "plus",
        "must",
        "vereiste",
        "vereist",
        "gewenst",
        "wens",
        "required",
        "gevorderd",
        "gevorderde",
        "advanced",
        "intermediate",
        "beginner",
        "basiskennis",
        "have",
        "gecertificeerd",
        "certified",
        "aanbeveling",
    ]
)
_TRAILING_WINDOW = 80  # characters: the longest trailing framing, with its look-behinds

# Framing words a typo may hide, and where: units after a number, heads up front.
_UNITS = ("jaar", "jaren", "years", "maanden", "months")
_HEAD_WORDS = ("ervaring", "werkervaring", "experience", "kennis", "knowledge", "werkzaam")


def drop_asides(phrase: str, fold: Callable[[str], str]) -> str:
    """``phrase`` without bracketed asides, tails and heads that are framings (step 1).

    ``fold`` lower-cases and strips punctuation the way :func:`normalize_text` does.
    A phrase that is nothing but an aside is returned as it is.
    """
    original = phrase
    if "(" in phrase or "[" in phrase:
        phrase = _BRACKET.sub(lambda m: " " if _ASIDE.match(fold(m[1])) else f" {m[1]} ", phrase)
    for _ in range(2):
        tail = _TAIL.search(phrase)
        if tail is None or not _ASIDE.match(fold(tail[1] or tail[2] or "")):
            break
        phrase = phrase[: tail.start()]
    head = _HEAD.match(phrase) if ":" in phrase else None
    if head is not None:
        folded = fold(head[1])
        if _ASIDE.match(folded) or _SECTION.match(folded):
            phrase = phrase[head.end() :]
    return phrase if fold(phrase) else original


def strip_framing(text: str, stopwords: frozenset[str]) -> str:
    """Folded ``text`` without leading and trailing framings (steps 2 and 3)."""
    while True:
        words = text.split()
        kept = _strip_once(text) or _strip_typo_framing(words)
        if kept is None:
            return text
        shorter = words[kept[0] : kept[1]]
        if not shorter or all(t in stopwords for t in shorter):
            return text
        text = " ".join(shorter)


def _strip_once(text: str) -> tuple[int, int] | None:
    """The words of ``text`` (start, stop) left after one framing comes off, if any."""
    match = _LEADING.match(text)
    if match is not None:
        return len(text[: match.end()].split()), len(text.split())
    last = text[text.rfind(" ") + 1 :]
    if last not in _TRAILING_ENDS and not last.isdigit():
        return None
    match = _TRAILING.search(text, max(0, len(text) - _TRAILING_WINDOW))
    return (0, len(text[: match.start()].split())) if match is not None else None


def _strip_typo_framing(words: list[str]) -> tuple[int, int] | None:
    """:func:`_strip_once` with typo'd framing words read as the words they stand for."""
    if len(words) < 2:
        return None
    fixed: list[str] | None = None
    last = len(words) - 1
    for i, word in enumerate(words):
        after_number = i > 0 and words[i - 1].isdigit()
        if not (after_number or i < 3 or i == last):
            continue
        lookalikes = (_UNIT_LOOKALIKES if after_number else _HEAD_LOOKALIKES).get(
            (word[0], len(word))
        )
        if lookalikes is None or word in lookalikes:
            continue
        for candidate in lookalikes:
            if OSA.distance(word, candidate, score_cutoff=1) <= 1:
                fixed = fixed or list(words)
                fixed[i] = candidate
                break
    return _strip_once(" ".join(fixed)) if fixed is not None else None


def _lookalikes(framing: tuple[str, ...]) -> dict[tuple[str, int], tuple[str, ...]]:
    """Framing words by (first letter, length) of the words one typo away from them."""
    found: dict[tuple[str, int], list[str]] = {}
    for word in framing:
        for length in (len(word) - 1, len(word), len(word) + 1):
            if length >= 4:
                found.setdefault((word[0], length), []).append(word)
    return {key: tuple(words) for key, words in found.items()}


_UNIT_LOOKALIKES = _lookalikes(_UNITS)
_HEAD_LOOKALIKES = _lookalikes(_HEAD_WORDS)
