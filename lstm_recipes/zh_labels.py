"""Chinese text for the book's figures (the zh edition).

Every figure is drawn once, by the same code on both language pages, with its
English text kept as SVG text (``svg.fonttype = "none"``). The Chinese page
shows a copy in which each text element is replaced by its entry below, so the
two editions share one code path and the reader's browser renders the Chinese
with its own fonts.

Keys are the exact strings a figure shows (titles, axis labels, legend
entries, annotations); numbers, units and names such as "LSTM" need no entry.
A site test fails if a figure on a zh page still carries an English word.
"""

LABELS = {
    # generic
    "epoch": "轮",
    "train": "训练集",
    "validation": "验证集",
    "target": "目标",
    "prediction": "预测",
}
