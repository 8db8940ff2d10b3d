"""Postcode areas: validation and approximate distances."""

from __future__ import annotations

import pytest

from matching.geo import (
    distance_km,
    dutch_regions,
    haversine_km,
    is_valid_postcode_area,
    validate_postcode_area,
)


@pytest.mark.parametrize("area", ["1000", "6211", "9999", "6461"])
def test_valid_areas(area: str) -> None:
    assert is_valid_postcode_area(area)
    assert validate_postcode_area(f" {area} ") == area


@pytest.mark.parametrize("area", ["0999", "999", "62111", "62a1", "", "6211AB", "١٢٣٤"])
def test_invalid_areas_name_the_field(area: str) -> None:
    assert not is_valid_postcode_area(area)
    with pytest.raises(ValueError, match="postcodeArea"):
        validate_postcode_area(area)


def test_every_two_digit_region_resolves() -> None:
    regions = dutch_regions()
    for prefix in range(10, 100):
        lat, lon = regions.centroid(f"{prefix}00")
        assert 50.7 < lat < 53.6 and 3.3 < lon < 7.3


def test_same_region_is_zero_and_distance_is_symmetric() -> None:
    assert distance_km("6211", "6212") == 0
    assert distance_km("6211", "6411") == pytest.approx(distance_km("6411", "6211"))


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("6211", "6411", 15, 25),  # Maastricht - Heerlen
        ("6131", "6161", 2, 8),  # Sittard - Geleen
        ("6411", "6461", 4, 12),  # Heerlen - Kerkrade
        ("6411", "6441", 4, 10),  # Heerlen - Brunssum
        ("6041", "5911", 15, 30),  # Roermond - Venlo
        ("6211", "1012", 160, 190),  # Maastricht - Amsterdam
        ("9711", "4331", 250, 300),  # Groningen - Middelburg
    ],
)
def test_known_distances_are_about_right(a: str, b: str, low: float, high: float) -> None:
    assert low <= distance_km(a, b) <= high


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_km(50.0, 5.0, 51.0, 5.0) == pytest.approx(111.2, abs=0.2)


def test_invalid_area_in_distance_raises() -> None:
    with pytest.raises(ValueError):
        distance_km("621", "6411")
