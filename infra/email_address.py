"""The one check of an e-mail address, for every input that takes one and for the outbox.

An address is valid when ``email-validator`` (what pydantic's ``EmailStr`` uses) accepts
its syntax; nothing is looked up in DNS. Quoted local parts and domain literals are
refused, internationalised addresses (``jan@müller.nl``, ``o'brien@example.nl``) are not.

The normalised form, which is what gets stored, compared and mailed to, is the address
``email-validator`` calls ``normalized`` (domain lower-cased and in Unicode form, so
``jan@xn--mller-kva.nl`` becomes ``jan@müller.nl``; Unicode in NFC), then lower-cased as
a whole: the schema compares addresses with ``lower(email)`` (unique index, row-level
security, sign-in look-ups), so a stored address must equal its own ``lower()``.
:func:`smtp_address` gives the form an SMTP envelope needs (the domain in IDNA ASCII).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from infra.errors import UserError

INVALID_EMAIL = "INVALID_EMAIL"
MAX_LENGTH = 254


def normalize_email(value: str, *, field: str) -> str:
    """The normalised address, or :class:`UserError` naming ``field`` (code ``INVALID_EMAIL``)."""
    candidate = value.strip()
    if not candidate or len(candidate) > MAX_LENGTH:
        raise UserError.single(field, INVALID_EMAIL, "enter a valid email address")
    try:
        valid = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        message = f"enter a valid email address ({error})"
        raise UserError.single(field, INVALID_EMAIL, message) from error
    return valid.normalized.lower()


def smtp_address(address: str) -> str:
    """A normalised ``address`` with its domain in IDNA ASCII form (the local part as it
    is: a non-ASCII one needs a server that speaks SMTPUTF8)."""
    valid = validate_email(address, check_deliverability=False)
    return f"{valid.local_part}@{valid.ascii_domain}"
