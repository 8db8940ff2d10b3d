"""The mail that tells a person about a new introduction request, in Dutch and English.

Rendered here in both languages; the database picks the person's language and fills in
their name (``{{name}}``) when it queues the mail, so the requesting partner's
transaction never holds the address (see migration 0006).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

TEMPLATE = "introduction_request"
ANSWER_PATH = "/portal/introductions/answer"


@dataclass(frozen=True, slots=True)
class Notice:
    subject_nl: str
    body_nl: str
    subject_en: str
    body_en: str


def answer_link(public_url: str, token: str, language: str) -> str:
    """The one-time link to the answer page (the token travels in the fragment-free query)."""
    link = f"{public_url.rstrip('/')}{ANSWER_PATH}?token={quote(token, safe='')}"
    return link + ("&lang=en" if language == "en" else "")


_MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def _date_nl(day: dt.date) -> str:
    return f"{day.day} {_MONTHS_NL[day.month - 1]} {day.year}"


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date_en(day: dt.date) -> str:
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def render_request_notice(
    *,
    public_url: str,
    token: str,
    partner_name: str,
    vacancy_title: str,
    message: str | None,
    expires_at: dt.datetime,
) -> Notice:
    expires = expires_at.date()
    message_nl = f"\nBericht van {partner_name}:\n\n{message}\n" if message else ""
    message_en = f"\nMessage from {partner_name}:\n\n{message}\n" if message else ""
    body_nl = f"""Beste {{{{name}}}},

{partner_name} heeft via Tussendeur uw profiel gezien en wil graag met u kennismaken
voor de vacature "{vacancy_title}".
{message_nl}
Bekijk wat de vacature biedt en laat weten of u kennis wilt maken:

{answer_link(public_url, token, "nl")}

Alleen als u ja zegt, krijgt {partner_name} uw naam, e-mailadres en telefoonnummer.
Zegt u nee of reageert u niet vóór {_date_nl(expires)}, dan blijven uw gegevens
afgeschermd. De link werkt één keer.

Met vriendelijke groet,
Tussendeur
"""
    body_en = f"""Dear {{{{name}}}},

{partner_name} saw your profile on Tussendeur and would like to meet you for the
vacancy "{vacancy_title}".
{message_en}
See what the vacancy offers and tell us whether you would like to meet:

{answer_link(public_url, token, "en")}

Only if you say yes will {partner_name} receive your name, e-mail address and phone
number. If you say no, or do not answer before {_date_en(expires)}, your details stay
hidden. The link works once.

Kind regards,
Tussendeur
"""
    return Notice(
        subject_nl=f"{partner_name} wil kennismaken: {vacancy_title}",
        body_nl=body_nl,
        subject_en=f"{partner_name} would like to meet you: {vacancy_title}",
        body_en=body_en,
    )
