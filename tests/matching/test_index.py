"""The in-memory index: add, upsert, remove, compaction, free-phrase vocabulary."""

from __future__ import annotations

from uuid import UUID

import pytest

import matching.index as index_module
from matching.index import MatchIndex
from matching.scoring import search
from matching.vocabulary import PhraseVocabulary
from tests.support.matching import (
    PARTNER_B,
    POLICY,
    TODAY,
    comp,
    index_of,
    pid,
    profile,
    req,
    vacancy,
)


def found(index: MatchIndex, **vacancy_fields: object) -> list[UUID]:
    results = search(index, vacancy(**vacancy_fields), viewer_partner_id=PARTNER_B, today=TODAY)
    return [r.profile_id for r in results]


def test_add_len_contains_and_duplicate() -> None:
    a, b = profile(), profile()
    index = index_of(a, b)
    assert len(index) == 2 and a.profile_id in index and pid(999_999) not in index
    with pytest.raises(ValueError, match="already indexed"):
        index.add(a)


def test_upsert_replaces_the_old_version() -> None:
    p = profile(competencies=(comp("cc.complaint_handling"),))
    index = index_of(p)
    reqs = (req("cc.salesforce", must=True),)
    assert found(index, requirements=reqs) == []
    index.upsert(profile(profile_id=p.profile_id, competencies=(comp("cc.salesforce"),)))
    assert len(index) == 1
    assert found(index, requirements=reqs) == [p.profile_id]
    assert found(index, requirements=(req("cc.complaint_handling", must=True),)) == []


def test_removed_profile_is_gone_from_the_very_next_search() -> None:
    a, b = profile(), profile()
    index = index_of(a, b)
    assert set(found(index)) == {a.profile_id, b.profile_id}
    assert index.remove(a.profile_id)
    assert found(index) == [b.profile_id]
    assert not index.remove(a.profile_id)
    assert len(index) == 1


def test_compaction_keeps_results_right() -> None:
    profiles = [profile(profile_id=pid(i)) for i in range(3000)]
    index = index_of(*profiles)
    for p in profiles[:2500]:
        index.remove(p.profile_id)
    assert index.size < 3000  # tombstones were compacted away
    assert len(index) == 500
    assert sorted(found(index), key=lambda u: u.int)[:3] == [
        p.profile_id for p in profiles[2500:2503]
    ]
    index.upsert(profile(profile_id=profiles[0].profile_id))
    assert profiles[0].profile_id in found(index)


def test_postings_delta_merges_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = [
        profile(
            profile_id=pid(i),
            competencies=(
                comp("cc.complaint_handling", level=1 + i % 5),
                comp(None, f"vrije zin {i % 7}"),
            ),
        )
        for i in range(300)
    ]
    reqs = (req("cc.complaint_handling", must=True, min_level=3), req(None, "vrije zin 3"))
    bulk = MatchIndex(POLICY)
    bulk.add_many(profiles)
    monkeypatch.setattr(index_module, "DELTA_LIMIT", 16)
    incremental = index_of(*profiles)
    one = search(bulk, vacancy(requirements=reqs), viewer_partner_id=PARTNER_B, today=TODAY)
    two = search(incremental, vacancy(requirements=reqs), viewer_partner_id=PARTNER_B, today=TODAY)
    assert one == two and len(one) == 50


def test_free_phrases_share_one_vocabulary_entry_and_match_typos() -> None:
    a = profile(competencies=(comp(None, "klachtenafhandeling"),))
    b = profile(competencies=(comp(None, "klachtenafhandeling"),))
    c = profile(competencies=(comp(None, "klachtenafhandelnig"),))
    d = profile(competencies=(comp(None, "bloemschikken"),))
    index = index_of(a, b, c, d)
    assert len(index.vocabulary) == 3
    ids = found(index, requirements=(req(None, "klachtenafhandeling", must=True),))
    assert set(ids) == {a.profile_id, b.profile_id, c.profile_id}


def test_trigram_prefilter_finds_what_the_full_scan_finds() -> None:
    texts = [
        "klachten afhandelen",
        "klachten afhandellen",
        "ervaring klachten afhandelen",
        "salesforce",
        "sales force",
        "bloemschikken",
        "klantenservice telefonisch",
    ]
    full, pre = PhraseVocabulary(prefilter_from=10**9), PhraseVocabulary(prefilter_from=0)
    for t in texts:
        full.intern(t)
        pre.intern(t)
    for query in ("klachten afhandelen", "salesforce", "klantenservice"):
        assert full.match(query, 80)[0].tolist() == pre.match(query, 80)[0].tolist()


def test_vocabulary_cache_extends_with_new_texts() -> None:
    vocab = PhraseVocabulary()
    vocab.intern("klachten afhandelen")
    assert vocab.match("klachten afhandelen", 80)[0].tolist() == [0]
    vocab.intern("klachten afhandelenn")
    assert vocab.match("klachten afhandelen", 80)[0].tolist() == [0, 1]


def test_memory_estimate_grows_with_profiles() -> None:
    small = index_of(profile())
    large = index_of(*(profile() for _ in range(2000)))
    assert 0 < small.memory_bytes() < large.memory_bytes()


def test_add_many_with_shared_competencies_indexes_as_one_by_one() -> None:
    """``add_many`` derives a shared competency's posting once (the start-up read shares
    one instance per distinct competency); the result must not depend on that."""
    shared = [
        comp("cc.complaint_handling", level=3, confidence=0.845),
        comp("cc.zendesk", "Zendesk", level=5),
        comp("cc.zendesk", "zendesk", level=1, confidence=0.5),
        comp(None, "iets heel eigens"),
        comp(None, ""),
    ]
    profiles = [
        profile(profile_id=pid(i), competencies=tuple(shared[j] for j in range(i % 5, 5)))
        for i in range(40)
    ]
    by_many = MatchIndex(POLICY)
    by_many.add_many(profiles[:25])
    by_many.add_many(profiles[25:])
    one_by_one = index_of(*profiles)
    wanted: list[dict[str, object]] = [
        {},
        {"requirements": (req("cc.zendesk", must=True, min_level=2),)},
        {"requirements": (req(None, "iets heel eigens"), req("cc.complaint_handling"))},
    ]
    for fields in wanted:
        ranked = [
            search(index, vacancy(**fields), viewer_partner_id=PARTNER_B, today=TODAY, k=50)
            for index in (by_many, one_by_one)
        ]
        assert ranked[0] == ranked[1]
        assert ranked[0]
