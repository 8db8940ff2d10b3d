"""Per-profile numpy columns that the hard filters and scoring read, by ordinal."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

COLUMN_DTYPES: dict[str, type[np.generic]] = {
    "alive": np.bool_,
    "partner": np.int32,
    "region": np.int16,
    "travel_km": np.float32,
    "hours_min": np.int16,
    "hours_max": np.int16,
    "available_from": np.int32,  # date.toordinal()
    "shifts": np.uint8,  # bit per Shift; 0 = none declared
    "work_modes": np.uint8,  # bit per WorkMode; 0 = any
    "min_pay_hourly": np.float32,  # cents per hour; 0 = none
    "kind": np.int8,  # 1 = READY_TO_MOVE
    "ambitions": np.uint16,  # bit per Role
    "current_role": np.int8,  # growth.role_code
    "sectors": np.uint8,  # policy.sector_bits
    "scope_kind": np.int8,  # 0 all partners, 1 only listed, 2 all except listed
    "id_hi": np.uint64,
    "id_lo": np.uint64,
}


class ProfileColumns:
    """Growable columns of equal length; ``language`` columns hold CEFR rank + 1 (0 = none)."""

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self._capacity = capacity
        self._cols: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(capacity, dtype=dtype) for name, dtype in COLUMN_DTYPES.items()
        }
        self._languages: dict[str, npt.NDArray[np.int8]] = {}

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """The filled part of column ``name`` (a view)."""
        return self._cols[name][: self.size]

    def language(self, code: str) -> npt.NDArray[np.int8] | None:
        col = self._languages.get(code)
        return None if col is None else col[: self.size]

    def append(self, values: dict[str, float], languages: dict[str, int]) -> int:
        """Append one row; returns its ordinal."""
        if self.size == self._capacity:
            self._resize(self._capacity * 2)
        row = self.size
        for name, value in values.items():
            self._cols[name][row] = value
        for code, level in languages.items():
            col = self._languages.get(code)
            if col is None:
                col = self._languages[code] = np.zeros(self._capacity, dtype=np.int8)
            col[row] = level
        self.size += 1
        return row

    def kill(self, row: int) -> None:
        self._cols["alive"][row] = False

    def keep_only(self, rows: npt.NDArray[np.int64]) -> None:
        """Keep ``rows`` (ascending) and renumber them 0..len-1."""
        capacity = max(1024, len(rows) + len(rows) // 4)
        for name, col in self._cols.items():
            new = np.zeros(capacity, dtype=col.dtype)
            new[: len(rows)] = col[rows]
            self._cols[name] = new
        for code, col in self._languages.items():
            new_lang = np.zeros(capacity, dtype=np.int8)
            new_lang[: len(rows)] = col[rows]
            self._languages[code] = new_lang
        self.size, self._capacity = len(rows), capacity

    def _resize(self, capacity: int) -> None:
        for store in (self._cols, self._languages):
            for name, col in store.items():
                new = np.zeros(capacity, dtype=col.dtype)
                new[: self.size] = col[: self.size]
                store[name] = new
        self._capacity = capacity

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._cols.values()) + sum(
            c.nbytes for c in self._languages.values()
        )
