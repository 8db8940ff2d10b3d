"""What a consortium holds, as plain values free of ids and pseudonyms."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.profiles.models import ProfileStatus
from matching.types import ConsentScopeKind, ProfileKind


@dataclass(frozen=True, slots=True)
class ProfileContent:
    status: ProfileStatus
    kind: ProfileKind
    consent_scope_kind: ConsentScopeKind | None
    fields: tuple[str, ...]  # every stored value that describes the person, as text


@dataclass(frozen=True, slots=True)
class ConsortiumContents:
    partners: tuple[str, ...]  # "name (city)", by slug
    vacancies: tuple[tuple[str, ...], ...]  # every vacancy's values as text
    profiles: tuple[ProfileContent, ...]
    share_of_phrases_on_a_concept: float  # of the profiles' competency phrases
