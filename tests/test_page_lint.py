"""The code readers copy passes the project's linter, page by page.

Each page's runnable blocks, includes expanded, are joined in page order
(what a reader pastes) and checked with ``ruff check`` under the project's
rules, less those that do not fit a page read top to bottom.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pages.markup import page_units
from tests.pages.plugin import expand_includes

ROOT = Path(__file__).resolve().parents[1]
# zh pages hold the same code (tests/test_parity.py): lint one language.
PAGES = sorted((ROOT / "docs" / "en").rglob("*.md"))
PAGE_RULES = [
    "--extend-ignore",
    ",".join(
        [
            "E402",  # imports sit where a name is first needed
            "F811",  # a page imports a name again where it first uses it,
            # so that a reader who skipped a listing still has it
            "I001",  # a listing joins sections of a module: blank lines
            # between them are not what isort counts
        ]
    ),
]


def joined_code(page):
    """The page's code as one file, and the page line of each of its lines."""
    lines, origin = [], []
    for unit in page_units(page.read_text(encoding="utf-8"), expand_includes):
        if unit.index < 0:
            continue
        for offset, line in enumerate(unit.code.splitlines()):
            lines.append(line)
            origin.append(unit.block.line + 1 + offset)
        lines.append("_ = None  # block boundary: keeps import groups apart")
        origin.append(unit.block.line)
    return "\n".join(lines) + "\n", origin


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_passes_ruff(page):
    code, origin = joined_code(page)
    if not code.strip():
        return
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--output-format",
            "json",
            "--stdin-filename",
            "page.py",
            *PAGE_RULES,
            "-",
        ],
        input=code,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode in (0, 1), result.stderr
    problems = [
        f"{page.relative_to(ROOT)}:{origin[d['location']['row'] - 1]} "
        f"{d['code']} {d['message']}"
        for d in json.loads(result.stdout or "[]")
    ]
    assert not problems, "ruff on the page's code:\n" + "\n".join(problems)
