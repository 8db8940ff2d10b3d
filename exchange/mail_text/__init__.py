"""Every mail's text: Jinja2 templates, translated through the project's gettext catalogs.

``templates/<name>.txt`` defines two blocks, ``subject`` and ``body``. Its messages are
English, wrapped in ``_()``/``ngettext()``, and translated through the same catalogs as
the portal (:mod:`infra.i18n`; Dutch is the default). Dates and times go through the
filters ``date``, ``datetime`` and ``time`` (``babel.dates``, Europe/Amsterdam), so a
template receives moments, never preformatted strings.

A mail about a person carries no name, email or phone of that person: the greeting is
generic, so a printed or logged mail says nothing about who it was for beyond its address.
Links with one-time tokens put the token in ``?token=``, which the outbox redacts once
the mail is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from infra.i18n import LANGUAGES, Formatter, language_or_default, translations

__all__ = [
    "CONSENT_PATH",
    "LANGUAGES",
    "RENEW_PATH",
    "TEMPLATES",
    "RenderedMail",
    "link",
    "one_line",
    "render",
    "template_names",
]

TEMPLATES = Path(__file__).parent / "templates"
CONSENT_PATH = "/portal/consent"
RENEW_PATH = "/portal/renew"
MAX_SUBJECT = 200  # infra.mail accepts one line of at most this many characters


@dataclass(frozen=True, slots=True)
class RenderedMail:
    template: str
    language: str
    subject: str
    body: str


@lru_cache(maxsize=len(LANGUAGES))
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # noqa: S701 - plain-text mail, never HTML
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    formatter = Formatter(language)
    env.filters.update(date=formatter.date, datetime=formatter.datetime, time=formatter.time)
    return env


def template_names() -> list[str]:
    return sorted(path.stem for path in TEMPLATES.glob("*.txt"))


def render(template: str, language: str, **values: Any) -> RenderedMail:
    """The mail ``template`` in ``language`` (Dutch for a language we do not have)."""
    lang = language_or_default(language)
    compiled = _environment(lang).get_template(f"{template}.txt")
    context = compiled.new_context(values)
    subject = "".join(compiled.blocks["subject"](context))
    body = "".join(compiled.blocks["body"](context)).strip("\n") + "\n"
    return RenderedMail(template, lang, one_line(subject), body)


def one_line(subject: str, limit: int = MAX_SUBJECT) -> str:
    """A subject on one line of at most ``limit`` characters (names and titles vary)."""
    flat = " ".join(subject.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def link(public_url: str, path: str, token: str, language: str) -> str:
    """A one-time link into the portal, opening in the mail's language."""
    url = f"{public_url.rstrip('/')}{path}?token={quote(token, safe='')}"
    return url + ("&lang=en" if language == "en" else "")
