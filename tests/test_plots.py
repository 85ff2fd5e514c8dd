"""The plots draw what they say, and refuse what they cannot draw."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_recipes.plots import (  # noqa: E402
    plot_learning_curve,
    plot_predictions,
    save_figure,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(logs, epochs):
    history = keras.callbacks.History()
    history.history = logs
    history.epoch = epochs
    return history


def test_learning_curve_plots_train_and_validation():
    history = _history(
        {"loss": [1.0, 0.1, 0.01], "val_loss": [2.0, 0.2, 0.02]}, [10, 20, 30]
    )
    ax = plot_learning_curve(history)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["train", "validation"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [10, 20, 30])
    np.testing.assert_array_equal(lines[1].get_ydata(), [2.0, 0.2, 0.02])
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "loss"


def test_learning_curve_on_given_axes_linear_scale():
    _, ax = plt.subplots()
    history = _history({"accuracy": [0.5, 0.9]}, [0, 1])
    assert (
        plot_learning_curve(history, metric="accuracy", ax=ax, log_scale=False)
        is ax
    )
    assert ax.get_yscale() == "linear"
    assert len(ax.get_lines()) == 1


def test_learning_curve_refuses_bad_input():
    with pytest.raises(
        TypeError, match=r"history must be a keras History, got dict"
    ):
        plot_learning_curve({"loss": [1.0]})
    with pytest.raises(
        ValueError,
        match=r"metric 'accuracy' was not logged; history has \['loss'\]",
    ):
        plot_learning_curve(_history({"loss": [1.0]}, [0]), metric="accuracy")


def test_predictions_against_targets():
    ax = plot_predictions(
        [[0.1], [0.2], [0.3]], [0.11, 0.19, 0.31], inputs=[0.0, 0.1, 0.2]
    )
    target, prediction = ax.get_lines()
    np.testing.assert_allclose(target.get_xdata(), [0.0, 0.1, 0.2])
    np.testing.assert_allclose(target.get_ydata(), [0.1, 0.2, 0.3])
    np.testing.assert_allclose(prediction.get_ydata(), [0.11, 0.19, 0.31])


def test_predictions_refuse_mismatched_sizes():
    with pytest.raises(ValueError, match=r"same number of values, got 3 and 2"):
        plot_predictions([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"inputs must hold 3 values, got 2"):
        plot_predictions([1, 2, 3], [1, 2, 3], inputs=[0, 1])


def test_save_figure_writes_the_same_svg_twice(tmp_path):
    ax = plot_predictions([0.1, 0.2], [0.1, 0.25])
    first = save_figure(ax, tmp_path / "a" / "p.svg")  # parent created
    second = save_figure(ax.figure, tmp_path / "q.svg")
    assert first.read_bytes() == second.read_bytes()
    assert save_figure(ax, tmp_path / "p.png").stat().st_size > 0


def test_save_figure_rejects_bad_input(tmp_path):
    ax = plot_predictions([0.1], [0.1])
    with pytest.raises(TypeError, match="figure must be"):
        save_figure("plot", tmp_path / "p.svg")
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        save_figure(ax, tmp_path / "p.pdf")
