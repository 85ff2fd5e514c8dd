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
    r"存储单元": "记忆单元",
    r"单热编码|一热编码": "独热编码",
    r"密集层": "全连接层（Dense）",
    r"神经元": "单元（unit）",
}


def find_forbidden(text):
    """[(term found, line number, suggestion)] for every forbidden term in text."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, instead in FORBIDDEN.items():
            for match in re.finditer(pattern, line):
                found.append((match[0], number, instead))
    return found


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


def test_the_check_finds_the_old_mistakes():
    text = "香草LSTM\n复现神经网络的功能\n迭代 100 次\n用迭代器读取\n"
    assert [(term, line) for term, line, _ in find_forbidden(text)] == [
        ("香草", 1),
        ("复现神经网络", 2),
        ("功能", 2),
        ("迭代", 3),
    ]
