"""MkDocs hook: render the pages' LaTeX as MathML when the site is built.

pymdownx.arithmatex (``generic: true``) finds ``$...$`` and ``$$...$$`` in the
Markdown, outside code, and wraps the LaTeX in ``<span class="arithmatex">``
or ``<div class="arithmatex">``. This hook converts each to MathML with
latex2mathml, which every current browser renders natively: no MathJax, no
JavaScript, nothing fetched from a CDN, so the site works offline.
"""

import html
import re

from latex2mathml.converter import convert

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.S)


def render_math(content):
    """Replace arithmatex's LaTeX wrappers in page HTML with MathML."""

    def block(match):
        latex = html.unescape(match[1]).strip()
        mathml = convert(latex, display="block")
        return f'<div class="math-block">{mathml}</div>'

    def inline(match):
        return convert(html.unescape(match[1]).strip())

    return INLINE.sub(inline, BLOCK.sub(block, content))


def on_page_content(html_content, page, **kwargs):
    if "arithmatex" not in html_content:
        return html_content
    return render_math(html_content)
