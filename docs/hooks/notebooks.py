"""MkDocs hook: render the notebooks of ``examples/<lang>/`` as pages of each language.

mkdocs-static-i18n recreates every file under ``docs_dir`` as a plain ``File``,
which drops mkdocs-jupyter's notebook wrapper: notebooks then ship as raw JSON
while ``--strict`` still passes (ultrabug/mkdocs-static-i18n#198). So the
notebooks live outside ``docs_dir``, and this hook adds the current language's
notebooks *after* i18n has rebuilt the file list (priority -150 < i18n's -100),
as documentation pages that mkdocs-jupyter renders, with the alternates the
language switcher needs.

``examples/zh/x.ipynb`` is served at ``examples/x/``, ``examples/en/x.ipynb``
at ``en/examples/x/``; in ``nav`` write ``examples/x.ipynb``. Start every
notebook heading with a number or an ASCII word ("## 1. 数据"): mkdocs-jupyter's
table of contents and nbconvert slug headings differently, and agree only there
(tests/test_site.py checks every anchor).
"""

import os
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class NotebookPage(File):
    """A notebook that MkDocs treats as a page (mkdocs-jupyter renders it)."""

    def is_documentation_page(self):
        return True


def _notebook_page(config, language, default_language, name):
    page = NotebookPage.generated(
        config,
        f"{language}/examples/{name}",
        abs_src_path=str(EXAMPLES / language / name),
    )
    prefix = "" if language == default_language else f"{language}/"
    page.dest_uri = f"{prefix}examples/{Path(name).stem}/index.html"
    page.locale = page.localization = language
    page.norm_src_uri = f"examples/{name}"
    return page


KERNEL_CONFIG = """\
# Written by docs/hooks/notebooks.py for the site build only.
# TensorFlow's C++ start-up log (oneDNN, absl) goes to the build log instead of
# the first cell's output; Python's own output and warnings still reach cells.
c.IPKernelApp.capture_fd_output = False
"""


def on_config(config):
    # Notebook kernels inherit this environment. Hide TensorFlow's C++ INFO lines,
    # send what still prints at the C level (the oneDNN notice ignores the level)
    # to the build log, and draw figures inline even when the caller set another
    # backend (the test run sets Agg).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    profile = Path(tempfile.gettempdir()) / "lstm-recipes-ipython"
    (profile / "profile_default").mkdir(parents=True, exist_ok=True)
    (profile / "profile_default" / "ipython_kernel_config.py").write_text(
        KERNEL_CONFIG
    )
    os.environ["IPYTHONDIR"] = str(profile)
    return config


@event_priority(-150)
def on_files(files, config):
    i18n = config.plugins.get("i18n")
    if i18n is None:
        raise PluginError(
            "docs/hooks/notebooks.py needs the mkdocs-static-i18n plugin"
        )
    language, default = i18n.current_language, i18n.default_language
    for notebook in sorted((EXAMPLES / language).glob("*.ipynb")):
        versions = {
            other: _notebook_page(config, other, default, notebook.name)
            for other in i18n.all_languages
            if (EXAMPLES / other / notebook.name).is_file()
        }
        page = versions[language]
        page.locale_alternate_of = language
        page.alternates = versions
        files.append(page)
    return files
