"""Multi-step forecasts of a monthly series: windows, split, baselines, errors.

The encoder-decoder chapter of the book embeds the sections marked ``--8<--``
below. A forecast here is ``horizon`` values at once, made from the
``lookback`` values before them; every function works on NumPy arrays in
the shapes Keras uses, ``(samples, time_steps, features)``.
"""

# --8<-- [start:imports]
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import LinearRegression

from lstm_recipes.checks import as_number_array, check_positive_int

# --8<-- [end:imports]

__all__ = [
    "Windows",
    "chronological_split",
    "climatology",
    "forecast_errors",
    "linear_forecast",
    "make_windows",
    "persistence",
    "seasonal_naive",
    "to_original_units",
]


# --8<-- [start:checks]
def _finite(values, name, ndims, shapes):
    array = as_number_array(values, name, dtype="float64")
    if array.ndim not in ndims:
        raise ValueError(
            f"{name} must have shape {shapes}, got shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(
            f"{name} contains NaN or infinite values; fill or drop the "
            "missing months first"
        )
    return array


def _inputs(x, name="x"):
    """(samples, lookback) from (samples, lookback) or (..., 1)."""
    shapes = "(samples, lookback) or (samples, lookback, 1)"
    x = _finite(x, name, (2, 3), shapes)
    if x.ndim == 3:
        if x.shape[2] != 1:
            raise ValueError(
                f"{name} must hold one feature, got shape {x.shape}"
            )
        x = x[:, :, 0]
    return x


# --8<-- [end:checks]


# --8<-- [start:make_windows]
class Windows(NamedTuple):
    """Forecast windows: inputs, targets, and where the targets start."""

    x: np.ndarray  # (samples, lookback, features)
    y: np.ndarray  # (samples, horizon, features)
    start: np.ndarray  # (samples,) index of each window's first target


def make_windows(values, lookback, horizon):
    """Cut a series into every window of ``lookback`` steps in, ``horizon``
    steps out, sliding by one step.

    Window ``i`` reads ``values[i : i + lookback]`` and forecasts
    ``values[i + lookback : i + lookback + horizon]``.

    Args:
        values: the series, shape ``(time,)`` or ``(time, features)``.
        lookback: input steps per window, at least 1.
        horizon: steps to forecast, at least 1.

    Returns:
        ``Windows(x, y, start)``: float32 ``x`` of shape ``(samples,
        lookback, features)``, ``y`` of shape ``(samples, horizon,
        features)`` and the int ``start`` of each window's first target,
        with ``samples = time - lookback - horizon + 1``.
    """
    lookback = check_positive_int(lookback, "lookback")
    horizon = check_positive_int(horizon, "horizon")
    series = _finite(values, "values", (1, 2), "(time,) or (time, features)")
    series = series.reshape(len(series), -1).astype("float32")
    if len(series) < lookback + horizon:
        raise ValueError(
            f"values has {len(series)} steps, fewer than one window of "
            f"lookback + horizon = {lookback} + {horizon} steps"
        )
    # (samples, features, lookback + horizon) -> time steps second
    cut = sliding_window_view(series, lookback + horizon, axis=0)
    cut = cut.transpose(0, 2, 1)
    start = np.arange(len(cut)) + lookback
    return Windows(cut[:, :lookback], cut[:, lookback:], start)


# --8<-- [end:make_windows]


# --8<-- [start:chronological_split]
def chronological_split(windows, *, validation_start, test_start):
    """Give each window to the period that holds all of its targets.

    Training windows forecast steps before ``validation_start``, validation
    windows steps in ``[validation_start, test_start)``, test windows steps
    from ``test_start`` on; a window whose targets straddle a boundary is
    dropped. Inputs may reach back into an earlier period: when a forecast
    is made, the past is known.

    Args:
        windows: a ``Windows`` from ``make_windows``.
        validation_start: time index of the first validation step, at
            least 1.
        test_start: time index of the first test step, after
            ``validation_start``.

    Returns:
        ``(train, validation, test)``, three ``Windows``; none is empty.
    """
    if not isinstance(windows, Windows):
        raise TypeError(
            f"windows must come from make_windows, got {type(windows).__name__}"
        )
    validation_start = check_positive_int(validation_start, "validation_start")
    test_start = check_positive_int(test_start, "test_start")
    if test_start <= validation_start:
        raise ValueError(
            f"test_start ({test_start}) must come after validation_start "
            f"({validation_start})"
        )
    end = windows.start + windows.y.shape[1]  # one past the last target
    masks = {
        "train": end <= validation_start,
        "validation": (windows.start >= validation_start) & (end <= test_start),
        "test": windows.start >= test_start,
    }
    parts = []
    for name, mask in masks.items():
        if not mask.any():
            raise ValueError(
                f"no {name} window: with validation_start={validation_start}"
                f" and test_start={test_start}, every window's targets cross "
                f"a boundary or lie outside the {end.max()} steps of the series"
            )
        parts.append(Windows(*(part[mask] for part in windows)))
    return tuple(parts)


# --8<-- [end:chronological_split]


# --8<-- [start:baselines]
def persistence(x, horizon):
    """Every future step equals the last input step.

    Args:
        x: inputs ``(samples, lookback)`` or ``(samples, lookback, 1)``.
        horizon: steps to forecast, at least 1.

    Returns:
        ``(samples, horizon)``.
    """
    x = _inputs(x)
    horizon = check_positive_int(horizon, "horizon")
    return np.repeat(x[:, -1:], horizon, axis=1)


def seasonal_naive(x, horizon, season=12):
    """Every future step equals the latest input step of the same season.

    With monthly data and ``season=12``: next March equals the last March
    in the window.

    Args:
        x: inputs ``(samples, lookback)`` or ``(samples, lookback, 1)``,
            with ``lookback >= season``.
        horizon: steps to forecast, at least 1.
        season: steps per season, e.g. 12 for monthly data.

    Returns:
        ``(samples, horizon)``.
    """
    x = _inputs(x)
    horizon = check_positive_int(horizon, "horizon")
    season = check_positive_int(season, "season")
    if x.shape[1] < season:
        raise ValueError(
            f"x must hold at least one season of {season} steps, got "
            f"lookback {x.shape[1]}"
        )
    last_season = x[:, -season:]  # the same position repeats every season
    return last_season[:, np.arange(horizon) % season]


def climatology(history, months):
    """The mean of each calendar month over ``history``, for the given months.

    Args:
        history: a ``pandas.Series`` with a ``DatetimeIndex`` holding every
            calendar month, e.g. the training years.
        months: int array of calendar months 1-12, e.g. ``(samples,
            horizon)``, the months to forecast.

    Returns:
        An array of the shape of ``months``.
    """
    if not isinstance(history, pd.Series) or not isinstance(
        history.index, pd.DatetimeIndex
    ):
        raise TypeError(
            "history must be a pandas Series with a DatetimeIndex, got "
            f"{type(history).__name__}"
        )
    _finite(history.to_numpy(), "history", (1,), "(time,)")
    means = history.groupby(history.index.month).mean()
    if len(means) != 12:
        raise ValueError(
            "history must cover all 12 calendar months, got "
            f"{list(means.index)}"
        )
    months = np.asarray(months)
    if not np.issubdtype(months.dtype, np.integer) or (
        months.size and (months.min() < 1 or months.max() > 12)
    ):
        raise ValueError(
            f"months must be integers from 1 to 12, got {months.dtype} "
            f"values {np.unique(months)[:5]}..."
        )
    return means.to_numpy()[months - 1]


def linear_forecast(x_train, y_train, x):
    """A linear model on the lags: fit on the training windows, forecast ``x``.

    One ``LinearRegression`` maps the ``lookback`` inputs to the ``horizon``
    targets (a separate line for each step ahead, fitted together).

    Args:
        x_train: ``(samples, lookback)`` or ``(samples, lookback, 1)``.
        y_train: ``(samples, horizon)`` or ``(samples, horizon, 1)``.
        x: the windows to forecast, same ``lookback``.

    Returns:
        ``(len(x), horizon)``.
    """
    x_train = _inputs(x_train, "x_train")
    y_train = _inputs(y_train, "y_train")
    x = _inputs(x)
    if len(y_train) != len(x_train):
        raise ValueError(
            f"x_train and y_train must have the same number of samples, got "
            f"{len(x_train)} and {len(y_train)}"
        )
    if x.shape[1] != x_train.shape[1]:
        raise ValueError(
            f"x must have the lookback of x_train ({x_train.shape[1]}), got "
            f"shape {x.shape}"
        )
    return LinearRegression().fit(x_train, y_train).predict(x)


# --8<-- [end:baselines]


# --8<-- [start:errors]
def to_original_units(scaler, values):
    """Undo a fitted scikit-learn scaler on ``(samples, horizon[, 1])``.

    Args:
        scaler: a scikit-learn scaler fitted on one column, e.g. the
            ``StandardScaler`` of ``scale_train_test``.
        values: scaled values ``(samples, steps)`` or ``(samples, steps,
            1)``.

    Returns:
        ``(samples, steps)`` in the units of the series.
    """
    values = _inputs(values, "values")
    if not callable(getattr(scaler, "inverse_transform", None)):
        raise TypeError(
            "scaler must be a fitted scikit-learn scaler, got "
            f"{type(scaler).__name__}"
        )
    flat = scaler.inverse_transform(values.reshape(-1, 1))
    return flat.reshape(values.shape)


def forecast_errors(actual, forecast):
    """RMSE and MAE for each step ahead, and over all steps.

    Args:
        actual: what happened, ``(samples, horizon)`` or ``(samples,
            horizon, 1)``.
        forecast: the forecasts, of the shape of ``actual``, in the same
            units.

    Returns:
        A ``DataFrame`` with columns ``RMSE`` and ``MAE`` and one row per
        step ahead, ``1 ... horizon``, then a row ``"all"``.
    """
    actual = _inputs(actual, "actual")
    forecast = _inputs(forecast, "forecast")
    if actual.shape != forecast.shape:
        raise ValueError(
            f"actual and forecast must have the same shape, got "
            f"{actual.shape} and {forecast.shape}"
        )
    error = forecast - actual
    table = pd.DataFrame(
        {
            "RMSE": np.sqrt(np.mean(error**2, axis=0)),
            "MAE": np.mean(np.abs(error), axis=0),
        },
        index=pd.Index(range(1, actual.shape[1] + 1), name="ahead"),
    )
    table.loc["all"] = [np.sqrt(np.mean(error**2)), np.mean(np.abs(error))]
    return table


# --8<-- [end:errors]
