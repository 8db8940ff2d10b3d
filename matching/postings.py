"""Postings lists: key -> (profile ordinal, level, confidence, phrase id), by ordinal.

A store keeps one compact CSR *base* (four flat numpy arrays and offsets) and a
small append-only *delta* of flat ``array.array`` columns for recent additions.
:meth:`PostingsStore.merge` folds the delta into the base, dropping postings
of removed profiles and renumbering ordinals when asked. Ordinals only grow
between merges, so every key's postings stay sorted by ordinal.
"""

from __future__ import annotations

from array import array
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


class Hits(NamedTuple):
    """Profiles holding a requirement: sorted unique ordinals and what matched."""

    ords: I32
    sim: F32  # 0..100
    level: I8  # 0 = not given, else 1..5
    phrase: I32  # phrase id, see MatchIndex.phrase_text

    @staticmethod
    def empty() -> Hits:
        return Hits(
            np.empty(0, np.int32),
            np.empty(0, np.float32),
            np.empty(0, np.int8),
            np.empty(0, np.int32),
        )


class PostingsStore:
    """Postings for integer keys; see the module docstring."""

    def __init__(self) -> None:
        self._offsets = np.zeros(1, dtype=np.int64)
        self._ords: I32 = np.empty(0, np.int32)
        self._levels: I8 = np.empty(0, np.int8)
        self._conf: U8 = np.empty(0, np.uint8)
        self._phrases: I32 = np.empty(0, np.int32)
        self._d_key, self._d_ord = array("i"), array("i")
        self._d_level, self._d_conf, self._d_phrase = array("b"), array("B"), array("i")
        self._delta_np: tuple[I32, I32, I8, U8, I32] | None = None

    def append(self, key: int, ordinal: int, level: int, conf: int, phrase: int) -> None:
        """Add one posting; ``ordinal`` must exceed every ordinal already stored."""
        self._d_key.append(key)
        self._d_ord.append(ordinal)
        self._d_level.append(level)
        self._d_conf.append(conf)
        self._d_phrase.append(phrase)
        self._delta_np = None

    @property
    def delta_size(self) -> int:
        return len(self._d_key)

    def __len__(self) -> int:
        return len(self._ords) + len(self._d_key)

    def nbytes(self) -> int:
        base = sum(
            a.nbytes for a in (self._offsets, self._ords, self._levels, self._conf, self._phrases)
        )
        delta = sum(
            a.buffer_info()[1] * a.itemsize
            for a in (self._d_key, self._d_ord, self._d_level, self._d_conf, self._d_phrase)
        )
        return base + delta

    def _delta(self) -> tuple[I32, I32, I8, U8, I32]:
        if self._delta_np is None:
            self._delta_np = (
                np.array(self._d_key, dtype=np.int32),
                np.array(self._d_ord, dtype=np.int32),
                np.array(self._d_level, dtype=np.int8),
                np.array(self._d_conf, dtype=np.uint8),
                np.array(self._d_phrase, dtype=np.int32),
            )
        return self._delta_np

    def get(self, key: int) -> tuple[I32, I8, U8, I32]:
        """Postings of ``key`` (views of the base where possible)."""
        if key + 1 < len(self._offsets):
            s, e = int(self._offsets[key]), int(self._offsets[key + 1])
        else:
            s = e = 0
        base = (self._ords[s:e], self._levels[s:e], self._conf[s:e], self._phrases[s:e])
        if not self._d_key:
            return base
        d_key, d_ord, d_level, d_conf, d_phrase = self._delta()
        sel = np.flatnonzero(d_key == key)
        if sel.size == 0:
            return base
        return (
            np.concatenate((base[0], d_ord[sel])),
            np.concatenate((base[1], d_level[sel])),
            np.concatenate((base[2], d_conf[sel])),
            np.concatenate((base[3], d_phrase[sel])),
        )

    def get_many(self, keys: I32, sims: F32) -> Hits:
        """Postings of several keys, each key's entries carrying that key's similarity.

        Ordinals may repeat across keys; the caller resolves that.
        """
        n_base = len(self._offsets) - 1
        in_base = keys[keys < n_base]
        starts, ends = self._offsets[in_base], self._offsets[in_base + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        idx = shift + np.arange(total, dtype=np.int64)
        sim_parts: list[F32] = [np.repeat(sims[keys < n_base], lengths)]
        ord_parts: list[I32] = [self._ords[idx]]
        level_parts: list[I8] = [self._levels[idx]]
        phrase_parts: list[I32] = [self._phrases[idx]]
        if self._d_key:
            d_key, d_ord, d_level, _, d_phrase = self._delta()
            size = max(int(keys.max(initial=-1)), int(d_key.max(initial=-1))) + 1
            sim_of = np.full(size, -1.0, dtype=np.float32)
            sim_of[keys] = sims
            hit_sim = sim_of[d_key]
            sel = np.flatnonzero(hit_sim >= 0)
            sim_parts.append(hit_sim[sel])
            ord_parts.append(d_ord[sel])
            level_parts.append(d_level[sel])
            phrase_parts.append(d_phrase[sel])
        return Hits(
            np.concatenate(ord_parts),
            np.concatenate(sim_parts).astype(np.float32),
            np.concatenate(level_parts),
            np.concatenate(phrase_parts),
        )

    def merge(self, alive: Mask, renumber: I32 | None = None) -> None:
        """Fold the delta into the base, dropping dead ordinals, optionally renumbering."""
        n_base = len(self._offsets) - 1
        base_key = np.repeat(np.arange(n_base, dtype=np.int32), np.diff(self._offsets))
        d_key, d_ord, d_level, d_conf, d_phrase = self._delta()
        key = np.concatenate((base_key, d_key))
        ords = np.concatenate((self._ords, d_ord))
        keep = alive[ords]
        key = key[keep]
        order = np.argsort(key, kind="stable")  # runs are already sorted: near-linear
        key = key[order]
        ords = ords[keep][order]
        if renumber is not None:
            ords = renumber[ords]
        self._ords = ords.astype(np.int32, copy=False)
        self._levels = np.concatenate((self._levels, d_level))[keep][order]
        self._conf = np.concatenate((self._conf, d_conf))[keep][order]
        self._phrases = np.concatenate((self._phrases, d_phrase))[keep][order]
        n_keys = max(n_base, int(d_key.max(initial=-1)) + 1)
        counts = np.bincount(key, minlength=n_keys)
        self._offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._d_key, self._d_ord = array("i"), array("i")
        self._d_level, self._d_conf, self._d_phrase = array("b"), array("B"), array("i")
        self._delta_np = None
