"""The refusals about consortia and partners, in the error tree of ``infra.errors``."""

from __future__ import annotations

from infra.errors import Conflict, NotFound


class PartnerNotFound(NotFound):
    """No partner with this id in the caller's consortium."""

    default_field = "partnerId"
    default_message = "partner not found"


class SlugTaken(Conflict):
    default_field = "slug"
    default_message = "this slug is taken"


class PartnerSuspended(Conflict):
    default_field = "partnerId"
    default_message = "the partner is suspended"


class PartnerNotSuspended(Conflict):
    default_field = "partnerId"
    default_message = "the partner is not suspended"
