"""MkDocs hook: what a published site needs beyond its pages.

- **Repository links.** ``repo_url`` comes from the environment (``REPO_URL``;
  the deploy workflow sets it to its own repository). Unset, the site has no
  "edit this page" or "view source" buttons (``edit_uri`` is dropped, which
  MkDocs would otherwise reject without a ``repo_url``), and the preface's
  ``git clone <repository-url>`` keeps its placeholder; set, the placeholder
  becomes the address.
- **404 pages in their language.** mkdocs-static-i18n builds English after
  Chinese into the same folder, so the English ``404.html`` would overwrite the
  Chinese one at the root. The English build's page moves to ``en/404.html``
  and the Chinese one is put back at the root, which is the page a static host
  (GitHub Pages) serves for any missing address.
"""

import copy
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority

PLACEHOLDER = "<repository-url>"


class State:
    # the default language's 404.html, kept across the nested builds
    not_found = None


STATE = State()


def _i18n(config):
    return config.plugins.get("i18n")


def on_config(config):
    if not config.repo_url:
        config.edit_uri = None
    return config


def clone_address(repo_url):
    """The address ``git clone`` takes for ``repo_url`` (``None``: none known)."""
    if not repo_url:
        return None
    return repo_url.rstrip("/") + ".git"


def on_page_markdown(markdown, page, config, files):
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


on_post_build = CombinedEvent(_keep_404, _restore_default_404)
