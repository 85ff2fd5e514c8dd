"""Multi-step forecasts of a monthly series: windows, split, baselines, errors.

The forecasting page of the book (chapter 8b) embeds the sections marked
``--8<--`` below. A forecast here is ``horizon`` values at once, made from
the ``lookback`` values before them; every function works on NumPy arrays
in the shapes Keras uses, ``(samples, time_steps, features)``.
"""

# --8<-- [start:imports]
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats
from sklearn.linear_model import LinearRegression

from lstm_recipes.checks import as_number_array, check_positive_int

# --8<-- [end:imports]

__all__ = [
    "Windows",
    "AnomalyFeatures",
    "anomaly_damping",
    "anomaly_features",
    "bootstrap_skill",
    "chronological_split",
    "climatology",
    "damped_anomaly_persistence",
    "diebold_mariano",
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


def _monthly_history(history):
    """The calendar-month means (12,) of a monthly ``pandas.Series``."""
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
    return means.to_numpy()


def _months(months, name="months"):
    months = np.asarray(months)
    if not np.issubdtype(months.dtype, np.integer) or (
        months.size and (months.min() < 1 or months.max() > 12)
    ):
        raise ValueError(
            f"{name} must be integers from 1 to 12, got {months.dtype} "
            f"values {np.unique(months)[:5]}..."
        )
    return months


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
    means = _monthly_history(history)
    return means[_months(months) - 1]


def anomaly_damping(history, horizon):
    """The fraction of an anomaly left ``h`` months later, ``h = 1 ...
    horizon``, fitted by least squares on ``history``.

    The anomaly is the value minus its calendar month's mean over
    ``history``; ``damping[h - 1]`` minimises ``sum((a[t + h] - d *
    a[t])**2)`` over every pair of months of ``history`` ``h`` apart. For
    an AR(1) anomaly with coefficient ``phi`` it is close to ``phi**h``;
    a series without anomalies (a pure seasonal cycle) gets 0.

    Args:
        history: a ``pandas.Series`` with a ``DatetimeIndex`` holding every
            calendar month, e.g. the training years.
        horizon: the longest lead, at least 1 and shorter than ``history``.

    Returns:
        ``(horizon,)``, the damping factor of each lead.
    """
    horizon = check_positive_int(horizon, "horizon")
    means = _monthly_history(history)
    if horizon >= len(history):
        raise ValueError(
            f"horizon ({horizon}) must be shorter than history "
            f"({len(history)} steps)"
        )
    values = history.to_numpy(dtype="float64")
    anomaly = values - means[history.index.month - 1]
    if np.abs(anomaly).max() <= 1e-9 * np.abs(values).max():
        return np.zeros(horizon)  # a pure seasonal cycle: nothing to damp
    return np.array(
        [
            anomaly[:-h] @ anomaly[h:] / (anomaly[:-h] @ anomaly[:-h])
            for h in range(1, horizon + 1)
        ]
    )


def damped_anomaly_persistence(history, x, months):
    """Climatology plus a damped share of the last observed anomaly.

    For a window whose last input month has anomaly ``a`` (its value minus
    that calendar month's mean over ``history``), the forecast ``h`` steps
    ahead is the mean of the target's calendar month plus
    ``anomaly_damping(history, horizon)[h - 1] * a``. Both the means and
    the damping come from ``history`` alone, e.g. the training years.

    Args:
        history: a ``pandas.Series`` with a ``DatetimeIndex`` holding every
            calendar month, e.g. the training years.
        x: inputs ``(samples, lookback)`` or ``(samples, lookback, 1)``, in
            the units of ``history``.
        months: int ``(samples, horizon)``, the calendar months 1-12 of the
            targets, consecutive (the month after the last input first).

    Returns:
        ``(samples, horizon)``.
    """
    x = _inputs(x)
    months = _months(months)
    if months.ndim != 2 or len(months) != len(x):
        raise ValueError(
            f"months must have shape (samples, horizon) with the {len(x)} "
            f"samples of x, got shape {months.shape}"
        )
    if (np.diff(months, axis=1) % 12 != 1).any():
        raise ValueError(
            "months must be consecutive calendar months along each row, "
            "e.g. [11, 12, 1, 2]"
        )
    means = _monthly_history(history)
    damping = anomaly_damping(history, months.shape[1])
    last_month = (months[:, 0] - 2) % 12  # index 0-11 of the last input month
    last_anomaly = x[:, -1] - means[last_month]
    return means[months - 1] + damping * last_anomaly[:, None]


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


# --8<-- [start:anomaly_features]
class AnomalyFeatures(NamedTuple):
    """A series as a forecaster feeds it to a model."""

    values: np.ndarray  # (time, 3): anomaly / scale, sin and cos of month
    scale: float  # standard deviation of the history's anomalies


def anomaly_features(series, history):
    """The anomaly of each month, scaled, and its calendar month as inputs.

    The anomaly is the value minus its calendar month's mean over
    ``history``, divided by the standard deviation of the history's
    anomalies. The month ``m`` enters as ``sin(2 pi m / 12)`` and ``cos(2
    pi m / 12)``, so that December and January lie side by side. A model
    that forecasts the scaled anomaly gives back a temperature as
    ``climatology(history, months) + scale * anomaly``.

    Args:
        series: a monthly ``pandas.Series`` with a ``DatetimeIndex``, the
            whole series to cut into windows.
        history: the part to learn from, e.g. the training years (means
            and scale come from it alone).

    Returns:
        ``AnomalyFeatures(values, scale)``, ``values`` of shape ``(time,
        3)``.
    """
    means = _monthly_history(history)
    if not isinstance(series, pd.Series) or not isinstance(
        series.index, pd.DatetimeIndex
    ):
        raise TypeError(
            "series must be a pandas Series with a DatetimeIndex, got "
            f"{type(series).__name__}"
        )
    values = _finite(series.to_numpy(), "series", (1,), "(time,)")
    past = history.to_numpy(dtype="float64")
    # a scale for the inputs, computed as StandardScaler does (ddof=0)
    scale = float(np.std(past - means[history.index.month - 1]))
    if scale <= 1e-9 * np.abs(past).max():
        raise ValueError("history has no anomalies: nothing to scale by")
    month = series.index.month.to_numpy()
    angle = 2 * np.pi * month / 12
    anomaly = (values - means[month - 1]) / scale
    return AnomalyFeatures(
        np.column_stack([anomaly, np.sin(angle), np.cos(angle)]), scale
    )


# --8<-- [end:anomaly_features]


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


def _squared_errors(actual, forecast, name):
    """Squared errors ``(samples, horizon)``; a list of forecasts (one per
    run) gives each window's squared error averaged over the runs."""
    runs = forecast if isinstance(forecast, (list, tuple)) else [forecast]
    if not runs:
        raise ValueError(f"{name} must hold at least one forecast, got []")
    errors = []
    for run in runs:
        run = _inputs(run, name)
        if run.shape != actual.shape:
            raise ValueError(
                f"actual and {name} must have the same shape (samples, "
                f"horizon), got {actual.shape} and {run.shape}"
            )
        errors.append((run - actual) ** 2)
    return np.mean(errors, axis=0)


def forecast_errors(actual, forecast, reference=None):
    """RMSE and MAE for each step ahead, and over all steps; with a
    ``reference``, the skill against it too.

    Args:
        actual: what happened, ``(samples, horizon)`` or ``(samples,
            horizon, 1)``.
        forecast: the forecasts, of the shape of ``actual``, in the same
            units.
        reference: optional forecasts of the same shape, e.g.
            climatology's, to compute the skill ``1 - MSE / MSE_reference``
            (1 is perfect, 0 no better than the reference, below 0 worse).

    Returns:
        A ``DataFrame`` with columns ``RMSE`` and ``MAE`` (and ``skill``
        with a ``reference``) and one row per step ahead, ``1 ...
        horizon``, then a row ``"all"``.
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
    if reference is not None:
        base = _squared_errors(actual, reference, "reference")
        mse = np.r_[np.mean(error**2, axis=0), np.mean(error**2)]
        table["skill"] = 1 - mse / np.r_[np.mean(base, axis=0), np.mean(base)]
    return table


# --8<-- [end:errors]


# --8<-- [start:intervals]
def bootstrap_skill(
    actual, forecast, reference, groups, *, n_boot=2000, level=0.95, seed=0
):
    """Skill ``1 - MSE / MSE_reference`` by lead, with a block-bootstrap
    interval that resamples whole groups of forecast origins (e.g. years).

    Windows that slide by one month overlap, so their errors are not
    independent; a group (all the forecasts made in one year) is drawn
    whole, with replacement, as many groups as there are. The interval is
    the percentile interval of the skill over ``n_boot`` draws. Skill above
    0 means ``forecast`` has the lower MSE; an interval that excludes 0
    says so at the ``1 - level`` level, one that holds 0 does not tell the
    two apart.

    Args:
        actual: ``(samples, horizon)`` or ``(samples, horizon, 1)``.
        forecast: forecasts of the shape of ``actual``, or a list of them
            (one per run, e.g. per seed): then each window's squared error
            is the mean over the runs, the error of a run drawn at random.
        reference: the forecasts to beat, same form as ``forecast``.
        groups: ``(samples,)`` the block of each window, e.g. the year of
            its first target; at least 2 different values.
        n_boot: number of bootstrap draws, at least 100.
        level: coverage of the interval, between 0 and 1.
        seed: seed of the draws.

    Returns:
        A ``DataFrame`` with columns ``skill``, ``low``, ``high`` and one
        row per step ahead, ``1 ... horizon``, then a row ``"all"``.
    """
    actual = _inputs(actual, "actual")
    mine = _squared_errors(actual, forecast, "forecast")
    base = _squared_errors(actual, reference, "reference")
    groups = np.asarray(groups)
    if groups.shape != (len(actual),):
        raise ValueError(
            f"groups must have shape (samples,) = ({len(actual)},), got "
            f"shape {groups.shape}"
        )
    n_boot = check_positive_int(n_boot, "n_boot")
    if n_boot < 100:
        raise ValueError(f"n_boot must be at least 100, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    labels, block = np.unique(groups, return_inverse=True)
    if len(labels) < 2:
        raise ValueError(
            f"groups must hold at least 2 different blocks, got {labels}"
        )
    # per block, the sums of squared errors: (blocks, horizon + 1)
    sums = [
        np.stack([e[block == k].sum(axis=0) for k in range(len(labels))])
        for e in (mine, base)
    ]
    sums = [np.column_stack([s, s.sum(axis=1)]) for s in sums]
    if (sums[1].sum(axis=0) == 0).any():
        raise ValueError("reference is exact at some lead: skill undefined")
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(
        len(labels), np.full(len(labels), 1 / len(labels)), size=n_boot
    )  # (n_boot, blocks): how often each block is drawn
    with np.errstate(divide="ignore", invalid="ignore"):
        skills = 1 - (draws @ sums[0]) / (draws @ sums[1])
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(skills, [tail, 100 - tail], axis=0)
    horizon = actual.shape[1]
    return pd.DataFrame(
        {
            "skill": 1 - sums[0].sum(axis=0) / sums[1].sum(axis=0),
            "low": low,
            "high": high,
        },
        index=pd.Index([*range(1, horizon + 1), "all"], name="ahead"),
    )


def diebold_mariano(actual, forecast, reference):
    """A Diebold-Mariano-type test of equal MSE at each lead.

    At lead ``h`` the loss difference ``d_t = e_forecast**2 -
    e_reference**2`` of consecutive forecast origins is autocorrelated up
    to lag ``h - 1`` (the windows overlap). Its long-run variance is the
    Newey-West (Bartlett-weighted) estimate with ``h - 1`` lags, which is
    never negative; Diebold and Mariano's original uses unweighted
    autocovariances. The statistic then gets the Harvey-Leybourne-Newbold
    small-sample factor (derived for the unweighted variance, so here an
    approximation) and is compared with Student's t with ``samples - 1``
    degrees of freedom (``scipy.stats.t``), two-sided.

    Args:
        actual: ``(samples, horizon)`` or ``(samples, horizon, 1)``, one
            window per consecutive forecast origin.
        forecast: forecasts of the shape of ``actual``, or a list of them
            (one per run); the squared errors are averaged over the runs.
        reference: the forecasts to compare with, same form.

    Returns:
        A ``DataFrame`` with columns ``statistic`` (negative when
        ``forecast`` has the lower MSE) and ``p`` and one row per step
        ahead, ``1 ... horizon``.
    """
    actual = _inputs(actual, "actual")
    d = _squared_errors(actual, forecast, "forecast") - _squared_errors(
        actual, reference, "reference"
    )
    n, horizon = d.shape
    if n <= 2 * horizon:
        raise ValueError(
            f"actual must hold more than 2 * horizon = {2 * horizon} "
            f"windows for the test, got {n}"
        )
    rows = []
    for h in range(1, horizon + 1):
        dh = d[:, h - 1] - d[:, h - 1].mean()
        variance = dh @ dh / n
        for lag in range(1, h):
            variance += 2 * (1 - lag / h) * (dh[lag:] @ dh[:-lag]) / n
        if variance <= 0:  # the two forecasts have equal losses everywhere
            rows.append((0.0, 1.0))
            continue
        correction = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
        statistic = correction * d[:, h - 1].mean() / np.sqrt(variance / n)
        rows.append((statistic, 2 * stats.t.sf(abs(statistic), n - 1)))
    return pd.DataFrame(
        rows,
        columns=["statistic", "p"],
        index=pd.Index(range(1, horizon + 1), name="ahead"),
    )


# --8<-- [end:intervals]
