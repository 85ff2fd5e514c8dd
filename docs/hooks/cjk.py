"""MkDocs hook: join Chinese lines that the Markdown source wraps.

Browsers render a line break inside a paragraph as a space, which is right
between English words and wrong between Chinese characters ("一个 时间步").
Authors wrap zh pages at any width; this hook removes a line break (and the
indentation after it) when the characters on both sides are CJK characters or
CJK punctuation. Fenced code and HTML comments are left alone. Source files do
not change; tests run on the source.
"""

import re

# CJK characters and punctuation, plus the curly quotes, em dash and ellipsis
# that Chinese text shares with English (“…”, ——, ……).
CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026"
JOIN = re.compile(rf"(?<=[{CJK}])\n[ \t]*(?=[{CJK}])")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def join_cjk_lines(markdown):
    """Remove line breaks between two CJK characters, outside code fences and comments."""
    out, prose = [], []
    fence = None
    in_comment = False

    def flush():
        if prose:
            out.append(JOIN.sub("", "".join(prose)))
            prose.clear()

    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence is None and not in_comment and opening:
            flush()
            fence = opening[1]
            out.append(line)
        elif fence is not None:
            out.append(line)
            closing = FENCE.match(line)
            if (
                closing
                and closing[1][0] == fence[0]
                and len(closing[1]) >= len(fence)
            ):
                fence = None
        elif in_comment:
            out.append(line)
            in_comment = "-->" not in line
        elif line.lstrip().startswith("<!--"):
            flush()
            out.append(line)
            in_comment = "-->" not in line
        else:
            prose.append(line)
    flush()
    return "".join(out)


def on_page_markdown(markdown, page, config, files):
    if getattr(page.file, "locale", None) == "zh":
        return join_cjk_lines(markdown)
    return markdown
