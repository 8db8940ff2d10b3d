"""Typo-aware word similarity: keyboard slips, swaps and double letters cost half an edit."""

from __future__ import annotations

import pytest

from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy
from matching.wordsim import KEYBOARD_NEIGHBOURS, typo_cost, typo_limits, word_similarities


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Taxonomy.load_default())


def matches(word: str, vocabulary: list[str]) -> dict[str, float]:
    [(found, scores, _)] = word_similarities([word], vocabulary)
    return {vocabulary[i]: float(s) for i, s in zip(found, scores, strict=True)}


def test_keyboard_neighbours_are_symmetric_and_local() -> None:
    assert {"q", "w", "s", "z"} == KEYBOARD_NEIGHBOURS["a"]
    assert "b" in KEYBOARD_NEIGHBOURS["h"] and "h" in KEYBOARD_NEIGHBOURS["b"]
    assert "p" not in KEYBOARD_NEIGHBOURS["a"]
    assert all(k in KEYBOARD_NEIGHBOURS[n] for k, ns in KEYBOARD_NEIGHBOURS.items() for n in ns)


@pytest.mark.parametrize(
    ("typed", "word", "cost"),
    [
        ("zendesk", "zendesk", 0.0),
        ("tcat", "tact", 0.5),  # neighbours swapped
        ("trien", "trein", 0.5),
        ("zom", "zoom", 0.5),  # a double letter typed once
        ("zooom", "zoom", 0.5),  # ... or thrice
        ("zendedk", "zendesk", 0.5),  # d is next to s
        ("zendpsk", "zendesk", 1.0),  # p is not next to e
        ("zndesk", "zendesk", 1.0),  # a dropped letter
        ("tcat", "chat", 2.0),
        ("schaken", "schakelen", 2.0),
    ],
)
def test_typo_cost(typed: str, word: str, cost: float) -> None:
    assert typo_cost(typed, word) == cost


def test_limits_grow_with_length() -> None:
    assert typo_limits(2) == (0, 0.0)
    assert typo_limits(4) == (1, 1.0)
    assert typo_limits(7) == (2, 1.5)
    assert typo_limits(9) == (2, 2.0)
    assert typo_limits(14) == (3, 2.5)


def test_the_cheapest_reading_of_a_typo_wins() -> None:
    found = matches("tcat", ["tact", "chat", "csat"])
    assert list(found) == ["tact"]
    found = matches("trien", ["trein", "trainen"])
    assert list(found) == ["trein"]


def test_two_letters_replaced_in_a_short_word_make_another_word() -> None:
    assert matches("spelen", ["doelen"]) == {}  # s/d and p/o are neighbours, still no typo
    assert matches("tfenog", ["trengo"]) == {"trengo": pytest.approx(1 - 1 / 6)}  # slip + swap


def test_a_word_two_letters_short_is_another_word() -> None:
    assert matches("schaken", ["schakelen"]) == {}
    assert matches("diploma", ["diplomacy"]) == {}
    assert matches("breien", ["reizen"]) == {}


def test_a_known_word_is_no_typo_of_another_but_keeps_its_inflections() -> None:
    found = matches("helpen", ["helpen", "bellen", "helpend"])
    assert found["helpen"] == 1.0
    assert "bellen" not in found  # two keyboard slips away, but "helpen" is a word itself
    assert "helpend" in found  # fuzz.ratio 92: an inflection


def test_a_known_word_matches_inflections_not_lookalikes() -> None:
    assert set(matches("klant", ["klant", "klanten"])) == {"klant", "klanten"}
    assert matches("bewaking", ["bewaking", "banking"]) == {"bewaking": 1.0}
    assert matches("pianospelen", ["kansspelen"]) == {}  # ends alike, no stem in common


def test_a_typo_reaches_the_inflections_of_its_reading() -> None:
    found = matches("trianingen", ["trainingen", "training", "trainer"])
    assert found["trainingen"] > found["training"] > 0.0
    assert "trainer" not in found


def test_short_words() -> None:
    # one dropped letter of a four-letter word with the same first letter; fuzz.ratio 6/7
    assert matches("m65", ["m365"]) == {"m365": pytest.approx(6 / 7)}
    assert matches("a65", ["m365"]) == {}
    assert matches("crn", ["crm"]) == {}  # three-letter vocabulary words only exactly
    assert matches("ov", ["ov"]) == {"ov": 1.0}


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("Heajh insurance", "cc.sector_health_insurance"),  # the specific concept, not its parent
        ("Microsoft Dnymics 365", "cc.tool_ms_dynamics"),  # not "microsoft 365"
        ("tcat", "cc.tact_diplomacy"),
        ("trien", "cc.sector_public_transport"),
        ("Zom video", "cc.tool_zoom"),  # not just "video": zoom's variant explains both words
        ("m65", "cc.tool_ms_office"),
        ("snw ticketing", "cc.tool_servicenow"),  # "snow ticketing", not any ticketing
        ("onderwisinstelling", "cc.sector_education"),  # a typo'd first part still splits
    ],
)
def test_short_brand_typos(normalizer: Normalizer, phrase: str, concept_id: str) -> None:
    assert normalizer.normalize(phrase).concept_id == concept_id


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("insurance company xyz", "cc.sector_insurance"),  # nothing says which insurance
        ("verzekeringen en zo", "cc.sector_insurance"),  # "zo" is too short to be "zorg"
        ("microsoft 365 suite", "cc.tool_ms_office"),
    ],
)
def test_the_parent_stays_when_nothing_names_the_specific_concept(
    normalizer: Normalizer, phrase: str, concept_id: str
) -> None:
    assert normalizer.normalize(phrase).concept_id == concept_id


@pytest.mark.parametrize(
    "phrase",
    [
        "voetbaltrainer",
        "vrijwilliger bij de voedselbank",
        "schaken",
        "EHBO diploma",
        "breien",
        "pianospelen",
        "beveiliging bewaking",
    ],
)
def test_false_friends_stay_free(normalizer: Normalizer, phrase: str) -> None:
    """A compound with an unknown first part is a kind the taxonomy does not know
    ("voetbaltrainer" is no trainer of agents); a word two edits from a short word is
    another word."""
    assert normalizer.normalize(phrase).concept_id is None
