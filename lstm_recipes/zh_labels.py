"""Chinese text for the book's figures (the zh edition).

Every figure is drawn once, by the same code on both language pages, with its
English text kept as SVG text (``svg.fonttype = "none"``). The Chinese page
shows a copy in which each text element is replaced by its entry below, so the
two editions share one code path and the reader's browser renders the Chinese
with its own fonts.

Keys are the exact strings a figure shows (titles, axis labels, legend
entries, annotations); numbers, units and names such as "LSTM" need no entry.
A page test fails if a figure on a zh page still carries an English word.
"""

import html
import re

LABELS = {
    # generic
    "epoch": "轮",
    "train": "训练集",
    "validation": "验证集",
    "target": "目标",
    "prediction": "预测",
}

# Labels made from numbers, e.g. "seed 3": (regular expression, replacement).
PATTERNS = [
    (r"seed (\d+)", r"种子 \1"),
]

# Words a Chinese figure may keep: names, abbreviations, code.
KEEP = {
    "LSTM",
    "RNN",
    "SimpleRNN",
    "GRU",
    "MLP",
    "MSE",
    "RMSE",
    "MAE",
    "Keras",
    "NumPy",
    "Adam",
    "SGD",
    "tanh",
    "sigmoid",
    "ReLU",
    "softmax",
    "cuDNN",
    "GPU",
    "CPU",
    "oneDNN",
    "El",
    "Niño",
}

TEXT = re.compile(r"(<text\b[^>]*>)([^<]+)(</text>)")
LETTERS = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def translate(label):
    """The Chinese for one figure text; ``label`` itself if none is known."""
    if label in LABELS:
        return LABELS[label]
    for pattern, replacement in PATTERNS:
        if re.fullmatch(pattern, label):
            return re.sub(pattern, replacement, label)
    return label


def translate_svg(svg):
    """Replace the text elements of an SVG drawn with ``svg.fonttype =
    "none"`` by their Chinese (entities such as ``&amp;`` kept as written)."""

    def swap(match):
        label = html.unescape(match[2])
        return match[1] + html.escape(translate(label), quote=False) + match[3]

    return TEXT.sub(swap, svg)


def untranslated_text(svg):
    """The English texts a Chinese copy of ``svg`` would still show.

    Looks at every ``<text>`` element, including those that matplotlib
    splits into ``<tspan>`` glyphs (mathtext), after translation.
    """
    left = []
    for element in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S):
        label = html.unescape(re.sub(r"<[^>]+>", "", element)).strip()
        if "<tspan" in element:
            label = re.sub(r"\s+", "", label)  # glyph by glyph
        shown = translate(label)
        words = [w for w in LETTERS.findall(shown) if w not in KEEP]
        if words and len("".join(words)) > 1:  # a lone x or y is a symbol
            left.append(label)
    return sorted(set(left))
