"""Run a page's blocks once, for both languages.

The zh and en versions of a page hold byte-identical code (the parity test
says so), so their code runs once: a ``PageRun`` per pair executes each
runnable unit the first time either page asks for it and keeps what it
printed, the figures it drew and how long it took; the other page reuses the
result. The pytest plugin and the ``--update`` command line both go through
``PageRun.execute``.

A run is a fresh "interpreter": its own namespace (shared by the two pages, so
that skip conditions see the page's names), its own temporary working
directory, a fresh Keras session, matplotlib without a screen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import linecache
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")

os.environ.setdefault("MPLBACKEND", "Agg")  # pages draw without a screen


def page_language(path):
    """``"zh"`` or ``"en"`` for a page of the book, else ``None``."""
    path = Path(path).resolve()
    if path.is_relative_to(DOCS):
        first = path.relative_to(DOCS).parts[0]
        if first in LANGUAGES:
            return first
    return None


def pair_key(path):
    """What the zh and en versions of a page share: ``models/stacked.md``.

    A file outside ``docs/<language>/`` is a pair of its own.
    """
    path = Path(path).resolve()
    language = page_language(path)
    if language is None:
        return str(path)
    return path.relative_to(DOCS / language).as_posix()


def display_path(path):
    path = Path(path).resolve()
    return (
        str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    )


@dataclasses.dataclass
class Result:
    """What one execution of a unit left behind."""

    code: str
    filename: str  # page:line of the block that ran
    printed: str = ""
    error: BaseException | None = None
    traceback: str = ""
    drawn: dict = dataclasses.field(default_factory=dict)  # name -> Path
    seconds: float = 0.0


class PageRun:
    """One execution of a page's code, shared by its zh and en versions."""

    def __init__(self, key):
        self.key = key
        self.namespace = {"__name__": "__main__"}
        self.results = {}  # unit index -> Result
        self.seconds = 0.0
        self.workdir = None
        self.closed = False

    def enter(self):
        """Make this run's working directory the current one (first: create it)."""
        if self.closed:
            raise RuntimeError(f"the run of {self.key} was closed")
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="page-"))
            if "keras" in sys.modules:
                sys.modules["keras"].backend.clear_session()
        os.chdir(self.workdir)

    def execute(self, unit, filename):
        """Run ``unit`` (a ``markup.Unit``) unless it already ran; return its
        ``Result`` and whether this call ran it."""
        if unit.index in self.results:
            return self.results[unit.index], False
        self.enter()
        result = Result(unit.code, filename)
        linecache.cache[filename] = (
            len(unit.code),
            None,
            unit.code.splitlines(True),
            filename,
        )
        printed = io.StringIO()
        started, wall = time.perf_counter(), time.time()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(unit.code, filename, "exec"), self.namespace)  # noqa: S102
        except BaseException as error:  # noqa: BLE001 - reported per page
            result.error = error
            result.traceback = "".join(
                traceback.format_exception(error)[1:]  # drop our own frame
            )
        result.seconds = time.perf_counter() - started
        result.printed = printed.getvalue()
        for name in unit.figures:
            path = self.workdir / name
            if path.is_file() and path.stat().st_mtime >= wall - 1:
                result.drawn[name] = path
        self.seconds += result.seconds
        self.results[unit.index] = result
        return result, True

    def close(self):
        """Free what the page's code made: files, figures, the namespace."""
        if self.closed:
            return
        self.closed = True
        self.namespace.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


class Runs:
    """The runs of this process. Only one is open at a time: starting another
    page closes the last one (pages of a pair run one after the other)."""

    def __init__(self):
        self.runs = {}
        self.active = None
        self.home = os.getcwd()

    def get(self, key):
        if key not in self.runs or self.runs[key].closed:
            self.runs[key] = PageRun(key)
        return self.runs[key]

    def activate(self, run):
        if self.active is not None and self.active is not run:
            self.active.close()
        self.active = run

    def suspend(self):
        """Leave the active run's directory (between pages)."""
        os.chdir(self.home)

    def close_all(self):
        self.suspend()
        for run in self.runs.values():
            run.close()
        self.runs.clear()
        self.active = None


RUNS = Runs()
