"""The built site, checked in its HTML: what a reader sees, not just mkdocs' exit code.

The site is built once per test session with ``mkdocs build --strict`` (notebooks
executed, no cache), then inspected: both languages, the language switcher, the
notebooks rendered with their outputs, Chinese search, copy buttons, the palette
toggle, and every internal link and anchor.

It is built as it is published: for an address under a sub-path
(``SITE_URL``, as a GitHub project site lives under ``/<repository>/``) and
with a repository (``REPO_URL``), and served over HTTP under that sub-path,
with its ``404.html`` for any missing address, as GitHub Pages serves it.
"""

import base64
import functools
import html as html_lib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from lstm_recipes.zh_labels import untranslated_text
from tools.pdf import find_chromium

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {
    "zh": "",
    "en": "en/",
}  # language -> URL prefix (zh is the default)

# The sub-path the site is built for and served under, and the repository it
# names: a reserved, unresolvable name (RFC 2606), so no link can work by luck.
BASE_PATH = "/lstm-recipes/"
REPO_URL = "https://example.invalid/lstm-recipes"

# One build for all of them: under pytest-xdist, one worker runs this module
# (tests/pages/plugin.py schedules a test module as one unit of work).
pytestmark = pytest.mark.site


def mkdocs_build(config, site_dir, site_url=None, repo_url=None):
    env = {
        **os.environ,
        "LSTM_BOOK_NOTEBOOK_CACHE": "false",
        "LSTM_BOOK_PDF": "false",
        "NO_MKDOCS_2_WARNING": "1",
    }
    for name, value in (("SITE_URL", site_url), ("REPO_URL", repo_url)):
        env.pop(name, None)
        if value:
            env[name] = value
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """The site under BASE_PATH only; its 404.html, with status 404, for
    anything missing (GitHub Pages does the same)."""

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(BASE_PATH):
            return str(
                Path(self.directory) / "no such file: outside the sub-path"
            )
        return super().translate_path("/" + path[len(BASE_PATH) :])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def server(site_dir):
    """An HTTP server for the site folder, started before the build, which
    needs its address."""
    handler = functools.partial(SubPathHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(site_dir, server):
    result = mkdocs_build(
        ROOT / "mkdocs.yml",
        site_dir,
        site_url=server + BASE_PATH,
        repo_url=REPO_URL,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return site_dir


def page_urls():
    """URL (relative to the site root, language prefix excluded) of every page and notebook."""
    urls = []
    for page in sorted((ROOT / "docs" / "zh").rglob("*.md")):
        path = page.relative_to(ROOT / "docs" / "zh").with_suffix("").as_posix()
        urls.append("" if path == "index" else f"{path}/")
    urls += [
        f"examples/{nb.stem}/"
        for nb in sorted((ROOT / "examples" / "zh").glob("*.ipynb"))
    ]
    return urls


def html_of(site, url):
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", page_urls())
def test_every_page_exists_in_both_languages(site, url):
    for language, prefix in LANGUAGES.items():
        html = html_of(site, prefix + url)
        assert f'<html lang="{language}"' in html, (
            f"{prefix + url} is not marked lang={language}"
        )


@pytest.mark.parametrize("url", page_urls())
def test_language_switcher_links_to_the_counterpart(site, url):
    for prefix in LANGUAGES.values():
        page = prefix + url
        links = dict(
            (lang, href)
            for href, lang in re.findall(
                r'<a href="([^"]*)" hreflang="([a-z]+)" class="md-select__link"',
                html_of(site, page),
            )
        )
        assert set(links) == set(LANGUAGES), (
            f"{page}: switcher offers {sorted(links)}"
        )
        for language, target_prefix in LANGUAGES.items():
            target = urljoin(f"{BASE_PATH}{page}", links[language])
            assert target == f"{BASE_PATH}{target_prefix}{url}", (
                f"{page}: {language} link goes to {target}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_notebooks_render_as_pages_with_their_outputs(site, language):
    notebooks = sorted((ROOT / "examples" / language).glob("*.ipynb"))
    assert notebooks, f"no notebooks in examples/{language}"
    for notebook in notebooks:
        html = html_of(site, f"{LANGUAGES[language]}examples/{notebook.stem}/")
        assert "jp-Notebook" in html, (
            f"{notebook.name} was not rendered by mkdocs-jupyter"
        )
        assert '"cell_type"' not in html, f"{notebook.name} shipped as raw JSON"
        assert "jp-OutputArea-output" in html, (
            f"{notebook.name} has no outputs: not executed?"
        )
        figures = [
            base64.b64decode(data).decode("utf-8")
            for data in re.findall(
                r'<img[^>]+src="data:image/svg\+xml;base64,([^"]+)"', html
            )
        ]
        assert figures, f"{notebook.name}: no plot (SVG)"
        if language == "zh":
            for figure in figures:
                left = untranslated_text(figure)
                assert not left, (
                    f"{notebook.name} (zh): a figure keeps English text {left}; "
                    "add it to lstm_recipes/zh_labels.py"
                )
        assert "Traceback" not in html, notebook.name
        for log_line in ("cpu_feature_guard", "oneDNN", "absl::InitializeLog"):
            assert log_line not in html, (
                f"{notebook.name} shows TensorFlow's C++ log ({log_line!r})"
            )
        assert f'<html lang="{language}"' in html


def test_search_index_segments_chinese_words(site):
    index = json.loads(
        (site / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    assert "zh" in index["config"]["lang"]
    separator = index["config"]["separator"]
    assert "\\u200b" in separator, (
        "the separator must split at jieba's zero-width spaces"
    )
    chapter = next(
        doc
        for doc in index["docs"]
        if doc["location"] == "foundations/lifecycle/"
    )
    pattern = separator.replace("\\u200b", "\u200b").replace(
        "\\u3000", "\u3000"
    )
    words = set(re.split(pattern, chapter["title"] + " " + chapter["text"]))
    assert "生命周期" in words, (
        "jieba did not segment the Chinese text (is jieba installed?)"
    )
    assert "\u200b" in chapter["text"]


def test_theme_features_copy_buttons_and_palette_toggle(site):
    for prefix in LANGUAGES.values():
        html = html_of(site, f"{prefix}foundations/lifecycle/")
        assert "content.code.copy" in html, "code copy buttons are off"
        assert html.count('data-md-component="palette"') >= 1
        assert (
            'data-md-color-scheme="default"' in html
            and 'data-md-color-scheme="slate"' in html
        )


def internal_links(html):
    for attribute, value in re.findall(r'\b(href|src)="([^"]+)"', html):
        if urlsplit(value).scheme or value.startswith(
            ("//", "mailto:", "data:")
        ):
            continue
        yield attribute, value


def test_every_internal_link_and_anchor_resolves(site):
    broken = []
    ids = {}
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        base = BASE_PATH + page.relative_to(site).as_posix()
        for _, link in internal_links(html):
            target = urlsplit(urljoin(base, link))
            if not target.path.startswith(BASE_PATH):
                broken.append(f"{base}: {link} (outside {BASE_PATH})")
                continue
            path = site / unquote(target.path[len(BASE_PATH) :])
            if target.path.endswith("/"):
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{base}: {link} (no file)")
            elif target.fragment and path.suffix == ".html":
                if path not in ids:
                    ids[path] = set(
                        re.findall(
                            r'\bid="([^"]+)"', path.read_text(encoding="utf-8")
                        )
                    )
                if target.fragment not in ids[path]:
                    broken.append(f"{base}: {link} (no anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])


def _one_page_config(tmp_path, hooks=(), plugins=()):
    """``mkdocs.yml`` for a one-page site in both languages that inherits the
    book's settings; ``hooks`` are paths, ``plugins`` extra plugin entries."""
    lines = [
        f"INHERIT: {ROOT / 'mkdocs.yml'}",
        "docs_dir: docs",
        f"hooks: [{', '.join(str(hook) for hook in hooks)}]",
        "watch: []",
        "nav: [index.md]",
        "plugins:",
        "  - search",
        "  - i18n:",
        "      docs_structure: folder",
        "      languages:",
        "        - {locale: zh, default: true, name: 中文}",
        "        - {locale: en, name: English}",
        *(f"  - {plugin}" for plugin in plugins),
    ]
    config = tmp_path / "mkdocs.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def test_a_missing_include_fails_the_build(tmp_path):
    """The project's mkdocs.yml, inherited by a two-page site: a good include builds, a bad one
    fails. The markdown options are the project's own, untouched: snippets resolve paths
    from the config's folder, where a link to lstm_recipes stands in for the repository."""
    for language in LANGUAGES:
        (tmp_path / "docs" / language).mkdir(parents=True)
    (tmp_path / "lstm_recipes").symlink_to(ROOT / "lstm_recipes")
    config = _one_page_config(tmp_path)

    def build_with(include):
        for language in LANGUAGES:
            page = f'# Page {{#page}}\n\n```python\n--8<-- "{include}"\n```\n'
            (tmp_path / "docs" / language / "index.md").write_text(
                page, encoding="utf-8"
            )
        return mkdocs_build(config, tmp_path / "site")

    good = build_with("lstm_recipes/lifecycle.py:imports")
    assert good.returncode == 0, good.stderr[-3000:]
    missing_section = build_with("lstm_recipes/lifecycle.py:no_such_section")
    assert missing_section.returncode != 0
    assert "no_such_section" in missing_section.stderr
    missing_file = build_with("lstm_recipes/no_such_file.py:imports")
    assert missing_file.returncode != 0
    assert "no_such_file.py" in missing_file.stderr


def test_math_is_rendered_as_mathml_everywhere(site):
    """No LaTeX is left for a script to render: the site works offline."""
    pages = sorted(site.rglob("*.html"))
    leftovers = [
        str(p.relative_to(site))
        for p in pages
        if "arithmatex" in p.read_text(encoding="utf-8")
    ]
    assert not leftovers, f"unrendered math in {leftovers}"
    for prefix in LANGUAGES.values():
        html = html_of(site, f"{prefix}foundations/what-is-lstm/")
        assert html.count("<math") >= 5  # the cell's equations
        assert 'display="block"' in html


def test_figures_of_the_pages_are_in_the_site(site):
    for prefix in LANGUAGES.values():
        html = html_of(site, f"{prefix}foundations/training/")
        figures = re.findall(r'<img[^>]+src="([^"]*figures/[^"]+)"', html)
        assert figures, "the training chapter shows its gradient figure"
        for src in figures:
            page = site / prefix / "foundations" / "training"
            assert (page / src).resolve().is_file(), src


# Kept apart from docs/hooks/cjk.py on purpose: the test does not trust the hook.
CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026"


@pytest.mark.parametrize("url", page_urls())
def test_no_space_between_chinese_characters(site, url):
    """A wrapped line or a typed space shows as a gap in Chinese prose ("一个 时间步")."""
    gaps = []
    for item in re.findall(
        r"<(?:p|li)>(.*?)</(?:p|li)>", html_of(site, url), re.S
    ):
        # code and math are not Chinese: a space beside them is right
        item = re.sub(r"<(code|math)\b.*?</\1>", "x", item, flags=re.S)
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", item))
        gaps += re.findall(rf".{{0,8}}[{CJK}]\s+[{CJK}].{{0,8}}", text)
    assert not gaps, (
        f"zh page {url or 'index'}: spaces between Chinese characters: {gaps}"
    )


# --------------------------------------------------------------------------- search in a browser


@pytest.fixture(scope="module")
def served(site, server):
    """The built site's address over HTTP, under its sub-path (the search
    worker cannot read file:// URLs)."""
    return server + BASE_PATH


@pytest.fixture(scope="module")
def browser():
    # the system's Chromium: Playwright's own download needs the internet
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium found (apt-get install chromium, or set "
            "LSTM_BOOK_CHROMIUM): the search test needs a browser"
        )
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[  # nothing reaches out: this machine may have no network
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.mark.parametrize(
    ("language", "page", "query", "expected"),
    [
        ("en", "models/stacked/", "stateful", "models/stateful/"),
        ("zh", "models/stacked/", "有状态", "models/stateful/"),
        ("en", "foundations/data/", "padding", "foundations/data/"),
        ("zh", "foundations/data/", "填充", "foundations/data/"),
    ],
)
def test_search_finds_pages_in_the_readers_language_only(
    served, browser, language, page, query, expected
):
    """A reader types a query into the search box of a page and gets results
    from pages of that page's language, the expected chapter among them."""
    prefix = LANGUAGES[language]
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto(served + prefix + page)
        tab.click("input.md-search__input")
        tab.keyboard.type(query, delay=50)
        # The search worker builds its index on first use; on a loaded 2-core
        # machine that has taken over 20 s for the Chinese pages.
        tab.wait_for_selector(".md-search-result__item", timeout=60_000)
        links = tab.eval_on_selector_all(
            ".md-search-result__link", "links => links.map(a => a.href)"
        )
    finally:
        tab.close()
    paths = [urlsplit(link).path for link in links]
    assert paths, f"no results for {query!r}"
    english = f"{BASE_PATH}en/"
    other = [p for p in paths if p.startswith(english) != (language == "en")]
    assert not other, f"{language} search for {query!r} found {other}"
    assert f"{BASE_PATH}{prefix}{expected}" in paths, paths


# --------------------------------------------------------------------------- pages paste clean


CODE_BLOCK = re.compile(
    r'<div class="language-python highlight">.*?<code>(.*?)</code>', re.S
)
COLLAPSED = re.compile(r"<details\b.*?</details>", re.S)


def visible_code(html):
    """The Python a reader copies from a page, in page order: every code block
    outside collapsed notes, as the copy button gives it."""
    article = html.split('<article class="md-content__inner', 1)[-1]
    article = COLLAPSED.sub("", article)
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", block))
        for block in CODE_BLOCK.findall(article)
    ]


@pytest.mark.parametrize("url", page_urls())
def test_visible_code_pastes_without_undefined_names(site, url):
    """Paste the visible blocks in order into one file: ruff's undefined-name
    check (F821) finds any name that only a collapsed listing, a hidden block
    or another page defines."""
    for prefix in LANGUAGES.values():
        blocks = visible_code(html_of(site, prefix + url))
        if not blocks or url.startswith("examples/"):
            continue
        code = "\n".join(blocks)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--select",
                "F821",
                "--output-format",
                "concise",
                "--stdin-filename",
                "page.py",
                "-",
            ],
            input=code,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, (
            f"{prefix + url}: pasting the visible code fails:\n{result.stdout}"
        )


def test_visible_code_leaves_out_collapsed_notes():
    html = (
        '<article class="md-content__inner">'
        '<div class="language-python highlight"><pre><code>x = 1</code></pre></div>'
        '<details class="note"><div class="language-python highlight"><pre>'
        "<code>y = 2</code></pre></div></details>"
        '<div class="language-python highlight"><pre><code>print(x &amp; 1)'
        "</code></pre></div></article>"
    )
    assert visible_code(html) == ["x = 1", "print(x & 1)"]


def _project_mkdocstrings():
    """The mkdocstrings options of mkdocs.yml, with the repository as path."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)
    [options] = [
        p["mkdocstrings"]
        for p in config["plugins"]
        if isinstance(p, dict) and "mkdocstrings" in p
    ]
    options["handlers"]["python"]["paths"] = [str(ROOT)]
    return options


def test_a_broken_api_reference_fails_the_build(tmp_path):
    """``::: module`` on the API page: a module that does not exist fails the
    strict build (mkdocstrings with the project's own options)."""
    for language in LANGUAGES:
        (tmp_path / "docs" / language).mkdir(parents=True)
    config = _one_page_config(
        tmp_path,
        plugins=[f"mkdocstrings: {json.dumps(_project_mkdocstrings())}"],
    )

    def build_with(module):
        for language in LANGUAGES:
            (tmp_path / "docs" / language / "index.md").write_text(
                f"# API {{#api}}\n\n::: {module}\n", encoding="utf-8"
            )
        return mkdocs_build(config, tmp_path / "site")

    good = build_with("lstm_recipes.stacked")
    assert good.returncode == 0, good.stderr[-3000:]
    broken = build_with("lstm_recipes.no_such_module")
    assert broken.returncode != 0
    assert "no_such_module" in broken.stderr


def test_api_reference_documents_every_module(site):
    """Each public module of lstm_recipes has its entry on the API page, in
    both languages, and every recipe listing's title links to it."""
    modules = sorted(
        f"lstm_recipes.{p.stem}"
        for p in (ROOT / "lstm_recipes").glob("*.py")
        if not p.stem.startswith("_") and p.stem != "zh_labels"
    )
    for prefix in LANGUAGES.values():
        html = html_of(site, f"{prefix}appendix/api/")
        missing = [m for m in modules if f'id="{m}"' not in html]
        assert not missing, f"{prefix}appendix/api/ lacks {missing}"
        chapter = html_of(site, f"{prefix}models/stacked/")
        assert 'href="../../appendix/api/#lstm_recipes.stacked"' in chapter


# --------------------------------------------------------------------------- published under a sub-path


def fetch(url):
    """``(status, body)`` of a GET over HTTP; a 404 is an answer, not an error."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def switcher_and_alternates(html):
    """``[(kind, language, href)]`` of the language switcher and the
    ``<link rel="alternate" hreflang>`` of a page."""
    links = [
        ("switcher", lang, href)
        for href, lang in re.findall(
            r'<a href="([^"]*)" hreflang="([a-z]+)" class="md-select__link"',
            html,
        )
    ]
    links += [
        ("hreflang", lang, href)
        for href, lang in re.findall(
            r'<link rel="alternate" href="([^"]*)" hreflang="([a-z]+)"', html
        )
    ]
    return links


def nav_links(html):
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', html)


def test_links_hold_under_the_sub_path(site, served):
    """Every page of both languages, fetched under the sub-path: every nav
    link resolves, and every switcher and hreflang link lands on the
    counterpart page (the same page in the other language)."""
    answers = {}

    def status(url):
        url = url.split("#", 1)[0]
        if url not in answers:
            answers[url] = fetch(url)[0]
        return answers[url]

    problems = []
    for url in page_urls():
        for prefix in LANGUAGES.values():
            page = served + prefix + url
            code, html = fetch(page)
            assert code == 200, f"{page}: HTTP {code}"
            for href in nav_links(html):
                if status(urljoin(page, href)) != 200:
                    problems.append(f"{page}: nav link {href} does not resolve")
            links = switcher_and_alternates(html)
            assert {(kind, lang) for kind, lang, _ in links} == {
                (kind, lang)
                for kind in ("switcher", "hreflang")
                for lang in LANGUAGES
            }, f"{page}: {links}"
            for kind, lang, href in links:
                target = urljoin(page, href)
                if target != served + LANGUAGES[lang] + url:
                    problems.append(f"{page}: {kind} {lang} goes to {target}")
                elif status(target) != 200:
                    problems.append(
                        f"{page}: {kind} {lang} {target} does not load"
                    )
    assert not problems, "\n".join(problems[:30])


def test_sitemap_lists_every_page_with_its_alternates(site, served):
    """sitemap.xml: every page of both languages at its address under the
    sub-path, each with hreflang alternates to both versions, all loading."""
    tree = ElementTree.fromstring((site / "sitemap.xml").read_bytes())
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    entries = {}
    for entry in tree.findall("s:url", ns):
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in entry.findall("x:link", ns)
        }
        entries[entry.findtext("s:loc", namespaces=ns)] = alternates
    expected = {
        served + prefix + url: {
            lang: served + other + url for lang, other in LANGUAGES.items()
        }
        for url in page_urls()
        for prefix in LANGUAGES.values()
    }
    assert entries == expected
    for url in expected:
        assert fetch(url)[0] == 200, url


def test_404_pages_in_their_language(site, served):
    """A missing address under the sub-path gets the Chinese 404 page (the
    root one, what a static host serves); en/404.html is English. Both work
    at any depth: their links and assets are absolute under the sub-path,
    and their switchers go to the two home pages."""
    missing = served + "no/such/chapter/"
    code, zh = fetch(missing)
    assert code == 404
    assert '<html lang="zh"' in zh
    code, en = fetch(served + "en/404.html")
    assert code == 200
    assert '<html lang="en"' in en
    for html, home in ((zh, served), (en, served + "en/")):
        assert f'href="{urlsplit(home).path}" class="md-logo"' in html or (
            f'href="{urlsplit(home).path}"' in html
        )
        switcher = {
            lang: urljoin(missing, href)
            for kind, lang, href in switcher_and_alternates(html)
            if kind == "switcher"
        }
        assert switcher == {
            lang: served + prefix for lang, prefix in LANGUAGES.items()
        }
        for _, link in internal_links(html):
            target = urljoin(missing, link)
            assert fetch(target)[0] == 200, f"404 page: {link} -> {target}"


RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=\"([^\"]*)\""
    r"|<link\b[^>]*\brel=\"(?:stylesheet|preload|modulepreload|icon|manifest)\""
    r"[^>]*\bhref=\"([^\"]*)\""
    r"|<object\b[^>]*\bdata=\"([^\"]*)\""
)


def test_no_page_loads_anything_from_outside_the_site(site):
    """No script, stylesheet, font, image or frame comes from another host:
    the HTML's resources and the stylesheets' url() and @import are local."""
    outside = []
    for page in sorted(site.rglob("*.html")):
        for groups in RESOURCE.findall(page.read_text("utf-8")):
            value = next(filter(None, groups), "")
            if urlsplit(value).scheme in ("http", "https") or value.startswith(
                "//"
            ):
                outside.append(f"{page.relative_to(site)}: {value}")
    for sheet in sorted(site.rglob("*.css")):
        css = sheet.read_text("utf-8", "replace")
        for value in re.findall(
            r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", css
        ):
            value = next(filter(None, value), "")
            if re.match(r"(https?:)?//", value):
                outside.append(f"{sheet.relative_to(site)}: {value}")
    assert not outside, "\n".join(outside[:30])


@pytest.mark.parametrize(
    "page", ["models/stacked/", "en/examples/alphabet/", "no/such/page/"]
)
def test_a_browser_requests_nothing_from_outside_the_site(
    served, browser, page
):
    """The same in Chromium, which also runs the scripts: every request a
    page makes (scripts, styles, fonts, images, fetches) goes to the site."""
    tab = browser.new_page()
    requests = []
    tab.on("request", lambda request: requests.append(request.url))
    try:
        tab.goto(served + page, wait_until="networkidle")
    finally:
        tab.close()
    assert requests
    outside = [
        url
        for url in requests
        if not url.startswith(served) and not url.startswith("data:")
    ]
    assert not outside, outside


@pytest.mark.parametrize("language", LANGUAGES)
def test_notebook_pages_offer_their_executed_notebook(site, served, language):
    """Each notebook page's download button points at the .ipynb next to it:
    the notebook of the page's language, with its outputs."""
    import nbformat

    prefix = LANGUAGES[language]
    for source in sorted((ROOT / "examples" / language).glob("*.ipynb")):
        page = f"{prefix}examples/{source.stem}/"
        html = html_of(site, page)
        buttons = re.findall(
            r'<p class="notebook-download"><a class="md-button" href="([^"]+)"'
            r' download="([^"]+)">',
            html,
        )
        assert buttons == [(source.name, source.name)], f"{page}: {buttons}"
        target = urljoin(served + page, source.name)
        code, body = fetch(target)
        assert code == 200, target
        shipped = nbformat.reads(body, as_version=4)
        original = nbformat.read(source, as_version=4)
        text = [c.source for c in shipped.cells if c.cell_type == "markdown"]
        assert text == [
            c.source for c in original.cells if c.cell_type == "markdown"
        ], f"{target} is not the {language} notebook"
        assert any(
            c.get("outputs") for c in shipped.cells if c.cell_type == "code"
        ), f"{target} has no outputs"


def page_sources():
    """``(page url with language prefix, source file in the repository)``."""
    for language, prefix in LANGUAGES.items():
        for page in sorted((ROOT / "docs" / language).rglob("*.md")):
            path = page.relative_to(ROOT / "docs" / language).with_suffix("")
            url = "" if path.as_posix() == "index" else f"{path.as_posix()}/"
            yield prefix + url, page.relative_to(ROOT).as_posix()
        for notebook in sorted((ROOT / "examples" / language).glob("*.ipynb")):
            yield (
                f"{prefix}examples/{notebook.stem}/",
                notebook.relative_to(ROOT).as_posix(),
            )


def test_edit_and_view_links_name_each_page_source(site):
    """ "Edit this page" and "view source" of every chapter and notebook, both
    languages, open the file the page is made from, in the repository."""
    for url, source in page_sources():
        html = html_of(site, url)
        edit = re.findall(
            r'<a href="([^"]+)" title="[^"]*" class="md-content__button md-icon"'
            r' rel="edit">',
            html,
        )
        view = re.findall(
            r'<a href="([^"]+)" title="[^"]*" class="md-content__button md-icon">',
            html,
        )
        assert edit == [f"{REPO_URL}/edit/main/{source}"], f"{url}: {edit}"
        assert view == [f"{REPO_URL}/raw/main/{source}"], f"{url}: {view}"
        assert (ROOT / source).is_file()


def test_preface_clone_line_names_the_repository(site):
    for prefix in LANGUAGES.values():
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", html_of(site, prefix)))
        assert f"git clone {REPO_URL}.git lstm-recipes" in text
        assert "<repository-url>" not in text


def test_without_a_repository_the_site_shows_no_repository_links(tmp_path):
    """REPO_URL unset: no edit or view buttons, no repository in the header,
    and the clone line keeps its placeholder, as text, not a link. A
    one-page site with the project's config and publishing hook shows it."""
    for language in LANGUAGES:
        (tmp_path / "docs" / language).mkdir(parents=True)
        (tmp_path / "docs" / language / "index.md").write_text(
            "# Page {#page}\n\n```bash\ngit clone <repository-url> x\n```\n",
            encoding="utf-8",
        )
    config = _one_page_config(
        tmp_path, hooks=[ROOT / "docs" / "hooks" / "publish.py"]
    )
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    for prefix in LANGUAGES.values():
        html = (tmp_path / "site" / prefix / "index.html").read_text("utf-8")
        assert 'rel="edit"' not in html
        assert "md-source" not in html  # Material's repository link
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
        assert "git clone <repository-url> x" in text


def test_site_without_pdfs_links_none(site):
    """The suite's build prints no PDF, so the preface links none (the
    ``pdf-edition`` block is dropped); ``nox -s pdf`` keeps it."""
    for prefix in LANGUAGES.values():
        html = html_of(site, prefix)
        assert ".pdf" not in html
        assert "pdf-edition" not in html
    assert not (site / "pdf").exists()


GLOSSARY_ROW = re.compile(r"^\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$", re.M)


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_abbreviations_are_tooltips_from_the_glossary(site, language):
    """Each ASCII abbreviation of the glossary page, "long short-term memory
    (LSTM)", is a tooltip on the pages of its language, whose text names
    the English and the Chinese term of that row; no other abbreviation is."""
    source = (ROOT / "docs" / language / "appendix" / "glossary.md").read_text(
        "utf-8"
    )
    terms = {}
    for english, chinese in GLOSSARY_ROW.findall(source):
        match = re.fullmatch(r"(.+) \(([A-Za-z0-9]+)\)", english)
        if match and re.search(r"[A-Z]{2}|\d", match[2]):
            terms[match[2]] = (match[1], chinese.split("，")[0])
    assert {"LSTM", "RNN", "BPTT", "CNN", "seq2seq"} <= set(terms)
    titles = {}
    prefix = LANGUAGES[language]
    for url in page_urls():
        if url.startswith("examples/"):
            continue
        html = html_of(site, prefix + url)
        for title, abbr in re.findall(
            r'<abbr title="([^"]+)">([^<]+)</abbr>', html
        ):
            titles.setdefault(abbr, set()).add(html_lib.unescape(title))
    glossary = html_of(site, f"{prefix}appendix/glossary/")
    for abbr, (english, chinese) in terms.items():
        assert f">{abbr}</abbr>" in glossary, f"{abbr} is no tooltip"
        [title] = titles[abbr]
        assert english in title and chinese in title, (abbr, title)
    assert set(titles) == set(terms)
    assert ">LSTM</abbr>" in html_of(site, f"{prefix}models/stacked/")


def test_one_chapter_prints_to_pdf(site, browser, tmp_path):
    """The print edition's path on one chapter of the suite's site (the
    whole book: nox -s pdf): Chromium prints it, and the PDF has the
    chapter's title and sections, a table of contents, page numbers, the
    figures' labels and the code, with no glyph missing."""
    from tests.test_pdf import check_edition
    from tools import pdf

    try:
        pdf.require_printer()
        pdf.require_font("zh")
    except pdf.PrintError as error:
        pytest.skip(f"cannot print here: {error}")
    urls = ["models/stacked/"]
    [report] = pdf.print_book(site, None, ["zh"], urls, tmp_path, browser)
    path = tmp_path / pdf.PDF_NAME.format(language="zh")
    assert not check_edition(path, site, "zh", urls)
    chapter = pdf.read_chapter(site, "zh", urls[0], set(), None)
    text = re.sub(r"\s+", "", pdf.pdf_text(path))
    for _, section in chapter.sections:
        assert re.sub(r"\s+", "", section) in text, section


@pytest.mark.parametrize("language", LANGUAGES)
def test_print_page_links_stay_inside_it(site, language):
    """The whole book's print page (tools/pdf.py): ids unique, every
    in-book link lands on an id of the print page, images come from the
    site, and nothing is left relative to a chapter's own address."""
    from tools import pdf

    html = pdf.assemble(site, language, site_url="https://example.invalid/")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    ids = set(ids)
    problems = []
    for attribute, value in re.findall(r'\b(href|src)="([^"]*)"', html):
        if value.startswith("#"):
            if value[1:] not in ids:
                problems.append(f"{value}: no such id")
        elif attribute == "src" and not value.startswith("data:"):
            if not (site / unquote(value).lstrip("/")).is_file():
                problems.append(f"{value}: no such file")
        elif not re.match(r"(https?:|mailto:|data:)", value) and not (
            attribute == "href" and value.endswith(".css")
        ):
            problems.append(f"{attribute}={value}: relative")
    assert not problems, problems[:20]
    for _, pages in pdf.book_outline(language):
        for url in pages:
            assert f'id="{pdf.anchor_of(url)}"' in html


def test_the_glyph_check_finds_boxes(browser, tmp_path):
    """A character no installed font has (U+0B95, Tamil; U+1FBC5, a legacy
    computing symbol) prints as a box, and the PDF check says so."""
    from tools import pdf

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found (apt-get install poppler-utils)")
    tab = browser.new_page()
    try:
        tab.set_content(
            '<p lang="en">Text with \u0b95 and \U0001fbc5 and the rest.</p>'
        )
        tab.pdf(path=str(tmp_path / "boxes.pdf"))
        tab.set_content('<p lang="en">Text with no missing glyph.</p>')
        tab.pdf(path=str(tmp_path / "clean.pdf"))
    finally:
        tab.close()
    assert pdf.missing_glyphs(tmp_path / "boxes.pdf") == 2
    assert pdf.missing_glyphs(tmp_path / "clean.pdf") == 0
    assert pdf.check_pdf(tmp_path / "clean.pdf", ["no missing glyph"]) == []
    [problem] = pdf.check_pdf(tmp_path / "boxes.pdf", ["the rest"])
    assert "2 characters drawn without a glyph" in problem
