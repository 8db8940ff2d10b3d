"""Languages of the portal: which language a visitor gets.

The catalogs and the formatting of dates, times and money are the project's one
mechanism in :mod:`infra.i18n`, shared with the mail (:mod:`exchange.mail_text`).
"""

from __future__ import annotations

from infra.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES, Formatter, translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LOCALES",
    "Formatter",
    "negotiate",
    "translations",
]

LANGUAGE_COOKIE = "td_lang"


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
