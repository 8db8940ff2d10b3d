"""The refusals of the person's consent and rights use cases, in the tree of ``infra.errors``."""

from __future__ import annotations

from infra.errors import Closed, Conflict, NotFound


class ProfileNotFound(NotFound):
    """The caller has no profile (never shared, refused or erased)."""

    default_field = "profile"
    default_message = "profile not found"


class PersonNotFound(NotFound):
    default_field = "person"
    default_message = "person not found"


class ReceiptNotFound(NotFound):
    default_field = "receiptId"
    default_message = "receipt not found"


class ConsentTextNotFound(NotFound):
    default_field = "text"
    default_message = "consent text not found"


class NotPending(Conflict):
    """The profile does not wait for the person's first answer (any more)."""

    default_field = "profile"
    default_message = "only a profile waiting for consent can be refused"


class NoConsentInForce(Closed):
    default_field = "profile"
    default_message = "there is no consent in force to withdraw"
