"""Single sign-on for staff: a verified address from the consortium's OpenID Connect
provider opens a portal session for the staff user it names.

The rule (README, ``TUSSENDEUR_OIDC_*``): the provider vouches for an address only with
``email_verified: true``; the address must belong to an active staff user of the one
consortium the settings name (addresses are unique per consortium), whose partner is
active. Nothing else matches — not the subject (``sub``), not a name, not another
consortium's account with the same address — and no account is ever created: an
unknown address is told so, and an administrator adds the person as staff first.
The OIDC protocol itself (discovery, PKCE, state, nonce, the ID token's signature,
issuer, audience and expiry) is authlib's, in :mod:`portal.pages.staff_sso`.
"""

from __future__ import annotations

from enum import StrEnum

from exchange.identity import repository
from exchange.identity.service import (
    AuditRecorder,
    OpenedSession,
    sign_in_to_portal,
    standing_caller,
)
from infra.db import Database
from infra.email_address import normalize_email
from infra.errors import UserError
from infra.scope import AccessScope


class SsoRefusal(StrEnum):
    UNVERIFIED = "UNVERIFIED"  # no address, or the provider does not vouch for it
    UNKNOWN = "UNKNOWN"  # no active staff user of the consortium has this address


async def open_sso_session(
    database: Database,
    *,
    consortium_slug: str,
    email: object,
    email_verified: object,
    minutes: int,
    audit: AuditRecorder,
) -> OpenedSession | SsoRefusal:
    """The session of the staff user the provider's verified ``email`` names, or why not.
    One transaction: the look-up (system scope: it is by exact address within one
    consortium, as the emailed link's is), then the session and ``auth.signed_in`` under
    the staff user's own scope."""
    if email_verified is not True or not isinstance(email, str) or not email:
        return SsoRefusal.UNVERIFIED
    try:
        address = normalize_email(email, field="email")
    except UserError:
        return SsoRefusal.UNVERIFIED
    async with database.transaction(AccessScope.system()) as conn:
        staff = await repository.active_staff_user_by_email(
            conn, consortium_slug=consortium_slug, email=address
        )
        caller = None if staff is None else standing_caller(staff, staff.consortium_id)
        if caller is None or caller.user_id is None:
            return SsoRefusal.UNKNOWN
        return await sign_in_to_portal(conn, caller, method="oidc", minutes=minutes, audit=audit)
