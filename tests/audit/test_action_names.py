"""Audit actions are written through the constants of ``exchange.audit.actions`` only."""

from __future__ import annotations

import ast
from pathlib import Path

from exchange.audit.actions import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("infra", "consent", "exchange", "schema", "portal", "entrypoints", "demo", "bench")
CATALOGUE_FILE = ROOT / "exchange" / "audit" / "actions.py"


def test_no_module_spells_an_audit_action_as_a_literal() -> None:
    names = set(CATALOGUE)
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == CATALOGUE_FILE:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                    continue
                hits = [n for n in names if n == node.value or f"'{n}'" in node.value]
                found += [f"{path.relative_to(ROOT)}:{node.lineno}: {h}" for h in hits]
    assert found == [], "use the constants of exchange.audit.actions:\n" + "\n".join(found)
