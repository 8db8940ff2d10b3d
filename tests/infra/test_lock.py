"""The lock files (scripts/lock) stay in step with pyproject.toml (scripts/check_lock.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def check_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


def project_copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    for name in ("requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_committed_locks_are_in_step() -> None:
    assert check_lock().check(ROOT) == []


def test_a_dependency_added_without_relocking_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path, ('"rapidfuzz>=3.9",', '"rapidfuzz>=3.9", "no-such-dist>=1.0",'))
    problems = check_lock().check(root)
    assert len(problems) == 2
    assert all("has no no-such-dist" in problem for problem in problems)


def test_a_dev_dependency_added_without_relocking_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path, ('"pytest>=8.2",', '"pytest>=8.2", "no-such-tool",'))
    assert check_lock().check(root) == [
        "requirements-dev.lock has no no-such-tool (pyproject.toml: no-such-tool)"
    ]


def test_a_raised_floor_above_the_pin_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path, ('"rapidfuzz>=3.9"', '"rapidfuzz>=999"'))
    problems = check_lock().check(root)
    assert len(problems) == 2
    assert all("pins rapidfuzz==" in p and "rapidfuzz>=999" in p for p in problems)


def test_a_dropped_dependency_still_pinned_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path, ('    "faker>=25.0",\n', ""))
    problems = check_lock().check(root)
    assert problems == [
        "requirements.lock still pins faker for pyproject.toml, which dropped it",
        "requirements-dev.lock still pins faker for pyproject.toml, which dropped it",
    ]


def test_a_missing_lock_is_named(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    (root / "requirements-dev.lock").unlink()
    assert check_lock().check(root) == ["requirements-dev.lock is missing"]
