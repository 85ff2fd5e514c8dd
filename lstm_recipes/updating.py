"""Update a forecasting model as new data arrives: a walk forward in time.

The updating chapter embeds the sections marked ``--8<--`` below. The test
period is cut into blocks. The model forecasts every window of a block with
what it knows at the start of the block; then the block's observations
arrive and the model is updated by one of four schemes before the next
block:

- ``"none"``: keep the model as it is;
- ``"refit"``: estimate the preprocessing (the monthly normals and the
  scaling) again on all the data seen so far, and train a fresh model on it;
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
import pandas as pd

from lstm_recipes.checks import as_number_array, check_positive_int
from lstm_recipes.encoder_decoder import make_dataset
from lstm_recipes.evaluation import restart
from lstm_recipes.forecast import Windows, climatology, make_windows

# --8<-- [end:imports]

__all__ = [
    "SCHEMES",
    "Prepared",
    "WalkForward",
    "outside_training_range",
    "prepare_anomalies",
    "training_mask",
    "walk_forward",
]

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


# --8<-- [start:prepare]
class Prepared(NamedTuple):
    """Scaled anomaly windows of a series, and the way back to its units."""

    windows: Windows  # every window of the series, scaled anomalies
    normal: np.ndarray  # (samples, horizon) normal value of each target
    mean: float  # of the anomalies before `end`
    scale: float  # their standard deviation

    def to_units(self, forecast, index):
        """Forecasts ``(len(index), horizon)`` of windows ``index`` -> units."""
        return (
            np.asarray(forecast) * self.scale + self.mean + self.normal[index]
        )


def prepare_anomalies(series, end, *, lookback, horizon):
    """Windows of scaled anomalies, with statistics of the steps before ``end``.

    The anomaly is the series minus the mean of its calendar month over
    ``series[:end]`` (``climatology``); it is standardized with the mean and
    standard deviation of the anomalies before ``end``. Nothing after ``end``
    enters the statistics, so the windows can be used at time ``end``.

    Args:
        series: a monthly ``pandas.Series`` with a ``DatetimeIndex``,
            shape ``(time,)``.
        end: time index one past the last step whose value is known; at
            least 12, so that every calendar month is seen.
        lookback: input steps per window.
        horizon: steps forecast per window.

    Returns:
        ``Prepared(windows, normal, mean, scale)``; ``to_units(forecast,
        index)`` turns forecasts of windows ``index`` back into the units
        of the series.
    """
    if not isinstance(series, pd.Series) or not isinstance(
        series.index, pd.DatetimeIndex
    ):
        raise TypeError(
            "series must be a pandas Series with a DatetimeIndex, got "
            f"{type(series).__name__}"
        )
    end = check_positive_int(end, "end")
    if not 12 <= end <= len(series):
        raise ValueError(
            f"end must lie between 12 and len(series) = {len(series)}, got "
            f"{end}"
        )
    months = series.index.month.to_numpy()
    anomaly = series.to_numpy(dtype="float64") - climatology(
        series.iloc[:end], months
    )
    # a scale for the inputs, computed as StandardScaler does (ddof=0)
    mean, scale = anomaly[:end].mean(), anomaly[:end].std()
    if not scale > 0:
        raise ValueError(
            f"the anomalies of series[:{end}] do not vary (each calendar "
            "month equals its mean): end must leave more than one year"
        )
    windows = make_windows((anomaly - mean) / scale, lookback, horizon)
    targets = windows.start[:, None] + np.arange(windows.y.shape[1])
    normal = climatology(series.iloc[:end], months[targets])
    return Prepared(windows, normal, float(mean), float(scale))


# --8<-- [end:prepare]


# --8<-- [start:walk_forward]
class WalkForward(NamedTuple):
    """Forecasts of a walk forward, and the time spent updating."""

    forecast: np.ndarray  # (samples, horizon) in the units of the series
    actual: np.ndarray  # (samples, horizon) what happened
    index: np.ndarray  # (samples,) indices of those windows
    block: np.ndarray  # (samples,) the block each forecast was made in
    seconds: np.ndarray  # (updates,) wall time of each update
    check: np.ndarray  # (updates,) MSE on the `check` windows after each


def walk_forward(
    model,
    series,
    blocks,
    *,
    scheme,
    weights,
    passes,
    lookback,
    horizon,
    initial=None,
    batch_size=32,
    recent=None,
    seed=0,
    check=None,
    stop=None,
):
    """Forecast block by block, updating the model between blocks.

    The model works on the windows of ``prepare_anomalies(series,
    blocks[0], ...)`` and starts every walk from ``weights`` (a model
    trained on those windows before the first block) with a fresh optimizer
    (``restart``). In block ``k`` it forecasts every window whose first
    target lies in the block, from the inputs before it; then it is updated
    by ``scheme`` with the windows ``training_mask`` picks, before block
    ``k + 1``. The walk forecasts only windows whose targets all lie
    before ``stop``. ``"refit"`` estimates the preprocessing again on all the
    steps known by then, starts again from the ``initial`` weights with a
    fresh optimizer and trains ``passes`` passes; the other schemes keep
    the preprocessing and continue from the current weights for ``passes``
    passes.

    Args:
        model: a compiled ``keras.Model`` mapping ``(samples, lookback, 1)``
            to ``(samples, horizon)``; the walk changes its weights.
        series: the monthly ``pandas.Series`` (``DatetimeIndex``), shape
            ``(time,)``.
        blocks: time indices where the blocks start, increasing; the last
            block runs to the end of the series.
        scheme: one of ``SCHEMES``.
        weights: the starting weights, ``model.get_weights()`` after the
            first training.
        passes: passes over the training windows at each update.
        lookback: input steps per window.
        horizon: steps forecast per window.
        initial: for ``"refit"``, the weights a refit starts from, e.g.
            the untrained weights the starting model was trained from.
        batch_size: samples per optimizer step.
        recent: time steps of data for the ``"recent"`` scheme.
        seed: seed of the shuffling; block ``k`` shuffles with
            ``seed + k``.
        check: optional boolean mask or indices of windows, e.g. the first
            training windows; their mean squared error (in the units of the
            series, squared) after each update shows what the model forgets.
        stop: time index where the walk ends, e.g. where a later test
            period begins; ``None``: the end of the series.

    Returns:
        A ``WalkForward(forecast, actual, index, block, seconds, check)``,
        forecasts and actual values in the units of the series.
    """
    compiled = getattr(model, "optimizer", None) is not None
    if not isinstance(model, keras.Model) or not compiled:
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
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
    prepared = prepare_anomalies(
        series, blocks[0], lookback=lookback, horizon=horizon
    )
    windows = prepared.windows
    if stop is None:
        stop = len(series)
    stop = check_positive_int(stop, "stop")
    complete = windows.start + horizon <= stop  # targets all before stop
    if not complete.any() or blocks[-1] > windows.start[complete].max():
        raise ValueError(
            f"blocks must start before the last window ending by stop "
            f"({stop}), got {blocks}"
        )
    end = int(windows.start[complete].max()) + 1
    if scheme == "recent":
        check_positive_int(recent, "recent")
    if scheme == "refit" and initial is None:
        raise ValueError(
            'scheme "refit" needs initial, the weights to start from'
        )
    if check is not None:
        check = np.arange(len(windows.x))[np.asarray(check)]
    values = series.to_numpy(dtype="float64")
    targets = windows.start[:, None] + np.arange(horizon)  # (samples, h)
    restart(model, weights)
    bounds = blocks + [end]
    forecasts, indices, block_of, seconds, losses = [], [], [], [], []
    for k, (first, after) in enumerate(zip(bounds, bounds[1:])):
        now = np.flatnonzero((windows.start >= first) & (windows.start < after))
        scaled = np.asarray(model(prepared.windows.x[now]))
        forecasts.append(prepared.to_units(scaled, now))
        indices.append(now)
        block_of.append(np.full(len(now), k))
        if after == end or scheme == "none":
            continue  # nothing to learn from, or no update wanted
        mask = training_mask(
            windows, scheme, block_start=first, block_end=after, recent=recent
        )
        if not mask.any():
            raise ValueError(
                f"no window to train on after block {k} ({first} to {after}):"
                " start the blocks later in the series"
            )
        tic = time.perf_counter()
        if scheme == "refit":
            prepared = prepare_anomalies(
                series, after, lookback=lookback, horizon=horizon
            )
            restart(model, initial)
        data = make_dataset(
            prepared.windows.x[mask],
            prepared.windows.y[mask, :, 0],
            batch_size=batch_size,
            passes=passes,
            seed=seed + k,
        )
        model.fit(data, epochs=1, verbose=0, shuffle=False)
        seconds.append(time.perf_counter() - tic)
        if check is not None:
            scaled = np.asarray(model(prepared.windows.x[check]))
            error = prepared.to_units(scaled, check) - values[targets[check]]
            losses.append(float(np.mean(error**2)))
    index = np.concatenate(indices)
    return WalkForward(
        np.concatenate(forecasts),
        values[targets[index]],
        index,
        np.concatenate(block_of),
        np.array(seconds),
        np.array(losses),
    )


# --8<-- [end:walk_forward]


# --8<-- [start:drift]
def outside_training_range(x_train, x):
    """Which input windows look like none the model was trained on.

    Each window is summed up by the mean and the standard deviation of its
    time steps (its level and how much it swings). A window whose mean or
    standard deviation lies outside the range of those of the training
    windows asks the model to extrapolate: a sign that the inputs have
    drifted away from what it learned, known as soon as the inputs are,
    long before the errors of the forecast.

    Args:
        x_train: the training inputs, ``(samples, time_steps)`` or
            ``(samples, time_steps, 1)``.
        x: the inputs to check, the same ``time_steps``.

    Returns:
        A boolean array ``(len(x),)``, ``True`` where the window lies
        outside the training range.
    """
    arrays = []
    for name, values in (("x_train", x_train), ("x", x)):
        array = as_number_array(values, name, dtype="float64")
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        if array.ndim != 2 or array.shape[1] < 2 or len(array) == 0:
            raise ValueError(
                f"{name} must have shape (samples, time_steps) or (samples, "
                f"time_steps, 1) with at least 2 time steps, got shape "
                f"{array.shape}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        arrays.append(array)
    x_train, x = arrays
    if x.shape[1] != x_train.shape[1]:
        raise ValueError(
            f"x must have the {x_train.shape[1]} time steps of x_train, got "
            f"shape {x.shape}"
        )
    outside = np.zeros(len(x), dtype=bool)
    for statistic in (np.mean, np.std):
        seen, now = statistic(x_train, axis=1), statistic(x, axis=1)
        outside |= (now < seen.min()) | (now > seen.max())
    return outside


# --8<-- [end:drift]
