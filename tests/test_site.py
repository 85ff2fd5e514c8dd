"""The built site, checked in its HTML: what a reader sees, not just mkdocs' exit code.

The site is built once per test session with ``mkdocs build --strict`` (notebooks
executed, no cache), then inspected: both languages, the language switcher, the
notebooks rendered with their outputs, Chinese search, copy buttons, the palette
toggle, and every internal link and anchor.
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
import textwrap
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from lstm_recipes.zh_labels import untranslated_text

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {
    "zh": "",
    "en": "en/",
}  # language -> URL prefix (zh is the default)

# One build for all of them: under pytest-xdist, one worker runs this module
# (tests/pages/plugin.py schedules a test module as one unit of work).
pytestmark = pytest.mark.site


def mkdocs_build(config, site_dir):
    env = {
        **os.environ,
        "LSTM_BOOK_NOTEBOOK_CACHE": "false",
        "NO_MKDOCS_2_WARNING": "1",
    }
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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site_dir)
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
            target = urljoin(f"/{page}", links[language])
            assert target == f"/{target_prefix}{url}", (
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
        base = "/" + page.relative_to(site).as_posix()
        for _, link in internal_links(html):
            target = urlsplit(urljoin(base, link))
            path = site / unquote(target.path).lstrip("/")
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


def test_a_missing_include_fails_the_build(tmp_path):
    """The project's mkdocs.yml, inherited by a two-page site: a good include builds, a bad one
    fails. The markdown options are the project's own, untouched: snippets resolve paths
    from the config's folder, where a link to lstm_recipes stands in for the repository."""
    for language in LANGUAGES:
        (tmp_path / "docs" / language).mkdir(parents=True)
    (tmp_path / "lstm_recipes").symlink_to(ROOT / "lstm_recipes")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        textwrap.dedent(
            f"""\
            INHERIT: {ROOT / "mkdocs.yml"}
            docs_dir: docs
            hooks: []
            watch: []
            nav: [index.md]
            plugins:
              - search
              - i18n:
                  docs_structure: folder
                  languages:
                    - {{locale: zh, default: true, name: 中文}}
                    - {{locale: en, name: English}}
            """
        ),
        encoding="utf-8",
    )

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


def _chromium():
    """The system's Chromium (Playwright's own download needs the internet)."""
    names = ("chromium", "chromium-browser", "google-chrome")
    found = (shutil.which(name) for name in names)
    return os.environ.get("LSTM_BOOK_CHROMIUM") or next(
        filter(None, found), None
    )


@pytest.fixture(scope="module")
def served(site):
    """The built site over HTTP (the search worker cannot read file:// URLs)."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(site)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
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
        tab.wait_for_selector(".md-search-result__item", timeout=20_000)
        links = tab.eval_on_selector_all(
            ".md-search-result__link", "links => links.map(a => a.href)"
        )
    finally:
        tab.close()
    paths = [urlsplit(link).path for link in links]
    assert paths, f"no results for {query!r}"
    other = [p for p in paths if p.startswith("/en/") != (language == "en")]
    assert not other, f"{language} search for {query!r} found {other}"
    assert f"/{prefix}{expected}" in paths, paths


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
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        textwrap.dedent(
            f"""\
            INHERIT: {ROOT / "mkdocs.yml"}
            docs_dir: docs
            hooks: []
            watch: []
            nav: [index.md]
            plugins:
              - search
              - i18n:
                  docs_structure: folder
                  languages:
                    - {{locale: zh, default: true, name: 中文}}
                    - {{locale: en, name: English}}
              - mkdocstrings: {json.dumps(_project_mkdocstrings())}
            """
        ),
        encoding="utf-8",
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
