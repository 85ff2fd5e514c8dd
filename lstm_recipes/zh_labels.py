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
    "loss": "损失",
    "accuracy": "准确率",
    "test accuracy": "测试准确率",
    "training accuracy": "训练准确率",
    "guessing": "随机猜测",
    "chance": "随机猜测",
    "time step": "时间步",
    "time steps": "时间步",
    "time step t": "时间步 t",
    "features": "特征",
    "input": "输入",
    "truth": "真实值",
    "passes over the training data": "训练数据的遍数",
    # what is an LSTM
    "boxes: layers with weights    circles: elementwise operations": (
        "方框：带权重的层    圆圈：逐元素运算"
    ),
    "cell state": "细胞状态",
    "hidden state": "隐状态",
    "gate value": "门的取值",
    "unit": "单元",
    # training
    "distance d from the last time step": "与最后一个时间步的距离 d",
    "gradient norm relative to d = 0": "梯度范数（相对于 d = 0）",
    "untrained models, geometric mean of 10 initialisations": (
        "未训练的模型，10 次初始化的几何平均"
    ),
    "LSTM, cell path only": "LSTM，仅细胞状态路径",
    "distance of the mark from the last time step": "标记与最后一个时间步的距离",
    "mean of 5 runs; band: ± one standard deviation": (
        "5 次运行的平均；阴影：± 一个标准差"
    ),
    "SimpleRNN, trained on marks 0-4 steps back": (
        "SimpleRNN，只用 0–4 步前的标记训练"
    ),
    # preparing data
    "min-max scaler fitted on 1950–1989 (left of the dashed line)": (
        "最小–最大缩放只在 1950–1989 年（虚线左侧）上拟合"
    ),
    "scaled": "缩放后",
    # the life-cycle notebook
    "LSTM(10) on 0.0 ... 0.9: mean squared error": "LSTM(10) 学习 0.0 … 0.9：均方误差",
    "input value": "输入值",
    "next value": "下一个值",
    "training pairs": "训练样本对",
    "unseen midpoints": "未见过的中点",
    # vanilla, stacked, bidirectional
    "one layer": "一层",
    "two layers": "两层",
    "steps ahead": "向前预测的步数",
    "test MSE": "测试 MSE",
    "forward": "正向",
    "backward": "反向",
    "bidirectional, concat": "双向（concat）",
    "label: running sum > 2.5": "标签：累计和 > 2.5",
    "label: running sum > total/2": "标签：累计和 > 总和/2",
    # vanilla, stacked, bidirectional: seeds, best guesses, the test curve
    "test": "测试集",
    "best guess, past only": "最好猜测（只看过去）",
    "best guess, future only": "最好猜测（只看未来）",
    "test accuracy, mean of 5 seeds": "测试准确率（5 个种子的平均）",
    # stateful LSTMs and the alphabet notebook
    "1. one letter": "1. 单个字母",
    "2. window as features": "2. 窗口作为特征",
    "3. window as time steps": "3. 窗口作为时间步",
    "4. one batch": "4. 整批训练",
    "5. stateful": "5. 有状态",
    "6. variable length": "6. 变长输入",
    "accuracy on the training pairs": "训练样本对上的准确率",
    "ours": "本书",
    "published": "原教程",
    "cold start: K": "冷启动：K",
    "probability of the next letter": "下一个字母的概率",
    "warmed up: A...J, then K": "先用 A…J 预热，再输入 K",
    "6. variable length*": "6. 变长输入*",
    "one letter": "单个字母",
    "3 letters as features": "3 个字母作为特征",
    "3 letters as time steps": "3 个字母作为时间步",
    "passes over the training pairs (full batch)": "训练样本对的遍数（全批次）",
    "row i of batch k + 1 continues row i of batch k": (
        "批次 k + 1 的第 i 行接着批次 k 的第 i 行"
    ),
    # encoder-decoder chapter
    "one-to-one": "一对一",
    "one-to-many": "一对多",
    "many-to-one": "多对一",
    "many-to-many aligned": "多对多（对齐）",
    "many-to-many unaligned": "多对多（不对齐）",
    "LSTM(return_sequences)": "LSTM（返回每一步的隐状态）",
    "LSTM, RepeatVector": "LSTM、RepeatVector",
    "months ahead": "提前的月数",
    "RMSE (°C)": "RMSE（°C）",
    "MAE (°C)": "MAE（°C）",
    "bidirectional": "双向编码器",
    "LSTM encoder": "单向编码器",
    "persistence": "持续性预测",
    "seasonal naive": "季节朴素预测",
    "climatology": "气候平均",
    "linear": "线性模型",
    "damped anomaly": "阻尼距平持续性",
    "skill against climatology": "相对气候平均的技巧评分",
    "bidirectional, raw": "双向，原始值",
    "LSTM, raw": "单向，原始值",
    "bidirectional, anomaly": "双向，距平",
    "LSTM, anomaly": "单向，距平",
    "multi-output": "多输出",
    "recursive": "递推",
    "direct (3 models)": "直接（3 个模型）",
    "past 18 months": "过去 18 个月",
    "actual": "实际值",
    "bidirectional LSTM": "双向 LSTM",
    "sea-surface temperature (°C)": "海表温度（°C）",
    "sea-surface temperature off Peru (°C)": "秘鲁外海海表温度（°C）",
    "validation loss": "验证损失",
    "training loss": "训练损失",
    "mean squared error (standardized)": "均方误差（标准化后）",
    "sequence accuracy": "整序列准确率",
    "character accuracy": "字符准确率",
    "validation problems": "验证集题目",
    "teacher forcing": "教师强制",
    # diagnose-and-tune chapter
    "underfitting": "欠拟合",
    "good fit": "拟合良好",
    "overfitting": "过拟合",
    "MSE (scaled)": "MSE（缩放后）",
    "single runs": "单次运行",
    "mean so far": "到此为止的均值",
    "95% confidence interval": "95% 置信区间",
    "zero anomaly": "零距平",
    "runs": "运行次数",
    "validation RMSE (°C)": "验证 RMSE（°C）",
    "weights kept": "保留下来的权重",
    "learning rate": "学习率",
    "validation (CSVLogger)": "验证集（CSV 日志）",
    # updating chapter
    "none": "不更新",
    "refit": "从头重训",
    "new data": "续训新数据",
    "recent": "续训近期数据",
    "forecasts made in": "预测发出的时段",
    "updated after": "在该时段之后更新",
    "loss on 1950–1994 windows": "1950–1994 年窗口上的损失",
    "MSE on 1950–1994 windows (°C²)": "1950–1994 年窗口上的 MSE（°C²）",
    "start": "起点",
    # generative chapter
    "cross-entropy (nats per character)": "交叉熵（奈特/字符）",
    "next character": "下一个字符",
    "probability": "概率",
    "share": "比例",
    "known words": "已知词",
    "sonnet length": "诗行长度",
    "capitals": "大写开头",
    "best epoch": "最好的一轮",
    # attention chapter
    "sequence length (time steps)": "序列长度（时间步）",
    "without attention": "无注意力",
    "with attention": "有注意力",
    "input step": "输入时间步",
    "output": "输出",
    "attention weight": "注意力权重",
    "marked step": "标记位置",
    # finalize-and-predict chapter
    "final model, fresh process": "最终模型（全新进程中加载）",
    # attention chapter: the copy task
    "digits in the sequence": "序列中的数字个数",
    "digits copied right (greedy)": "抄对的数字比例（贪心解码）",
    "optimizer steps": "优化步数",
    "right at 40 digits (teacher forcing)": "40 位时写对的比例（教师强制）",
    "output step": "输出时间步",
}

# Labels made from numbers, e.g. "seed 3": (regular expression, replacement).
PATTERNS = [
    (r"seed (\d+)", r"种子 \1"),
    (r"one training video: moving left", "一段训练视频：向左移动"),
    (r"one training video: moving right", "一段训练视频：向右移动"),
    # stateful LSTMs: the layout of pieces for truncated BPTT
    (r"batch (\d+)", r"批次 \1"),
    (r"row (\d+)", r"第 \1 行"),
    (r"stream (\d+)", r"序列 \1"),
    # attention chapter: heat maps of sequences of n digits
    (r"(\d+) digits", r"\1 位数字"),
]

# Words a Chinese figure may keep: names, abbreviations, code.
KEEP = {
    "LSTM",
    "CSV",
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
    "concat",
    "dL",
    "dx",
    "RepeatVector",
    "TimeDistributed",
    "Dense",
}

TEXT = re.compile(r"(<text\b[^>]*>)([^<]+)(</text>)")
LETTERS = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


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
        if "<tspan" in element:  # mathtext, glyph by glyph
            label = re.sub(r"\s+", "", label)
            if len("".join(LETTERS.findall(label))) <= 3:
                continue  # a symbol such as c_t or h_{t-1}
        shown = translate(label)
        words = [
            word
            for word in LETTERS.findall(shown)
            if word not in KEEP and len(word) > 1  # x, t, K are symbols
        ]
        if words:
            left.append(label)
    return sorted(set(left))
