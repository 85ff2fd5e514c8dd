"""MkDocs hook: join Chinese lines that the Markdown source wraps.

Browsers render a line break inside a paragraph as a space, which is right
between English words and wrong between Chinese characters ("一个 时间步").
Authors wrap zh pages (and zh notebooks' Markdown cells) at any width; this
hook removes a line break, with the indentation after it, when the visible
characters on both sides are CJK characters or CJK punctuation, looking
through any inline tags between them (a link, bold text: "见\n[第 4 章](...)").
It works on the rendered HTML of each zh page, notebooks included; code
(``<pre>``, ``<code>``) and scripts are left alone. Source files do not change.
"""

import re

# CJK characters and punctuation, plus the curly quotes, em dash and ellipsis
# that Chinese text shares with English (“…”, ——, ……).
CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026"
TAGS = r"(?:<[^<>]+>)*"  # inline tags between the break and a character
JOIN = re.compile(rf"(?<=[{CJK}])({TAGS})\n[ \t]*({TAGS})(?=[{CJK}])")
VERBATIM = re.compile(
    r"(<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>)", re.S
)


def join_cjk_lines(html):
    """Remove line breaks between two CJK characters, outside code and scripts."""
    parts = VERBATIM.split(html)  # odd items are the verbatim parts
    return "".join(
        part if i % 2 else JOIN.sub(r"\1\2", part)
        for i, part in enumerate(parts)
    )


def on_page_content(html, page, config, files):
    if getattr(page.file, "locale", None) == "zh":
        return join_cjk_lines(html)
    return html
