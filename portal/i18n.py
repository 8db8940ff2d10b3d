"""Languages of the portal: gettext catalogs (Babel), negotiation, and locale formatting."""

from __future__ import annotations

import datetime as dt
import gettext
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
TIME_ZONE = ZoneInfo("Europe/Amsterdam")
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "td_lang"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalog for ``language``, compiled from its ``.po`` file in memory (no stale ``.mo``)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins, then the remembered choice, then the browser's list, then Dutch."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    for tag in (accept_language or "").replace(" ", "").split(","):
        code = tag.split(";")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


class Formatter:
    """Dates, times and money in the page's locale."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(TIME_ZONE).date()
        return format_date(value, format="long", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=TIME_ZONE, locale=self.locale)

    def money(self, cents: int | None) -> str:
        if cents is None:
            return ""
        return format_currency(Decimal(cents) / 100, "EUR", locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)
