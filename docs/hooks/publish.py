"""MkDocs hook: what a published site needs beyond its pages.

- **Repository links.** ``repo_url`` comes from the environment (``REPO_URL``;
  the deploy workflow sets it to its own repository). Set, pages get "edit
  this page" and "view source" (``edit_uri`` on branch ``main``, set here) and
  the preface's ``git clone <repository-url>`` gets the address; unset, there
  are no such buttons and the placeholder stays.
- **The PDF edition.** With ``LSTM_BOOK_PDF=true`` (``nox -s pdf``, the deploy
  workflow) the build also prints the book, one PDF per language, into
  ``pdf/`` of the site (``tools/pdf.py``, Chromium), after every language is
  built, and checks them; the preface's ``pdf-edition`` block links them. It
  checks for Chromium and a CJK font first, before the notebooks run. Without
  it, the block is left out: the site links no PDF it does not have.
- **404 pages in their language.** mkdocs-static-i18n builds English after
  Chinese into the same folder, so the English ``404.html`` would overwrite the
  Chinese one at the root. The English build's page moves to ``en/404.html``
  and the Chinese one is put back at the root, which is the page a static host
  (GitHub Pages) serves for any missing address.
"""

import copy
import logging
import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
# the preface's paragraph that links the PDFs, kept only when they are built
PDF_BLOCK = re.compile(
    r'^<div class="pdf-edition" markdown>\n.*?^</div>\n', re.S | re.M
)

PLACEHOLDER = "<repository-url>"
EDIT_URI = "edit/main/docs/"  # the branch the workflow publishes
log = logging.getLogger("mkdocs.hooks.publish")


class State:
    # the default language's 404.html, kept across the nested builds
    not_found = None


STATE = State()


def _i18n(config):
    return config.plugins.get("i18n")


def building_pdf():
    return os.environ.get("LSTM_BOOK_PDF", "false").lower() == "true"


def _pdf_tool():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tools import pdf

    return pdf


def on_config(config):
    # set here, not in mkdocs.yml: MkDocs rejects an edit_uri without a
    # repo_url, and guesses the branch (master) for one without an edit_uri
    config.edit_uri = EDIT_URI if config.repo_url else None
    if building_pdf():
        pdf = _pdf_tool()
        try:  # before the notebooks run for minutes
            pdf.require_printer()
            for language in pdf.LANGUAGES:
                pdf.require_font(language)
        except pdf.PrintError as error:
            raise PluginError(f"LSTM_BOOK_PDF=true: {error}") from None
    return config


@event_priority(-150)  # after i18n (-100) has made the file list
def on_files(files, config):
    """The PDFs as files of the site, so that the preface's links to them
    are checked like any link; they are printed after the build."""
    if building_pdf():
        pdf = _pdf_tool()
        for language in pdf.LANGUAGES:
            name = pdf.PDF_NAME.format(language=language)
            if files.get_file_from_path(f"pdf/{name}") is None:
                files.append(File.generated(config, f"pdf/{name}", content=b""))
    return files


def clone_address(repo_url):
    """The address ``git clone`` takes for ``repo_url`` (``None``: none known)."""
    if not repo_url:
        return None
    return repo_url.rstrip("/") + ".git"


def on_page_markdown(markdown, page, config, files):
    if not building_pdf():
        markdown = PDF_BLOCK.sub("", markdown)
    address = clone_address(config.repo_url)
    if address and Path(page.file.abs_src_path).name == "index.md":
        markdown = markdown.replace(
            f"git clone {PLACEHOLDER}", f"git clone {address}"
        )
    return markdown


def on_template_context(context, template_name, config):
    """The 404 page's language switcher and ``hreflang`` links go to the two
    home pages: i18n points them at the counterpart of the page rendered last,
    which a 404 page is not."""
    i18n = _i18n(config)
    base = getattr(i18n, "extra_alternate", None)
    if template_name == "404.html" and base:
        # i18n sets it as an attribute, which Jinja reads before the item
        config.extra.alternate = copy.deepcopy(base)
    return context


@event_priority(0)  # before i18n (-100) builds the other languages
def _keep_404(config):
    i18n = _i18n(config)
    site = Path(config.site_dir)
    page = site / "404.html"
    if i18n is None or not page.is_file():
        return
    language = i18n.current_language
    if language == i18n.default_language:
        STATE.not_found = page.read_bytes()
        return
    target = site / language / "404.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.replace(target)


@event_priority(-200)  # after i18n has built every language
def _restore_default_404(config):
    i18n = _i18n(config)
    if i18n is None or i18n.building or STATE.not_found is None:
        return
    (Path(config.site_dir) / "404.html").write_bytes(STATE.not_found)
    STATE.not_found = None


@event_priority(-300)  # the site is complete: every language, search, 404
def _print_pdfs(config):
    i18n = _i18n(config)
    if not building_pdf() or (i18n is not None and i18n.building):
        return
    pdf = _pdf_tool()
    try:
        for report in pdf.print_book(config.site_dir, config.site_url):
            log.info(report)
    except pdf.PrintError as error:
        raise PluginError(f"the PDF edition: {error}") from None


on_post_build = CombinedEvent(_keep_404, _restore_default_404, _print_pdfs)
