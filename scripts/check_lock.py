"""Are the lock files in step with pyproject.toml?

    python scripts/check_lock.py          # exit 1, naming each mismatch, when they are not

requirements.lock must pin every dependency of [project], requirements-dev.lock those
and every one of the [dev] extra, at a version the dependency's specifier accepts; and
neither may pin, as asked for by pyproject.toml, a package that pyproject.toml no longer
asks for. A mismatch means someone changed the dependencies without running scripts/lock.

The extras of a dependency (``uvicorn[standard]``) are not followed: relock after
changing those too.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
# uv's annotation for a package that pyproject.toml itself asks for.
FROM_PYPROJECT = re.compile(r"#\s+(via\s+)?tussendeur \(pyproject\.toml\)")
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(;(?P<marker>[^\\]*))?"
)


@dataclass(frozen=True)
class Pin:
    version: Version
    marker: Marker | None
    from_pyproject: bool

    def applies_here(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(text: str) -> dict[str, list[Pin]]:
    """Each package's pins (a universal lock may pin one package twice, per marker)."""
    entries: list[tuple[str, str, str | None, list[str]]] = []
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            entries.append((match["name"], match["version"], match["marker"], []))
        elif entries and line.startswith(" "):
            entries[-1][3].append(line)
    pins: dict[str, list[Pin]] = {}
    for name, version, marker, block in entries:
        pins.setdefault(canonicalize_name(name), []).append(
            Pin(
                version=Version(version),
                marker=Marker(marker.strip()) if marker and marker.strip() else None,
                from_pyproject=any(FROM_PYPROJECT.search(line) for line in block),
            )
        )
    return pins


def mismatches(requirements: Iterable[Requirement], lock_name: str, lock_text: str) -> list[str]:
    """What is wrong between these requirements and this lock; empty when in step."""
    pins = read_lock(lock_text)
    problems: list[str] = []
    wanted: set[str] = set()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        wanted.add(name)
        locked = pins.get(name)
        if not locked:
            problems.append(
                f"{lock_name} has no {requirement.name} (pyproject.toml: {requirement})"
            )
            continue
        for pin in locked:
            if not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(
                    f"{lock_name} pins {requirement.name}=={pin.version}, "
                    f"but pyproject.toml asks for {requirement}"
                )
        needed_here = requirement.marker is None or requirement.marker.evaluate()
        if needed_here and not any(pin.applies_here() for pin in locked):
            problems.append(
                f"{lock_name} pins {requirement.name} only under markers that exclude this "
                f"platform, but pyproject.toml asks for {requirement}"
            )
    for pinned, locked in sorted(pins.items()):
        if pinned not in wanted and any(pin.from_pyproject for pin in locked):
            problems.append(f"{lock_name} still pins {pinned} for pyproject.toml, which dropped it")
    return problems


def check(root: Path = ROOT) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [Requirement(text) for text in project.get("dependencies", [])]
    dev = [Requirement(text) for text in project.get("optional-dependencies", {}).get("dev", [])]
    problems: list[str] = []
    for lock_name, requirements in ((RUNTIME_LOCK, runtime), (DEV_LOCK, runtime + dev)):
        path = root / lock_name
        if not path.exists():
            problems.append(f"{lock_name} is missing")
            continue
        problems += mismatches(requirements, lock_name, path.read_text(encoding="utf-8"))
    return problems


def main() -> int:
    problems = check()
    if not problems:
        print("the lock files are in step with pyproject.toml")
        return 0
    print("the lock files are out of step with pyproject.toml:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print("run scripts/lock (needs uv: pip install uv) and commit both lock files", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
