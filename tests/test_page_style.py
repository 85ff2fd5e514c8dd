"""Page code fits the page: no horizontal scrolling in code listings."""

from pathlib import Path

import pytest

from tests.pages import expand_includes, read_blocks

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
