"""Diagrams drawn with matplotlib: the LSTM cell and its gates."""

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import numpy as np

# --8<-- [end:imports]
from matplotlib.patches import Circle, FancyBboxPatch

__all__ = ["CELL_COLORS", "draw_lstm_cell", "plot_gate_activations"]

# Cell-state path, hidden-state path, gate signals, layer boxes, op nodes.
CELL_COLORS = {
    "c": "#1f5fa8",
    "h": "#c2571a",
    "gate": "#444444",
    "layer": "#fbe3a6",
    "op": "#fde2e2",
}
_NODE_RADIUS = 0.24
_BOX_W, _BOX_H = 0.78, 0.56


class _Canvas:
    """Small helpers that draw boxes, nodes and arrows on one Axes."""

    def __init__(self, ax, font_size):
        self.ax = ax
        self.font_size = font_size

    def box(self, x, y, text, *, color, width=_BOX_W, height=_BOX_H):
        self.ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0,rounding_size=0.12",
                facecolor=color,
                edgecolor="#333333",
                linewidth=1.2,
                zorder=3,
            )
        )
        self.text(x, y, text, size=self.font_size + 1, zorder=4)

    def node(self, x, y, symbol):
        self.ax.add_patch(
            Circle(
                (x, y),
                _NODE_RADIUS,
                facecolor=CELL_COLORS["op"],
                edgecolor="#333333",
                linewidth=1.2,
                zorder=3,
            )
        )
        self.text(x, y, symbol, size=self.font_size + 3, zorder=4)

    def text(self, x, y, text, **kwargs):
        kwargs.setdefault("size", self.font_size)
        kwargs.setdefault("ha", "center")
        kwargs.setdefault("va", "center")
        return self.ax.text(x, y, text, **kwargs)

    def line(self, points, color, *, arrow=True, width=1.8, bridge=False):
        """A polyline through ``points``; an arrowhead on the last segment.

        ``bridge`` draws a white halo under the line, so that it visibly
        passes over a line it crosses.
        """
        xs, ys = zip(*points)
        if bridge:
            self.ax.plot(xs, ys, color="white", linewidth=width + 6, zorder=2.2)
        self.ax.plot(
            xs, ys, color=color, linewidth=width, zorder=2.4 if bridge else 2,
            solid_capstyle="butt", solid_joinstyle="miter",
        )  # fmt: skip
        if arrow:
            self.ax.annotate(
                "",
                xy=points[-1],
                xytext=points[-2],
                arrowprops={
                    "arrowstyle": "-|>,head_length=0.5,head_width=0.25",
                    "color": color,
                    "linewidth": width,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
                zorder=2.4 if bridge else 2,
            )


def draw_lstm_cell(*, font_size=12):
    """Draw one LSTM cell: gates, cell-state and hidden-state paths.

    The four layer boxes compute the forget gate ``f_t``, input gate
    ``i_t``, candidate ``g_t`` and output gate ``o_t`` from ``h_{t-1}`` and
    ``x_t``. Circles are elementwise operations; the cell state runs along
    the top, the hidden state along the bottom.

    Args:
        font_size: size of the labels in points.

    Returns:
        The matplotlib ``Figure``.
    """
    if isinstance(font_size, bool) or not isinstance(font_size, (int, float)):
        raise TypeError(f"font_size must be a number, got {font_size!r}")
    if not 6 <= font_size <= 30:
        raise ValueError(f"font_size must be in [6, 30], got {font_size}")

    fig, ax = plt.subplots(figsize=(8.4, 5.2), layout="constrained")
    canvas = _Canvas(ax, font_size)
    c_color, h_color, g_color = (CELL_COLORS[k] for k in ("c", "h", "gate"))
    top, mid, gates_y, bottom = 4.6, 3.55, 2.4, 1.2  # rows
    f_x, i_x, g_x, o_x = 2.4, 3.6, 4.8, 6.0  # gate columns
    out_x, right = 7.4, 10.2  # tanh(c) column; right edge of the picture

    # The cell's outline.
    ax.add_patch(
        FancyBboxPatch(
            (1.0, 0.55),
            7.6,
            4.7,
            boxstyle="round,pad=0,rounding_size=0.3",
            facecolor="#f7f7f7",
            edgecolor="#999999",
            linewidth=1.2,
            zorder=0,
        )
    )

    # Cell state: c_{t-1} -> (x f_t) -> (+ i_t g_t) -> c_t.
    r = _NODE_RADIUS
    canvas.line([(-0.2, top), (f_x - r, top)], c_color, width=2.6)
    canvas.line([(f_x + r, top), (g_x - r, top)], c_color, width=2.6)
    canvas.line([(g_x + r, top), (right, top)], c_color, width=2.6)
    canvas.node(f_x, top, r"$\odot$")
    canvas.node(g_x, top, "$+$")

    # Hidden state and input feed the four gate layers.
    canvas.line([(-0.2, bottom), (o_x, bottom)], h_color, arrow=False)
    canvas.line([(1.6, -0.3), (1.6, bottom)], g_color, arrow=False)
    ax.plot(1.6, bottom, "o", color=g_color, markersize=5, zorder=3)
    for x in (f_x, i_x, g_x, o_x):
        canvas.line([(x, bottom), (x, gates_y - _BOX_H / 2)], g_color)
    for x, label, name in (
        (f_x, r"$\sigma$", "$f_t$"),
        (i_x, r"$\sigma$", "$i_t$"),
        (g_x, "tanh", "$g_t$"),
        (o_x, r"$\sigma$", "$o_t$"),
    ):
        canvas.box(x, gates_y, label, color=CELL_COLORS["layer"])
        canvas.text(x + 0.3, gates_y + 0.5, name, ha="left")

    # Gate signals into the elementwise operations.
    canvas.line([(f_x, gates_y + _BOX_H / 2), (f_x, top - r)], g_color)
    canvas.node(g_x, mid, r"$\odot$")
    canvas.line([(g_x, gates_y + _BOX_H / 2), (g_x, mid - r)], g_color)
    canvas.line(
        [(i_x, gates_y + _BOX_H / 2), (i_x, mid), (g_x - r, mid)], g_color
    )
    canvas.line([(g_x, mid + r), (g_x, top - r)], g_color)

    # Output: h_t = o_t * tanh(c_t).
    canvas.line([(out_x, top), (out_x, mid + _BOX_H / 2)], c_color)
    canvas.box(out_x, mid, "tanh", color=CELL_COLORS["op"], width=0.9)
    canvas.node(out_x, gates_y, r"$\odot$")
    canvas.line([(out_x, mid - _BOX_H / 2), (out_x, gates_y + r)], c_color)
    canvas.line([(o_x + _BOX_W / 2, gates_y), (out_x - r, gates_y)], g_color)
    canvas.line(
        [(out_x, gates_y - r), (out_x, bottom), (right, bottom)], h_color
    )
    canvas.line([(9.2, bottom), (9.2, 6.0)], h_color, bridge=True)
    ax.plot(9.2, bottom, "o", color=h_color, markersize=5, zorder=3)

    # Labels of what enters and leaves.
    size = font_size + 2
    canvas.text(-0.3, top, "$c_{t-1}$", ha="right", size=size, color=c_color)
    canvas.text(-0.3, bottom, "$h_{t-1}$", ha="right", size=size, color=h_color)
    canvas.text(1.6, -0.6, "$x_t$", size=size)
    canvas.text(right + 0.1, top, "$c_t$", ha="left", size=size, color=c_color)
    canvas.text(
        right + 0.1, bottom, "$h_t$", ha="left", size=size, color=h_color
    )
    canvas.text(9.2, 6.3, "$h_t$", size=size, color=h_color)
    small = {"size": font_size - 2, "style": "italic"}
    canvas.text(6.1, top + 0.3, "cell state", color=c_color, **small)
    canvas.text(3.0, bottom - 0.3, "hidden state", color=h_color, **small)
    canvas.text(
        2.6,
        -0.6,
        "boxes: layers with weights    circles: elementwise operations",
        size=font_size - 2,
        color="#555555",
        ha="left",
    )

    ax.set_xlim(-1.3, 11.2)
    ax.set_ylim(-0.9, 6.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --8<-- [start:plot_gate_activations]
def plot_gate_activations(inputs, gates, *, names=("f", "i", "o")):
    """Plot one input sequence and the gate activations it causes.

    Args:
        inputs: one sequence, shape ``(time_steps, features)``.
        gates: dict of gate activations for that sequence, each of shape
            ``(time_steps, units)`` (e.g. ``trace.gates[k][0]`` of
            ``lstm_forward``).
        names: which gates to show, one heat map each.

    Returns:
        The matplotlib ``Figure``.
    """
    inputs = np.asarray(inputs, dtype="float64")
    if inputs.ndim != 2:
        raise ValueError(
            f"inputs must have shape (time_steps, features), "
            f"got shape {inputs.shape}"
        )
    steps = inputs.shape[0]
    for name in names:
        shape = np.shape(gates.get(name)) if name in gates else None
        if shape is None or len(shape) != 2 or shape[0] != steps:
            raise ValueError(
                f"gates[{name!r}] must have shape ({steps}, units), got {shape}"
            )
    fig, axes = plt.subplots(
        len(names) + 1,
        1,
        figsize=(7, 1.3 + 1.4 * len(names)),
        sharex=True,
        layout="constrained",
        height_ratios=[0.8] + [1] * len(names),
    )
    axes[0].plot(np.arange(steps), inputs, marker=".", color="black")
    axes[0].set_ylabel("$x_t$")
    axes[0].grid(True, alpha=0.3)
    for ax, name in zip(axes[1:], names):
        image = ax.imshow(
            np.asarray(gates[name]).T,
            aspect="auto",
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
            interpolation="nearest",
            extent=(-0.5, steps - 0.5, gates[name].shape[1] - 0.5, -0.5),
        )
        ax.set_ylabel(f"${name}_t$\nunit")
    axes[-1].set_xlabel("time step t")
    fig.colorbar(image, ax=axes[1:], label="gate value", shrink=0.9)
    return fig


# --8<-- [end:plot_gate_activations]
