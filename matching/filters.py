"""Hard filters: which live profiles a viewer may be shown for a vacancy at all.

All filters are vectorised over the index columns, either over every ordinal
or over a candidate list (e.g. the postings of the rarest must-have).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt

from matching.index import SHIFT_BITS, WORK_MODE_BITS, MatchIndex
from matching.policy import hourly_cents
from matching.postings import I32, Mask
from matching.types import MatchVacancy, PayPeriod, WorkMode


def _partner_block(index: MatchIndex, viewer: UUID, hidden: Iterable[UUID]) -> Mask:
    """Per partner ordinal: True if its profiles must not be shown to the viewer."""
    blocked = np.zeros(max(1, index.partner_count), dtype=bool)
    for partner_id in (viewer, *hidden):
        ordinal = index.partner_ordinal(partner_id)
        if ordinal is not None:
            blocked[ordinal] = True
    return blocked


def _visible(index: MatchIndex, viewer: UUID, hidden: frozenset[UUID], sel: slice | I32) -> Mask:
    """Live, not the viewer's own, sharer not hidden, consent scope admits the viewer."""
    cols = index.columns
    mask: Mask = cols["alive"][sel] & ~_partner_block(index, viewer, hidden)[cols["partner"][sel]]
    kind = cols["scope_kind"][sel]
    listed = np.zeros(index.size, dtype=bool)
    viewer_ordinal = index.partner_ordinal(viewer)
    if viewer_ordinal is not None:
        listed[index.scope_listed(viewer_ordinal)] = True
    mask &= (kind == 0) | (listed[sel] != (kind == 2))
    return mask


def eligible(
    index: MatchIndex,
    vacancy: MatchVacancy,
    *,
    viewer_partner_id: UUID,
    hidden_partner_ids: Iterable[UUID],
    today: dt.date,
    candidates: I32 | None = None,
) -> I32:
    """Ascending ordinals of live profiles passing every hard filter.

    Consent scope admits the viewer; not the viewer's own; sharing partner not
    hidden; within the profile's travel distance unless the job is remote;
    hours overlap; available by the start (never before ``today``); must-have
    languages at level; vacancy's top pay at least the profile's minimum
    (both per hour); the profile covers the job's shifts if it declared any;
    the job's work mode is acceptable.
    """
    cols = index.columns
    sel: slice | I32 = slice(0, index.size) if candidates is None else candidates

    def col(name: str) -> npt.NDArray[Any]:
        return cols[name][sel]

    hidden = frozenset(hidden_partner_ids)
    if candidates is None:
        key = ("visible", viewer_partner_id, hidden)
        mask = index.memo(key, lambda: _visible(index, viewer_partner_id, hidden, sel)).copy()
    else:
        mask = _visible(index, viewer_partner_id, hidden, sel)

    if vacancy.work_mode is not WorkMode.REMOTE:
        distance = index.regions.distances_from(vacancy.postcode_area)[col("region")]
        mask &= distance <= col("travel_km")
    mask &= col("hours_min") <= vacancy.hours_max
    mask &= col("hours_max") >= vacancy.hours_min
    start = max(vacancy.start_date, today).toordinal()
    mask &= col("available_from") <= start

    for need in vacancy.languages:
        if not need.must_have:
            continue
        levels = cols.language(need.language.lower())
        if levels is None:
            return np.empty(0, np.int32)
        mask &= levels[sel] >= need.min_level.rank + 1

    if vacancy.pay_max is not None:
        top = hourly_cents(vacancy.pay_max.amount_cents, vacancy.pay_max.period is PayPeriod.MONTH)
        mask &= col("min_pay_hourly") <= np.float32(top) * np.float32(1 + 1e-6)

    if vacancy.shifts:
        need_bits = 0
        for shift in vacancy.shifts:
            need_bits |= SHIFT_BITS[shift]
        shifts = col("shifts")
        mask &= (shifts == 0) | ((shifts & need_bits) == need_bits)

    modes = col("work_modes")
    mask &= (modes == 0) | ((modes & WORK_MODE_BITS[vacancy.work_mode]) != 0)

    if candidates is None:
        return np.flatnonzero(mask).astype(np.int32)
    kept: I32 = candidates[mask]
    return kept
