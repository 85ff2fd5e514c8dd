"""The page harness (tests/pages/): what it runs, what it refuses, how it
compares output, and that zh and en pages share one run."""

import os
import re
import subprocess
import sys
import types
import unittest
from pathlib import Path

import keras
import pytest
from sybil import Sybil
from sybil.example import SybilFailure
from sybil.testing import check_lexer, check_sybil

from tests.backends import tensorflow_only
from tests.pages import markup, plugin
from tests.pages.__main__ import main as pages_main
from tests.pages.compare import outputs_match, rule_for_backend
from tests.pages.markup import page_units as page_examples
from tests.pages.markup import read_blocks
from tests.pages.plugin import expand_includes
from tests.pages.runner import RUNS

ROOT = Path(__file__).resolve().parents[1]
F = "```"  # a fence, so that this file's own text is not read as blocks


# --------------------------------------------------------------------------- lexing


def test_blocks_in_page_order_with_their_kinds():
    text = (
        "# Title\n\n"
        f"{F}python\nx = 1\n{F}\n\n"
        f"{F}output\n1\n{F}\n\n"
        f"{F}bash\nls\n{F}\n"
        "<!-- invisible-code-block: python\n"
        "y = 2\n"
        "-->\n"
        "<!-- a plain comment -->\n"
        '<!-- skip: next if(True, reason="why") -->\n'
        "<!-- output: rtol=0.1 -->\n"
    )
    blocks = read_blocks(text)
    assert [b.kind for b in blocks] == [
        "python",
        "output",
        "other",
        "invisible",
        "skip",
        "output-options",
    ]
    assert blocks[0].text == "x = 1\n"
    assert blocks[0].line == 3
    assert blocks[3].text == "y = 2\n"
    assert text[blocks[0].start : blocks[0].end] == f"{F}python\nx = 1\n{F}\n"


def test_fences_inside_a_longer_fence_are_its_body():
    text = f"````markdown\n{F}python\nnot_run()\n{F}\n````\n"
    blocks = read_blocks(text)
    assert [b.kind for b in blocks] == ["other"]
    assert "not_run()" in blocks[0].text


def test_indented_blocks_in_admonitions_and_tilde_fences():
    text = f"!!! note\n\n    {F}python\n    if True:\n        x = 1\n    {F}\n\n~~~python\ny = 2\n~~~\n"
    blocks = read_blocks(text)
    assert [b.text for b in blocks] == ["if True:\n    x = 1\n", "y = 2\n"]


@pytest.mark.parametrize(
    "info",
    [
        "py",
        "python3",
        "pycon",
        "py3",
        "ipython",
        "{.python}",
        "{ .python title='a' }",
    ],
)
def test_python_spelled_otherwise_fails(info):
    [example] = page_examples(f"{F}{info}\nx = 1\n{F}\n")
    assert example.error and "would not be run" in example.error


def test_python_block_with_a_title_runs():
    [example] = page_examples(f'{F}python title="a.py"\nx = 1\n{F}\n')
    assert example.error is None
    assert example.code == "x = 1\n"


def test_output_block_options_are_refused():
    examples = page_examples(
        f"{F}python\nprint(1)\n{F}\n{F}output title=x\n1\n{F}\n"
    )
    assert examples[0].output is None
    assert "would not be run" in examples[1].error


@pytest.mark.parametrize(
    "text",
    [
        f"{F}output\n1\n{F}\n",  # nothing before it
        f"{F}python\nprint(1)\n{F}\n{F}output\n1\n{F}\n{F}output\n1\n{F}\n",  # second output
        "<!-- invisible-code-block: python\nprint(1)\n-->\n"
        f"{F}output\n1\n{F}\n",  # unseen code
    ],
)
def test_orphan_output_fails(text):
    assert any(e.error == markup.ORPHAN_OUTPUT for e in page_examples(text))


@pytest.mark.parametrize(
    "directive",
    [
        "skip: next",
        "skip: start",
        "skip: next if()",
        "skip: end",
        "skip: next if(True)",
        'skip: next if(1 > 0, reason="x")',
        "skip: next if(a b)",
    ],
)
def test_unconditional_or_malformed_skip_fails(directive):
    examples = page_examples(f"<!-- {directive} -->\n{F}python\nx = 1\n{F}\n")
    assert "unconditional or malformed skip" in examples[0].error
    assert examples[1].skip is None  # the block itself still runs


def test_conditional_skip_and_output_options_attach_to_the_next_block():
    text = (
        '<!-- skip: next if(gpu is None, reason="needs a GPU") -->\n'
        f"{F}python\nprint(1.0)\n{F}\n"
        "<!-- output: rtol=0.5 atol=1e-6 -->\n"
        f"{F}output\n1.2\n{F}\n"
    )
    [skip, example] = page_examples(text)
    # Sybil's Skipper evaluates the directive in this form
    assert skip.skip == ("next", 'if(gpu is None, reason="needs a GPU")')
    assert example.output_options == {"rtol": 0.5, "atol": 1e-6}
    assert example.output.text == "1.2\n"


@pytest.mark.parametrize(
    "options",
    [
        "output: tol=1",
        "output: numbers=some",
        "output: rtol",
        "output: other_backends=floats",
    ],
)
def test_unknown_output_options_fail_the_block(options):
    [example] = page_examples(
        f"{F}python\nprint(1)\n{F}\n<!-- {options} -->\n{F}output\n1\n{F}\n"
    )
    assert example.error


def test_a_directive_that_applies_to_nothing_fails():
    [example] = page_examples(
        '<!-- skip: next if(gpu is None, reason="x") -->\n'
    )
    assert example.error == markup.DANGLING


# --------------------------------------------------------------------------- includes


def test_includes_are_expanded_as_the_site_does():
    code = expand_includes(
        '--8<-- "lstm_recipes/lifecycle.py:output_heads"\nprint(OUTPUT_HEADS)\n'
    )
    assert code.startswith("# Problem type -> (activation")
    assert "--8<--" not in code
    assert code.rstrip().endswith("print(OUTPUT_HEADS)")


@pytest.mark.parametrize(
    "include",
    [
        '"lstm_recipes/lifecycle.py:no_such_section"',
        '"lstm_recipes/no_such_file.py"',
    ],
)
def test_a_missing_include_fails_its_block(include):
    [example] = page_examples(
        f"{F}python\n--8<-- {include}\n{F}\n", expand_includes
    )
    assert example.error.startswith("include could not be expanded")


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize(
    ("expected", "actual", "options", "result"),
    [
        ("a b\n  c", "a   b c\n", {}, True),
        ("loss 0.5", "loss 0.5000", {}, True),
        ("loss 0.5", "loss 0.51", {}, False),
        ("loss 0.5", "loss 0.51", {"rtol": 0.05}, True),
        ("loss 0.5", "loss 0.6", {"rtol": 0.05}, False),
        ("mse 1e-05", "mse 3e-05", {"atol": 1e-4}, True),
        ("took 1.5 s", "took 99 s", {"numbers": "any"}, True),
        ("took 1.5 s", "took 1.5 ms", {"numbers": "any"}, False),
        ("shape (9, 1, 1)", "shape (9, 1, 2)", {}, False),
        ("a ... d", "a b c d", {}, True),
        ("a ... d", "a d", {}, True),
        ("a ... d", "a b c", {}, False),
        ("a b", "a b c", {}, False),
        ("x nan", "x nan", {}, True),
        ("layer_1", "layer_2", {}, False),
        (
            "loss 0.5, 17 epochs",
            "loss 0.9, 17 epochs",
            {"numbers": "floats"},
            True,
        ),
        (
            "loss 0.5, 17 epochs",
            "loss 0.5, 12 epochs",
            {"numbers": "floats"},
            False,
        ),
        ("loss 0.5", "loss 1", {"numbers": "floats"}, False),
        ("loss 0.5", "accuracy 0.5", {"numbers": "floats"}, False),
    ],
)
def test_outputs_match(expected, actual, options, result):
    assert outputs_match(expected, actual, **options) is result


@pytest.mark.parametrize(
    ("options", "backend", "rule"),
    [
        ({"rtol": 0.2}, "tensorflow", {"rtol": 0.2}),
        (
            {"rtol": 0.2, "other_backends": "numbers"},
            "tensorflow",
            {"rtol": 0.2},
        ),
        ({"rtol": 0.2}, "jax", {"numbers": "floats"}),
        ({}, "jax", {"numbers": "floats"}),
        ({"other_backends": "numbers"}, "jax", {"numbers": "any"}),
        ({"numbers": "any"}, "jax", {"numbers": "any"}),  # timings stay free
        ({"other_backends": "any"}, "torch", None),
    ],
)
def test_outputs_on_other_backends_keep_words_and_integers(
    options, backend, rule
):
    assert rule_for_backend(options, backend) == rule


# --------------------------------------------------------------------------- end to end


def evaluate_all(document):
    """Evaluate a document's examples in order; one outcome per example."""
    outcomes = []
    for example in document.examples():
        try:
            example.evaluate()
            outcomes.append("passed")
        except SybilFailure as failure:
            outcomes.append(f"failed: {failure.result}")
        except (pytest.skip.Exception, unittest.SkipTest) as skip:
            outcomes.append(f"skipped: {getattr(skip, 'msg', skip)}")
        except Exception as error:
            outcomes.append(f"error: {type(error).__name__}")
    return outcomes


def parse(path):
    return Sybil(
        parsers=[plugin.parse_page],
        document_types={".md": plugin.PageDocument},
    ).parse(path)


def run_page_text(tmp_path, text):
    """Run a page through Sybil and the plugin; return one outcome per example."""
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    try:
        return evaluate_all(parse(page))
    finally:
        RUNS.close_all()


def test_blocks_share_a_namespace_and_outputs_are_checked(tmp_path):
    text = (
        f"{F}python\nx = 2\n{F}\n"
        f"{F}python\nprint(x * 21)\n{F}\n"
        f"{F}output\n42\n{F}\n"
        f"{F}python\nprint(x)\n{F}\n"
        f"{F}output\n3\n{F}\n"
    )
    assert run_page_text(tmp_path, text)[:2] == ["passed", "passed"]
    last = run_page_text(tmp_path, text)[2]
    assert last.startswith("failed: printed output differs")
    assert "--- page shows\n3\n--- code printed\n2\n" in last


def test_after_a_failure_later_blocks_report_not_run(tmp_path):
    text = f"{F}python\nraise RuntimeError\n{F}\n{F}python\nx = 1\n{F}\n"
    assert run_page_text(tmp_path, text) == [
        "error: RuntimeError",
        "failed: not run: the block at line 1 of this page failed",
    ]


def test_refused_blocks_fail_when_run(tmp_path):
    text = f"{F}py\nx = 1\n{F}\n<!-- skip: next -->\n{F}python\nx = 1\n{F}\n"
    outcomes = run_page_text(tmp_path, text)
    assert outcomes[0].startswith(
        "failed: the info string 'py' would not be run"
    )
    assert all(o.startswith("failed") for o in outcomes)


def test_conditional_skip(tmp_path):
    text = (
        f"{F}python\nflag = True\n{F}\n"
        '<!-- skip: next if(flag, reason="flag is set") -->\n'
        f"{F}python\nraise RuntimeError\n{F}\n"
        '<!-- skip: next if(not flag, reason="unused") -->\n'
        f"{F}python\nprint('ran')\n{F}\n{F}output\nran\n{F}\n"
    )
    # each skip directive is an example of its own (Sybil's Skipper)
    assert run_page_text(tmp_path, text) == [
        "passed",
        "passed",
        "skipped: flag is set",
        "passed",
        "passed",
    ]


def test_each_page_runs_in_its_own_temporary_directory(tmp_path):
    before = os.getcwd()
    text = f"{F}python\nimport os\nprint(os.listdir('.'))\nopen('f.txt', 'w').close()\n{F}\n{F}output\n[]\n{F}\n"
    assert run_page_text(tmp_path, text) == ["passed"]
    assert run_page_text(tmp_path, text) == [
        "passed"
    ]  # the file did not survive
    assert os.getcwd() == before


DRAW = (
    "import matplotlib.pyplot as plt\n"
    "from lstm_recipes.plots import save_figure\n"
    "fig, ax = plt.subplots()\n"
)


def test_a_figure_must_be_drawn_by_the_block_before_it(tmp_path):
    drawn = f"{F}python\n{DRAW}save_figure(ax, 'a.svg')\n{F}\n"
    assert run_page_text(tmp_path, drawn + "![A](figures/a.svg)\n") == [
        "passed"
    ]
    undrawn = f"{F}python\n{DRAW}{F}\n\n![A](figures/a.svg)\n"
    outcome = run_page_text(tmp_path, undrawn)[0]
    assert outcome.startswith("failed: the page shows figures/a.svg")
    # An output or invisible block in between does not change who draws it.
    between = (
        f"{F}python\n{DRAW}save_figure(ax, 'a.svg')\nprint(1)\n{F}\n"
        f"{F}output\n1\n{F}\n"
        "<!-- invisible-code-block: python\nassert True\n-->\n"
        "![A](figures/a.svg)\n"
    )
    assert run_page_text(tmp_path, between) == ["passed", "passed"]


def test_a_figure_before_any_block_fails_and_code_images_are_ignored():
    text = "![A](figures/a.svg)\n" + f"{F}python\nx = 1\n{F}\n"
    examples = page_examples(text)
    assert examples[0].error.startswith("the figure 'a.svg' comes before")
    quoted = f"{F}python\nx = 1\n{F}\n````markdown\n![A](figures/b.svg)\n````\n"
    assert page_examples(quoted)[0].figures == []


@tensorflow_only("--update writes the outputs of the reference backend")
def test_update_copies_figures_beside_the_page(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        f"{F}python\n{DRAW}save_figure(ax, 'a.png')\nprint(3)\n{F}\n"
        f"{F}output\n2\n{F}\n\n"
        "![A](figures/a.png)\n",
        encoding="utf-8",
    )
    assert pages_main([str(page)]) == 1  # the output block is stale
    assert pages_main(["--update", str(page)]) == 0
    assert (tmp_path / "figures" / "a.png").stat().st_size > 0
    assert f"{F}output\n3\n{F}\n" in page.read_text(encoding="utf-8")
    assert pages_main([str(page)]) == 0


def test_update_refuses_another_backend(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.md"
    page.write_text(f"{F}python\nprint(3)\n{F}\n", encoding="utf-8")
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(SystemExit):
        pages_main(["--update", str(page)])
    assert "tensorflow's; this is the jax backend" in capsys.readouterr().err


# --------------------------------------------------------------------------- every block is a test


def test_one_test_per_python_block_of_the_pages():
    """Count the blocks independently of the plugin and compare with what
    pytest collects (a skip directive is a test of its own)."""
    fence = re.compile(r"^\s*(`{3,}|~{3,})\s*python\b", re.M)
    invisible = re.compile(r"<!--\s*(invisible-code-block:\s*python|skip:)")
    expected = 0
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        expected += len(fence.findall(text)) + len(invisible.findall(text))
    assert expected > 20  # the pages do have code
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "docs",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tests = [line for line in collected.splitlines() if "::" in line]
    assert len(tests) == expected, collected


# --------------------------------------------------------------------------- Sybil's lexers


def test_fence_lexer_reads_the_whole_info_string():
    check_lexer(
        markup.FENCES,
        source_text=f'Text\n{F}python title="a.py"\nx = 1\n{F}\nmore\n',
        expected_text=f'{F}python title="a.py"\nx = 1\n{F}',
        expected_lexemes={"info": 'python title="a.py"', "source": "x = 1\n"},
    )


def test_fence_lexer_dedents_blocks_inside_admonitions():
    check_lexer(
        markup.FENCES,
        source_text=f"!!! note\n\n    {F}output\n    a\n      b\n    {F}\n",
        expected_text=f"    {F}output\n    a\n      b\n    {F}",
        expected_lexemes={"info": "output", "source": "a\n  b\n"},
    )


def test_directive_lexer_finds_invisible_blocks():
    check_lexer(
        markup.INVISIBLE,
        source_text="<!-- invisible-code-block: python\nassert x\n-->\n",
        expected_text="<!-- invisible-code-block: python\nassert x\n",
        expected_lexemes={
            "directive": "invisible-code-block",
            "arguments": "python",
            "source": "assert x\n",
        },
    )


def test_parser_runs_a_block_and_checks_its_output():
    pages = Sybil(
        parsers=[plugin.parse_page],
        pattern="*",
        document_types={None: plugin.PageDocument},
    )
    try:
        check_sybil(
            pages, f"{F}python\nprint(6 * 7)\n{F}\n{F}output\n42\n{F}\n"
        )
        with pytest.raises(SybilFailure, match="printed output differs"):
            check_sybil(
                pages, f"{F}python\nprint(6)\n{F}\n{F}output\n42\n{F}\n"
            )
    finally:
        RUNS.close_all()


# --------------------------------------------------------------------------- zh and en: one run


COUNTER = []


def test_the_code_of_a_zh_en_pair_runs_once(tmp_path, monkeypatch):
    from tests.pages import runner

    monkeypatch.setattr(runner, "DOCS", tmp_path / "docs")
    page = (
        "# Page\n\n"
        f"{F}python\nfrom tests.test_pages_plugin import COUNTER\n"
        f"COUNTER.append(1)\nprint(len(COUNTER))\n{F}\n"
        f"{F}output\n1\n{F}\n"
    )
    paths = []
    for language in ("zh", "en"):
        path = tmp_path / "docs" / language / "x.md"
        path.parent.mkdir(parents=True)
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    COUNTER.clear()
    try:
        assert [evaluate_all(parse(p)) for p in paths] == [["passed"]] * 2
    finally:
        RUNS.close_all()
    assert COUNTER == [1]  # ran for zh, reused for en


def test_a_pair_whose_code_differs_fails(tmp_path, monkeypatch):
    from tests.pages import runner

    monkeypatch.setattr(runner, "DOCS", tmp_path / "docs")
    paths = []
    for language, value in (("zh", 1), ("en", 2)):
        path = tmp_path / "docs" / language / "x.md"
        path.parent.mkdir(parents=True)
        path.write_text(f"{F}python\nx = {value}\n{F}\n", encoding="utf-8")
        paths.append(path)
    try:
        outcomes = [evaluate_all(parse(p)) for p in paths]
    finally:
        RUNS.close_all()
    assert outcomes[0] == ["passed"]
    assert outcomes[1][0].startswith("failed: this block's code differs")


def test_a_zh_figure_with_english_text_fails(tmp_path, monkeypatch):
    from tests.pages import runner

    monkeypatch.setattr(runner, "DOCS", tmp_path / "docs")
    draw = f"{F}python\n{DRAW}ax.set_xlabel({{label!r}})\nsave_figure(ax, 'a.svg')\n{F}\n\n![A](figures/a.svg)\n"
    for label, outcome in (("epoch", "passed"), ("flux capacitor", "failed")):
        path = tmp_path / "docs" / "zh" / f"{label[0]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(draw.format(label=label), encoding="utf-8")
        try:
            [result] = evaluate_all(parse(path))
        finally:
            RUNS.close_all()
        assert result.startswith(outcome), result
        if outcome == "failed":
            assert "'flux capacitor'" in result and "zh_labels" in result


# --------------------------------------------------------------------------- comparison


def test_a_long_output_matches_without_recursion():
    long = "a " + "b " * 20000 + "z"
    assert outputs_match("a ... z", long)
    assert not outputs_match("a ... y", long)
    assert outputs_match("... b ... z", long)


@pytest.mark.parametrize(
    ("expected", "actual", "options", "result"),
    [
        ("weights 1865", "weights 3000", {"rtol": 1}, False),
        ("weights 1865", "weights 1865.0", {"atol": 1}, False),
        ("loss 0.5", "loss 0.9", {"rtol": 1}, True),
        ("took 12 s", "took 3 s", {"numbers": "any"}, True),
    ],
)
def test_integers_are_exact_whatever_the_tolerance(
    expected, actual, options, result
):
    assert outputs_match(expected, actual, **options) is result


def test_a_block_time_is_reported_once():
    page = types.SimpleNamespace(key="models/x.md", last_seconds=2.5)
    assert plugin.take_seconds(page) == ("models/x.md", 2.5)
    assert plugin.take_seconds(page) == ("models/x.md", 0.0)  # e.g. a skip
