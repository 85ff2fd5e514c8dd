"""The pytest plugin: every runnable block of every page is a test.

Loaded with ``-p tests.pages.plugin`` (see ``pyproject.toml``). Each page
under ``docs/`` is a Sybil document; each Python or invisible block is one
test, which

* runs the block through the pair's ``PageRun`` (once for zh and en),
* fails if the block raised, if it did not draw the figures shown after it,
  if a zh figure keeps English text that ``lstm_recipes.zh_labels`` does not
  translate, or if its printed output differs from the page's output block.

Once a block fails, the page's later blocks fail as "not run". Pages of a pair
are collected next to each other and, under pytest-xdist, sent to one worker
as one unit of work, so a page's code runs once, in order.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re

import pytest
from sybil import Document, Sybil
from sybil.evaluators.skip import Skipper
from sybil.integration.pytest import SybilItem

from tests.pages import markup
from tests.pages.compare import outputs_match, rule_for_backend
from tests.pages.runner import (
    DOCS,
    RUNS,
    display_path,
    page_language,
    pair_key,
)

BUDGET_SECONDS = 120  # a page's code should run in at most two minutes


# --------------------------------------------------------------------------- includes


@functools.cache
def _snippet_preprocessor():
    import markdown
    from mkdocs.config import load_config

    with contextlib.redirect_stderr(io.StringIO()):
        config = load_config(str(DOCS.parent / "mkdocs.yml"))
    options = config.mdx_configs.get("pymdownx.snippets")
    if options is None:
        raise RuntimeError("mkdocs.yml must enable pymdownx.snippets")
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": options},
    )
    return md.preprocessors["snippet"]


def expand_includes(code):
    """Expand ``--8<--`` includes exactly as the site does."""
    if "--8<--" not in code:
        return code
    return "\n".join(_snippet_preprocessor().run(code.splitlines())) + "\n"


# --------------------------------------------------------------------------- documents


class PageDocument(Document):
    """A page: its per-page state lives here, not in the namespace its code
    runs in. The namespace is the pair's (see ``runner.PageRun``)."""

    update = False  # True for ``--update``: record outputs, do not compare

    def __init__(self, text, path):
        super().__init__(text, path)
        self.key = pair_key(path)
        self.language = page_language(path)
        self.name = display_path(path)
        self.failed = None  # line of the first block that failed
        self.last_seconds = 0.0  # time the last block ran here

    @property
    def run(self):
        return RUNS.get(self.key)

    @property
    def namespace(self):
        return self.run.namespace

    @namespace.setter
    def namespace(self, value):  # Sybil sets {} in Document.__init__
        pass


def evaluate(example):
    """Sybil evaluator of one unit: None if it passed, else a message."""
    __tracebackhide__ = True
    document: PageDocument = example.document
    unit: markup.Unit = example.parsed
    document.last_seconds = 0.0
    if unit.error:
        document.failed = document.failed or example.line
        return unit.error
    if document.failed:
        return (
            f"not run: the block at line {document.failed} of this page failed"
        )
    run = document.run
    RUNS.activate(run)
    run.enter()
    result, fresh = run.execute(unit, f"{document.name}:{example.line}")
    if fresh:
        document.last_seconds = result.seconds
    message = check(document, unit, result)
    if message is None:
        return None
    document.failed = example.line
    if fresh and result.error is not None:
        import sys

        sys.stdout.write(result.printed)
        raise result.error
    return message


def check(document, unit, result):
    """What is wrong with ``result`` as the run of ``unit`` on ``document``."""
    if result.code != unit.code:
        return (
            f"this block's code differs from the block that ran for "
            f"{result.filename}; zh and en pages must hold identical code"
        )
    if result.error is not None:
        return f"the block raised (it ran for {result.filename}):\n{result.traceback}"
    missing = [name for name in unit.figures if name not in result.drawn]
    if missing:
        return (
            f"the page shows figures/{missing[0]} after this block, but the "
            f"block did not write {missing[0]!r} in its working directory "
            f"(e.g. save_figure(ax, {missing[0]!r})); not written: {missing}"
        )
    if document.language == "zh":
        from lstm_recipes.zh_labels import untranslated_text

        for name in unit.figures:
            if name.endswith(".svg"):
                left = untranslated_text(result.drawn[name].read_text("utf-8"))
                if left:
                    return (
                        f"figure {name} on a zh page keeps English text "
                        f"{left}: add it to LABELS in lstm_recipes/zh_labels.py"
                    )
    if unit.output is not None and not document.update:
        import keras

        backend = keras.backend.backend()
        options = rule_for_backend(unit.output_options, backend)
        if options is not None and not outputs_match(
            unit.output.text, result.printed, **options
        ):
            return (
                f"printed output differs from the page's output block "
                f"(line {unit.output.line}, {backend} backend, options "
                f"{options or 'exact'}).\n"
                f"--- page shows\n{unit.output.text}"
                f"--- code printed\n{result.printed}"
            )
    return None


SKIPPER = Skipper("skip")


def parse_page(document):
    """Sybil parser: a region per runnable block, skip or refused markup."""
    return markup.regions(document, expand_includes, evaluate, SKIPPER)


SYBIL = Sybil(
    parsers=[parse_page],
    path=str(DOCS),
    patterns=["*.md"],
    teardown=lambda namespace: RUNS.suspend(),
    document_types={".md": PageDocument},
)
pytest_collect_file = SYBIL.pytest()


# --------------------------------------------------------------------------- scheduling


def _page_of(item):
    if isinstance(item, SybilItem) and isinstance(
        item.example.document, PageDocument
    ):
        return item.example.document
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Put the zh and en versions of a page next to each other, each in page
    order, so that their shared run happens once and is then freed."""
    order = {}
    for position, item in enumerate(items):
        page = _page_of(item)
        if page is not None:
            first = order.setdefault(page.key, position)
            item._page_sort = (first, page.language or "", position)
    pages = sorted(
        (item for item in items if _page_of(item)), key=lambda i: i._page_sort
    )
    others = [item for item in items if not _page_of(item)]
    items[:] = pages + others


PAGE_ID = re.compile(r"^docs/(?:zh|en)/(?P<page>[^:]+\.md)::")


def work_unit(nodeid):
    """What pytest-xdist sends to one worker as a whole: both languages of a
    page, a test module (the site tests share one build), else the test."""
    page = PAGE_ID.match(nodeid)
    if page:
        return f"page:{page['page']}"
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``-n``: schedule by ``work_unit`` (xdist's ``loadgroup`` marks do
    not reach node ids under pytest 9.2, whose ``nodeid`` is read-only)."""
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return PageScheduling(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    page = _page_of(item)
    if page is not None and call.when == "call":
        outcome.get_result().user_properties.append(
            ("page-seconds", take_seconds(page))
        )


def take_seconds(page):
    """``(key, seconds)`` of the block that last ran on ``page``, read once:
    an example that never reaches ``evaluate`` (a skip directive) must not
    report the block before it again."""
    seconds, page.last_seconds = page.last_seconds, 0.0
    return page.key, seconds


def pytest_sessionfinish(session):
    RUNS.close_all()


PAGE_SECONDS = {}


def pytest_runtest_logreport(report):
    """Collect page times, also from xdist workers (they travel in reports)."""
    for name, value in report.user_properties:
        if name == "page-seconds":
            key, seconds = value
            PAGE_SECONDS[key] = PAGE_SECONDS.get(key, 0.0) + seconds


def pytest_terminal_summary(terminalreporter):
    """How long each page's code ran (once for both languages)."""
    if not PAGE_SECONDS:
        return
    terminalreporter.section("time per page (its code, run once for zh and en)")
    over = []
    for key, seconds in sorted(PAGE_SECONDS.items(), key=lambda i: -i[1]):
        flag = "  over budget" if seconds > BUDGET_SECONDS else ""
        if flag:
            over.append(key)
        terminalreporter.write_line(f"{seconds:7.1f} s  {key}{flag}")
    terminalreporter.write_line(
        f"{sum(PAGE_SECONDS.values()):7.1f} s  in all; "
        + (
            f"{len(over)} page(s) over the {BUDGET_SECONDS} s budget"
            if over
            else f"every page within the {BUDGET_SECONDS} s budget"
        )
    )
