"""The print edition: one PDF per language, made from the built site.

    python -m tools.pdf site              both languages into site/pdf/
    python -m tools.pdf site --language zh --pages models/stacked/

Each chapter's article is taken from the built HTML (what the web reader
sees: figures, code, printed output, MathML, notebook outputs), in the order of
``nav`` in mkdocs.yml, behind a cover and a table of contents. Chromium (the
one the site's tests drive) prints the result, twice: the first printing's
bookmarks (read with ``pdftohtml``) give the contents their page numbers.
WeasyPrint cannot render MathML. Ids are made unique per chapter and links
between chapters become links inside the PDF; a link to a file of the site (a
notebook) becomes an address on the published site (``SITE_URL``).

Chinese needs a CJK font on the machine (Debian: ``apt-get install
fonts-noto-cjk``); without one Chromium would draw boxes, so printing the zh
edition stops and says so. ``check_pdf`` reads a PDF back with poppler-utils
(``pdftotext``, ``pdffonts``): every chapter title is in it, every font is
embedded, and no character was drawn as a box (``missing_glyphs``, which
reads the PDF's own content streams: pdftotext cannot see a box).
"""

import argparse
import datetime
import functools
import html as html_lib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import yaml

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {"zh": "", "en": "en/"}  # language -> URL prefix in the site
PDF_NAME = "lstm-recipes-{language}.pdf"
CSS = Path(__file__).with_name("print.css")

TEXT = {
    "zh": {
        "contents": "目录",
        "edition": "PDF 版，{date} 由网站构建",
        "online": "网页版：{url}",
        "notebook": "（Jupyter 记事本，可从网页版下载：{url}）",
    },
    "en": {
        "contents": "Contents",
        "edition": "PDF edition, built from the site on {date}",
        "online": "Online: {url}",
        "notebook": "(a Jupyter notebook; download it from the web edition: {url})",
    },
}


class PrintError(RuntimeError):
    """The book cannot be printed here (no browser, no CJK font, ...)."""


# --------------------------------------------------------------------- the book


def _mkdocs_config():
    class Loader(yaml.SafeLoader):
        pass

    # !ENV, !relative: not needed to read the navigation
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)


def _page_url(entry):
    path = entry.rsplit(".", 1)[0]
    return "" if path == "index" else f"{path}/"


def book_outline(language):
    """``[(part title or None, [page url, ...]), ...]`` in the order of ``nav``;
    a page url is relative to the language's root (``models/stacked/``)."""
    config = _mkdocs_config()
    i18n = next(
        p["i18n"]
        for p in config["plugins"]
        if isinstance(p, dict) and "i18n" in p
    )
    translations = {}
    for lang in i18n["languages"]:
        if lang["locale"] == language:
            translations = lang.get("nav_translations") or {}
    outline = []
    for item in config["nav"]:
        if isinstance(item, str):
            outline.append((None, [_page_url(item)]))
            continue
        [(title, entries)] = item.items()
        if isinstance(entries, str):
            outline.append((None, [_page_url(entries)]))
            continue
        urls = [
            _page_url(e if isinstance(e, str) else next(iter(e.values())))
            for e in entries
        ]
        outline.append((translations.get(title, title), urls))
    return outline


def site_name(language):
    config = _mkdocs_config()
    for p in config["plugins"]:
        if isinstance(p, dict) and "i18n" in p:
            for lang in p["i18n"]["languages"]:
                if lang["locale"] == language and lang.get("site_name"):
                    return lang["site_name"]
    return config["site_name"]


@dataclass
class Chapter:
    url: str  # relative to the language's root
    anchor: str  # the id of the chapter in the print page
    title: str = ""
    sections: list = field(default_factory=list)  # (anchor, title) of each h2
    html: str = ""
    notebook: str | None = None  # file name of a notebook page's .ipynb


def anchor_of(url):
    return "page-" + (url.strip("/").replace("/", "-") or "index")


ARTICLE = re.compile(
    r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S
)
REMOVE = [
    re.compile(p, re.S)
    for p in (
        r"<script\b.*?</script>",
        r'<a [^>]*class="md-content__button[^"]*"[^>]*>.*?</a>',
        r'<a class="(?:headerlink|anchor-link)"[^>]*>.*?</a>',
        r'<p class="notebook-download">.*?</p>',
    )
]


def _text(fragment):
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def read_chapter(site, language, url, book_urls, site_url):
    """The article of one built page, rewritten to live in the print page."""
    prefix = LANGUAGES[language]
    page_path = f"/{prefix}{url}"
    source = (Path(site) / prefix / url / "index.html").read_text("utf-8")
    match = ARTICLE.search(source)
    if not match:
        raise PrintError(f"{prefix}{url}: no article in the built page")
    html = match.group(1)
    chapter = Chapter(url=url, anchor=anchor_of(url))
    download = re.search(
        r'<p class="notebook-download"><a [^>]*href="([^"]+)"', html
    )
    if download:
        chapter.notebook = download.group(1)
    for pattern in REMOVE:
        html = pattern.sub("", html)
    html = html.replace("<details", "<details open")

    def own(fragment):
        return f"{chapter.anchor}--{fragment}"

    html = re.sub(
        r'\b(id|for)="([^"]+)"', lambda m: f'{m[1]}="{own(m[2])}"', html
    )

    def link(match):
        attribute, value = match[1], match[2]
        if value.startswith(("data:", "mailto:")) or urlsplit(value).scheme:
            return match[0]
        if value.startswith("#"):
            return f'{attribute}="#{own(value[1:])}"'
        target = urlsplit(urljoin(page_path, html_lib.unescape(value)))
        path = unquote(target.path)
        book_path = (
            path[len(prefix) + 1 :] if path.startswith(f"/{prefix}") else None
        )
        if attribute == "href" and book_path in book_urls:
            anchor = anchor_of(book_path)
            if target.fragment:
                return f'href="#{anchor}--{target.fragment}"'
            return f'href="#{anchor}"'
        if attribute == "src":  # images and the like: printed from the site
            return f'src="{path}"'
        address = (site_url or "").rstrip("/") + path
        fragment = f"#{target.fragment}" if target.fragment else ""
        return f'href="{html_lib.escape(address + fragment)}"'

    html = re.sub(r'\b(href|src)="([^"]*)"', link, html)
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    chapter.title = _text(h1.group(1)) if h1 else url
    chapter.sections = [
        (m[1], _text(m[2]))
        for m in re.finditer(
            r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', html, re.S
        )
    ]
    chapter.html = html
    return chapter


def stylesheets(site, language):
    """The site's stylesheets (Material, mkdocstrings, extra.css), as the
    preface page links them, relative to the site's root."""
    prefix = LANGUAGES[language]
    source = (Path(site) / prefix / "index.html").read_text("utf-8")
    return [
        urlsplit(urljoin(f"/{prefix}", href)).path
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', source)
    ]


def published(site_url):
    """Whether ``site_url`` is an address readers can reach (not the local
    default, http://127.0.0.1:8000/): the cover and the notebooks' notes
    print it only then."""
    host = urlsplit(site_url or "").hostname
    return bool(host) and host not in ("127.0.0.1", "localhost", "::1")


def assemble(site, language, urls=None, site_url=None, numbers=None):
    """The print page of ``language``: cover, contents, the chapters.
    ``urls``: only these pages (default: the whole book); ``numbers``: the
    page of each chapter and section (by anchor) for the contents, from a
    first printing (``page_numbers``)."""
    text = TEXT[language]
    numbers = numbers or {}

    def entry(anchor, title):
        number = numbers.get(anchor, "")
        return (
            f'<a href="#{anchor}">{html_lib.escape(title)}'
            f'<span class="toc-page">{number}</span></a>'
        )

    outline = [
        (part, [u for u in pages if urls is None or u in urls])
        for part, pages in book_outline(language)
    ]
    outline = [(part, pages) for part, pages in outline if pages]
    book_urls = {u for _, pages in outline for u in pages}
    chapters = {
        u: read_chapter(site, language, u, book_urls, site_url)
        for u in book_urls
    }
    title = site_name(language)
    date = datetime.date.today().isoformat()
    cover = [
        '<section class="print-cover">',
        # not a heading: the bookmarks and the contents start with the preface
        f'<p class="print-title">{html_lib.escape(title)}</p>',
        f'<p class="edition">{text["edition"].format(date=date)}</p>',
    ]
    if published(site_url):
        online = text["online"].format(url=html_lib.escape(site_url))
        cover.append(f'<p class="online">{online}</p>')
    cover.append("</section>")
    toc = [
        f'<nav class="print-toc"><h1>{text["contents"]}</h1><ol class="parts">'
    ]
    body = []
    for part, pages in outline:
        if part:
            toc.append(
                f'<li class="part"><span>{html_lib.escape(part)}</span><ol>'
            )
            body.append(
                f'<section class="print-part"><h1>{html_lib.escape(part)}</h1></section>'
            )
        for u in pages:
            chapter = chapters[u]
            toc.append(
                f'<li class="chapter">{entry(chapter.anchor, chapter.title)}'
            )
            if chapter.sections:
                toc.append('<ol class="sections">')
                toc += [f"<li>{entry(a, t)}</li>" for a, t in chapter.sections]
                toc.append("</ol>")
            toc.append("</li>")
            note = ""
            if chapter.notebook and published(site_url):
                address = site_url.rstrip("/") + f"/{LANGUAGES[language]}{u}"
                note = '<p class="print-notebook">{}</p>'.format(
                    text["notebook"].format(
                        url=html_lib.escape(address + chapter.notebook)
                    )
                )
            body.append(
                f'<section class="print-chapter" id="{chapter.anchor}">'
                f"{note}{chapter.html}</section>"
            )
        if part:
            toc.append("</ol></li>")
    toc.append("</ol></nav>")
    links = "\n".join(
        f'<link rel="stylesheet" href="{href}">'
        for href in stylesheets(site, language)
    )
    return f"""<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{html_lib.escape(title)}</title>
{links}
<style>{CSS.read_text("utf-8")}</style>
</head>
<body data-md-color-scheme="default" data-md-color-primary="indigo">
<div class="md-typeset print-book">
{"".join(cover)}
{"".join(toc)}
{"".join(body)}
</div>
</body>
</html>
"""


# --------------------------------------------------------------------- printing


def find_chromium():
    """The system's Chromium, or ``LSTM_BOOK_CHROMIUM``; ``None`` if none."""
    names = ("chromium", "chromium-browser", "google-chrome")
    found = (shutil.which(name) for name in names)
    return os.environ.get("LSTM_BOOK_CHROMIUM") or next(
        filter(None, found), None
    )


def cjk_fonts():
    """Families of the installed fonts that cover Chinese (fontconfig)."""
    if shutil.which("fc-list") is None:
        return []
    listing = subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True
    )
    return sorted(
        {line.strip() for line in listing.stdout.splitlines() if line.strip()}
    )


def require_printer():
    """The browser and poppler's tools this module needs, or ``PrintError``."""
    if find_chromium() is None:
        raise PrintError(
            "no Chromium found: apt-get install chromium, or set "
            "LSTM_BOOK_CHROMIUM to a Chrome or Chromium"
        )
    missing = [
        tool
        for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftohtml")
        if not shutil.which(tool)
    ]
    if missing:
        raise PrintError(
            f"{', '.join(missing)} not found: apt-get install poppler-utils "
            "(the PDFs are checked with them)"
        )


def require_font(language):
    if language == "zh" and not cjk_fonts():
        raise PrintError(
            "no font for Chinese is installed, so the zh PDF would show boxes "
            "instead of characters. Install one, e.g. on Debian/Ubuntu: "
            "sudo apt-get install fonts-noto-cjk (then run again)"
        )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Site:
    """The built site over HTTP on a free local port, while in use."""

    def __init__(self, site):
        handler = functools.partial(_Quiet, directory=str(site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def outline(path):
    """The PDF's bookmarks (Chromium makes them from the headings), from
    ``pdftohtml -xml``: ``[(title, page, [(title, page), ...]), ...]``, the
    top level with the level below it."""
    result = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-q", "-stdout", str(path)],
        capture_output=True,
        check=True,
    )
    root = ElementTree.fromstring(result.stdout)
    top = root.find("outline")
    items = []
    for element in list(top) if top is not None else []:
        if element.tag == "item":
            items.append((element.text or "", int(element.get("page")), []))
        elif element.tag == "outline" and items:
            items[-1][2].extend(
                (child.text or "", int(child.get("page")))
                for child in element
                if child.tag == "item"
            )
    return items


def _matches(title, bookmark):
    """Whether a bookmark is the heading ``title``. Chromium may repeat a
    bold CJK heading's text in its bookmark ("目录目录"), so the title's
    characters need only appear in order."""
    characters = iter(_squeeze(bookmark))
    return all(c in characters for c in _squeeze(title))


def page_numbers(path, site, language, urls=None):
    """The page on which each chapter and section starts in a printed PDF,
    by anchor, read from its bookmarks, which follow the print page's
    headings in order: contents, then parts and chapters (h1), sections (h2)."""
    items = outline(path)
    numbers, index = {}, 0
    book_urls = {
        u
        for _, p in book_outline(language)
        for u in p
        if urls is None or u in urls
    }
    for _, chapter_urls in book_outline(language):
        for u in chapter_urls:
            if u not in book_urls:
                continue
            chapter = read_chapter(site, language, u, book_urls, None)
            found = next(
                (
                    i
                    for i in range(index, len(items))
                    if _matches(chapter.title, items[i][0])
                ),
                None,
            )
            if found is None:
                continue
            index = found + 1
            _, page, children = items[found]
            numbers[chapter.anchor] = page
            position = 0
            for anchor, title in chapter.sections:
                hit = next(
                    (
                        j
                        for j in range(position, len(children))
                        if _matches(title, children[j][0])
                    ),
                    None,
                )
                if hit is not None:
                    numbers[anchor] = children[hit][1]
                    position = hit + 1
    return numbers


FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_pdf(site, language, output, urls=None, site_url=None, browser=None):
    """Print ``language`` (``urls``: only these pages) to ``output``, with
    ``browser`` (a Playwright Chromium) or the system's Chromium."""
    require_printer()
    require_font(language)
    site = Path(site)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=find_chromium(),
                args=[
                    "--no-sandbox",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                return print_pdf(
                    site, language, output, urls, site_url, browser
                )
            finally:
                browser.close()
    # twice: the first printing tells the contents where each chapter starts
    first = assemble(site, language, urls, site_url)
    _print(browser, site, language, output, first)
    numbers = page_numbers(output, site, language, urls)
    page = assemble(site, language, urls, site_url, numbers)
    _print(browser, site, language, output, page)
    return output


def _print(browser, site, language, output, page):
    page_file = site / f"print-{language}.html"
    page_file.write_text(page, "utf-8")
    tab = browser.new_page()
    try:
        with _Site(site) as served:
            tab.goto(
                served.url + page_file.name, wait_until="load", timeout=600_000
            )
            tab.emulate_media(media="print")
            tab.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={
                    "top": "16mm",
                    "bottom": "18mm",
                    "left": "16mm",
                    "right": "16mm",
                },
                outline=True,
                tagged=True,
            )
    finally:
        tab.close()
        page_file.unlink(missing_ok=True)


# --------------------------------------------------------------------- checking


def pdf_text(path):
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def pdf_fonts(path):
    """``pdffonts``' table: one dict per font (name, type, emb, uni)."""
    result = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()[2:]  # header and rule
    fonts = []
    for line in lines:
        columns = line.split()
        # name type [type...] encoding emb sub uni object ID
        fonts.append(
            {
                "name": columns[0],
                "emb": columns[-5],
                "uni": columns[-3],
                "line": line,
            }
        )
    return fonts


def pages_of(path):
    result = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    )
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout, re.M).group(1))


OBJECT = re.compile(rb"\n(\d+) 0 obj\n(.*?)\nendobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
FONT_NAME = re.compile(rb"/(F\d+) (\d+) 0 R")
# in a content stream: a font selection, or a string of glyphs (not the
# hex text of an /ActualText span, not a << dictionary)
SHOWN = re.compile(
    rb"/(F\d+)\s+[-\d.]+\s+Tf|(?<!/ActualText )(?<!<)<([0-9A-Fa-f]+)>(?!>)"
)


def _notdef_codes(objects):
    """For each font object: how its strings encode .notdef (glyph 0).

    Type0 fonts (Identity-H) show 2-byte glyph ids: glyph 0 is ``0000``.
    Skia turns CFF fonts (Noto CJK) into Type3 fonts of up to 256 glyphs
    each, whose ``/Differences`` name each code's glyph ``/g<hex id>``:
    glyph 0 is ``/g0`` (also the filler of unused codes, never shown).
    """
    fonts = {}
    for number, body in objects.items():
        if b"/Type /Font" not in body:
            continue
        if b"/Subtype /Type0" in body:
            fonts[number] = (2, {b"0000"})
        elif b"/Subtype /Type3" in body:
            differences = re.search(rb"/Differences \[([^\]]*)\]", body)
            codes, code = set(), 0
            for token in (differences.group(1) if differences else b"").split():
                if token.isdigit():
                    code = int(token)
                    continue
                if token == b"/g0":
                    codes.add(b"%02X" % code)
                code += 1
            fonts[number] = (1, codes)
    return fonts


def missing_glyphs(path):
    """How many glyphs Chromium drew as .notdef (a box: no installed font has
    the character). pdftotext cannot tell: Skia keeps the character's text
    (an ``/ActualText`` span), which it extracts."""
    data = Path(path).read_bytes()
    objects = {int(m[1]): m[2] for m in OBJECT.finditer(data)}
    fonts = _notdef_codes(objects)
    names = {m[1]: int(m[2]) for m in FONT_NAME.finditer(data)}
    count = 0
    for body in objects.values():
        stream = STREAM.search(body)
        if not stream or b"/FlateDecode" not in body[: stream.start()]:
            continue
        try:
            content = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        if b" Tf" not in content:
            continue  # not a page's content: an image, a font
        width, notdef = 2, set()
        for shown in SHOWN.finditer(content):
            if shown[1]:
                width, notdef = fonts.get(names.get(shown[1]), (2, set()))
                continue
            digits = shown[2].upper()
            step = 2 * width
            codes = [digits[i : i + step] for i in range(0, len(digits), step)]
            count += sum(code in notdef for code in codes)
    return count


def check_pdf(path, titles):
    """What is wrong with a printed PDF (empty: nothing).

    Every title in ``titles`` is in its text (spaces ignored: pdftotext
    breaks lines), every font is embedded with a Unicode map, and no text
    was drawn with a missing glyph (see ``missing_glyphs``).
    """
    problems = []
    count = missing_glyphs(path)
    if count:
        problems.append(
            f"{count} characters drawn without a glyph (as boxes): no "
            "installed font has them (for Chinese: apt-get install "
            "fonts-noto-cjk)"
        )
    text = pdf_text(path)
    flat = re.sub(r"\s+", "", text)
    for title in titles:
        if re.sub(r"\s+", "", title) not in flat:
            problems.append(f"title missing: {title!r}")
    for font in pdf_fonts(path):
        if font["emb"] != "yes" or font["uni"] != "yes":
            problems.append(
                f"font not embedded with a Unicode map: {font['line']}"
            )
    if "\ufffd" in text:
        problems.append(
            "U+FFFD (a character with no Unicode mapping) in the text"
        )
    return problems


# --------------------------------------------------------------------- command


def chapter_titles(site, language, urls=None):
    return [
        read_chapter(site, language, u, set(), None).title
        for _, pages in book_outline(language)
        for u in pages
        if urls is None or u in urls
    ]


def print_book(
    site, site_url=None, languages=None, urls=None, out=None, browser=None
):
    """Print and check each language's PDF into ``out`` (default SITE/pdf);
    yields a line per PDF (pages, size, time). ``PrintError`` if a PDF fails
    its check. ``browser``: a Playwright Chromium to print with."""
    site = Path(site)
    out = Path(out) if out else site / "pdf"
    require_printer()
    for language in languages or list(LANGUAGES):
        start = time.perf_counter()
        output = out / PDF_NAME.format(language=language)
        print_pdf(site, language, output, urls, site_url, browser)
        problems = check_pdf(output, chapter_titles(site, language, urls))
        if problems:
            raise PrintError(
                f"{output} fails its check:\n  " + "\n  ".join(problems)
            )
        yield (
            f"{output}: {pages_of(output)} pages, "
            f"{output.stat().st_size / 1e6:.1f} MB, "
            f"{time.perf_counter() - start:.0f} s"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tools.pdf", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "site", type=Path, help="the built site (mkdocs build -d)"
    )
    parser.add_argument("--language", choices=LANGUAGES, action="append")
    parser.add_argument("--pages", nargs="+", help="only these page urls")
    parser.add_argument("--out", type=Path, help="folder (default: SITE/pdf)")
    parser.add_argument(
        "--site-url",
        default=os.environ.get("SITE_URL", "http://127.0.0.1:8000/"),
        help="the published site's address (default: $SITE_URL)",
    )
    args = parser.parse_args(argv)
    try:
        for language in args.language or list(LANGUAGES):
            require_font(language)
        for line in print_book(
            args.site, args.site_url, args.language, args.pages, args.out
        ):
            print(line)
    except PrintError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
