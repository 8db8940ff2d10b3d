"""CV and vacancy framings around a competency: durations, dates, asides, typo'd framing words."""

from __future__ import annotations

import pytest

from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy
from matching.text import normalize_text


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Taxonomy.load_default())


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # bracketed or trailing durations, levels and dates
        ("Logistiek (2 jaar)", "logistiek"),
        ("Webcare (1,5 jaar)", "webcare"),
        ("Outbound sales (5+ jaar)", "outbound sales"),
        ("Excel (gevorderd)", "excel"),
        ("Zendesk - basiskennis", "zendesk"),
        ("Excel, gevorderd", "excel"),
        ("Zorgverzekeringen - 4 jaar", "zorgverzekeringen"),
        ("webcare 3 jaar", "webcare"),
        ("Teamleider sinds 2020", "teamleider"),
        ("klantenservice 2018 - heden", "klantenservice"),
        # leading durations, dates and section labels
        ("ca. 2 jaar webcare", "webcare"),
        ("4 jr ervaring in de energiebranche", "energiebranche"),
        ("minimaal 1 jaar ervaring in debiteurenbeheer", "debiteurenbeheer"),
        ("sinds 2019 werkzaam in de telecom", "telecom"),
        ("werkzaam geweest in de retail", "retail"),
        ("2018-2021: inbound klantenservice", "inbound klantenservice"),
        ("Tools: Zendesk", "zendesk"),
        # vacancy framings
        ("je bent stressbestendig", "stressbestendig"),
        ("je hebt een klantgerichte houding", "klantgerichte houding"),
        ("kennis van ITIL is een pre", "itil"),
        ("pré: ervaring met TOPdesk", "topdesk"),
        # a framing word with a typo, where a framing stands
        ("2 jaar ervarign met Zendesk", "zendesk"),
        ("ruime erfaring met klachtafhandeling", "klachtafhandeling"),
        ("3 jaaar ervaring met webcare", "webcare"),
        ("2 ykars of werken met belscripts", "belscripts"),
        ("Salesforce ervarign", "salesforce"),
    ],
)
def test_framings_are_dropped(phrase: str, expected: str) -> None:
    assert normalize_text(phrase) == expected
    assert normalize_text(expected) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("LiveChat (software)", "livechat software"),  # an aside that is no framing stays
        ("(2 jaar)", "2 jaar"),  # nothing but a framing: kept
        ("2 jaar", "2 jaar"),
        ("eerste keer goed", "eerste keer goed"),  # "goed" ends a phrase, not a rating
        ("Office 365", "office 365"),
        ("112 meldingen", "112 meldingen"),
        ("tennis coach", "tennis coach"),  # one letter from "kennis", but not where it stands
        ("Helpdesk / servicedesk", "helpdesk servicedesk"),
    ],
)
def test_what_is_no_framing_stays(phrase: str, expected: str) -> None:
    assert normalize_text(phrase) == expected


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("Logitsiek (2 jaar)", "cc.sector_logistics"),
        ("2 ykars of werken met belscripts", "cc.call_scripts"),
        ("Klantensrevice (4 jr)", "cc.customer_service"),
        ("sinds 2022 teamlieder", "cc.team_leadership"),
    ],
)
def test_framing_and_a_typo_together(normalizer: Normalizer, phrase: str, concept_id: str) -> None:
    assert normalizer.normalize(phrase).concept_id == concept_id
