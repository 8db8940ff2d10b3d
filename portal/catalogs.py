"""Keeping the gettext catalogs in step with the templates and code (a developer tool).

``python -m portal.catalogs`` extracts every message that ``babel.cfg`` names (the
portal's pages and code, and every mail template under ``exchange/mail_text``) and
rewrites the one catalog per language (``infra/locale``), keeping existing translations;
the test suite checks that Dutch has them all.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from infra.i18n import LANGUAGES, LOCALES, catalog_path

CONFIG = Path(__file__).parent / "babel.cfg"
ROOT = Path(__file__).parent.parent  # the paths in babel.cfg start here
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PROJECT = "tussendeur"


def extract() -> Catalog:
    with CONFIG.open(encoding="utf-8") as handle:
        methods, options = parse_mapping_cfg(handle, filename=str(CONFIG))  # type: ignore[no-untyped-call]
    catalog = Catalog(locale=None, project=PROJECT)
    for pattern, method in methods:
        folder, inner = _split(pattern)
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder,
            [(inner, method)],
            keywords=KEYWORDS,
            options_map={inner: options.get(pattern, {})},
        ):
            catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], context=context)
    return catalog


def _split(pattern: str) -> tuple[str, str]:
    """``portal/templates/**.html`` → (``portal/templates``, ``**.html``): the folder to
    walk, and the pattern inside it (so the walk never leaves the folders babel.cfg names)."""
    parts = pattern.split("/")
    fixed = next(i for i, part in enumerate(parts) if any(c in part for c in "*?["))
    return "/".join(parts[:fixed]), "/".join(parts[fixed:])


def load(language: str) -> Catalog:
    with catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=LOCALES[language])


def update() -> None:
    template = extract()
    for language in LANGUAGES:
        path = catalog_path(language)
        old = load(language) if path.exists() else Catalog(locale=LOCALES[language])
        new = Catalog(locale=LOCALES[language], project=PROJECT)
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
