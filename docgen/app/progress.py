"""Progress on stderr for long work: live on a terminal, plain lines in a log.

On a terminal a spinner names the stage being worked on and a bar counts steps. Without
one (CI, cron, a pipe to a log) each stage is one line, and a count one line every
LOG_EVERY steps, so a log shows where a long run is (or where it stopped).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import click

# Without a terminal, a counted task prints a line every this many steps (and at its end).
LOG_EVERY = 100

Announce = Callable[[str], None]


def _on_terminal() -> bool:
    return sys.stderr.isatty()


def _log_line(text: str) -> None:
    click.echo(text, err=True)


@contextlib.contextmanager
def status(message: str):
    """A spinner with `message` while the block runs; silent when not a terminal (a short
    command: its result is the line it prints)."""
    if not _on_terminal():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


@dataclass(frozen=True)
class Stages:
    """How a long command tells where it is: `announce(stage)`, and `count(...)` for a
    stage of many steps (shown at every step on a terminal, every LOG_EVERY in a log)."""

    announce: Announce
    every: int = LOG_EVERY

    def count(self, description: str, total: int) -> Callable[[], None]:
        done = 0

        def advance() -> None:
            nonlocal done
            done += 1
            if done % self.every == 0 or done == total:
                self.announce(f"{description}: {done}/{total}")
        return advance


QUIET = Stages(lambda stage: None)


@contextlib.contextmanager
def stages(command: str) -> Iterator[Stages]:
    """The stages of `command`: the spinner's text on a terminal, else one line
    "<command>: <stage>" each on stderr."""
    if not _on_terminal():
        yield Stages(lambda stage: _log_line(f"{command}: {stage}"))
        return
    from rich.console import Console

    with Console(stderr=True).status(command) as spinner:
        yield Stages(lambda stage: spinner.update(f"{command}: {stage}"), every=1)


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A bar counting `total` steps; yields the function that advances it by one.

    Without a terminal: a line "<description>: <done>/<total>" every LOG_EVERY steps and
    at the last one.
    """
    if not _on_terminal():
        yield Stages(_log_line).count(description, total)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)
