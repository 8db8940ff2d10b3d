"""SQL lives in ``repository.py`` modules only (and the migrations, which are .sql files).

Every .py file of the service (not tests/, bench/ or examples/) is parsed; a call of a query method
of a connection (``fetch``, ``execute``, the ``copy_…`` ones, ``cursor``, …) or a string that reads
as SQL, anywhere but in a ``repository.py`` or a file of the allowlist below, fails the
test with its file and line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {
    "tests",
    "bench",
    "examples",
    "migrations",
    ".venv",
    "build",
    "dist",
    "node_modules",
}

QUERY_METHODS = {
    *("fetch", "fetchrow", "fetchval", "execute", "executemany", "cursor", "prepare"),
    *("copy_from_query", "copy_from_table", "copy_to_table", "copy_records_to_table"),
}
SQL_TEXT = re.compile(
    r"""^\s*(
        select\b.*\bfrom\b           # select … from
      | select\s+[\w.]+\s*\(         # select some_function(…)
      | select\b.*\$\d               # select $1::…
      | insert\s+into\b
      | update\s+\w+\s+set\b
      | delete\s+from\b
      | with\s+(recursive\s+)?\w+\s+as\s*\(
    )""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)

# The database plumbing of the ground floor: allowed to run SQL for good.
ALLOWED = {
    "infra/db.py": "the pool and apply_scope (set_config of the caller's scope per transaction)",
    "infra/migrate.py": "the migrator: the migration ledger, the app role and its grants, "
    "creating the database itself",
}


def _allowed(relative: str) -> bool:
    return Path(relative).name == "repository.py" or relative in ALLOWED


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
        ):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def sql_violations(source: str) -> list[tuple[int, str]]:
    """(line, what) for each query call or SQL text in ``source``, in line order."""
    return sorted(_violations(source))


def _violations(source: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in QUERY_METHODS:
                yield node.lineno, f"query call .{name}()"
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            text = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values
            )
            if SQL_TEXT.match(text):
                yield node.lineno, "SQL f-string"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and SQL_TEXT.match(node.value)
        ):
            yield node.lineno, "SQL string"


def source_files() -> Iterator[tuple[str, Path]]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        yield relative.as_posix(), path


def test_no_sql_outside_repositories() -> None:
    found = [
        f"{relative}:{line}: {what}"
        for relative, path in source_files()
        if not _allowed(relative)
        for line, what in sql_violations(path.read_text("utf-8"))
    ]
    assert not found, "SQL outside repository.py (move it into one):\n" + "\n".join(found)


def test_allowlisted_files_exist_and_still_need_it() -> None:
    for relative in ALLOWED:
        target = ROOT / relative
        assert target.exists(), f"{relative} is allowlisted but gone: drop the entry"
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        sources = (f.read_text("utf-8") for f in files if f.name != "repository.py")
        assert any(any(sql_violations(s)) for s in sources), (
            f"{relative} runs no SQL any more: drop it from the allowlist"
        )


def test_the_check_sees_sql_calls_and_text() -> None:
    source = '''
"""Select the rows from the table (a docstring, not SQL)."""
async def f(conn, cols):
    await conn.fetch("select id from profile where id = $1", 1)
    await conn.execute(f"update profile set {cols} = 1")
    rows = conn.cursor(QUERY)
    await conn.copy_records_to_table("t", records=[])
    text = """
        with recent as (select 1) select * from recent"""
    lock = "select pg_try_advisory_xact_lock($1)"
    words = "Update the page, select a partner, delete nothing, with care."
'''
    assert [line for line, _ in sql_violations(source)] == [4, 4, 5, 5, 6, 7, 8, 10]


# ---------------------------------------------------------------- repositories return values

# A repository's own helper, called only by other repositories that turn its rows into values.
RECORD_RETURNS_ALLOWED = {
    "infra/repository.py": "fetch_keyset_page: the shared keyset query, converted by its callers",
}


def _mentions_record(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _mentions_record(ast.parse(annotation.value, mode="eval").body)
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id in {"Record", "asyncpg"}:
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Record":
            return True
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _mentions_record(ast.parse(node.value, mode="eval").body)
        ):
            return True
    return False


def record_returns(source: str) -> list[tuple[int, str]]:
    """Public module-level functions whose return annotation names ``asyncpg.Record``."""
    return [
        (node.lineno, node.name)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and node.returns is not None
        and _mentions_record(node.returns)
    ]


def test_repositories_return_values_not_records() -> None:
    found = [
        f"{relative}:{line}: {name}"
        for relative, path in source_files()
        if path.name == "repository.py" and relative not in RECORD_RETURNS_ALLOWED
        for line, name in record_returns(path.read_text("utf-8"))
    ]
    assert not found, (
        "a repository hands out asyncpg.Record (return a dataclass or an enum instead):\n"
        + "\n".join(found)
    )
    for relative in RECORD_RETURNS_ALLOWED:
        assert record_returns((ROOT / relative).read_text("utf-8")), (
            f"{relative} returns no Record any more: drop it from RECORD_RETURNS_ALLOWED"
        )


def test_the_record_check_sees_records_only_in_public_returns() -> None:
    source = """
import asyncpg
from asyncpg import Record
async def one(conn) -> asyncpg.Record | None: ...
async def many(conn) -> list[asyncpg.Record]: ...
def bare(conn) -> Record: ...
async def quoted(conn) -> "list[asyncpg.Record]": ...
async def page(conn) -> tuple[list["asyncpg.Record"], bool]: ...
def _private(row: asyncpg.Record) -> asyncpg.Record: ...
def value(row: asyncpg.Record) -> ConsentRecord: ...
async def audit(conn) -> list[AuditRecord]: ...
async def untyped(conn): ...
"""
    assert [name for _, name in record_returns(source)] == ["one", "many", "bare", "quoted", "page"]
