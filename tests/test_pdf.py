"""The PDF edition, read back with poppler's pdftotext, pdffonts and pdfinfo.

``nox -s pdf`` prints both languages into site/pdf/ and runs this module on
them (``LSTM_BOOK_PDF_DIR``); in the test suite it skips, and
tests/test_site.py prints one chapter of the suite's site and checks it with
``check_edition`` below. ``test_the_glyph_check_finds_boxes`` shows that the
check fails where a font is missing.
"""

import os
import re
from pathlib import Path

import pytest

from tools import pdf

PDF_DIR = os.environ.get("LSTM_BOOK_PDF_DIR")


def figure_labels(site, language, urls=None):
    """Per figure of the chapters (SVG files), the words of its text labels."""
    prefix = pdf.LANGUAGES[language]
    labels = {}
    for _, pages in pdf.book_outline(language):
        for url in pages:
            if urls is not None and url not in urls:
                continue
            page = Path(site) / prefix / url
            html = (page / "index.html").read_text("utf-8")
            for src in re.findall(
                r'<img[^>]+src="([^"]*figures/[^"]+\.svg)"', html
            ):
                svg = (page / src).resolve().read_text("utf-8")
                words = {
                    re.sub(r"<[^>]+>", "", text).strip()
                    for text in re.findall(
                        r"<text\b[^>]*>(.*?)</text>", svg, re.S
                    )
                }
                labels[src] = {
                    w for w in words if len(w) >= 3 and not w[0].isdigit()
                }
    return labels


def check_edition(path, site, language, urls=None):
    """What a reader checks in a printed edition: every chapter title, a table
    of contents and page numbers, the figures' labels, code, and no box for a
    missing glyph. Returns the problems (empty: none)."""
    titles = pdf.chapter_titles(site, language, urls)
    problems = pdf.check_pdf(path, titles)
    text = pdf.pdf_text(path)
    flat = re.sub(r"\s+", "", text)
    pages = pdf.pages_of(path)
    if pdf.TEXT[language]["contents"] not in text:
        problems.append("no table of contents")
    numbers = set(re.findall(rf"^(\d+) / {pages}$", text, re.M))
    if len(numbers) < pages:
        problems.append(f"page numbers on {len(numbers)} of {pages} pages")
    numbers = pdf.page_numbers(path, site, language, urls)
    for _, pages_ in pdf.book_outline(language):
        for url in pages_:
            if urls is not None and url not in urls:
                continue
            chapter = pdf.read_chapter(site, language, url, set(), None)
            number = numbers.get(chapter.anchor)
            if number is None:
                problems.append(f"no bookmark for {chapter.title!r}")
            elif re.sub(r"\s+", "", chapter.title) + str(number) not in flat:
                problems.append(
                    f"the contents do not give {chapter.title!r} its page {number}"
                )
    for src, words in figure_labels(site, language, urls).items():
        if words and not any(re.sub(r"\s+", "", w) in flat for w in words):
            problems.append(f"figure {src}: none of its labels is in the PDF")
    if "import keras" not in text:
        problems.append("no code (no 'import keras' in the text)")
    return problems


@pytest.mark.skipif(
    not PDF_DIR,
    reason="the full PDF edition is checked by nox -s pdf (LSTM_BOOK_PDF_DIR)",
)
@pytest.mark.parametrize("language", pdf.LANGUAGES)
def test_the_printed_edition(language):
    path = Path(PDF_DIR) / pdf.PDF_NAME.format(language=language)
    assert path.is_file(), f"no {path}: run nox -s pdf"
    site = path.parent.parent
    problems = check_edition(path, site, language)
    assert not problems, "\n".join(problems)
