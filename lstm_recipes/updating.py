"""Update a forecasting model as new data arrives: a walk forward in time.

The updating chapter embeds the sections marked ``--8<--`` below. The test
period is cut into blocks. The model forecasts every window of a block with
what it knows at the start of the block; then the block's observations
arrive and the model is updated by one of four schemes before the next
block:

- ``"none"``: keep the model as it is;
- ``"refit"``: train a fresh model on all the data seen so far;
- ``"new data"``: continue training the current model on the windows that
  the block completed, and nothing else;
- ``"recent"``: continue training on the windows of the last ``recent``
  time steps.
"""

# --8<-- [start:imports]
import time
from typing import NamedTuple

import keras
import numpy as np

from lstm_recipes.checks import check_positive_int
from lstm_recipes.encoder_decoder import make_dataset
from lstm_recipes.evaluation import restart
from lstm_recipes.forecast import Windows

# --8<-- [end:imports]

__all__ = ["SCHEMES", "WalkForward", "training_mask", "walk_forward"]

SCHEMES = ("none", "refit", "new data", "recent")


# --8<-- [start:training_mask]
def training_mask(windows, scheme, *, block_start, block_end, recent=None):
    """Which windows a scheme trains on when a block's data has arrived.

    A window is known once its last target is: ``start + horizon <=
    block_end``.

    Args:
        windows: the ``Windows`` of the whole series (``make_windows``).
        scheme: one of ``SCHEMES``.
        block_start: time index of the first step of the block just seen.
        block_end: time index one past its last step (now).
        recent: for ``"recent"``, how many time steps back to train on.

    Returns:
        A boolean array ``(samples,)``; all ``False`` for ``"none"``.
    """
    if not isinstance(windows, Windows):
        raise TypeError(
            f"windows must come from make_windows, got {type(windows).__name__}"
        )
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    block_start = check_positive_int(block_start, "block_start")
    block_end = check_positive_int(block_end, "block_end")
    if block_end <= block_start:
        raise ValueError(
            f"block_end ({block_end}) must come after block_start "
            f"({block_start})"
        )
    known_at = windows.start + windows.y.shape[1]  # last target + 1
    known = known_at <= block_end
    if scheme == "none":
        return np.zeros(len(known), dtype=bool)
    if scheme == "refit":
        return known
    if scheme == "new data":
        return known & (known_at > block_start)
    if recent is None:
        raise ValueError('scheme "recent" needs recent, a number of steps')
    recent = check_positive_int(recent, "recent")
    return known & (known_at > block_end - recent)


# --8<-- [end:training_mask]


# --8<-- [start:walk_forward]
class WalkForward(NamedTuple):
    """Forecasts of a walk forward, and the time spent updating."""

    forecast: np.ndarray  # (samples, horizon): one per window forecast
    index: np.ndarray  # (samples,) indices of those windows in `windows`
    block: np.ndarray  # (samples,) the block each forecast was made in
    seconds: np.ndarray  # (updates,) wall time of each update
    check: np.ndarray  # (updates,) loss on `check` data after each update


def walk_forward(
    model,
    windows,
    blocks,
    *,
    scheme,
    weights,
    passes,
    initial=None,
    batch_size=32,
    recent=None,
    seed=0,
    check=None,
):
    """Forecast block by block, updating the model between blocks.

    The model starts every walk from ``weights`` (a model trained on the
    data before the first block) with a fresh optimizer (``restart``). In
    block ``k`` it forecasts every window whose first target lies in the
    block, from the inputs before it; then it is updated by ``scheme`` with
    the windows ``training_mask`` picks, before block ``k + 1``.
    ``"refit"`` starts again from the ``initial`` weights with a fresh
    optimizer and trains ``passes`` passes; the other schemes continue from
    the current weights for ``passes`` passes too.

    Args:
        model: a compiled ``keras.Model`` mapping ``(samples, lookback,
            features)`` to ``(samples, horizon)``; the walk changes its
            weights.
        windows: the ``Windows`` of the whole series, one feature.
        blocks: time indices where the blocks start, increasing; the last
            block runs to the end of the series.
        scheme: one of ``SCHEMES``.
        weights: the starting weights, ``model.get_weights()`` after the
            first training.
        passes: passes over the training windows at each update.
        initial: for ``"refit"``, the weights a refit starts from, e.g.
            the untrained weights the starting model was trained from.
        batch_size: samples per optimizer step.
        recent: time steps of data for the ``"recent"`` scheme.
        seed: seed of the shuffling; block ``k`` shuffles with
            ``seed + k``.
        check: optional ``(x, y)``, e.g. the first training windows; its
            loss after each update shows what the model forgets.

    Returns:
        A ``WalkForward(forecast, index, block, seconds, check)``.
    """
    compiled = getattr(model, "optimizer", None) is not None
    if not isinstance(model, keras.Model) or not compiled:
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
        )
    if not isinstance(windows, Windows):
        raise TypeError(
            f"windows must come from make_windows, got {type(windows).__name__}"
        )
    if windows.y.shape[2] != 1:
        raise ValueError(
            f"windows must hold one feature, got y of shape {windows.y.shape}"
        )
    if isinstance(blocks, (str, bytes)) or not hasattr(blocks, "__iter__"):
        raise TypeError(
            f"blocks must be a list of time indices, got {blocks!r:.40}"
        )
    blocks = [
        check_positive_int(b, f"blocks[{i}]") for i, b in enumerate(blocks)
    ]
    if not blocks or np.any(np.diff(blocks) <= 0):
        raise ValueError(
            f"blocks must be increasing time indices, got {blocks}"
        )
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    passes = check_positive_int(passes, "passes")
    end = int(windows.start.max()) + 1
    if blocks[-1] >= end:
        raise ValueError(
            f"blocks must start before the last window ({end - 1}), got "
            f"{blocks}"
        )
    if scheme == "recent":
        check_positive_int(recent, "recent")
    if scheme == "refit" and initial is None:
        raise ValueError(
            'scheme "refit" needs initial, the weights to start from'
        )
    restart(model, weights)
    bounds = blocks + [end]
    forecasts, indices, block_of, seconds, losses = [], [], [], [], []
    for k, (start, stop) in enumerate(zip(bounds, bounds[1:])):
        now = np.flatnonzero((windows.start >= start) & (windows.start < stop))
        forecasts.append(np.asarray(model(windows.x[now])))
        indices.append(now)
        block_of.append(np.full(len(now), k))
        if stop == end or scheme == "none":
            continue  # nothing to learn from, or no update wanted
        mask = training_mask(
            windows, scheme, block_start=start, block_end=stop, recent=recent
        )
        if not mask.any():
            raise ValueError(
                f"no window to train on after block {k} ({start} to {stop}):"
                " start the blocks later in the series"
            )
        tic = time.perf_counter()
        if scheme == "refit":
            restart(model, initial)
        data = make_dataset(
            windows.x[mask],
            windows.y[mask, :, 0],
            batch_size=batch_size,
            passes=passes,
            seed=seed + k,
        )
        model.fit(data, epochs=1, verbose=0, shuffle=False)
        seconds.append(time.perf_counter() - tic)
        if check is not None:
            x_check, y_check = check
            losses.append(np.mean((np.asarray(model(x_check)) - y_check) ** 2))
    return WalkForward(
        np.concatenate(forecasts),
        np.concatenate(indices),
        np.concatenate(block_of),
        np.array(seconds),
        np.array(losses),
    )


# --8<-- [end:walk_forward]
