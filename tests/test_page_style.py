"""Page code reads well: it fits the page, and what the reader sees is all that runs."""

import ast
import re
from pathlib import Path

import pytest

from tests.pages.markup import figure_references, read_blocks
from tests.pages.plugin import expand_includes

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
WIDTH = 80  # what Material's content column shows without a scroll bar


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_shown_on_pages_fits_80_columns(page):
    too_wide = []
    for block in read_blocks(page.read_text(encoding="utf-8")):
        if block.kind != "python":
            continue
        for line in expand_includes(block.text).splitlines():
            if len(line) > WIDTH:
                too_wide.append(f"block at line {block.line}: {line!r}")
    assert not too_wide, f"lines over {WIDTH} columns:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_invisible_blocks_only_check(page):
    """A reader who pastes the visible blocks in order runs the same program.

    So invisible blocks may only assert; they must not define or change
    anything that a visible block uses.
    """
    offending = []
    for block in read_blocks(page.read_text(encoding="utf-8")):
        if block.kind != "invisible":
            continue
        statements = ast.parse(block.text).body
        if not statements or not all(
            isinstance(s, ast.Assert) for s in statements
        ):
            offending.append(f"line {block.line}: {block.text.strip()!r}")
    assert not offending, (
        "invisible blocks must hold only assert statements:\n"
        + "\n".join(offending)
    )


def test_every_committed_figure_is_shown_by_its_page():
    """Files in docs/**/figures/ are drawn by a page beside them; none is stale."""
    shown = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for _, name in figure_references(text):
            shown.add(page.parent / "figures" / name)
    committed = {p for p in (ROOT / "docs").rglob("figures/*") if p.is_file()}
    assert not (shown - committed), (
        "figures shown but not written (run python -m tests.pages --update "
        f"PAGE): {sorted(map(str, shown - committed))}"
    )
    assert not (committed - shown), (
        f"figures no page shows: {sorted(map(str, committed - shown))}"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_blank_line_follows_every_code_block(page):
    """Prose glued to a closing fence reads as part of the listing in the source."""
    text = page.read_text(encoding="utf-8")
    glued = []
    for block in read_blocks(text):
        if block.kind in ("skip", "output-options", "invisible"):
            continue
        rest = text[block.end :].split("\n", 1)[0]
        if rest.strip():
            line = text.count("\n", 0, block.end) + 1
            glued.append(f"line {line}: {rest[:40]!r}")
    assert not glued, "add a blank line after the block:\n" + "\n".join(glued)


SECTION = re.compile(r"^\s*# --8<-- \[start:(?P<name>[\w-]+)\]", re.M)
INCLUDE = re.compile(
    r'--8<-- "(?P<file>lstm_recipes/[\w/]+\.py)(?::(?P<name>[\w-]+))?"'
)


def test_every_recipe_section_is_embedded_by_a_page():
    """A section marked for the book that no page shows is dead weight."""
    embedded = set()
    for page in PAGES:
        for match in INCLUDE.finditer(page.read_text(encoding="utf-8")):
            embedded.add((match["file"], match["name"]))
    orphans = []
    for module in sorted((ROOT / "lstm_recipes").rglob("*.py")):
        file = module.relative_to(ROOT).as_posix()
        if (file, None) in embedded:
            continue  # the whole file is shown
        for match in SECTION.finditer(module.read_text(encoding="utf-8")):
            if (file, match["name"]) not in embedded:
                orphans.append(f"{file}:{match['name']}")
    assert not orphans, (
        "sections no page embeds (embed them, or remove the markers): "
        + ", ".join(orphans)
    )
