"""The mail that tells a person about a new introduction request, in Dutch and English.

Rendered here in both languages; the database picks the person's language and the
address when it queues the mail, so the requesting partner's transaction never holds
the address (see migration 0006). The link's token travels as ``?token=`` so the outbox
redacts it once the mail is sent.
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


def _one_line(subject: str, limit: int = 200) -> str:
    """A mail subject is one line of at most 200 characters (as infra.mail requires)."""
    flat = " ".join(subject.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
    body_nl = f"""Hallo,

{partner_name} heeft via Tussendeur je profiel gezien en wil graag met je kennismaken
voor de vacature "{vacancy_title}".
{message_nl}
Bekijk wat de vacature biedt en laat weten of je wilt kennismaken:

{answer_link(public_url, token, "nl")}

Alleen als je ja zegt, krijgt {partner_name} je naam, e-mailadres en telefoonnummer.
Zeg je nee of reageer je niet vóór {_date_nl(expires)}, dan blijven je gegevens
afgeschermd. De link werkt één keer.

Met vriendelijke groet,
Tussendeur
"""
    body_en = f"""Hello,

{partner_name} saw your profile on Tussendeur and would like to meet you for the
vacancy "{vacancy_title}".
{message_en}
See what the vacancy offers and tell us whether you would like to meet:

{answer_link(public_url, token, "en")}

Only if you say yes will {partner_name} receive your name, email address and phone
number. If you say no, or do not answer before {_date_en(expires)}, your details stay
hidden. The link works once.

Kind regards,
Tussendeur
"""
    return Notice(
        subject_nl=_one_line(f"{partner_name} wil met je kennismaken: {vacancy_title}"),
        body_nl=body_nl,
        subject_en=_one_line(f"{partner_name} would like to meet you: {vacancy_title}"),
        body_en=body_en,
    )
