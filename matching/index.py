"""In-memory index of shared profiles for query-time matching.

Profiles get dense *ordinals*. Competencies go to postings lists (numpy, see
:mod:`matching.postings`): concept id -> ordinals, and distinct free-phrase
text -> ordinals. What the hard filters need sits in per-profile numpy columns
(:mod:`matching.columns`). Removal is a tombstone (the ``alive`` column);
postings and columns are compacted once enough is dead or the postings delta
is large, so removals and upserts cost O(1) amortised.

Not thread-safe: serialise writes with reads (one asyncio loop, or a lock).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar
from uuid import UUID

import numpy as np

from matching.columns import ProfileColumns
from matching.geo import PostcodeRegions, dutch_regions
from matching.growth import ambition_bits, role_code
from matching.policy import MatchPolicy, hourly_cents, sector_bits
from matching.postings import I32, Hits, PostingsStore
from matching.types import (
    Competency,
    ConsentScopeKind,
    MatchProfile,
    PayPeriod,
    ProfileKind,
    Shift,
    WorkMode,
)
from matching.vocabulary import PhraseVocabulary

SHIFT_BITS = {shift: 1 << i for i, shift in enumerate(Shift)}
WORK_MODE_BITS = {mode: 1 << i for i, mode in enumerate(WorkMode)}
SCOPE_CODES = {
    ConsentScopeKind.ALL_PARTNERS: 0,
    ConsentScopeKind.ONLY: 1,
    ConsentScopeKind.ALL_EXCEPT: 2,
}
DELTA_LIMIT = 1 << 17  # postings appended since the last merge
DEAD_SHARE = 0.25  # compact ordinals once this share of them is dead
_MIN_DEAD = 1024
_MEMO_SIZE = 64
T = TypeVar("T")


def _best_per_key(items: Iterable[tuple[object, Competency]]) -> dict[object, Competency]:
    """One competency per key: the most confident, then the highest level."""
    best: dict[object, Competency] = {}
    for key, comp in items:
        held = best.get(key)
        if held is None or (comp.confidence, comp.level or 0) > (held.confidence, held.level or 0):
            best[key] = comp
    return best


class MatchIndex:
    """Postings and filter columns for every live shared profile."""

    def __init__(
        self, policy: MatchPolicy | None = None, *, regions: PostcodeRegions | None = None
    ) -> None:
        self.policy = policy or MatchPolicy()
        self.regions = regions or dutch_regions()
        self.columns = ProfileColumns()
        self.vocabulary = PhraseVocabulary()
        self._concepts: dict[str, int] = {}
        self._concept_postings = PostingsStore()
        self._free_postings = PostingsStore()
        self._phrases: list[str] = []
        self._phrase_ids: dict[str, int] = {}
        self._partners: list[UUID] = []
        self._partner_ids: dict[UUID, int] = {}
        self._scope_lists: dict[int, array[int]] = {}
        self._ord_of: dict[int, int] = {}  # profile_id.int -> ordinal
        self._dead = 0
        self._memo: dict[Hashable, object] = {}
        # During add_many: a competency's posting fields by id(); the value holds the
        # competency so the id cannot be reused meanwhile. The start-up read shares one
        # instance per distinct competency: ~6k of these serve 1.75M postings at 100k.
        self._postings_of: dict[int, tuple[Competency, int, int, int, int]] | None = None

    # -- writing ---------------------------------------------------------

    def add(self, profile: MatchProfile) -> None:
        """Index a new profile; ``ValueError`` if its id is already indexed."""
        if profile.profile_id.int in self._ord_of:
            raise ValueError(f"profile {profile.profile_id} is already indexed")
        self._append(profile)
        self._maybe_compact()

    def upsert(self, profile: MatchProfile) -> None:
        """Index ``profile``, replacing an earlier version with the same id."""
        self._kill(profile.profile_id)
        self._append(profile)
        self._maybe_compact()

    def add_many(self, profiles: Iterable[MatchProfile]) -> int:
        """Upsert many profiles; returns the count.

        Postings are merged only once the delta reaches a quarter of the base,
        so loading in batches stays linear overall; the first read merges the rest.
        """
        count = 0
        self._postings_of = {}
        try:
            for profile in profiles:
                self._kill(profile.profile_id)
                self._append(profile)
                count += 1
        finally:
            self._postings_of = None
        delta = self._concept_postings.delta_size + self._free_postings.delta_size
        if self._dead >= max(_MIN_DEAD, DEAD_SHARE * self.size) or delta > max(
            DELTA_LIMIT, (len(self._concept_postings) + len(self._free_postings)) // 4
        ):
            self.compact()
        return count

    def remove(self, profile_id: UUID) -> bool:
        """Drop a profile at once (tombstone); False if it was not indexed."""
        removed = self._kill(profile_id)
        self._maybe_compact()
        return removed

    def compact(self) -> None:
        """Renumber live profiles densely and fold the postings deltas in."""
        self._memo.clear()
        alive = self.columns["alive"]
        renumber: I32 | None = None
        if self._dead:
            keep = np.flatnonzero(alive)
            renumber = np.full(len(alive), -1, dtype=np.int32)
            renumber[keep] = np.arange(len(keep), dtype=np.int32)
            self.columns.keep_only(keep)
            remap = renumber.tolist()
            self._ord_of = {pid: remap[o] for pid, o in self._ord_of.items()}
            for partner, listed in self._scope_lists.items():
                old = np.array(listed, dtype=np.int32)
                new = renumber[old[alive[old]]]
                self._scope_lists[partner] = array("i", new.tobytes())
            self._dead = 0
        self._concept_postings.merge(alive, renumber)
        self._free_postings.merge(alive, renumber)

    def _settle(self) -> None:
        """Before a read: fold in a delta grown large by ``add_many``."""
        if max(self._concept_postings.delta_size, self._free_postings.delta_size) > DELTA_LIMIT:
            self._maybe_compact()

    def _maybe_compact(self) -> None:
        size = self.columns.size
        if self._dead >= max(_MIN_DEAD, DEAD_SHARE * size):
            self.compact()
        elif max(self._concept_postings.delta_size, self._free_postings.delta_size) > DELTA_LIMIT:
            alive = self.columns["alive"]
            self._concept_postings.merge(alive)
            self._free_postings.merge(alive)

    def _kill(self, profile_id: UUID) -> bool:
        ordinal = self._ord_of.pop(profile_id.int, None)
        if ordinal is None:
            return False
        self._memo.clear()
        self.columns.kill(ordinal)
        self._dead += 1
        return True

    def _partner(self, partner_id: UUID) -> int:
        found = self._partner_ids.get(partner_id)
        if found is None:
            found = self._partner_ids[partner_id] = len(self._partners)
            self._partners.append(partner_id)
        return found

    def _phrase(self, phrase: str) -> int:
        found = self._phrase_ids.get(phrase)
        if found is None:
            found = self._phrase_ids[phrase] = len(self._phrases)
            self._phrases.append(phrase)
        return found

    def _append(self, p: MatchProfile) -> None:
        self._memo.clear()
        pay = 0.0
        if p.min_pay is not None:
            pay = hourly_cents(p.min_pay.amount_cents, p.min_pay.period is PayPeriod.MONTH)
        pid = p.profile_id.int
        ordinal = self.columns.append(
            {
                "alive": True,
                "partner": self._partner(p.partner_id),
                "region": self.regions.region_of(p.postcode_area),
                "travel_km": p.max_travel_km,
                "hours_min": p.hours_min,
                "hours_max": p.hours_max,
                "available_from": p.available_from.toordinal(),
                "shifts": sum(SHIFT_BITS[s] for s in p.shifts),
                "work_modes": sum(WORK_MODE_BITS[m] for m in p.work_modes),
                "min_pay_hourly": pay,
                "kind": 1 if p.kind is ProfileKind.READY_TO_MOVE else 0,
                "ambitions": ambition_bits(p.ambitions),
                "current_role": role_code(p.current_role),
                "sectors": sector_bits(p.transferable_sectors),
                "scope_kind": SCOPE_CODES[p.consent_scope.kind],
                "id_hi": pid >> 64,
                "id_lo": pid & 0xFFFF_FFFF_FFFF_FFFF,
            },
            {s.language.lower(): s.level.rank + 1 for s in p.languages},
        )
        self._ord_of[pid] = ordinal
        if p.consent_scope.kind is not ConsentScopeKind.ALL_PARTNERS:
            for partner_id in sorted(p.consent_scope.partner_ids):
                listed = self._scope_lists.setdefault(self._partner(partner_id), array("i"))
                listed.append(ordinal)
        concepts = _best_per_key((c.concept_id, c) for c in p.competencies if c.concept_id)
        for comp in concepts.values():
            _, key, level, percent, phrase = self._posting(comp)
            self._concept_postings.append(key, ordinal, level, percent, phrase)
        free = _best_per_key((c.normalized, c) for c in p.competencies if not c.concept_id)
        for text, comp in free.items():
            if text:
                _, key, level, percent, phrase = self._posting(comp)
                self._free_postings.append(key, ordinal, level, percent, phrase)

    def _posting(self, comp: Competency) -> tuple[Competency, int, int, int, int]:
        """``comp`` with what its posting stores but the ordinal: key, level, percent, phrase."""
        memo = self._postings_of
        if memo is not None:
            found = memo.get(id(comp))
            if found is not None and found[0] is comp:
                return found
        if comp.concept_id:
            key = self._concepts.setdefault(str(comp.concept_id), len(self._concepts))
            percent = _percent(comp.confidence)
        else:
            key = self.vocabulary.intern(str(comp.normalized))
            percent = 100
        made = (comp, key, comp.level or 0, percent, self._phrase(comp.phrase))
        if memo is not None:
            memo[id(comp)] = made
        return made

    # -- reading ---------------------------------------------------------

    def __len__(self) -> int:
        """Number of live profiles."""
        return len(self._ord_of)

    def __contains__(self, profile_id: object) -> bool:
        return isinstance(profile_id, UUID) and profile_id.int in self._ord_of

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value derived from the index, cached until the next write."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        value = self._memo[key] = make()
        return value

    @property
    def size(self) -> int:
        """Ordinals in use, dead ones included (the length of every column)."""
        return self.columns.size

    def partner_ordinal(self, partner_id: UUID) -> int | None:
        return self._partner_ids.get(partner_id)

    @property
    def partner_count(self) -> int:
        return len(self._partners)

    def scope_listed(self, partner_ordinal: int) -> I32:
        """Ordinals whose consent scope lists this partner (ONLY or ALL_EXCEPT)."""
        listed = self._scope_lists.get(partner_ordinal)
        return np.empty(0, np.int32) if listed is None else np.array(listed, dtype=np.int32)

    def profile_id(self, ordinal: int) -> UUID:
        hi, lo = int(self.columns["id_hi"][ordinal]), int(self.columns["id_lo"][ordinal])
        return UUID(int=hi << 64 | lo)

    def phrase_text(self, phrase_id: int) -> str:
        return self._phrases[phrase_id]

    def concept_hits(self, concept_id: str) -> Hits:
        """Profiles holding ``concept_id``; similarity is their phrase's confidence."""
        self._settle()
        key = self._concepts.get(concept_id)
        if key is None:
            return Hits.empty()
        ords, levels, conf, phrases = self._concept_postings.get(key)
        return Hits(ords, conf.astype(np.float32), levels, phrases)

    def free_hits(self, text: str, cutoff: float) -> Hits:
        """Profiles with a free phrase fuzzily matching ``text``; best phrase per profile."""
        self._settle()
        keys, sims = self.vocabulary.match(text, cutoff)
        if keys.size == 0:
            return Hits.empty()
        hits = self._free_postings.get_many(keys, sims)
        order = np.lexsort((hits.phrase, -hits.sim, hits.ords))
        ords = hits.ords[order]
        first = np.ones(len(ords), dtype=bool)
        first[1:] = ords[1:] != ords[:-1]
        pick = order[first]
        return Hits(hits.ords[pick], hits.sim[pick], hits.level[pick], hits.phrase[pick])

    def memory_bytes(self) -> int:
        """Estimated bytes held by the index (numpy buffers plus Python maps)."""
        maps = sys.getsizeof(self._ord_of) + 72 * len(self._ord_of)  # keys: 128-bit ints
        phrases = sys.getsizeof(self._phrase_ids) + sum(49 + len(s) for s in self._phrases)
        lists = sum(4 * len(v) + 64 for v in self._scope_lists.values())
        return (
            self.columns.nbytes()
            + self._concept_postings.nbytes()
            + self._free_postings.nbytes()
            + self.vocabulary.nbytes()
            + maps
            + phrases
            + lists
            + 100 * (len(self._concepts) + len(self._partners))
        )


def _percent(confidence: float) -> int:
    return max(0, min(100, round(confidence * 100)))
