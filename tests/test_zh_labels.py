"""Chinese figure text: translation of SVG text and the check for leftovers."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from lstm_recipes.plots import save_figure  # noqa: E402
from lstm_recipes.zh_labels import (  # noqa: E402
    translate,
    translate_svg,
    untranslated_text,
)


def test_translate_uses_the_table_then_the_patterns():
    assert translate("epoch") == "轮"
    assert translate("seed 3") == "种子 3"
    assert translate("no such label") == "no such label"


def test_a_figure_is_translated_and_checked(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0], label="train")
    ax.set_xlabel("epoch")
    ax.set_ylabel("flux & capacitor")
    ax.set_title("$c_t$")  # a symbol, not a word
    ax.legend()
    svg = save_figure(fig, tmp_path / "f.svg").read_text(encoding="utf-8")
    plt.close(fig)
    assert ">epoch</text>" in svg  # text stays text
    # what the Chinese copy would still show in English
    assert untranslated_text(svg) == ["flux & capacitor"]
    chinese = translate_svg(svg)
    assert ">轮</text>" in chinese and ">训练集</text>" in chinese
    assert untranslated_text(chinese) == ["flux & capacitor"]
    assert "flux &amp; capacitor" in chinese  # entities written back
