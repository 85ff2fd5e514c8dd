"""Run every Python block of every page as a test (a pytest plugin built on Sybil).

Loaded by ``-p tests.pages`` (see ``pyproject.toml``). For each Markdown page
under ``docs/``, in page order, in one namespace per page:

* a ```` ```python ```` block runs, after its ``--8<--`` includes are expanded
  by pymdownx.snippets with the options in ``mkdocs.yml`` (the site's own code
  path, so a missing file or section fails here as it fails the build);
* an ```` ```output ```` block right after it is compared with what the block
  printed: text exactly (whitespace ignored), numbers exactly unless an
  ``<!-- output: rtol=... atol=... -->`` comment before the output block
  loosens them, or ``<!-- output: numbers=any -->`` frees them (timings);
* ``<!-- invisible-code-block: python ... -->`` runs like a block, unseen;
* ``<!-- skip: next if(CONDITION, reason="...") -->`` skips the next block when
  CONDITION (evaluated in the page namespace) is true;
* a figure ``![...](figures/NAME)`` must be drawn by the Python block before
  it: that block must write the file ``NAME`` in its working directory
  (``--update`` copies it to ``figures/NAME`` beside the page).

Anything that would silently not run fails instead: a Python block spelled
other than ```` ```python ```` (``py``, ``python3``, ``pycon``, ...), an
unconditional skip (or one whose condition names nothing, such as
``if(True)``), an output block with no Python block before it, an unknown
option. Once a block fails, the later blocks of that page fail as "not run".

Every page runs in a fresh temporary working directory, with a fresh Keras
session and matplotlib's non-interactive backend, as in a new interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import io
import linecache
import math
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sybil import Region, Sybil

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault(
    "MPLBACKEND", "Agg"
)  # pages draw figures without a screen
DOCS = ROOT / "docs"

# Info strings that mean Python to a reader (and to Pygments) but are not ours.
PYTHON_ALIASES = {
    "py",
    "py3",
    "python3",
    "pycon",
    "ipython",
    "ipython3",
    "pyi",
    "pytb",
}
OUTPUT_OPTIONS = {"rtol", "atol", "numbers"}

FENCE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$"
)
COMMENT_OPEN = re.compile(r"^[ \t]*<!--")
SKIP = re.compile(
    r"^skip:\s*next\s+if\((?P<condition>.+?)(?:,\s*reason=(?P<reason>.+))?\)\s*$",
    re.S,
)


@dataclasses.dataclass
class Block:
    """One fenced block or directive comment of a page."""

    kind: str  # python | invisible | output | other | output-options | skip | error
    info: str  # fence info string, or the directive text
    text: str  # body, dedented
    start: int  # character offsets in the page
    end: int
    line: int  # 1-based line of the opening fence/comment


@dataclasses.dataclass
class Example:
    """A Python block with what applies to it."""

    block: Block
    code: str  # with includes expanded
    output: Block | None = None
    output_options: dict = dataclasses.field(default_factory=dict)
    skip: tuple[str, str] | None = None  # (condition, reason)
    error: str | None = None  # set when the block must fail without running
    figures: list = dataclasses.field(
        default_factory=list
    )  # file names it draws


# --------------------------------------------------------------------------- lexing


def _dedent(lines, indent):
    width = len(indent)
    return [
        line[width:] if line[:width].strip() == "" else line.lstrip()
        for line in lines
    ]


def read_blocks(text):
    """Split a Markdown page into its fenced blocks and directive comments.

    Fences nested inside a longer fence (e.g. a ```` ````markdown ```` example)
    are part of that fence's body, not blocks of their own.
    """
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\n")
        fence = FENCE_OPEN.match(line)
        if fence and not (fence["fence"][0] == "`" and "`" in fence["info"]):
            char, size = fence["fence"][0], len(fence["fence"])
            close = re.compile(rf"^[ \t]*{re.escape(char)}{{{size},}}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j].rstrip("\n")):
                j += 1
            body = _dedent(
                [raw.rstrip("\n") for raw in lines[i + 1 : j]], fence["indent"]
            )
            info = fence["info"]
            blocks.append(
                Block(
                    _fence_kind(info),
                    info,
                    "\n".join(body) + "\n" if body else "",
                    offsets[i],
                    offsets[min(j + 1, len(lines))],
                    i + 1,
                )
            )
            i = j + 1
            continue
        if COMMENT_OPEN.match(line):
            j = i
            while j < len(lines) and "-->" not in lines[j]:
                j += 1
            raw = "".join(lines[i : j + 1])
            content = raw.strip()[4:].rsplit("-->", 1)[0]
            block = _comment_block(
                content, offsets[i], offsets[min(j + 1, len(lines))], i + 1
            )
            if block:
                blocks.append(block)
            i = j + 1
            continue
        i += 1
    return blocks


def _fence_kind(info):
    language = re.match(r"[{\s.]*([\w+-]*)", info)[1].lower()
    if language in PYTHON_ALIASES or (
        language == "python" and info.lstrip().startswith("{")
    ):
        return "error"
    if language == "python":
        return "python"  # options such as title="..." are fine: the block still runs
    if language == "output":
        return "output" if info.strip() == "output" else "error"
    return "other"


def _comment_block(content, start, end, line):
    head, _, rest = content.partition("\n")
    directive = head.strip()
    if directive.startswith("invisible-code-block:"):
        language = directive.split(":", 1)[1].strip()
        kind = "invisible" if language == "python" else "error"
        body = rest.splitlines()
        indent = min(
            (len(x) - len(x.lstrip()) for x in body if x.strip()), default=0
        )
        text = "\n".join(x[indent:] for x in body).strip("\n") + "\n"
        return Block(kind, directive, text, start, end, line)
    if directive.startswith("skip:"):
        return Block("skip", content.strip(), "", start, end, line)
    if directive.startswith("output:"):
        return Block("output-options", content.strip(), "", start, end, line)
    return None


def parse_output_options(directive):
    """``"output: rtol=0.5 atol=1e-6"`` -> ``{"rtol": 0.5, "atol": 1e-6}``."""
    options = {}
    for item in directive.split(":", 1)[1].split():
        key, sep, value = item.partition("=")
        if not sep or key not in OUTPUT_OPTIONS:
            raise ValueError(
                f"unknown output option {item!r}; use rtol=, atol= or numbers=any"
            )
        if key == "numbers":
            if value != "any":
                raise ValueError(f"numbers= takes only 'any', got {value!r}")
            options[key] = value
        else:
            options[key] = float(value)
    return options


ORPHAN_OUTPUT = "an ```output block must follow a ```python block that has no output block yet"
BAD_SKIP = (
    "unconditional or malformed skip {info!r}: every block must run; write "
    '<!-- skip: next if(CONDITION, reason="...") --> for a real condition'
)
BAD_INFO = (
    "the info string {info!r} would not be run as a test: write ```python for Python "
    "code (or ```output, with no options, for its printed output)"
)
DANGLING = (
    "a skip or output directive at the end of the page applies to no block"
)
ORPHAN_FIGURE = (
    "the figure {name!r} comes before any Python block: a figure must be "
    "drawn by the block before it"
)
FIGURE = re.compile(r"!\[[^\]]*\]\(figures/(?P<name>[^)\s]+)")


def figure_references(text, blocks=None):
    """``[(offset, name)]`` of the figures ``![...](figures/name)`` in the prose."""
    blocks = read_blocks(text) if blocks is None else blocks
    spans = [(b.start, b.end) for b in blocks]
    return [
        (m.start(), m["name"])
        for m in FIGURE.finditer(text)
        if not any(start <= m.start() < end for start, end in spans)
    ]


def _is_constant(condition):
    """True if a skip condition names nothing (``True``, ``1``): unconditional."""
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:
        return True
    return not any(isinstance(node, ast.Name) for node in ast.walk(tree))


def page_examples(text, expand=lambda code: code):
    """Pair every Python block of a page with its output block and directives.

    Returns one ``Example`` per Python block, plus one failing ``Example`` per
    block or directive that would otherwise be silently ignored.
    """
    examples = []
    pending_skip = pending_options = None
    blocks = read_blocks(text)
    figures = figure_references(text, blocks)

    def fail(block, message):
        examples.append(Example(block, "", error=message))

    for block in blocks:
        while figures and figures[0][0] < block.start:
            _attach_figure(examples, text, *figures.pop(0))
        if block.kind in ("python", "invisible"):
            example = Example(block, block.text, skip=pending_skip)
            pending_skip = None
            try:
                example.code = expand(block.text)
            except (
                Exception
            ) as error:  # a missing include fails this block, not collection
                example.error = f"include could not be expanded: {error}"
            examples.append(example)
        elif block.kind == "output":
            target = examples[-1] if examples else None
            if (
                target is None
                or target.block.kind != "python"
                or target.output is not None
            ):
                fail(block, ORPHAN_OUTPUT)
                continue
            target.output = block
            if pending_options is not None:
                try:
                    target.output_options = parse_output_options(
                        pending_options.info
                    )
                except ValueError as error:
                    target.error = str(error)
                pending_options = None
        elif block.kind == "skip":
            match = SKIP.match(block.info)
            if not match or _is_constant(match["condition"]):
                fail(block, BAD_SKIP.format(info=block.info))
                continue
            reason = (match["reason"] or "condition true").strip().strip("\"'")
            pending_skip = (match["condition"], reason)
        elif block.kind == "output-options":
            pending_options = block
        elif block.kind == "error":
            fail(block, BAD_INFO.format(info=block.info))
    while figures:
        _attach_figure(examples, text, *figures.pop(0))
    if pending_skip is not None or pending_options is not None:
        fail(
            Block("error", "", "", len(text), len(text), text.count("\n") + 1),
            DANGLING,
        )
    return examples


def _attach_figure(examples, text, offset, name):
    """Give a figure to the last Python block before it (or fail)."""
    runnable = [e for e in examples if e.block.kind == "python"]
    if runnable:
        runnable[-1].figures.append(name)
        return
    line = text.count("\n", 0, offset) + 1
    block = Block("error", "", "", offset, offset, line)
    examples.append(Example(block, "", error=ORPHAN_FIGURE.format(name=name)))


# --------------------------------------------------------------------------- includes


@functools.cache
def _snippet_preprocessor():
    import markdown
    from mkdocs.config import load_config

    with contextlib.redirect_stderr(io.StringIO()):
        config = load_config(str(ROOT / "mkdocs.yml"))
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


# --------------------------------------------------------------------------- output


NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|\bnan\b|\binf\b"
)


def output_tokens(text):
    """Words and numbers of a printed text, whitespace ignored."""
    tokens, position = [], 0
    for match in NUMBER.finditer(text):
        tokens.extend(text[position : match.start()].split())
        tokens.append(float(match.group()))
        position = match.end()
    tokens.extend(text[position:].split())
    return tokens


def outputs_match(expected, actual, *, rtol=0.0, atol=0.0, numbers="exact"):
    """True if ``actual`` printed text matches ``expected``.

    ``...`` in ``expected`` matches any run of tokens.
    """
    want, got = output_tokens(expected), output_tokens(actual)

    def same(e, a):
        if isinstance(e, float) and isinstance(a, float):
            if numbers == "any" or (math.isnan(e) and math.isnan(a)):
                return True
            return abs(a - e) <= atol + rtol * abs(e)
        return e == a

    @functools.cache
    def match(i, j):
        if i == len(want):
            return j == len(got)
        if want[i] == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and same(want[i], got[j]) and match(i + 1, j + 1)

    return match(0, 0)


# --------------------------------------------------------------------------- sybil


def parse_page(document):
    """Sybil parser: one region per Python block (or per block that must fail)."""
    for example in page_examples(document.text, expand_includes):
        end = example.output.end if example.output else example.block.end
        yield Region(example.block.start, end, example, evaluate)


PAGE_SECONDS = {}  # page path -> seconds its blocks took to run, this session


def evaluate(sybil_example):
    __tracebackhide__ = True
    started = time.perf_counter()
    try:
        return _evaluate(sybil_example)
    finally:
        path = Path(sybil_example.path)
        if path.is_relative_to(DOCS):  # the book's pages, not test fixtures
            page = str(path.relative_to(ROOT))
            PAGE_SECONDS[page] = PAGE_SECONDS.get(page, 0.0) + (
                time.perf_counter() - started
            )


def _evaluate(sybil_example):
    __tracebackhide__ = True
    example: Example = sybil_example.parsed
    namespace = sybil_example.namespace
    state = namespace["__pages__"]
    if example.error:
        state["failed"] = state["failed"] or sybil_example.line
        return example.error
    if state["failed"]:
        return (
            f"not run: the block at line {state['failed']} of this page failed"
        )
    if example.skip:
        condition, reason = example.skip
        if eval(condition, namespace):  # noqa: S307 - page code, trusted like the page
            pytest.skip(reason)
    path = Path(sybil_example.path)
    if path.is_relative_to(ROOT):
        path = path.relative_to(ROOT)
    filename = f"{path}:{sybil_example.line}"
    linecache.cache[filename] = (
        len(example.code),
        None,
        example.code.splitlines(True),
        filename,
    )
    printed = io.StringIO()
    started = time.time()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(example.code, filename, "exec"), namespace)  # noqa: S102
    except BaseException:
        state["failed"] = sybil_example.line
        sys.stdout.write(printed.getvalue())
        raise
    missing = undrawn_figures(example, state["workdir"], started)
    if missing:
        state["failed"] = sybil_example.line
        return missing
    if example.output is not None:
        options = example.output_options
        if not outputs_match(
            example.output.text,
            printed.getvalue(),
            rtol=options.get("rtol", 0.0),
            atol=options.get("atol", 0.0),
            numbers=options.get("numbers", "exact"),
        ):
            state["failed"] = sybil_example.line
            return (
                f"printed output differs from the page's output block "
                f"(line {example.output.line}, options {options or 'exact'}).\n"
                f"--- page shows\n{example.output.text}--- code printed\n{printed.getvalue()}"
            )
    return None


def undrawn_figures(example, workdir, since):
    """An error message if the block did not write the figures the page shows."""
    missing = [
        name
        for name in example.figures
        if not (Path(workdir) / name).is_file()
        or (Path(workdir) / name).stat().st_mtime < since - 1
    ]
    if not missing:
        return None
    return (
        f"the page shows figures/{missing[0]} after this block, but the block "
        f"did not write {missing[0]!r} in its working directory "
        f"(e.g. save_figure(ax, {missing[0]!r})); not written: {missing}"
    )


def setup(namespace):
    """A fresh 'interpreter' per page: own namespace, working directory, Keras session."""
    namespace["__name__"] = "__main__"
    workdir = tempfile.mkdtemp(prefix="page-")
    namespace["__pages__"] = {
        "failed": None,
        "cwd": os.getcwd(),
        "workdir": workdir,
    }
    os.chdir(workdir)
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()


def teardown(namespace):
    state = namespace["__pages__"]
    os.chdir(state["cwd"])
    shutil.rmtree(state["workdir"], ignore_errors=True)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def pytest_terminal_summary(terminalreporter):
    """Print how long each page's code ran: the book promises about a minute."""
    if not PAGE_SECONDS:
        return
    terminalreporter.section("time per page (all its blocks)")
    for path, seconds in sorted(PAGE_SECONDS.items(), key=lambda i: -i[1]):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")


pytest_collect_file = Sybil(
    parsers=[parse_page],
    path=str(DOCS),
    patterns=["*.md"],
    setup=setup,
    teardown=teardown,
).pytest()


# --------------------------------------------------------------------------- command line


def run_page(path, *, save_figures=False):
    """Run a page's blocks in order; return [(example, printed text)].

    With ``save_figures``, copy the figures each block draws to
    ``figures/`` beside the page.
    """
    text = Path(path).read_text(encoding="utf-8")
    namespace = {}
    setup(namespace)
    workdir = Path(namespace["__pages__"]["workdir"])
    results = []
    try:
        for example in page_examples(text, expand_includes):
            if example.error:
                raise SystemExit(
                    f"{path}:{example.block.line}: {example.error}"
                )
            printed = io.StringIO()
            started = time.time()
            with contextlib.redirect_stdout(printed):
                exec(
                    compile(
                        example.code, f"{path}:{example.block.line}", "exec"
                    ),
                    namespace,
                )
            results.append((example, printed.getvalue()))
            sys.stdout.write(printed.getvalue())
            missing = undrawn_figures(example, workdir, started)
            if missing:
                raise SystemExit(f"{path}:{example.block.line}: {missing}")
            if save_figures and example.figures:
                target = Path(path).parent / "figures"
                target.mkdir(exist_ok=True)
                for name in example.figures:
                    shutil.copyfile(workdir / name, target / name)
                    print(f"   wrote {target / name}", file=sys.stderr)
    finally:
        teardown(namespace)
    return results


def _output_fence(original, printed):
    """Rewrite an ```output fence with new content, keeping its indentation and marker."""
    first = original.splitlines()[0]
    match = FENCE_OPEN.match(first)
    indent, fence = match["indent"], match["fence"]
    body = "".join(
        f"{indent}{line}".rstrip() + "\n"
        for line in printed.rstrip("\n").split("\n")
    )
    return f"{indent}{fence}output\n{body}{indent}{fence}\n"


def update_outputs(path):
    """Run a page; write what each block printed into its output block and
    the figures it drew into ``figures/`` beside the page."""
    results = run_page(path, save_figures=True)
    text = Path(path).read_text(encoding="utf-8")
    for example, printed in reversed(results):
        if example.output is not None:
            block = example.output
            text = (
                text[: block.start]
                + _output_fence(text[block.start : block.end], printed)
                + (text[block.end :])
            )
    Path(path).write_text(text, encoding="utf-8")


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.pages",
        description="Run pages' Python blocks as a reader would; optionally refresh their "
        "```output blocks with what the code prints and their figures with what it draws.",
    )
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite the output blocks and the figures",
    )
    args = parser.parse_args(argv)
    for page in args.pages:
        page = page.resolve()
        print(f"== {page.relative_to(ROOT)}", file=sys.stderr)
        update_outputs(page) if args.update else run_page(page)


if __name__ == "__main__":
    main()
