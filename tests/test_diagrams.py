"""The cell diagram carries its labels; the gate plot refuses bad shapes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

from lstm_recipes.diagrams import (  # noqa: E402
    draw_lstm_cell,
    plot_gate_activations,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_cell_diagram_has_labels_gates_and_operations():
    figure = draw_lstm_cell()
    ax = figure.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for label in ("$x_t$", "$h_{t-1}$", "$c_{t-1}$", "$h_t$", "$c_t$"):
        assert label in texts, label
    for gate in ("$f_t$", "$i_t$", "$g_t$", "$o_t$"):
        assert gate in texts, gate
    assert texts.count(r"$\sigma$") == 3
    assert texts.count("tanh") == 2  # the candidate layer and tanh(c_t)
    assert texts.count(r"$\odot$") == 3 and texts.count("$+$") == 1
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(circles) == 4
    assert len(boxes) == 6  # outline, four gate layers, tanh(c_t)


@pytest.mark.parametrize("font_size", [2, "12", True])
def test_cell_diagram_refuses_bad_font_size(font_size):
    with pytest.raises((TypeError, ValueError), match="font_size"):
        draw_lstm_cell(font_size=font_size)


def test_gate_plot_has_one_heat_map_per_gate():
    gates = {k: np.full((10, 3), 0.5) for k in "fio"}
    figure = plot_gate_activations(np.zeros((10, 1)), gates)
    heat_maps = [ax for ax in figure.axes if ax.images]
    assert len(heat_maps) == 3


def test_gate_plot_refuses_mismatched_shapes():
    gates = {k: np.zeros((9, 3)) for k in "fio"}
    with pytest.raises(ValueError, match=r"gates\['f'\] must have shape"):
        plot_gate_activations(np.zeros((10, 1)), gates)
    with pytest.raises(ValueError, match=r"inputs must have shape"):
        plot_gate_activations(np.zeros(10), gates)
