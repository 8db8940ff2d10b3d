"""Why ``tussendeur demo`` may refuse: its own errors, shown by the CLI as one line."""

from __future__ import annotations

from infra.errors import TussendeurError


class DemoError(TussendeurError):
    """The demo cannot do what was asked; the message says what to do instead."""

    code = "DEMO"
