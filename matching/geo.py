"""Approximate distances between Dutch 4-digit postcode areas.

Each area is placed at the centroid of its 3-digit region where
``data/pc_regions.json`` has one (Zuid-Limburg, Zeeland, ...), else of its
2-digit region. Two areas in the same region are 0 km apart. Distances are
great-circle (haversine) kilometres between those centroids: good to a few
kilometres, enough to decide "within someone's travel distance", not more.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0
_POSTCODE_AREA = re.compile(r"[1-9][0-9]{3}")


def is_valid_postcode_area(value: str) -> bool:
    """True for exactly four digits from 1000 to 9999 (a Dutch postcode area)."""
    return _POSTCODE_AREA.fullmatch(value) is not None


def validate_postcode_area(value: str, field: str = "postcodeArea") -> str:
    """Return ``value`` stripped, or raise ``ValueError`` naming ``field``."""
    area = value.strip()
    if not is_valid_postcode_area(area):
        raise ValueError(f"{field}: expected four digits 1000-9999, got {value!r}")
    return area


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two (lat, lon) points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class PostcodeRegions:
    """The region table: each known region has an index and a centroid."""

    def __init__(self, centroids: dict[str, tuple[float, float]]) -> None:
        self.keys: tuple[str, ...] = tuple(sorted(centroids))
        self._index = {key: i for i, key in enumerate(self.keys)}
        coords = np.array([centroids[key] for key in self.keys], dtype=np.float64)
        self.lat_rad: npt.NDArray[np.float64] = np.radians(coords[:, 0])
        self.lon_rad: npt.NDArray[np.float64] = np.radians(coords[:, 1])
        self._rows: dict[int, npt.NDArray[np.float32]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def region_of(self, area: str) -> int:
        """Index of the finest region holding ``area`` (validated)."""
        area = validate_postcode_area(area)
        found = self._index.get(area[:3])
        return found if found is not None else self._index[area[:2]]

    def centroid(self, area: str) -> tuple[float, float]:
        """Approximate (lat, lon) in degrees of ``area``."""
        i = self.region_of(area)
        return math.degrees(self.lat_rad[i]), math.degrees(self.lon_rad[i])

    def distances_from_region(self, region: int) -> npt.NDArray[np.float32]:
        """Distance in km from ``region`` to every region (cached, read-only)."""
        row = self._rows.get(region)
        if row is None:
            lat, lon = self.lat_rad[region], self.lon_rad[region]
            a = (
                np.sin((self.lat_rad - lat) / 2) ** 2
                + np.cos(lat) * np.cos(self.lat_rad) * np.sin((self.lon_rad - lon) / 2) ** 2
            )
            row = (2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))).astype(np.float32)
            row.setflags(write=False)
            self._rows[region] = row
        return row

    def distances_from(self, area: str) -> npt.NDArray[np.float32]:
        """Distance in km from ``area`` to every region, indexed by region."""
        return self.distances_from_region(self.region_of(area))

    def distance_km(self, a: str, b: str) -> float:
        """Approximate distance in km between two postcode areas."""
        return float(self.distances_from(a)[self.region_of(b)])


@cache
def dutch_regions() -> PostcodeRegions:
    """The shipped table of Dutch postcode regions (loaded once)."""
    raw = (Path(__file__).parent / "data" / "pc_regions.json").read_text("utf-8")
    regions = json.loads(raw)["regions"]
    return PostcodeRegions({key: (float(v[0]), float(v[1])) for key, v in regions.items()})


def distance_km(a: str, b: str) -> float:
    """Approximate distance in km between two Dutch postcode areas."""
    return dutch_regions().distance_km(a, b)
