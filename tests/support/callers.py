"""The ``Caller`` of each role for test data, built with ``infra.caller``'s named constructors."""

from __future__ import annotations

import uuid

from exchange.partners.models import Consortium, Partner
from exchange.profiles.models import Profile
from infra.caller import Caller


def partner_caller(partner: Partner, *, scopes: frozenset[str] | None = None) -> Caller:
    """The partner's systems: an API client of ``partner`` (every partner scope by default)."""
    return Caller.api_client(
        partner.consortium_id, f"client-{partner.slug}", partner_id=partner.id, scopes=scopes
    )


def admin_caller(consortium: Consortium) -> Caller:
    """A consortium admin staff member (a new user id each call)."""
    return Caller.admin(consortium.id, uuid.uuid4())


def candidate_caller(profile: Profile) -> Caller:
    """The person behind ``profile``."""
    return Caller.person(profile.consortium_id, profile.person_id)
