"""Consent receipts in the shape of the Kantara Initiative Consent Receipt v1.1."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from consent.models import ConsentEvent, ConsentRecord, Purpose

RECEIPT_VERSION = "KI-CR-v1.1.0"

_PURPOSE_TEXT = {
    Purpose.EXCHANGE_MATCHING: {
        "nl": "Je pseudonieme profiel tonen aan werkgevers in het samenwerkingsverband "
        "om je passende vacatures en kennismakingen voor te stellen.",
        "en": "Showing your pseudonymous profile to the partnership's employers to propose "
        "suitable vacancies and introductions.",
    }
}
_TERMINATION = {
    "nl": "Eindigt op {expires}, of eerder wanneer je de toestemming intrekt; daarna worden "
    "je gegevens na de bewaartermijn gewist.",
    "en": "Ends on {expires}, or earlier when you withdraw it; your data is then erased after "
    "the grace period.",
}
_PII_CATEGORIES = [
    "competencies and language levels",
    "postcode area and travel distance",
    "working hours, shifts and work mode",
    "ambitions, minimum pay and sector experience",
    "name, email and phone (only after an accepted introduction)",
]


@dataclass(frozen=True, slots=True)
class ReceiptParty:
    name: str
    email: str
    url: str
    address: str = "Nederland"
    phone: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptContext:
    jurisdiction: str
    policy_url: str
    consortium: ReceiptParty
    collecting_partner: ReceiptParty
    partner_names: Mapping[UUID, str]  # for scope lists and third-party disclosure
    pii_principal_id: str  # the person's pseudonym, never a name or address


def build_receipt(record: ConsentRecord, ctx: ReceiptContext) -> dict[str, Any]:
    """The receipt of one consent record, as a JSON-ready dict."""
    language = record.language if record.language in ("nl", "en") else "nl"
    expires = record.expires_at.date().isoformat() if record.expires_at else "-"
    scope = record.scope
    disclosed_to: list[str] = []
    if scope is not None and record.event not in (ConsentEvent.WITHDRAWN, ConsentEvent.REFUSED):
        disclosed_to = sorted(
            name
            for pid, name in ctx.partner_names.items()
            if pid != record.collected_by_partner_id and scope.admits(pid)
        )
    timestamp = record.granted_at or record.withdrawn_at or record.recorded_at
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": ctx.jurisdiction,
        "consentTimestamp": int(timestamp.timestamp()),
        "collectionMethod": _collection_method(record),
        "consentReceiptID": str(record.receipt_id),
        "publicKey": None,
        "language": language,
        "piiPrincipalId": ctx.pii_principal_id,
        "piiControllers": [
            _controller(ctx.consortium, on_behalf=False),
            _controller(ctx.collecting_partner, on_behalf=True),
        ],
        "policyUrl": ctx.policy_url,
        "services": [
            {
                "service": "Tussendeur talent exchange",
                "purposes": [
                    {
                        "purpose": _PURPOSE_TEXT[record.purpose][language],
                        "purposeCategory": ["Recruitment and job matching"],
                        "consentType": "EXPLICIT",
                        "piiCategory": list(_PII_CATEGORIES),
                        "primaryPurpose": True,
                        "termination": _TERMINATION[language].format(expires=expires),
                        "thirdPartyDisclosure": bool(disclosed_to),
                        "thirdPartyName": ", ".join(disclosed_to),
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "tussendeur": {
            "event": record.event.value,
            "purposeCode": record.purpose.value,
            "scope": (
                {"kind": scope.kind.value, "partners": [str(p) for p in scope.sorted_ids()]}
                if scope
                else None
            ),
            "grantedAt": _iso(record.granted_at),
            "expiresAt": _iso(record.expires_at),
            "withdrawnAt": _iso(record.withdrawn_at),
            "consentTextVersion": record.text_version,
            "consentTextSha256": record.text_sha256,
        },
    }


def _controller(party: ReceiptParty, *, on_behalf: bool) -> dict[str, Any]:
    return {
        "piiController": party.name,
        "onBehalf": on_behalf,
        "contact": party.name,
        "address": party.address,
        "email": party.email,
        "phone": party.phone,
        "piiControllerUrl": party.url,
    }


def _collection_method(record: ConsentRecord) -> str:
    return {
        "EMAIL_LINK": "web form behind a one-time link sent by email",
        "PORTAL": "web form, signed in",
        "API": "API call with the person's own token",
    }[record.collection_method.value]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
