"""Languages for people: the gettext catalogs (Babel) and dates, times and money per locale.

One catalog per language (``infra/locale/<lang>/LC_MESSAGES/messages.po``) holds every
text people read: the portal's pages and every mail. The messages are English; Dutch is
the default language. ``python -m portal.catalogs`` keeps the catalogs in step with the
templates. Moments are shown in Europe/Amsterdam, whatever the server's zone.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
TIME_ZONE = ZoneInfo("Europe/Amsterdam")
LOCALE_DIR = Path(__file__).parent / "locale"


def language_or_default(language: str | None) -> str:
    return language if language is not None and language in LANGUAGES else DEFAULT_LANGUAGE


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalog for ``language``, compiled from its ``.po`` file in memory (no stale ``.mo``)."""
    path = catalog_path(language)
    if language not in LOCALES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class Formatter:
    """Dates, times and money in one language's locale; moments in Europe/Amsterdam."""

    def __init__(self, language: str) -> None:
        self.language = language_or_default(language)
        self.locale = LOCALES[self.language]

    def date(self, value: dt.date | dt.datetime | None) -> str:
        """``29 maart 2026`` / ``29 March 2026`` (a moment: its day in Amsterdam)."""
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(TIME_ZONE).date()
        return format_date(value, format="long", locale=self.locale)

    def time(self, value: dt.datetime | None) -> str:
        """``00:30``: hours and minutes in Amsterdam."""
        if value is None:
            return ""
        return format_time(value, format="short", tzinfo=TIME_ZONE, locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        """``29 maart 2026, 00:30``: the long date and the time, in Amsterdam."""
        if value is None:
            return ""
        pattern = str(get_datetime_format("long", locale=self.locale))
        return pattern.replace("{1}", self.date(value)).replace("{0}", self.time(value))

    def money(self, cents: int | None) -> str:
        if cents is None:
            return ""
        return format_currency(Decimal(cents) / 100, "EUR", locale=self.locale)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)
