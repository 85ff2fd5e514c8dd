"""What a page's Markdown means to the harness: runnable units and their directives.

Lexing is Sybil's: ``RawFencedCodeBlockLexer`` finds fenced blocks (with any
info string, inside admonitions or lists) and ``DirectiveInHTMLCommentLexer``
finds the ``<!-- invisible-code-block: python -->``, ``<!-- output: ... -->``
and ``<!-- skip: ... -->`` comments. This module turns those regions into
``Unit`` objects, one per runnable block, and refuses, as a ``Unit`` that must
fail, anything that would otherwise be silently ignored.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from sybil import Document, Region
from sybil.parsers.markdown.lexers import (
    DirectiveInHTMLCommentLexer,
    RawFencedCodeBlockLexer,
)

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
OUTPUT_OPTIONS = {"rtol", "atol", "numbers", "other_backends"}

FENCES = RawFencedCodeBlockLexer(
    info_pattern=re.compile(r"(?P<info>[^\n]*)\n"),
)
INVISIBLE = DirectiveInHTMLCommentLexer("invisible-code-block")
OUTPUT_DIRECTIVE = DirectiveInHTMLCommentLexer("output")
SKIP_DIRECTIVE = DirectiveInHTMLCommentLexer("skip")
SKIP = re.compile(
    r"^next\s+if\((?P<condition>.+?)(?:,\s*reason=(?P<reason>.+))?\)\s*$",
    re.S,
)
FIGURE = re.compile(r"!\[[^\]]*\]\(figures/(?P<name>[^)\s]+)")

ORPHAN_OUTPUT = (
    "an ```output block must follow a ```python block that has no output "
    "block yet"
)
BAD_SKIP = (
    "unconditional or malformed skip {info!r}: every block must run; write "
    '<!-- skip: next if(CONDITION, reason="...") --> for a real condition'
)
BAD_INFO = (
    "the info string {info!r} would not be run as a test: write ```python for "
    "Python code (or ```output, with no options, for its printed output)"
)
BAD_INVISIBLE = (
    "invisible-code-block: {info!r} would not be run: only "
    "<!-- invisible-code-block: python --> is"
)
DANGLING = (
    "a skip or output directive at the end of the page applies to no block"
)
ORPHAN_FIGURE = (
    "the figure {name!r} comes before any Python block: a figure must be "
    "drawn by the block before it"
)


@dataclasses.dataclass
class Block:
    """One fenced block or directive comment of a page."""

    kind: str  # python | invisible | output | other | output-options | skip | error
    info: str  # fence info string, or the directive's arguments
    text: str  # body, dedented
    start: int  # character offsets in the page
    end: int
    line: int  # 1-based line of the opening fence or comment


@dataclasses.dataclass
class Unit:
    """A runnable block (Python or invisible) with what applies to it, or a
    ``skip`` directive, or something that must fail (``error``)."""

    block: Block
    code: str  # with includes expanded
    output: Block | None = None
    output_options: dict = dataclasses.field(default_factory=dict)
    skip: tuple[str, str] | None = None  # a skip directive: Sybil's parsed form
    error: str | None = None  # set when the unit must fail without running
    figures: list = dataclasses.field(default_factory=list)  # names it draws
    index: int = -1  # position among the page's runnable units

    @property
    def end(self):
        return self.output.end if self.output else self.block.end


# --------------------------------------------------------------------------- lexing


def _line(text, offset):
    return text.count("\n", 0, offset) + 1


def _fence_kind(info):
    language = re.match(r"[{\s.]*([\w+-]*)", info)[1].lower()
    if language in PYTHON_ALIASES or (
        language == "python" and info.lstrip().startswith("{")
    ):
        return "error"
    if language == "python":
        return "python"  # options such as title="..." are fine: it still runs
    if language == "output":
        return "output" if info.strip() == "output" else "error"
    return "other"


def read_blocks(text):
    """The fenced blocks and directive comments of a page, in page order.

    Regions inside another region (a fence quoted in a ````markdown fence, a
    fence inside a comment) are part of that region's body, not blocks.
    """
    document = Document(text, "page.md")
    found = []
    for region in FENCES(document):
        info = region.lexemes["info"].strip()
        kind = _fence_kind(info)
        found.append((region, kind, info))
    for lexer, kind in (
        (INVISIBLE, "invisible"),
        (OUTPUT_DIRECTIVE, "output-options"),
        (SKIP_DIRECTIVE, "skip"),
    ):
        for region in lexer(document):
            arguments = (region.lexemes["arguments"] or "").strip()
            if kind == "invisible" and arguments != "python":
                kind_here = "error-invisible"
            else:
                kind_here = kind
            found.append((region, kind_here, arguments))
    found.sort(key=lambda item: item[0].start)
    blocks, covered_until = [], -1
    for region, kind, info in found:
        if region.start < covered_until:
            continue  # nested in the previous block
        end = region.end
        if kind in ("invisible", "output-options", "skip", "error-invisible"):
            end = text.index("-->", region.end) + 3  # include the closing -->
        if text[end : end + 1] == "\n":
            end += 1  # a block ends with its line
        source = region.lexemes["source"]
        body = str(source)
        if kind in ("output-options", "skip"):
            body = ""
        elif kind == "invisible" or kind == "error-invisible":
            body = body.strip("\n") + "\n"
        blocks.append(
            Block(
                kind, info, body, region.start, end, _line(text, region.start)
            )
        )
        covered_until = end
    return blocks


def figure_references(text, blocks=None):
    """``[(offset, name)]`` of the figures ``![...](figures/name)`` in the prose."""
    blocks = read_blocks(text) if blocks is None else blocks
    spans = [(b.start, b.end) for b in blocks]
    return [
        (m.start(), m["name"])
        for m in FIGURE.finditer(text)
        if not any(start <= m.start() < end for start, end in spans)
    ]


# --------------------------------------------------------------------------- units


def parse_output_options(arguments):
    """``"rtol=0.5 atol=1e-6"`` -> ``{"rtol": 0.5, "atol": 1e-6}``."""
    options = {}
    for item in arguments.split():
        key, sep, value = item.partition("=")
        if not sep or key not in OUTPUT_OPTIONS:
            raise ValueError(
                f"unknown output option {item!r}; use rtol=, atol=, "
                "numbers=any or other_backends=numbers|any"
            )
        if key == "numbers":
            if value != "any":
                raise ValueError(f"numbers= takes only 'any', got {value!r}")
            options[key] = value
        elif key == "other_backends":
            if value not in ("numbers", "any"):
                raise ValueError(
                    f"other_backends= takes 'numbers' or 'any', got {value!r}"
                )
            options[key] = value
        else:
            options[key] = float(value)
    return options


def parse_skip(arguments):
    """Check a skip directive's arguments; return them in the form Sybil's
    ``Skipper`` evaluates, ``("next", 'if(cond, reason="why")')``.

    Only ``next if(CONDITION, reason="...")`` with a condition that names
    something is accepted: an unconditional skip would report a block that
    never ran as passed.
    """
    match = SKIP.match(arguments)
    if not match or _is_constant(match["condition"]):
        raise ValueError(BAD_SKIP.format(info=f"skip: {arguments}"))
    return "next", arguments.split(None, 1)[1]


def _is_constant(condition):
    """True if a skip condition names nothing (``True``, ``1``): unconditional."""
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:
        return True
    return not any(isinstance(node, ast.Name) for node in ast.walk(tree))


def page_units(text, expand=lambda code: code):
    """Pair every runnable block of a page with its output block and directives.

    Returns one ``Unit`` per Python or invisible block (``index`` counts them),
    plus one failing ``Unit`` per block or directive that would otherwise be
    silently ignored.
    """
    units = []
    pending_skip = pending_options = None
    blocks = read_blocks(text)
    figures = figure_references(text, blocks)

    def fail(block, message):
        units.append(Unit(block, "", error=message))

    for block in blocks:
        while figures and figures[0][0] < block.start:
            _attach_figure(units, text, *figures.pop(0))
        if block.kind in ("python", "invisible"):
            unit = Unit(block, block.text)
            unit.index = sum(1 for u in units if u.index >= 0)
            pending_skip = None
            try:
                unit.code = expand(block.text)
            except Exception as error:  # fails this block, not collection
                unit.error = f"include could not be expanded: {error}"
            units.append(unit)
        elif block.kind == "output":
            target = units[-1] if units else None
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
            try:
                units.append(Unit(block, "", skip=parse_skip(block.info)))
                pending_skip = block
            except ValueError as error:
                fail(block, str(error))
        elif block.kind == "output-options":
            pending_options = block
        elif block.kind == "error":
            fail(block, BAD_INFO.format(info=block.info))
        elif block.kind == "error-invisible":
            fail(block, BAD_INVISIBLE.format(info=block.info))
    while figures:
        _attach_figure(units, text, *figures.pop(0))
    if pending_skip is not None:  # the skip unit itself must fail
        dangling = next(u for u in units if u.block is pending_skip)
        dangling.skip, dangling.error = None, DANGLING
    elif pending_options is not None:
        fail(pending_options, DANGLING)
    return units


def _attach_figure(units, text, offset, name):
    """Give a figure to the last Python block before it (or fail)."""
    runnable = [u for u in units if u.block.kind == "python"]
    if runnable:
        runnable[-1].figures.append(name)
        return
    block = Block("error", "", "", offset, offset, _line(text, offset))
    units.append(Unit(block, "", error=ORPHAN_FIGURE.format(name=name)))


def regions(document, expand, evaluator, skipper):
    """Sybil regions of a page: one per unit, spanning its output block.

    Skip directives are evaluated by Sybil's ``Skipper``; everything else by
    ``evaluator``.
    """
    for unit in page_units(document.text, expand):
        end = max(unit.end, unit.block.start + 1)
        if unit.skip:
            yield Region(unit.block.start, end, unit.skip, skipper)
        else:
            yield Region(unit.block.start, end, unit, evaluator)
