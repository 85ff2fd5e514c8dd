"""Plots the book shows: learning curves and predictions against targets."""

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_learning_curve", "plot_predictions", "save_figure"]


def _new_axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    return ax


def plot_learning_curve(history, *, metric="loss", ax=None, log_scale=True):
    """Plot ``metric`` (and ``val_<metric>`` if logged) against epochs.

    Args:
        history: a ``keras.callbacks.History`` (``model.fit``, ``fit_fast``).
        metric: a key of ``history.history``, e.g. ``"loss"`` or ``"accuracy"``.
        ax: a matplotlib ``Axes`` to draw on; a new figure if ``None``.
        log_scale: use a logarithmic y axis (useful for losses).

    Returns:
        The ``Axes``.
    """
    logs = getattr(history, "history", None)
    if not isinstance(logs, dict):
        raise TypeError(
            f"history must be a keras History, got {type(history).__name__}"
        )
    if metric not in logs:
        raise ValueError(
            f"metric {metric!r} was not logged; history has {sorted(logs)}"
        )
    ax = _new_axes(ax)
    for key, label in ((metric, "train"), (f"val_{metric}", "validation")):
        if key in logs:
            ax.plot(history.epoch, logs[key], marker=".", label=label)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def plot_predictions(targets, predictions, *, inputs=None, ax=None):
    """Plot predictions against targets, sample by sample.

    Args:
        targets: true values, shape ``(samples,)`` or ``(samples, 1)``.
        predictions: model outputs, same shape as ``targets``.
        inputs: optional x-axis values, shape ``(samples,)``; default
            ``0, 1, ..., samples - 1``.
        ax: a matplotlib ``Axes`` to draw on; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    targets = np.asarray(targets, dtype="float32").reshape(-1)
    predictions = np.asarray(predictions, dtype="float32").reshape(-1)
    if targets.shape != predictions.shape:
        raise ValueError(
            f"targets and predictions must hold the same number of values, "
            f"got {targets.size} and {predictions.size}"
        )
    if inputs is None:
        inputs = np.arange(targets.size)
    inputs = np.asarray(inputs, dtype="float32").reshape(-1)
    if inputs.shape != targets.shape:
        raise ValueError(
            f"inputs must hold {targets.size} values, got {inputs.size}"
        )
    ax = _new_axes(ax)
    ax.plot(inputs, targets, "o-", label="target")
    ax.plot(inputs, predictions, "x--", label="prediction")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def save_figure(figure, path):
    """Save a figure (or the figure of an ``Axes``) as SVG or PNG.

    The file is reproducible: SVG output carries no date and fixed element
    ids, so the same plot gives the same file. SVG text stays text (not
    glyph outlines), so that the reader's browser draws it with its own
    fonts and the book's Chinese edition can swap in Chinese labels. Parent
    folders are created.

    Args:
        figure: a matplotlib ``Figure`` or ``Axes``.
        path: where to write; the suffix picks the format (``.svg``, ``.png``).

    Returns:
        The ``Path`` written.
    """
    figure = getattr(figure, "figure", figure)  # an Axes knows its Figure
    if not isinstance(figure, mpl.figure.Figure):
        raise TypeError(
            f"figure must be a matplotlib Figure or Axes, "
            f"got {type(figure).__name__}"
        )
    path = Path(path)
    if path.suffix not in (".svg", ".png"):
        raise ValueError(f"path must end in .svg or .png, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Date": None} if path.suffix == ".svg" else {}
    with mpl.rc_context(
        {"svg.hashsalt": "lstm-recipes", "svg.fonttype": "none"}
    ):
        figure.savefig(path, dpi=120, metadata=metadata, bbox_inches="tight")
    return path
