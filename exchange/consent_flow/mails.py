"""The consent flow's mail: Jinja2 text templates in Dutch and English, links with one-time tokens.

Each template's first line is ``Subject: ...``. Mail carries no name, email or phone of
the person in its body: the greeting is generic, so a printed or logged mail says
nothing about who it was for beyond its address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

LANGUAGES = ("nl", "en")
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
CONSENT_PATH = "/portal/consent"
RENEW_PATH = "/portal/renew"
TIME_ZONE = ZoneInfo("Europe/Amsterdam")

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "mail"),
    autoescape=False,  # noqa: S701 - plain-text mail, never HTML
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=False,
)


@dataclass(frozen=True, slots=True)
class RenderedMail:
    template: str
    language: str
    subject: str
    body: str


def render(template: str, language: str, **values: Any) -> RenderedMail:
    lang = language if language in LANGUAGES else "nl"
    text = _ENV.get_template(f"{template}.{lang}.txt").render(**values)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"mail template {template}.{lang} must start with a Subject line")
    return RenderedMail(template, lang, first.removeprefix("Subject: ").strip(), body.lstrip("\n"))


def link(public_url: str, path: str, token: str, language: str) -> str:
    url = f"{public_url.rstrip('/')}{path}?token={quote(token, safe='')}"
    return url + ("&lang=en" if language == "en" else "")


def long_date(moment: dt.datetime | dt.date, language: str) -> str:
    day = moment.astimezone(TIME_ZONE).date() if isinstance(moment, dt.datetime) else moment
    return format_date(day, format="long", locale=LOCALES.get(language, "nl_NL"))
