"""The knobs of scoring, in one value the index carries.

Which concepts are soft skills or customer-contact competencies comes from the
taxonomy; it is passed in here so the scorer does not read taxonomy files.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 173.33
"""Hours in a full-time month (40 h x 52 weeks / 12) used to compare monthly and hourly pay."""

SECTOR_ALIASES: dict[str, str] = {
    "horeca": "horeca",
    "hospitality": "horeca",
    "catering": "horeca",
    "hotel": "horeca",
    "restaurant": "horeca",
    "retail": "retail",
    "detailhandel": "retail",
    "winkel": "retail",
    "verkoop winkel": "retail",
    "zorg": "zorg",
    "care": "zorg",
    "healthcare": "zorg",
    "thuiszorg": "zorg",
    "welzijn": "zorg",
    "onderwijs": "onderwijs",
    "education": "onderwijs",
    "kinderopvang": "onderwijs",
    "toerisme": "toerisme",
    "tourism": "toerisme",
    "reisbranche": "toerisme",
}
"""Sectors whose experience transfers to customer contact, by the names people use."""

TRANSFERABLE_SECTORS: tuple[str, ...] = tuple(dict.fromkeys(SECTOR_ALIASES.values()))


def sector_bits(sectors: tuple[str, ...]) -> int:
    """Bit mask of the recognised transferable sectors among ``sectors``."""
    bits = 0
    for sector in sectors:
        canonical = SECTOR_ALIASES.get(sector.strip().lower())
        if canonical is not None:
            bits |= 1 << TRANSFERABLE_SECTORS.index(canonical)
    return bits


def sector_names(bits: int) -> tuple[str, ...]:
    """The canonical sector names set in ``bits``."""
    return tuple(s for i, s in enumerate(TRANSFERABLE_SECTORS) if bits >> i & 1)


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """How requirements are weighed; defaults are the product's choices."""

    soft_skill_concepts: frozenset[str] = frozenset()
    customer_contact_concepts: frozenset[str] = frozenset()
    fuzzy_cutoff: float = 80.0  # token_set_ratio a free phrase needs to count as a match
    level_gap_cost: float = 0.25  # share of a requirement lost per level below min_level
    unknown_level_factor: float = 0.8  # min_level asked, profile gave no level
    transferable_credit: float = 0.5  # share credited from horeca/retail/zorg experience
    growth_share: float = 0.2  # share of a READY_TO_MOVE profile's score that is growth
    language_weight: float = 1.0  # weight of a nice-to-have language
    language_one_below_credit: float = 0.5  # nice-to-have language one CEFR level short

    def is_soft_skill(self, concept_id: str | None) -> bool:
        return concept_id is not None and concept_id in self.soft_skill_concepts

    def transfers_to(self, concept_id: str | None) -> bool:
        """Whether sector experience may stand in for this concept."""
        return concept_id is not None and (
            concept_id in self.soft_skill_concepts or concept_id in self.customer_contact_concepts
        )


def hourly_cents(amount_cents: int, per_month: bool) -> float:
    """Pay in cents per hour; a month counts :data:`HOURS_PER_MONTH` hours."""
    return amount_cents / HOURS_PER_MONTH if per_month else float(amount_cents)
