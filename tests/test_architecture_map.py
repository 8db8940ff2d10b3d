"""ARCHITECTURE.md's package table, the import-linter contracts and the code agree.

`lint-imports` enforces the contracts; this test keeps the map a reader trusts in step
with them: for every package, the "may import" column names exactly the packages the
contracts allow, and the real import graph stays inside it.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTHING_OF_OURS = "nothing of ours"


def _contracts() -> tuple[list[str], list[dict[str, object]]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return list(config["root_packages"]), list(config["contracts"])


def allowed_by_contracts() -> dict[str, set[str]]:
    """For each root package, the other root packages it may import directly."""
    roots, contracts = _contracts()
    allowed = {package: set(roots) - {package} for package in roots}
    for contract in contracts:
        if contract["type"] == "layers":
            layers = [
                [name.strip() for name in str(layer).split("|")]
                for layer in contract["layers"]  # type: ignore[attr-defined]
            ]
            for index, layer in enumerate(layers):
                above = {name for higher in layers[:index] for name in higher}
                for package in layer:
                    allowed[package] -= above | (set(layer) - {package})
        elif contract["type"] == "forbidden" and not contract.get("allow_indirect_imports"):
            forbidden = {str(m) for m in contract["forbidden_modules"]}  # type: ignore[attr-defined]
            for package in contract["source_modules"]:  # type: ignore[attr-defined]
                allowed[str(package)] -= forbidden
    return allowed


def allowed_by_map() -> dict[str, set[str]]:
    """The "may import" column of ARCHITECTURE.md's package table."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = re.match(r"\| `(\w+)/` \| .* \| (.*) \|$", line)
        if match and match.group(1) not in ("tests", "bench"):
            column = match.group(2)
            names = set(re.findall(r"`(\w+)`", column))
            if NOTHING_OF_OURS in column:
                assert not names, f"{match.group(1)}: 'nothing of ours' and names both"
            table[match.group(1)] = names
    return table


def test_the_map_names_every_package_once() -> None:
    roots, _ = _contracts()
    assert sorted(allowed_by_map()) == sorted(roots)


@pytest.mark.parametrize("package", sorted(_contracts()[0]))
def test_the_map_says_what_the_contracts_allow(package: str) -> None:
    assert allowed_by_map()[package] == allowed_by_contracts()[package]


def test_the_code_keeps_to_the_map() -> None:
    roots, contracts = _contracts()
    ignored = [str(i) for c in contracts for i in c.get("ignore_imports", [])]  # type: ignore[attr-defined]
    graph = grimp.build_graph(*roots)
    allowed = allowed_by_map()
    wrong = sorted(
        f"{importer} -> {imported}"
        for package in roots
        for importer in graph.find_descendants(package) | {package}
        for imported in graph.find_modules_directly_imported_by(importer)
        if (target := imported.split(".")[0]) != package
        and target not in allowed[package]
        and not any(fnmatch.fnmatch(f"{importer} -> {imported}", i) for i in ignored)
    )
    assert wrong == []
