"""Command line: run pages as the tests do; optionally refresh them.

    python -m tests.pages docs/zh/x.md docs/en/x.md            # run, report
    python -m tests.pages --update docs/zh/x.md docs/en/x.md   # and rewrite

Each pair's code runs once (``runner.PageRun``), through the same Sybil
documents and evaluator as the pytest plugin, skips included. With
``--update`` every output block of both pages gets what the code printed,
and the figures each block drew are copied to ``figures/`` beside the pages
(the zh page gets the copy with Chinese labels).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import SkipTest

from sybil.example import SybilFailure

from tests.pages import plugin
from tests.pages.runner import DOCS, LANGUAGES, RUNS, pair_key


def evaluate_document(document):
    """Evaluate every example of a document in order; return the failures."""
    failures = []
    for example in document.examples():
        try:
            example.evaluate()
        except SybilFailure as failure:
            failures.append(f"{document.name}:{example.line}: {failure.result}")
        except SkipTest as skip:
            print(
                f"{document.name}:{example.line}: skipped: {skip}",
                file=sys.stderr,
            )
        except Exception as error:  # noqa: BLE001 - reported, then stop
            failures.append(
                f"{document.name}:{example.line}: "
                f"{type(error).__name__}: {error}"
            )
            break
    return failures


def rewrite_outputs(document):
    """Write the run's printed text into the page's output blocks."""
    text = document.text
    units = [
        region.parsed
        for _, region in reversed(document.regions)
        if getattr(region.parsed, "output", None) is not None
    ]
    for unit in units:
        result = document.run.results.get(unit.index)
        if result is None:
            continue
        block = unit.output
        newline = "\n" if text[block.end - 1] == "\n" else ""
        fence = _fence(text, block, result.printed) + newline
        text = text[: block.start] + fence + text[block.end :]
    Path(document.path).write_text(text, encoding="utf-8")


def _fence(text, block, printed):
    """An ```output fence holding ``printed``, indented like the old one."""
    line_start = text.rfind("\n", 0, block.start) + 1
    first = text[line_start : text.find("\n", block.start)]
    indent = first[: len(first) - len(first.lstrip())]
    fence = first.strip()[: len(first.strip()) - len("output")]
    body = "".join(
        f"{indent}{line}".rstrip() + "\n"
        for line in printed.rstrip("\n").split("\n")
    )
    return f"{fence}output\n{body}{indent}{fence}"


def copy_figures(document):
    from lstm_recipes.zh_labels import translate_svg

    target = Path(document.path).parent / "figures"
    for _, region in document.regions:
        unit = region.parsed
        result = document.run.results.get(getattr(unit, "index", -1))
        if result is None:
            continue
        for name, drawn in result.drawn.items():
            target.mkdir(exist_ok=True)
            if document.language == "zh" and name.endswith(".svg"):
                svg = translate_svg(drawn.read_text(encoding="utf-8"))
                (target / name).write_text(svg, encoding="utf-8")
            else:
                (target / name).write_bytes(drawn.read_bytes())
            print(f"   wrote {target / name}", file=sys.stderr)


def pairs_of(pages):
    """Group page paths by pair, adding the other language's page if it exists."""
    grouped = {}
    for page in pages:
        page = page.resolve()
        key = pair_key(page)
        grouped.setdefault(key, set()).add(page)
        for language in LANGUAGES:
            other = DOCS / language / key
            if other.is_file():
                grouped[key].add(other)
    return grouped


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tests.pages",
        description="Run pages' code as the tests do (once per zh/en pair); "
        "optionally rewrite their output blocks and figures.",
    )
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite the output blocks and figures of both languages",
    )
    args = parser.parse_args(argv)
    if args.update:
        import keras

        from tests.pages.compare import REFERENCE_BACKEND

        if keras.backend.backend() != REFERENCE_BACKEND:
            parser.error(
                f"--update writes the outputs the pages print, which are "
                f"{REFERENCE_BACKEND}'s; this is the "
                f"{keras.backend.backend()} backend (unset KERAS_BACKEND)"
            )
    plugin.PageDocument.update = args.update
    failed = False
    for key, paths in pairs_of(args.pages).items():
        print(f"== {key}", file=sys.stderr)
        documents = [plugin.SYBIL.parse(path) for path in sorted(paths)]
        failures = []
        for document in documents:
            failures += evaluate_document(document)
        if args.update and not failures:
            for document in documents:
                rewrite_outputs(document)
                copy_figures(document)
        for failure in failures:
            print(failure, file=sys.stderr)
        failed = failed or bool(failures)
        RUNS.close_all()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
