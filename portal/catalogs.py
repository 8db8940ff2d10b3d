"""Keeping the gettext catalogs in step with the templates and code (a developer tool).

``python -m portal.catalogs`` extracts every message and rewrites the ``.po`` files,
keeping existing translations; the test suite checks that Dutch has them all.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from portal.i18n import LANGUAGES, LOCALE_DIR, LOCALES

ROOT = Path(__file__).parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extract() -> Catalog:
    catalog = Catalog(locale=None, project="tussendeur-portal")
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        catalog.add(message)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=LOCALES[language])


def update() -> None:
    template = extract()
    for language in LANGUAGES:
        path = po_path(language)
        old = load(language) if path.exists() else Catalog(locale=LOCALES[language])
        new = Catalog(locale=LOCALES[language], project="tussendeur-portal")
        for message in template:
            if not message.id:
                continue
            previous = old.get(message.id)
            empty: str | tuple[str, str] = ("", "") if message.pluralizable else ""
            new.add(message.id, previous.string if previous else empty)
        new.fuzzy = False
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, new, omit_header=False, sort_output=True, width=100)


if __name__ == "__main__":
    update()
