"""MkDocs hook: one search index per language.

mkdocs-static-i18n builds the languages one after the other and writes a
single ``search/search_index.json`` with the pages of both, so a reader who
searches on an English page gets Chinese pages too, often first. After the
last language is built, this hook splits that index: ``search/`` keeps the
default language (zh), ``en/search/`` gets the English pages, with locations
relative to ``en/``; and on English pages Material's ``base`` (where it looks
for ``search/search_index.json`` and resolves result links) points to
``en/``.
"""

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

BASE = re.compile(r'("base":\s*")([^"]*)(")')


def _i18n(config):
    return config.plugins.get("i18n")


def _prefix(language, i18n):
    return "" if language == i18n.default_language else f"{language}/"


def on_post_page(output, page, config):
    """Point Material's ``base`` of a non-default-language page to its root."""
    i18n = _i18n(config)
    language = getattr(page.file, "locale", None)
    if i18n is None or language in (None, i18n.default_language):
        return output
    return _point_base(output, language)


def on_post_template(output, template_name, config):
    """The same for the 404 page of a non-default language (en/404.html)."""
    i18n = _i18n(config)
    if template_name != "404.html" or i18n is None:
        return output
    if i18n.current_language == i18n.default_language:
        return output
    return _point_base(output, i18n.current_language)


def _point_base(output, language):
    head, marker, rest = output.partition('<script id="__config"')
    if not marker:
        return output
    script, end, tail = rest.partition("</script>")
    script = BASE.sub(
        # the trailing slash matters: Material resolves "search/..." against it
        lambda m: f"{m[1]}{m[2].rstrip('/') or '.'}/{language}/{m[3]}",
        script,
        count=1,
    )
    return head + marker + script + end + tail


@event_priority(-200)  # after i18n (-100) has written the joint index
def on_post_build(config):
    i18n = _i18n(config)
    if i18n is None or i18n.building:
        return  # a language build nested in the first one
    site = Path(config.site_dir)
    joint = site / "search" / "search_index.json"
    if not joint.is_file():
        return
    index = json.loads(joint.read_text(encoding="utf-8"))
    per_language = {language: [] for language in i18n.all_languages}
    for doc in index["docs"]:
        language = next(
            (
                other
                for other in i18n.all_languages
                if other != i18n.default_language
                and doc["location"].startswith(f"{other}/")
            ),
            i18n.default_language,
        )
        prefix = _prefix(language, i18n)
        per_language[language].append(
            {**doc, "location": doc["location"][len(prefix) :]}
        )
    for language, docs in per_language.items():
        target = site / _prefix(language, i18n) / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        config_part = {**index["config"], "lang": [language]}
        target.write_text(
            json.dumps(
                {"config": config_part, "docs": docs}, ensure_ascii=False
            ),
            encoding="utf-8",
        )
