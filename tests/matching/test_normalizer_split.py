"""Coordinated phrases: split when each part maps to a concept of its own."""

from __future__ import annotations

import pytest

from matching.coordination import coordinated_parts, shared_tail_forms
from matching.normalizer import Normalizer
from matching.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(Taxonomy.load_default())


@pytest.mark.parametrize(
    ("phrase", "parts"),
    [
        ("empathisch en geduldig", ["empathisch", "geduldig"]),
        ("Zendesk, Freshdesk en TOPdesk", ["Zendesk", "Freshdesk", "TOPdesk"]),
        ("klachten & retentie", ["klachten", "retentie"]),
        ("Salesforce + Genesys", ["Salesforce", "Genesys"]),
        ("chat and e-mail", ["chat", "e-mail"]),
        ("Zendesk", ["Zendesk"]),
        ("Zendesk of Freshdesk", ["Zendesk of Freshdesk"]),  # either: never split
        ("Zendesk/Freshdesk", ["Zendesk/Freshdesk"]),
        ("bezwaar- en beroepsprocedures", ["bezwaar- en beroepsprocedures"]),
        ("Webcare (1,5 jaar)", ["Webcare (1,5 jaar)"]),  # a decimal comma, in brackets
        ("1,5 jaar webcare", ["1,5 jaar webcare"]),
        ("Excel (Word en Outlook)", ["Excel (Word en Outlook)"]),  # only outside brackets
        ("energie", ["energie"]),  # "en" inside a word
        ("chat, ", ["chat, "]),  # an empty part: no list
    ],
)
def test_coordinated_parts(phrase: str, parts: list[str]) -> None:
    assert coordinated_parts(phrase) == parts


def test_shared_tail_forms() -> None:
    assert shared_tail_forms(["klachten", "escalaties afhandelen"]) == [
        "klachten afhandelen",
        None,
    ]
    assert shared_tail_forms(["chat", "mail"]) == [None, None]
    assert shared_tail_forms(["telefonische verkoop", "retentie gesprekken"]) == [None, None]


@pytest.mark.parametrize(
    ("phrase", "parts", "concepts"),
    [
        ("empathisch en geduldig", ["empathisch", "geduldig"], ["cc.empathy", "cc.patience"]),
        (
            "Zendesk, Freshdesk en TOPdesk",
            ["Zendesk", "Freshdesk", "TOPdesk"],
            ["cc.tool_zendesk", "cc.tool_freshdesk", "cc.tool_topdesk"],
        ),
        (
            "klachten & retentie",
            ["klachten", "retentie"],
            ["cc.complaint_handling", "cc.retention"],
        ),
        (
            "klachten en escalaties afhandelen",
            ["klachten afhandelen", "escalaties afhandelen"],
            ["cc.complaint_handling", "cc.escalation_management"],
        ),
        (
            "Klachtenafhandeling en webcare (3 jaar)",
            ["Klachtenafhandeling", "webcare (3 jaar)"],
            ["cc.complaint_handling", "cc.channel_social_media"],
        ),
    ],
)
def test_split_when_each_part_maps_on_its_own(
    normalizer: Normalizer, phrase: str, parts: list[str], concepts: list[str]
) -> None:
    assert normalizer.split(phrase) == parts
    assert [r.concept_id for r in normalizer.normalize_many(parts)] == concepts


@pytest.mark.parametrize(
    "phrase",
    [
        "plannen en organiseren",  # a label: one concept
        "werving & selectie",  # the whole maps surely to one concept
        "transport en logistiek",  # both parts name the same concept
        "incasso en debiteurenbeheer",
        "Excel en paardrijden",  # a part that maps to nothing
        "Zendesk of Freshdesk",
        "asdf en qwerty",
    ],
)
def test_no_split(normalizer: Normalizer, phrase: str) -> None:
    assert normalizer.split(phrase) == [phrase]


def test_split_many_is_split_per_phrase_and_keeps_order(normalizer: Normalizer) -> None:
    phrases = ["Zendesk", "chat en e-mail", "plannen en organiseren", "chat en e-mail"]
    assert normalizer.split_many(phrases) == [normalizer.split(p) for p in phrases]
    assert normalizer.split_many(phrases)[1] == ["chat", "e-mail"]
    assert normalizer.split_many([]) == []


def test_parts_naming_the_same_concept_are_kept_once(normalizer: Normalizer) -> None:
    assert normalizer.split("chat, webchat en e-mail") == ["chat", "e-mail"]
