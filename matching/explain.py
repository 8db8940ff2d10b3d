"""Turning per-requirement contributions into explanations whose points add up."""

from __future__ import annotations

import math
from typing import NamedTuple

from matching.types import CefrLevel, RequirementExplanation

LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "de": "Duits",
    "en": "Engels",
    "fr": "Frans",
    "es": "Spaans",
    "it": "Italiaans",
    "pt": "Portugees",
    "pl": "Pools",
    "tr": "Turks",
    "ar": "Arabisch",
    "ru": "Russisch",
    "uk": "Oekraïens",
    "zh": "Chinees",
}


def language_label(code: str, level: CefrLevel) -> str:
    """E.g. ``"Duits C1"``; unknown codes are shown as given."""
    return f"{LANGUAGE_NAMES.get(code.lower(), code)} {level.value}"


def to_cents(value: float) -> int:
    """Round half up to whole hundredths (the score's and the points' unit)."""
    return math.floor(value * 100 + 0.5)


class Draft(NamedTuple):
    """An explanation row before its points are rounded."""

    requirement: str
    kind: str
    matched_phrase: str | None
    concept_id: str | None
    similarity: float
    weight: float
    points: float
    met: bool
    must_have: bool = False


def settle_points(rows: list[Draft], score_cents: int) -> tuple[RequirementExplanation, ...]:
    """Round each row's points to 2 decimals so that they sum exactly to the score.

    The rounding remainder (a few hundredths at most) goes to the row with the
    most points (the last such row on ties), so no unmet row gets points and
    no row goes negative.
    """
    cents = [to_cents(row.points) for row in rows]
    remainder = score_cents - sum(cents)
    if remainder and rows:
        top = max(range(len(rows)), key=lambda i: (cents[i], i))
        cents[top] += remainder
    return tuple(
        RequirementExplanation(r[0], r[1], r[2], r[3], r[4], r[5], c / 100, r[7], r[8])
        for r, c in zip(rows, cents, strict=True)
    )
