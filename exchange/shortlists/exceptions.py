"""The refusals of shortlist use cases."""

from __future__ import annotations

from infra.errors import NotFound


class ShortlistProfileNotFound(NotFound):
    default_field = "profileId"
    default_message = "no profile with this id is visible to you"
