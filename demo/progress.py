"""How the demo reports its longer steps: a callback, and a rich progress bar behind it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

STEP_LABELS = {
    "reset": "Removing the earlier demo",
    "vacancies": "Posting vacancies",
    "profiles": "Sharing profiles",
    "consents": "Confirming consents",
}


class StepProgress(Protocol):
    def __call__(self, step: str, done: int, total: int) -> None: ...


def no_progress(step: str, done: int, total: int) -> None:
    """The default: report nothing (tests, library use)."""


@contextmanager
def progress_bar(console: Console) -> Iterator[StepProgress]:
    """One bar per step on ``console``, cleared when done; silent when it is no terminal
    (a pipe or a log file gets the report alone)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(STEP_LABELS.get(step, step), total=total)
            bar.update(tasks[step], completed=done)

        yield report
