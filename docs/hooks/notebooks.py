"""MkDocs hook: the notebooks of ``examples/<lang>/`` as pages of each language,
executed once per zh/en pair.

mkdocs-static-i18n recreates every file under ``docs_dir`` as a plain ``File``,
which drops mkdocs-jupyter's notebook wrapper: notebooks then ship as raw JSON
while ``--strict`` still passes (ultrabug/mkdocs-static-i18n#198). So the
notebooks live outside ``docs_dir``, and this hook adds the current language's
notebooks *after* i18n has rebuilt the file list (priority -150 < i18n's -100),
as documentation pages that mkdocs-jupyter renders, with the alternates the
language switcher needs.

The zh and en notebooks of a pair hold identical code cells (the parity test
says so), so their code runs once: this hook executes one copy with nbclient
and gives both languages its outputs, figures as SVG whose text the zh copy
translates (``lstm_recipes.zh_labels``). mkdocs-jupyter only renders
(``execute: false``). The executed copies live in a temporary folder of this
build; with ``LSTM_BOOK_NOTEBOOK_CACHE=true`` (``nox -s serve``) they are also
kept in ``.cache/notebooks/``, keyed by the code and by ``lstm_recipes``.

``examples/zh/x.ipynb`` is served at ``examples/x/``, ``examples/en/x.ipynb``
at ``en/examples/x/``; in ``nav`` write ``examples/x.ipynb``. Start every
notebook heading with a number or an ASCII word ("## 1. 数据"): mkdocs-jupyter's
table of contents and nbconvert slug headings differently, and agree only there
(tests/test_site.py checks every anchor).
"""

import copy
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CACHE = ROOT / ".cache" / "notebooks"
log = logging.getLogger("mkdocs.hooks.notebooks")

KERNEL_CONFIG = """\
# Written by docs/hooks/notebooks.py for one site build.
# TensorFlow's C++ start-up log (oneDNN, absl) goes to the build log instead of
# the first cell's output; Python's own output and warnings still reach cells.
c.IPKernelApp.capture_fd_output = False
# Figures as SVG with text kept as text: the zh page translates it.
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {"svg.fonttype": "none"}
"""


class NotebookPage(File):
    """A notebook that MkDocs treats as a page (mkdocs-jupyter renders it)."""

    def is_documentation_page(self):
        return True


class Build:
    """What one ``mkdocs build`` (or serve session) keeps: a temporary folder
    with the IPython profile and the executed notebooks."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="lstm-book-notebooks-"))
        profile = self.folder / "ipython" / "profile_default"
        profile.mkdir(parents=True)
        (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
        self.executed = {}  # notebook name -> {language: Path}

    def kernel_environment(self):
        """The kernel's environment, not this process's: set only for it."""
        return {
            **os.environ,
            "IPYTHONDIR": str(self.folder / "ipython"),
            # draw inline even when the caller chose another backend (Agg)
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "1"),
        }

    def close(self):
        shutil.rmtree(self.folder, ignore_errors=True)


BUILD = None


def _code(notebook):
    return [c.source for c in notebook.cells if c.cell_type == "code"]


def _cache_key(code):
    digest = hashlib.sha256("\x00".join(code).encode())
    for module in sorted((ROOT / "lstm_recipes").rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:20]


def execute_pair(name, languages):
    """Execute ``name`` once; write an executed copy for each language."""
    import nbformat
    from nbclient import NotebookClient

    from lstm_recipes.zh_labels import translate_svg

    sources = {
        language: nbformat.read(EXAMPLES / language / name, as_version=4)
        for language in languages
    }
    codes = {language: _code(nb) for language, nb in sources.items()}
    reference = codes[languages[0]]
    for language, code in codes.items():
        if code != reference:
            raise PluginError(
                f"examples/{language}/{name}: code cells differ from "
                f"examples/{languages[0]}/{name}; a pair runs one code"
            )
    key = _cache_key(reference)
    cached = CACHE / f"{Path(name).stem}-{key}.ipynb"
    if _use_cache() and cached.is_file():
        executed = nbformat.read(cached, as_version=4)
        log.info("notebook %s: cached outputs", name)
    else:
        executed = copy.deepcopy(sources[languages[0]])
        workdir = BUILD.folder / f"run-{Path(name).stem}"
        workdir.mkdir(exist_ok=True)
        client = NotebookClient(
            executed,
            timeout=600,
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        log.info(
            "notebook %s: executing once for %s", name, "/".join(languages)
        )
        try:
            client.execute(env=BUILD.kernel_environment())
        except Exception as error:  # a failing cell fails the build
            raise PluginError(f"examples/*/{name} failed:\n{error}") from None
        if _use_cache():
            CACHE.mkdir(parents=True, exist_ok=True)
            nbformat.write(executed, cached)
    outputs = [c for c in executed.cells if c.cell_type == "code"]
    paths = {}
    for language, notebook in sources.items():
        code_cells = (c for c in notebook.cells if c.cell_type == "code")
        for cell, ran in zip(code_cells, outputs):
            cell.outputs = copy.deepcopy(ran.outputs)
            cell.execution_count = ran.get("execution_count")
            if language == "zh":
                for output in cell.outputs:
                    data = output.get("data", {})
                    if "image/svg+xml" in data:
                        data["image/svg+xml"] = translate_svg(
                            data["image/svg+xml"]
                        )
        path = BUILD.folder / language / name
        path.parent.mkdir(exist_ok=True)
        nbformat.write(notebook, path)
        paths[language] = path
    return paths


def _use_cache():
    return os.environ.get("LSTM_BOOK_NOTEBOOK_CACHE", "false").lower() == "true"


def executed_notebook(name, language, languages):
    if name not in BUILD.executed:
        BUILD.executed[name] = execute_pair(name, languages)
    return BUILD.executed[name][language]


def on_startup(command, dirty):
    global BUILD
    BUILD = Build()


def on_shutdown():
    if BUILD is not None:
        BUILD.close()


def on_pre_build(config):
    # A new build (serve: after an edit) executes afresh, or reads the cache;
    # the other languages' builds, nested in the first by i18n, reuse its runs.
    i18n = config.plugins.get("i18n")
    if not getattr(i18n, "building", False):
        BUILD.executed.clear()


def _notebook_page(config, language, default_language, name, path):
    page = NotebookPage.generated(
        config, f"{language}/examples/{name}", abs_src_path=str(path)
    )
    prefix = "" if language == default_language else f"{language}/"
    page.dest_uri = f"{prefix}examples/{Path(name).stem}/index.html"
    page.locale = page.localization = language
    page.norm_src_uri = f"examples/{name}"
    # "edit this page" / "view source": the notebook in the repository, which
    # lies outside docs_dir (edit_uri is relative to docs/)
    page.edit_uri = f"../examples/{language}/{name}"
    return page


DOWNLOAD = {
    "zh": "下载这个 Jupyter 记事本（{name}，含运行结果）",
    "en": "Download this notebook ({name}, with its outputs)",
}


def on_page_content(html, page, config, files):
    """A download button above a notebook page: its executed ``.ipynb`` in the
    page's language, which mkdocs-jupyter copies next to the page
    (``include_source``)."""
    if not isinstance(page.file, NotebookPage):
        return html
    name = Path(page.file.abs_src_path).name
    label = DOWNLOAD.get(page.file.locale, DOWNLOAD["en"]).format(name=name)
    button = (
        f'<p class="notebook-download"><a class="md-button" href="{name}" '
        f'download="{name}">{label}</a></p>\n'
    )
    return button + html


@event_priority(-150)
def on_files(files, config):
    i18n = config.plugins.get("i18n")
    if i18n is None:
        raise PluginError(
            "docs/hooks/notebooks.py needs the mkdocs-static-i18n plugin"
        )
    language, default = i18n.current_language, i18n.default_language
    for notebook in sorted((EXAMPLES / language).glob("*.ipynb")):
        languages = [
            other
            for other in i18n.all_languages
            if (EXAMPLES / other / notebook.name).is_file()
        ]
        versions = {
            other: _notebook_page(
                config,
                other,
                default,
                notebook.name,
                executed_notebook(notebook.name, other, languages),
            )
            for other in languages
        }
        page = versions[language]
        page.locale_alternate_of = language
        page.alternates = versions
        files.append(page)
    # the sitemap (i18n's template) lists these pages, with their alternates
    i18n.i18n_files_per_language[language] = files.documentation_pages()
    return files
