"""Query-time ranking: hard filters, weighted score 0..100, top-k, explanations.

Score of a profile = 100 * sum(weight_i * quality_i) / sum(weight_i) over

- each competency requirement: similarity (the profile phrase's concept
  confidence, or the fuzzy score of a free phrase) times a level factor
  (``level_gap_cost`` per level below ``min_level``); soft skills weigh
  ``vacancy.soft_skill_weight`` times more. Must-haves gate: a profile
  without one is out. A nice-to-have soft-skill or customer-contact
  requirement the profile does not meet earns ``transferable_credit`` if
  the profile has horeca/retail/zorg/... experience.
- each nice-to-have language: 1 at level, ``language_one_below_credit`` one
  CEFR level short. Must-have languages are hard filters and listed with
  weight 0.
- for READY_TO_MOVE profiles only, growth: how far the vacancy's role moves
  them toward an ambition (:mod:`matching.growth`), weighted so that it is
  ``growth_share`` of their total.

Ties rank by profile id, so the same input always gives the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np
import numpy.typing as npt

from matching.explain import Draft, language_label, settle_points
from matching.filters import eligible
from matching.growth import ROLES, ambitions_of, best_growth, growth_table
from matching.index import MatchIndex
from matching.policy import sector_names
from matching.postings import I32, Hits, Mask
from matching.types import (
    CefrLevel,
    MatchResult,
    MatchVacancy,
    Requirement,
    RequirementExplanation,
)

F64 = npt.NDArray[np.float64]
Pos = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class _Competency:
    req: Requirement
    weight: float
    hits: Hits
    transfers: bool


@dataclass(slots=True)
class _Table:
    """Every candidate's score and the per-candidate parts needed to explain winners."""

    ords: I32
    lang_levels: list[npt.NDArray[np.int8]] = field(default_factory=list)
    lang_quality: list[F64] = field(default_factory=list)
    lang_weights: list[float] = field(default_factory=list)
    growth: F64 | None = None
    growth_weight: float = 0.0
    denominator: F64 | None = None
    cents: npt.NDArray[np.int64] | None = None


def _prepare(index: MatchIndex, vacancy: MatchVacancy) -> list[_Competency]:
    policy = index.policy
    out = []
    for req in vacancy.requirements:
        if req.concept_id:
            hits = index.concept_hits(req.concept_id)
        else:
            hits = index.free_hits(req.normalized, policy.fuzzy_cutoff)
        soft = policy.is_soft_skill(req.concept_id)
        weight = req.weight * (vacancy.soft_skill_weight if soft else 1.0)
        transfers = not req.must_have and policy.transfers_to(req.concept_id)
        out.append(_Competency(req, weight, hits, transfers))
    return out


def _positions(sorted_hits: I32, ords: I32, size: int) -> Pos:
    """Index of each ordinal in ``sorted_hits``, or -1.

    Binary search when one side is small; otherwise a dense slot table over all
    ``size`` ordinals (``np.zeros`` is lazily zeroed, so that costs O(hits + ords)).
    """
    hits, m = sorted_hits.size, ords.size
    if hits == 0:
        return np.full(m, -1, dtype=np.intp)
    if m * max(1, hits.bit_length()) < 2 * (hits + m) + size // 16:
        j = np.searchsorted(sorted_hits, ords)
        j[j == hits] = 0
        return np.where(sorted_hits[j] == ords, j, -1)
    slot = np.zeros(size, dtype=np.int32)
    slot[sorted_hits] = np.arange(1, hits + 1, dtype=np.int32)
    return slot[ords].astype(np.intp) - 1


def _level_factor(index: MatchIndex, min_level: int | None, levels: npt.NDArray[np.int8]) -> F64:
    policy = index.policy
    if not min_level:
        return np.ones(levels.shape, dtype=np.float64)
    gap = np.maximum(0, min_level - levels.astype(np.int64))
    known = np.clip(1.0 - policy.level_gap_cost * gap, 0.0, 1.0)
    return np.where(levels == 0, policy.unknown_level_factor, known)


def _direct_quality(index: MatchIndex, comp: _Competency, pos: Pos | None = None) -> F64:
    """Similarity times level factor, for every hit (``pos`` None) or at ``pos`` (-1: 0)."""
    hits = comp.hits
    if pos is None:
        sim, levels = hits.sim.astype(np.float64), hits.level
    elif hits.ords.size == 0:
        return np.zeros(pos.size, dtype=np.float64)
    else:
        safe = np.where(pos >= 0, pos, 0)
        sim, levels = np.where(pos >= 0, hits.sim[safe], 0.0), hits.level[safe]
    return sim / 100.0 * _level_factor(index, comp.req.min_level, levels)


def _score(index: MatchIndex, vacancy: MatchVacancy, comps: list[_Competency], ords: I32) -> _Table:
    """Scores of the candidates ``ords``.

    Competency points are scattered from each requirement's hits into one dense
    accumulator over all ordinals (O(hits)), then gathered once for the candidates;
    a requirement with many more hits than candidates is looked up per candidate.
    """
    policy, cols = index.policy, index.columns
    table = _Table(ords)
    dense = np.zeros(index.size, dtype=np.float64)
    numerator = np.zeros(ords.size, dtype=np.float64)
    base_weight = 0.0
    sectors = cols["sectors"][ords] != 0 if any(c.transfers for c in comps) else None
    seen: Mask | None = None
    for comp in comps:
        base_weight += comp.weight
        if 4 * ords.size < comp.hits.ords.size:  # few candidates: look them up instead
            pos = _positions(comp.hits.ords, ords, index.size)
            numerator += comp.weight * _direct_quality(index, comp, pos)
        elif comp.hits.ords.size:
            dense[comp.hits.ords] += comp.weight * _direct_quality(index, comp)
        if comp.transfers and sectors is not None:
            seen = np.zeros(index.size, dtype=bool) if seen is None else seen
            seen[comp.hits.ords] = True
            credit = comp.weight * policy.transferable_credit
            numerator += np.where(sectors & ~seen[ords], credit, 0.0)
            seen[comp.hits.ords] = False
    numerator += dense[ords]
    for need in vacancy.languages:
        column = cols.language(need.language.lower())
        levels = np.zeros(ords.size, np.int8) if column is None else column[ords]
        rank = need.min_level.rank + 1
        if need.must_have:
            weight, quality = 0.0, np.ones(ords.size, dtype=np.float64)
        else:
            weight = policy.language_weight
            short = (levels == rank - 1) & (levels > 0)
            quality = np.where(
                levels >= rank, 1.0, np.where(short, policy.language_one_below_credit, 0.0)
            )
            numerator += weight * quality
            base_weight += weight
        table.lang_levels.append(levels)
        table.lang_quality.append(quality)
        table.lang_weights.append(weight)
    share = policy.growth_share
    table.growth_weight = share / (1.0 - share) * base_weight if base_weight > 0 else 1.0
    ready = cols["kind"][ords] == 1
    growth = growth_table(vacancy.role)[cols["current_role"][ords], cols["ambitions"][ords]]
    table.growth = np.where(ready, growth, 0.0)
    numerator += table.growth_weight * table.growth
    table.denominator = base_weight + table.growth_weight * ready
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(table.denominator > 0, 100.0 * numerator / table.denominator, 0.0)
    table.cents = np.floor(raw * 100.0 + 0.5).astype(np.int64)
    return table


def _top(index: MatchIndex, table: _Table, k: int, min_score: float) -> I32:
    """Positions in the table of the k best by (score desc, profile id asc)."""
    assert table.cents is not None
    cents = table.cents
    idx = np.flatnonzero(cents >= np.floor(min_score * 100 + 0.5))
    if idx.size > k:
        kth = np.partition(cents[idx], idx.size - k)[idx.size - k]
        idx = idx[cents[idx] >= kth]
    ords = table.ords[idx]
    order = np.lexsort((index.columns["id_lo"][ords], index.columns["id_hi"][ords], -cents[idx]))
    return idx[order[:k]].astype(np.int32)


def _explain(
    index: MatchIndex, vacancy: MatchVacancy, comps: list[_Competency], table: _Table, picks: I32
) -> list[tuple[RequirementExplanation, ...]]:
    """Explanations for the candidates at ``picks``, points summing to their scores."""
    assert table.denominator is not None and table.cents is not None and table.growth is not None
    cols = index.columns
    ords = table.ords[picks]
    denominator = table.denominator[picks]
    scales = np.where(denominator > 0, 100.0 / np.where(denominator > 0, denominator, 1), 0.0)
    drafts: list[list[Draft]] = [[] for _ in range(picks.size)]
    sectors = [", ".join(sector_names(b)) for b in cols["sectors"][ords].tolist()]
    has_sector = (cols["sectors"][ords] != 0).tolist()
    credit_share = index.policy.transferable_credit
    for comp in comps:
        req = comp.req
        pos = _positions(comp.hits.ords, ords, index.size)
        safe = np.where(pos >= 0, pos, 0)
        found = (pos >= 0).tolist()
        empty = comp.hits.ords.size == 0
        phrase_ids = [0] * picks.size if empty else comp.hits.phrase[safe].tolist()
        sims = [0.0] * picks.size if empty else comp.hits.sim[safe].tolist()
        levels = [0] * picks.size if empty else comp.hits.level[safe].tolist()
        points = (comp.weight * _direct_quality(index, comp, pos) * scales).tolist()
        credits = (comp.weight * credit_share * scales).tolist() if comp.transfers else None
        for i, rows in enumerate(drafts):
            hit, level = found[i], levels[i]
            rows.append(
                Draft(
                    req.phrase,
                    "COMPETENCY",
                    index.phrase_text(phrase_ids[i]) if hit else None,
                    req.concept_id,
                    round(sims[i], 2) if hit else 0.0,
                    comp.weight,
                    points[i],
                    hit and (not req.min_level or level == 0 or level >= req.min_level),
                    req.must_have,
                )
            )
            if credits is not None and not hit and has_sector[i]:
                rows.append(
                    Draft(
                        req.phrase,
                        "TRANSFERABLE",
                        sectors[i],
                        req.concept_id,
                        round(100.0 * credit_share, 2),
                        comp.weight,
                        credits[i],
                        True,
                    )
                )
    levels_all = list(CefrLevel)
    for j, need in enumerate(vacancy.languages):
        label = language_label(need.language, need.min_level)
        have = table.lang_levels[j][picks].tolist()
        quality = table.lang_quality[j][picks].tolist()
        weight = table.lang_weights[j]
        for i, rows in enumerate(drafts):
            rows.append(
                Draft(
                    label,
                    "LANGUAGE",
                    language_label(need.language, levels_all[have[i] - 1]) if have[i] else None,
                    None,
                    round(100.0 * quality[i], 1),
                    weight,
                    weight * quality[i] * scales[i],
                    have[i] >= need.min_level.rank + 1,
                    need.must_have,
                )
            )
    growth = table.growth[picks].tolist()
    for i, rows in enumerate(drafts):
        ordinal = int(ords[i])
        if int(cols["kind"][ordinal]) != 1:
            continue
        code = int(cols["current_role"][ordinal])
        ambitions = ambitions_of(int(cols["ambitions"][ordinal]))
        served = best_growth(vacancy.role, ROLES[code - 1] if code else None, ambitions)[1]
        rows.append(
            Draft(
                vacancy.role.value,
                "GROWTH",
                served.value if served else None,
                None,
                round(100.0 * growth[i], 1),
                table.growth_weight,
                table.growth_weight * growth[i] * scales[i],
                growth[i] > 0,
            )
        )
    cents = table.cents[picks].tolist()
    return [settle_points(rows, c) for rows, c in zip(drafts, cents, strict=True)]


def search(
    index: MatchIndex,
    vacancy: MatchVacancy,
    *,
    viewer_partner_id: UUID,
    k: int = 50,
    min_score: float = 0.0,
    hidden_partner_ids: frozenset[UUID] = frozenset(),
    today: dt.date,
) -> list[MatchResult]:
    """The ``k`` best profiles for ``vacancy`` that ``viewer_partner_id`` may see, explained."""
    if k <= 0:
        return []
    comps = _prepare(index, vacancy)
    musts = sorted((c for c in comps if c.req.must_have), key=lambda c: c.hits.ords.size)
    candidates = None
    if musts:
        if musts[0].hits.ords.size == 0:
            return []
        if musts[0].hits.ords.size * 4 < index.size:
            candidates = musts[0].hits.ords
    ords = eligible(
        index,
        vacancy,
        viewer_partner_id=viewer_partner_id,
        hidden_partner_ids=hidden_partner_ids,
        today=today,
        candidates=candidates,
    )
    for comp in musts:
        ords = ords[_positions(comp.hits.ords, ords, index.size) >= 0]
    if ords.size == 0:
        return []
    table = _score(index, vacancy, comps, ords)
    assert table.cents is not None
    picks = _top(index, table, k, min_score)
    explanations = _explain(index, vacancy, comps, table, picks)
    return [
        MatchResult(index.profile_id(int(table.ords[i])), int(table.cents[i]) / 100, explanation)
        for i, explanation in zip(picks.tolist(), explanations, strict=True)
    ]
