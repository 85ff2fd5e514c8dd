"""zh and en are one book: same pages, same headings, same code, in the same order."""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.pages.markup import page_units, read_blocks

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("zh", "en")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
ANCHOR = re.compile(r"\{#([\w-]+)\}\s*$")


def pages(language):
    base = ROOT / "docs" / language
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*.md"))


def notebooks(language):
    return sorted(
        p.name for p in (ROOT / "examples" / language).glob("*.ipynb")
    )


def test_every_page_exists_in_both_languages():
    assert pages("zh") == pages("en")
    assert pages("zh")


def test_every_notebook_exists_in_both_languages():
    assert notebooks("zh") == notebooks("en")
    assert notebooks("zh")


def headings(text):
    """(level, anchor) of every Markdown heading outside fenced blocks."""
    for block in reversed(
        read_blocks(text)
    ):  # blank out code so '# comments' are not headings
        text = (
            text[: block.start]
            + "\n" * text.count("\n", block.start, block.end)
            + text[block.end :]
        )
    found = []
    for line in text.splitlines():
        match = HEADING.match(line)
        if match:
            anchor = ANCHOR.search(match[2])
            found.append((len(match[1]), anchor[1] if anchor else None, line))
    return found


@pytest.mark.parametrize("page", pages("zh"))
def test_same_headings_with_explicit_shared_anchors(page):
    """Explicit {#id}s keep links and the language switch stable across languages."""
    zh = headings((ROOT / "docs/zh" / page).read_text(encoding="utf-8"))
    en = headings((ROOT / "docs/en" / page).read_text(encoding="utf-8"))
    missing = [line for _, anchor, line in zh + en if anchor is None]
    assert not missing, f"headings without an explicit {{#id}}: {missing}"
    assert [h[:2] for h in zh] == [h[:2] for h in en]


@pytest.mark.parametrize("page", pages("zh"))
def test_same_code_blocks_in_the_same_order(page):
    """Python and invisible blocks, directives and includes: identical, in
    order. Output blocks too, character for character: both pages show what
    one run of the code printed (``python -m tests.pages --update`` writes
    both), so a reader who switches language sees the same numbers.
    """

    def read(language):
        text = (ROOT / "docs" / language / page).read_text(encoding="utf-8")
        blocks = [
            (b.kind, b.info, None if b.kind == "output" else b.text)
            for b in read_blocks(text)
            if b.kind != "other"
        ]
        return blocks, page_units(text)

    (zh_blocks, zh_units), (en_blocks, en_units) = read("zh"), read("en")
    assert zh_blocks == en_blocks
    for zh, en in zip(zh_units, en_units):
        if zh.output is not None:
            assert zh.output.text == en.output.text, (
                f"output at line {zh.output.line} (zh) differs from line "
                f"{en.output.line} (en): refresh both with python -m "
                f"tests.pages --update docs/zh/{page} docs/en/{page}"
            )


def notebook_outline(language, name):
    notebook = nbformat.read(ROOT / "examples" / language / name, as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cells.append(("code", cell.source))
        else:
            levels = tuple(
                (len(m[1]), re.match(r"[\d.]*", m[2])[0])
                for m in map(HEADING.match, cell.source.splitlines())
                if m
            )
            cells.append((cell.cell_type, levels))
    return cells


@pytest.mark.parametrize("name", notebooks("zh"))
def test_notebooks_have_the_same_cells_and_code(name):
    """Same cell types, same heading levels and numbers, identical code cells."""
    assert notebook_outline("zh", name) == notebook_outline("en", name)


def _nav_files(items):
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from _nav_files(
                    value if isinstance(value, list) else [value]
                )


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, keeping its !ENV and !relative tags as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_every_page_and_notebook_is_in_the_nav():
    config = yaml.load(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader
    )
    in_nav = set(_nav_files(config["nav"]))
    expected = set(pages("zh")) | {
        f"examples/{name}" for name in notebooks("zh")
    }
    assert expected == in_nav
