"""MkDocs hook: the title of every recipe listing links to the API reference.

A listing embedded with ```` ```python title="lstm_recipes/stacked.py" ````
shows the file name above the code; this hook turns that name into a link to
the module's entry in the API reference of the page's language
(``appendix/api.md``, generated from the docstrings by mkdocstrings), so a
reader goes from the code a chapter shows to everything the module offers.
"""

import re

from mkdocs.utils import get_relative_url

TITLE = re.compile(
    r'(<span class="filename">)(lstm_recipes/(?P<module>[\w/]+)\.py)(</span>)'
)
API_PAGE = "appendix/api/"


def on_page_content(html, page, config, files):
    if 'class="filename">lstm_recipes/' not in html:
        return html
    language = getattr(page.file, "locale", None)
    i18n = config.plugins.get("i18n")
    prefix = (
        ""
        if i18n is None or language == i18n.default_language
        else f"{language}/"
    )
    api = get_relative_url(prefix + API_PAGE, page.url)

    def link(match):
        module = "lstm_recipes." + match["module"].replace("/", ".")
        return f'{match[1]}<a href="{api}#{module}" title="API">{match[2]}</a>{match[4]}'

    return TITLE.sub(link, html)
