"""MkDocs hook: the glossary's abbreviations as tooltips on every page.

The glossary page of each language (``docs/<lang>/appendix/glossary.md``) is
the source: each row of its table whose English term ends with an
abbreviation in parentheses, "long short-term memory (LSTM)", defines that
abbreviation. This hook appends the definitions, in the Markdown syntax of the
``abbr`` extension (``*[LSTM]: ...``), to every page of the same language, as
``pymdownx.snippets``' ``auto_append`` would append a file, but per language
and read from the glossary at each build, so there is no second list to keep
in step. Material shows them as tooltips (``content.tooltips``).
"""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROW = re.compile(
    r"^\|\s*(?P<english>[^|]+?)\s*\|\s*(?P<chinese>[^|]+?)\s*\|\s*$"
)
# An abbreviation: capitals (LSTM, BPTT) or letters around a digit (seq2seq).
ABBREVIATION = re.compile(
    r"^(?P<term>.+?) \((?P<abbr>[A-Z]{2,}|[a-z]+\d[a-z]+)\)$"
)


def glossary_path(language):
    return DOCS / language / "appendix" / "glossary.md"


def abbreviations(language):
    """``{abbreviation: tooltip}`` from the glossary page of ``language``.

    The zh tooltip is the Chinese term with the English in parentheses
    (长短期记忆网络（long short-term memory）); the en tooltip, the English
    term and the Chinese one (long short-term memory (长短期记忆网络)).
    """
    path = glossary_path(language)
    if not path.is_file():
        raise ValueError(f"language {language!r}: no glossary at {path}")
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = ROW.match(line)
        if not row:
            continue
        match = ABBREVIATION.match(row["english"])
        if not match:
            continue
        abbr, english = match["abbr"], match["term"]
        # "长短期记忆网络，LSTM": the abbreviation itself is not its explanation
        chinese = re.sub(rf"[，,]\s*{re.escape(abbr)}$", "", row["chinese"])
        found[abbr] = (
            f"{chinese}（{english}）"
            if language == "zh"
            else f"{english} ({chinese})"
        )
    return found


def definitions(language):
    """The Markdown lines that define the abbreviations of ``language``."""
    return "\n".join(
        f"*[{abbr}]: {title}" for abbr, title in abbreviations(language).items()
    )


def on_page_markdown(markdown, page, config, files):
    language = getattr(page.file, "locale", None)
    if language is None or not glossary_path(language).is_file():
        return markdown
    return f"{markdown}\n\n{definitions(language)}\n"
