"""normalize_text and the Dutch compound helpers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.text import (
    compound_variants,
    content_tokens,
    join_compound,
    normalize_text,
    split_compound,
    split_known_part,
)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Klachtenafhandeling", "klachtenafhandeling"),
        ("  Klachten-afhandeling!! ", "klachten afhandeling"),
        ("Stressbestendig, klantgericht", "stressbestendig klantgericht"),
        ("Café-ervaring", "cafe"),
        ("E-mail & Chat", "e mail chat"),
        ("customer's complaints", "customers complaints"),
        ("ÉNERGIE ŁÓDŹ ß", "energie lodz ss"),
        ("1e lijns support", "1e lijns support"),
    ],
)
def test_case_accents_punctuation_and_spacing(phrase: str, expected: str) -> None:
    assert normalize_text(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("ervaring met Zendesk", "zendesk"),
        ("3 jaar ruime ervaring met klachten afhandelen", "klachten afhandelen"),
        ("kennis van de energiemarkt", "energiemarkt"),
        ("Experience with inbound calls", "inbound calls"),
        ("knowledge of Salesforce", "salesforce"),
        ("goed in plannen", "plannen"),
        ("zeer goed in Excel", "excel"),
        ("vaardig in MS Office", "ms office"),
        ("werkervaring in de horeca", "horeca"),
        ("Salesforce ervaring", "salesforce"),
        ("callcenter experience", "callcenter"),
        ("bekend met TOPdesk", "topdesk"),
    ],
)
def test_cv_framings_are_dropped(phrase: str, expected: str) -> None:
    assert normalize_text(phrase) == expected


@pytest.mark.parametrize(
    "phrase", ["customer experience", "product knowledge", "technische kennis", "ervaring"]
)
def test_framing_words_that_are_the_competency_stay(phrase: str) -> None:
    assert normalize_text(phrase) == phrase


def test_a_framing_alone_is_not_emptied() -> None:
    assert normalize_text("ervaring met") == "ervaring met"
    assert normalize_text("") == ""
    assert normalize_text(" -- ") == ""


def test_join_and_compound_variants() -> None:
    assert join_compound("klachten afhandeling") == "klachtenafhandeling"
    forms = compound_variants("klacht afhandeling")
    assert forms[0] == "klachtafhandeling"
    assert "klachtenafhandeling" in forms
    assert "klachtafhandeling" in compound_variants("klachten afhandeling")
    assert compound_variants("klachtenafhandeling") == ()


def test_split_compound_into_known_parts() -> None:
    lexicon = frozenset({"energie", "sector", "klanten", "service", "medewerker", "klacht"})
    assert split_compound("energiesector", lexicon) == ("energie", "sector")
    assert split_compound("klantenservicemedewerker", lexicon) == (
        "klanten",
        "service",
        "medewerker",
    )
    # the linking -en- between "klacht" and "afhandeling" is skipped
    assert split_compound("klachtenafhandeling", lexicon | {"afhandeling"}) == (
        "klacht",
        "afhandeling",
    )
    assert split_compound("paardrijden", lexicon) == ()
    assert split_compound("energie", lexicon) == ()


def test_split_known_part_keeps_an_unknown_rest() -> None:
    assert split_known_part("horecaervaring", {"horeca"}) == ("horeca", "ervaring")
    assert split_known_part("hypotheekverstrekker", {"hypotheek"}) == ("hypotheek", "verstrekker")
    assert split_known_part("vrachtwagen", {"horeca"}) == ()


def test_content_tokens_skip_function_and_generic_words() -> None:
    assert content_tokens("klanten helpen via de chat") == ["klanten", "helpen", "chat"]
    assert content_tokens("horeca ervaring") == ["horeca"]
    assert content_tokens("van de") == ["van", "de"]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalize_text_is_idempotent_on_any_unicode(phrase: str) -> None:
    once = normalize_text(phrase)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["ervaring", "met", "kennis", "van", "de", "Zendesk", "3", "jaar", "ruime"]
        ),
        max_size=8,
    )
)
def test_normalize_text_is_idempotent_on_framing_soup(words: list[str]) -> None:
    once = normalize_text(" ".join(words))
    assert normalize_text(once) == once
