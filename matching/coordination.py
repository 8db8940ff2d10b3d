"""Coordinated phrases: "empathisch en geduldig", "Zendesk, Freshdesk en TOPdesk".

:func:`coordinated_parts` finds the parts a phrase lists; whether to split it is
the normaliser's call (:meth:`matching.normalizer.Normalizer.split`): only when
every part maps to a concept on its own and the parts name different concepts.

Split on commas, semicolons, "&", " + ", "en" and "and", outside brackets. Not on
"of"/"or" nor "/": a vacancy asking "Zendesk of Freshdesk" or "Zendesk/Freshdesk"
asks for either, which two requirements would not say. A part ending in a hyphen
shares the rest of a compound with the next part ("bezwaar- en beroepsprocedures",
"in- en outbound"), so there is no split at that joint.
"""

from __future__ import annotations

import re

__all__ = ["coordinated_parts", "shared_tail_forms"]

_JOINT = re.compile(r"\s*[,;&]\s*|\s+\+\s+|\s+(?:en|and|alsook|evenals)\s+", re.IGNORECASE)
_NUMBER_COMMA = re.compile(r"\d,\d")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_MAX_PARTS = 8


def coordinated_parts(phrase: str) -> list[str]:
    """The parts ``phrase`` coordinates, in order; ``[phrase]`` when it lists nothing."""
    if not _JOINT.search(phrase):
        return [phrase]
    # Keep bracketed asides and decimal commas whole: mask them while finding joints.
    masked = _BRACKETS.sub(lambda m: "_" * len(m[0]), phrase)
    masked = _NUMBER_COMMA.sub(lambda m: m[0].replace(",", "_"), masked)
    parts: list[str] = []
    start = 0
    for joint in _JOINT.finditer(masked):
        left = phrase[start : joint.start()]
        if left.rstrip().endswith("-"):  # "bezwaar- en beroepsprocedures": one compound
            continue
        parts.append(left)
        start = joint.end()
    parts.append(phrase[start:])
    parts = [p.strip() for p in parts]
    if (
        len(parts) < 2
        or len(parts) > _MAX_PARTS
        or not all(any(c.isalnum() for c in p) for p in parts)
    ):
        return [phrase]
    return parts


def shared_tail_forms(parts: list[str]) -> list[str | None]:
    """Per part, the part with the words the last part adds after its first word, when
    the part is one word and the last part more: "klachten en escalaties afhandelen"
    reads as "klachten afhandelen" and "escalaties afhandelen". None where it does
    not apply."""
    last = parts[-1].split()
    if len(last) < 2:
        return [None] * len(parts)
    tail = " ".join(last[1:])
    return [f"{p} {tail}" if len(p.split()) == 1 else None for p in parts[:-1]] + [None]
