"""Every POST the portal answers reads its form through ``checked_form`` (the CSRF token
and the Origin check), directly or through a helper that does: a new form cannot forget
it. The page tests then show the refusal on real forms (``test_hr_access.py``,
``test_admin_pages.py``, ``test_consent_pages.py``, ``test_my_data.py``)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import portal
from portal.router import PAGE_MODULES

PORTAL = Path(portal.__file__).parent
GUARD = "checked_form"


def _calls_by_function() -> dict[str, set[str]]:
    calls: dict[str, set[str]] = {}
    for source in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                called = calls.setdefault(node.name, set())
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call):
                        target = inner.func
                        name = target.attr if isinstance(target, ast.Attribute) else None
                        if isinstance(target, ast.Name):
                            name = target.id
                        if name:
                            called.add(name)
    return calls


def _guarded(calls: dict[str, set[str]]) -> set[str]:
    guarded = {GUARD}
    while True:
        more = {name for name, called in calls.items() if called & guarded} - guarded
        if not more:
            return guarded
        guarded |= more


def test_every_portal_post_checks_the_forms_token() -> None:
    guarded = _guarded(_calls_by_function())
    posts = [
        (name, route.path, route.endpoint.__name__)
        for name in PAGE_MODULES
        for route in importlib.import_module(name).router.routes
        if "POST" in getattr(route, "methods", ())
    ]
    assert len(posts) >= 30  # the portal's forms: candidates', recruiters', admins'
    unguarded = [(module, path) for module, path, endpoint in posts if endpoint not in guarded]
    assert unguarded == []
