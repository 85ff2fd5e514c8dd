"""The zh pages use the glossary's terms, never the old translations' mistakes.

The list follows the "never write" column of ../shared/GLOSSARY.md (the book's
appendix/glossary page gives the right terms). Each entry is a regular
expression and the term to write instead.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    r"长期短期记忆": "长短期记忆网络",
    r"香草": "基础 LSTM（vanilla LSTM）",
    r"复现神经网络|逆向神经网络": "循环神经网络",
    r"栈式": "堆叠 LSTM",
    r"编解码器": "编码器–解码器",
    r"基金会": "基础（Part I）",
    r"楷模": "模型（Part II）",
    r"高级": "进阶（Part III）",
    r"时间步长": "时间步",
    r"功能": "特征（feature）",
    r"样品": "样本",
    r"时期": "轮（epoch）",
    r"迭代(?!器)": "轮（epoch）；迭代器 (iterator) is fine",
    r"适合网络|适合模型": "训练、拟合",
    r"作出预测|做出预测": "预测",
    r"过度学习": "过拟合",
    r"学习不足": "欠拟合",
    r"暴露梯度": "梯度爆炸",
    r"存储单元|记忆单元": "记忆元（LSTM cell）",
    r"单元状态": "细胞状态",
    r"细胞(?!状态)": "记忆元（the LSTM cell; 细胞 only in 细胞状态）",
    r"轮次": "轮（epoch）",
    r"瞎猜": "随机猜测",
    r"切口": "切分点",
    r"(?<![\d.])2 核": "双核",
    r"种子教程|种子课程": "原教程 (种子 is the random seed)",
    r"配方": "实现（recipe）",
    r"笔记本(?!电脑)": "Jupyter 记事本 (notebook); 笔记本电脑 (laptop)",
    r"表述": "组织方式（framing）",
    r"单热编码|一热编码": "独热编码",
    r"密集层": "全连接层（Dense）",
    r"神经元": "单元（unit）",
}


# Typography of Chinese prose (appendix/glossary.md#style), outside code.
TYPOGRAPHY = {
    r"\d\s+%": "73%: no space before the percent sign",
    r"\d,\d{3}(?!\d)": "1000: no thousands separator in Chinese prose",
}


def prose(text):
    """Markdown text without code blocks, inline code, math and comments."""
    text = re.sub(r"(?ms)^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", "", text)
    text = re.sub(r"(?s)<!--.*?-->", "", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.sub(r"\$[^$\n]*\$", "", text)


CJK_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\n[ \t]*(?=[\u4e00-\u9fff])")


def find_forbidden(text):
    """[(term found, line number, suggestion)] for every forbidden term in text.

    A term wrapped across two lines ("细胞\n状态") is read as the site shows
    it, joined.
    """
    joined, lines, position = [], [], 0
    for match in CJK_BREAK.finditer(text):
        joined.append(text[position : match.start()])
        position = match.end()
    joined.append(text[position:])
    # line of each character of the joined text
    line = 1
    for piece_index, piece in enumerate(joined):
        for char in piece:
            lines.append(line)
            line += char == "\n"
        line += piece_index < len(joined) - 1  # the removed line break
    joined = "".join(joined)
    found = []
    for pattern, instead in FORBIDDEN.items():
        for match in re.finditer(pattern, joined):
            found.append((match[0], lines[match.start()], instead))
    return sorted(found, key=lambda item: item[1])


def zh_texts():
    for page in sorted((ROOT / "docs/zh").rglob("*.md")):
        yield (
            page.relative_to(ROOT).as_posix(),
            page.read_text(encoding="utf-8"),
        )
    for path in sorted((ROOT / "examples/zh").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        # Prose and code comments; printed outputs are produced by the code.
        yield (
            path.relative_to(ROOT).as_posix(),
            "\n".join(c.source for c in notebook.cells),
        )


@pytest.mark.parametrize(
    ("name", "text"),
    list(zh_texts()),
    ids=lambda v: v if v.endswith(("md", "ipynb")) else "",
)
def test_zh_uses_the_glossary(name, text):
    found = find_forbidden(text)
    assert not found, "\n".join(
        f"{name}:{line}: {term!r} -> write {instead}"
        for term, line, instead in found
    )


@pytest.mark.parametrize(
    ("name", "text"),
    list(zh_texts()),
    ids=lambda v: v if v.endswith(("md", "ipynb")) else "",
)
def test_zh_prose_follows_the_typography(name, text):
    if name.endswith(".ipynb"):
        text = "\n".join(
            c.source
            for c in nbformat.read(ROOT / name, as_version=4).cells
            if c.cell_type == "markdown"
        )
    found = [
        f"{name}: {match[0]!r} in {line.strip()[:60]!r}: {rule}"
        for line in prose(text).splitlines()
        for pattern, rule in TYPOGRAPHY.items()
        for match in re.finditer(pattern, line)
    ]
    assert not found, "\n".join(found)


def test_the_typography_check_ignores_code():
    text = "准确率 73 %\n```python\nprint(1,000)\n```\n`1,000 %` 与 2,500 个\n"
    found = [m[0] for p in TYPOGRAPHY for m in re.finditer(p, prose(text))]
    assert found == ["3 %", "2,500"]


def test_the_check_finds_the_old_mistakes():
    text = "香草LSTM\n复现神经网络的功能\n迭代 100 次\n用迭代器读取\n"
    assert [(term, line) for term, line, _ in find_forbidden(text)] == [
        ("香草", 1),
        ("复现神经网络", 2),
        ("功能", 2),
        ("迭代", 3),
    ]
