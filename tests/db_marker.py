"""pytest plugin: marks every test that uses PostgreSQL with ``db``.

A test uses PostgreSQL when the ``server_dsn`` fixture is among its fixtures (every
database fixture of ``tests/conftest.py`` builds on it). ``.ci/run`` runs those tests a
second time against the CI's own server::

    TEST_DATABASE_URL=postgresql://… python -m pytest -p tests.db_marker -m db
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: the test uses PostgreSQL (set by tests.db_marker)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "server_dsn" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
