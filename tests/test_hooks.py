"""The MkDocs hooks: Chinese line joining, MathML rendering, search, API
links, notebooks, glossary tooltips and publishing."""

import importlib.util
from pathlib import Path

import markdown
import pytest
from mkdocs.exceptions import PluginError

from tools import pdf

ROOT = Path(__file__).resolve().parents[1]


def _hook(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "docs" / "hooks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _html(text):
    return markdown.markdown(
        text,
        extensions=["pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )


def test_math_becomes_mathml_and_code_is_left_alone():
    math = _hook("math")
    text = (
        "The gate $f_t = \\sigma(z)$ and $a < b$.\n\n"
        "$$\nc_t = f_t \\odot c_{t-1}\n$$\n\n"
        "```python\nprice = '$5 and $6'\n```\n"
    )
    html = math.render_math(_html(text))
    assert "arithmatex" not in html
    assert html.count("<math") == 3
    assert 'display="block"' in html
    assert "<mo>&#x0003C;</mo>" in html  # '<' unescaped, then re-encoded
    assert "$5 and $6" in html


def test_chinese_lines_are_joined_but_english_and_code_are_not():
    cjk = _hook("cjk")
    html = (
        "<p>长短期\n  记忆网络\nLSTM\nnetworks</p>\n"
        "<pre><code>代码\n代码</code></pre>\n<p>行内 <code>代码\n代码</code></p>"
    )
    joined = cjk.join_cjk_lines(html)
    assert joined.startswith("<p>长短期记忆网络\nLSTM\nnetworks</p>")
    assert "<pre><code>代码\n代码</code></pre>" in joined
    assert "<code>代码\n代码</code>" in joined


def test_chinese_lines_join_through_links_and_bold():
    cjk = _hook("cjk")
    html = '<p>见\n  <a href="x/">第 4 章</a>\n跑遍；<strong>注意</strong>，\n<em>看</em></p>'
    assert cjk.join_cjk_lines(html) == (
        '<p>见<a href="x/">第 4 章</a>跑遍；<strong>注意</strong>，<em>看</em></p>'
    )


def test_chinese_quotes_and_dashes_join_like_chinese():
    cjk = _hook("cjk")
    joined = cjk.join_cjk_lines("<p>找不到\n“写入”这个解——\n然后……\n保持</p>")
    assert joined == "<p>找不到“写入”这个解——然后……保持</p>"


def test_search_hook_points_english_pages_to_their_own_index():
    search = _hook("search")

    class Config(dict):
        plugins = {}

    class I18n:
        default_language, building = "zh", False

    class File:
        locale = "en"

    class Page:
        file = File()

    config = Config()
    config.plugins = {"i18n": I18n()}
    html = '<script id="__config" type="application/json">{"base": "../.."}</script>'
    out = search.on_post_page(html, page=Page(), config=config)
    assert (
        '"base": "../../en/"' in out
    )  # the slash: Material resolves against it
    File.locale = "zh"
    assert search.on_post_page(html, page=Page(), config=config) == html


def test_api_links_turn_listing_titles_into_links():
    api_links = _hook("api_links")

    class File:
        locale = "en"

    class Page:
        file, url = File(), "en/models/stacked/"

    class I18n:
        default_language = "zh"

    class Config:
        plugins = {"i18n": I18n()}

    html = '<span class="filename">lstm_recipes/stacked.py</span>'
    out = api_links.on_page_content(html, Page(), Config(), None)
    assert 'href="../../appendix/api/#lstm_recipes.stacked"' in out


def test_notebook_kernels_get_their_own_environment(monkeypatch):
    import os

    notebooks = _hook("notebooks")
    before = dict(os.environ)
    build = notebooks.Build()
    try:
        env = build.kernel_environment()
        assert env["IPYTHONDIR"].startswith(str(build.folder))
        config = build.folder / "ipython" / "profile_default"
        assert (
            "svg.fonttype" in (config / "ipython_kernel_config.py").read_text()
        )
        assert dict(os.environ) == before  # this process is left alone
    finally:
        build.close()
    assert not build.folder.exists()


def test_glossary_abbreviations_come_from_the_glossary_table():
    glossary = _hook("glossary")
    zh, en = glossary.abbreviations("zh"), glossary.abbreviations("en")
    assert zh["LSTM"] == "长短期记忆网络（long short-term memory）"
    assert en["LSTM"] == "long short-term memory (长短期记忆网络)"
    assert en["seq2seq"] == "sequence-to-sequence (序列到序列)"
    assert set(zh) == set(en) == {"LSTM", "RNN", "seq2seq", "BPTT", "CNN"}
    assert "*[BPTT]: 随时间反向传播（backpropagation through time）" in (
        glossary.definitions("zh").splitlines()
    )


def test_publish_hook_drops_the_pdf_block_unless_pdfs_are_built(monkeypatch):
    publish = _hook("publish")
    page = type("Page", (), {})()
    page.file = type("File", (), {"abs_src_path": "/x/docs/zh/index.md"})()
    config = type("Config", (), {"repo_url": None})()
    text = (
        'Before.\n\n<div class="pdf-edition" markdown>\n[PDF](x.pdf)\n</div>\n'
        "\n```bash\ngit clone <repository-url> lstm-recipes\n```\n"
    )
    monkeypatch.delenv("LSTM_BOOK_PDF", raising=False)
    out = publish.on_page_markdown(text, page, config, None)
    assert "pdf" not in out.lower() and "git clone <repository-url>" in out
    monkeypatch.setenv("LSTM_BOOK_PDF", "true")
    config.repo_url = "https://example.invalid/book/"
    out = publish.on_page_markdown(text, page, config, None)
    assert "[PDF](x.pdf)" in out
    assert "git clone https://example.invalid/book.git lstm-recipes" in out


def test_pdf_build_stops_early_and_says_what_to_install(monkeypatch):
    """LSTM_BOOK_PDF=true without a CJK font: the build fails at its start
    (before the notebooks run), naming the package to install."""
    publish = _hook("publish")
    monkeypatch.setenv("LSTM_BOOK_PDF", "true")
    monkeypatch.setattr(pdf, "cjk_fonts", lambda: [])
    monkeypatch.setattr(pdf, "require_printer", lambda: None)
    config = type("Config", (), {"repo_url": None, "edit_uri": None})()
    with pytest.raises(PluginError, match="apt-get install fonts-noto-cjk"):
        publish.on_config(config)


def test_pdf_printer_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    with pytest.raises(pdf.PrintError, match="no Chromium found"):
        pdf.require_printer()
    monkeypatch.setattr(pdf, "cjk_fonts", lambda: [])
    with pytest.raises(pdf.PrintError, match="fonts-noto-cjk"):
        pdf.require_font("zh")
    pdf.require_font("en")  # English needs no CJK font
    assert not pdf.published("http://127.0.0.1:8000/")
    assert pdf.published("https://someone.github.io/lstm-recipes/")
