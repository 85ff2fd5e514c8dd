"""The forecasting recipes: windows, the split in time, baselines, errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from lstm_recipes.forecast import (
    Windows,
    anomaly_damping,
    anomaly_features,
    bootstrap_skill,
    chronological_split,
    climatology,
    damped_anomaly_persistence,
    diebold_mariano,
    forecast_errors,
    linear_forecast,
    make_windows,
    persistence,
    seasonal_naive,
    to_original_units,
)
from lstm_recipes.prep import load_elnino

SERIES = np.arange(20.0)


def test_windows_slide_by_one_step():
    windows = make_windows(SERIES, lookback=3, horizon=2)
    assert windows.x.shape == (16, 3, 1) and windows.y.shape == (16, 2, 1)
    assert windows.x.dtype == np.float32
    np.testing.assert_array_equal(windows.x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(windows.y[0, :, 0], [3, 4])
    np.testing.assert_array_equal(windows.y[-1, :, 0], [18, 19])
    np.testing.assert_array_equal(windows.start, np.arange(3, 19))


def test_windows_keep_features_side_by_side():
    values = np.stack([SERIES, -SERIES], axis=1)
    windows = make_windows(values, 4, 1)
    assert windows.x.shape == (16, 4, 2)
    np.testing.assert_array_equal(windows.x[2, 0], [2, -2])
    np.testing.assert_array_equal(windows.y[2, 0], [6, -6])


@pytest.mark.parametrize(
    ("values", "lookback", "horizon", "error", "message"),
    [
        (SERIES[:5], 3, 3, ValueError, r"5 steps, fewer than one window"),
        (SERIES, 0, 2, ValueError, r"lookback must be an integer >= 1"),
        (SERIES, 3, 0, ValueError, r"horizon must be an integer >= 1"),
        (SERIES, 3, 2.0, TypeError, r"horizon must be an integer"),
        ([1.0, np.nan, 2.0, 3.0], 1, 1, ValueError, r"NaN or infinite"),
        (np.zeros((3, 3, 3)), 1, 1, ValueError, r"values must have shape"),
        ("abc", 1, 1, TypeError, r"values must be an array of numbers"),
    ],
)
def test_windows_refuse_bad_input(values, lookback, horizon, error, message):
    with pytest.raises(error, match=message):
        make_windows(values, lookback, horizon)


def test_each_window_goes_to_the_period_of_its_targets():
    windows = make_windows(np.arange(100.0), 10, 5)
    train, validation, test = chronological_split(
        windows, validation_start=60, test_start=80
    )
    assert (train.start + 5 <= 60).all()
    assert (validation.start >= 60).all()
    assert (validation.start + 5 <= 80).all()
    assert (test.start >= 80).all()
    # windows crossing a boundary are dropped, none is used twice
    assert len(train.x) + len(validation.x) + len(test.x) == len(windows.x) - 8
    # inputs may reach back into the period before
    assert validation.x[0, 0, 0] == 50 and test.x[0, 0, 0] == 70
    assert isinstance(test, Windows)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"validation_start": 80, "test_start": 60}, ValueError, r"after"),
        ({"validation_start": 0, "test_start": 60}, ValueError, r">= 1"),
        ({"validation_start": 10, "test_start": 60}, ValueError, r"no train"),
        ({"validation_start": 60, "test_start": 99}, ValueError, r"no test"),
    ],
)
def test_split_refuses_bad_boundaries(kwargs, error, message):
    windows = make_windows(np.arange(100.0), 10, 5)
    with pytest.raises(error, match=message):
        chronological_split(windows, **kwargs)
    with pytest.raises(TypeError, match=r"windows must come from"):
        chronological_split((1, 2, 3), validation_start=60, test_start=80)


def test_naive_forecasts():
    x = np.arange(24.0).reshape(1, 24, 1)  # two years of months 0..23
    np.testing.assert_array_equal(persistence(x, 3), [[23, 23, 23]])
    # month 24 is like month 12, month 36 like month 12 again
    np.testing.assert_array_equal(
        seasonal_naive(x, 14)[0], [*range(12, 24), 12, 13]
    )
    with pytest.raises(ValueError, match=r"at least one season of 12"):
        seasonal_naive(x[:, :6], 3)
    with pytest.raises(ValueError, match=r"one feature"):
        persistence(np.zeros((2, 3, 2)), 1)
    with pytest.raises(ValueError, match=r"horizon must be an integer"):
        persistence(x, 0)


def test_climatology_is_the_mean_of_each_calendar_month():
    index = pd.date_range("2000-01", periods=24, freq="MS")
    history = pd.Series(np.r_[np.arange(12.0), np.arange(12.0) + 2], index)
    forecast = climatology(history, np.array([[1, 2], [12, 1]]))
    np.testing.assert_array_equal(forecast, [[1, 2], [12, 1]])
    with pytest.raises(ValueError, match=r"all 12 calendar months"):
        climatology(history.iloc[:6], np.array([1]))
    with pytest.raises(ValueError, match=r"months must be integers from 1"):
        climatology(history, np.array([0, 13]))
    with pytest.raises(TypeError, match=r"DatetimeIndex"):
        climatology(history.to_numpy(), np.array([1]))


def test_linear_forecast_recovers_a_linear_rule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4))
    y = np.stack([x.sum(axis=1), x[:, -1] * 2], axis=1)
    np.testing.assert_allclose(linear_forecast(x, y, x[:5]), y[:5], atol=1e-8)
    with pytest.raises(ValueError, match=r"same number of samples"):
        linear_forecast(x, y[:10], x)
    with pytest.raises(ValueError, match=r"lookback of x_train \(4\)"):
        linear_forecast(x, y, x[:, :3])


def test_errors_by_step_ahead_and_overall():
    actual = np.zeros((2, 3))
    forecast = np.array([[1.0, -2.0, 0.0], [1.0, 2.0, 0.0]])
    table = forecast_errors(actual, forecast[:, :, None])
    assert list(table.index) == [1, 2, 3, "all"]
    np.testing.assert_allclose(table["RMSE"], [1, 2, 0, np.sqrt(10 / 6)])
    np.testing.assert_allclose(table["MAE"], [1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"same shape"):
        forecast_errors(actual, forecast[:, :2])
    with pytest.raises(ValueError, match=r"NaN"):
        forecast_errors(actual, np.full((2, 3), np.nan))


def test_back_to_original_units():
    scaler = StandardScaler().fit(np.array([[10.0], [20.0]]))
    scaled = scaler.transform(np.array([[10.0], [15.0], [20.0]]))
    back = to_original_units(scaler, scaled.reshape(1, 3, 1))
    np.testing.assert_allclose(back, [[10, 15, 20]])
    with pytest.raises(TypeError, match=r"fitted scikit-learn scaler"):
        to_original_units("scaler", scaled.reshape(1, 3))


def test_on_el_nino_the_baselines_have_the_expected_order():
    """Sanity of the real data: the lags help one month ahead, the calendar
    helps far ahead, and half a year ahead the last month is the worst guess."""
    sst = load_elnino()
    windows = make_windows(sst.to_numpy(), 18, 18)
    train, _, test = chronological_split(
        windows, validation_start=480, test_start=600
    )
    actual = test.y[:, :, 0]
    months = sst.index.month.to_numpy()[test.start[:, None] + np.arange(18)]
    clim = forecast_errors(actual, climatology(sst.iloc[:480], months))
    linear = forecast_errors(actual, linear_forecast(train.x, train.y, test.x))
    persist = forecast_errors(actual, persistence(test.x, 18))
    assert linear.loc[1, "RMSE"] < clim.loc[1, "RMSE"]
    assert clim.loc[12, "RMSE"] < linear.loc[12, "RMSE"]
    assert persist.loc[6, "RMSE"] > 2 * clim.loc[6, "RMSE"]


MONTHS = pd.date_range("1950-01", periods=480, freq="MS")
CYCLE = 25 + 2 * np.sin(2 * np.pi * (MONTHS.month.to_numpy() - 1) / 12)


def _target_months(windows, index=MONTHS):
    horizon = windows.y.shape[1]
    return index.month.to_numpy()[windows.start[:, None] + np.arange(horizon)]


def test_on_a_pure_seasonal_cycle_the_seasonal_rules_are_exact():
    history = pd.Series(CYCLE, MONTHS)
    windows = make_windows(CYCLE, 18, 18)
    months = _target_months(windows)
    actual = windows.y[:, :, 0]
    atol = 1e-5  # the windows are float32
    np.testing.assert_allclose(climatology(history, months), actual, atol=atol)
    np.testing.assert_allclose(seasonal_naive(windows.x, 18), actual, atol=atol)
    # no anomaly to damp: damped anomaly persistence is climatology
    np.testing.assert_allclose(
        damped_anomaly_persistence(history, windows.x, months),
        actual,
        atol=atol,
    )


def _ar1(phi, size, seed=0):
    rng = np.random.default_rng(seed)
    anomaly = np.zeros(size)
    for t in range(1, size):
        anomaly[t] = phi * anomaly[t - 1] + rng.normal()
    return anomaly


def test_damping_of_an_ar1_anomaly_is_phi_to_the_lead():
    phi = 0.8
    index = pd.date_range("1800-01", periods=6000, freq="MS")
    cycle = 25 + 2 * np.sin(2 * np.pi * (index.month.to_numpy() - 1) / 12)
    history = pd.Series(cycle + _ar1(phi, 6000), index)
    damping = anomaly_damping(history, 6)
    np.testing.assert_allclose(damping, phi ** np.arange(1, 7), atol=0.04)


def test_damped_anomaly_persistence_adds_the_damped_last_anomaly():
    history = pd.Series(CYCLE + _ar1(0.8, 480), MONTHS)
    windows = make_windows(history.to_numpy(), 12, 3)
    months = _target_months(windows)
    forecast = damped_anomaly_persistence(history, windows.x, months)
    means = climatology(history, np.arange(1, 13))
    last = windows.start - 1  # time index of each window's last input
    anomaly = history.to_numpy()[last] - means[MONTHS.month[last] - 1]
    expected = climatology(history, months) + np.outer(
        anomaly, anomaly_damping(history, 3)
    )
    np.testing.assert_allclose(forecast, expected, rtol=1e-5)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda h: anomaly_damping(h, 480),
            ValueError,
            r"horizon \(480\) must be shorter than history",
        ),
        (lambda h: anomaly_damping(h, 0), ValueError, r"horizon must be"),
        (
            lambda h: anomaly_damping(h.iloc[:5], 2),
            ValueError,
            r"all 12 calendar months",
        ),
        (
            lambda h: damped_anomaly_persistence(
                h, np.zeros((2, 4)), np.array([[12, 13], [1, 2]])
            ),
            ValueError,
            r"months must be integers from 1 to 12",
        ),
        (
            lambda h: damped_anomaly_persistence(
                h, np.zeros((2, 4)), np.array([[1, 3], [1, 2]])
            ),
            ValueError,
            r"consecutive calendar months",
        ),
        (
            lambda h: damped_anomaly_persistence(
                h, np.zeros((3, 4)), np.array([[1, 2], [1, 2]])
            ),
            ValueError,
            r"months must have shape \(samples, horizon\) with the 3",
        ),
        (
            lambda h: damped_anomaly_persistence(
                h, np.full((2, 4), np.nan), np.array([[1, 2], [1, 2]])
            ),
            ValueError,
            r"x contains NaN",
        ),
        (
            lambda h: anomaly_damping(h.where(h.index.year > 1950), 2),
            ValueError,
            r"history contains NaN",
        ),
        (
            lambda h: anomaly_damping(h.to_numpy(), 2),
            TypeError,
            r"history must be a pandas Series with a DatetimeIndex",
        ),
    ],
)
def test_anomaly_baseline_refuses_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(pd.Series(CYCLE, MONTHS))


def test_skill_against_a_reference():
    actual = np.zeros((4, 2))
    reference = np.full((4, 2), 2.0)  # MSE 4 at each lead
    forecast = np.array([[1.0, 2.0]] * 4)  # MSE 1, then 4
    table = forecast_errors(actual, forecast, reference)
    np.testing.assert_allclose(table["skill"], [0.75, 0.0, 1 - 5 / 8])
    # a list of runs: each window's squared error averaged over the runs
    table = forecast_errors(actual, forecast, [reference, 0 * reference])
    np.testing.assert_allclose(table["skill"], [0.5, -1.0, 1 - 5 / 4])
    assert "skill" not in forecast_errors(actual, forecast).columns
    with pytest.raises(ValueError, match=r"reference must have the same"):
        forecast_errors(actual, forecast, reference[:3])


def _noisy_test_windows(seed=0):
    """10 years of monthly origins, 3 leads, an AR(1) truth."""
    rng = np.random.default_rng(seed)
    actual = np.stack([_ar1(0.9, 120, seed + lead) for lead in range(3)], 1)
    good = actual + rng.normal(scale=0.5, size=actual.shape)
    years = np.repeat(np.arange(2000, 2010), 12)
    return actual, good, years


def test_bootstrap_interval_covers_zero_for_the_same_forecaster():
    actual, good, years = _noisy_test_windows()
    table = bootstrap_skill(actual, good, good.copy(), years)
    assert list(table.index) == [1, 2, 3, "all"]
    assert ((table["low"] <= 0) & (table["high"] >= 0)).all()
    np.testing.assert_allclose(table["skill"], 0)


def test_bootstrap_interval_excludes_zero_for_a_clearly_worse_one():
    actual, good, years = _noisy_test_windows()
    rng = np.random.default_rng(1)
    worse = actual + rng.normal(scale=1.5, size=actual.shape)
    table = bootstrap_skill(actual, good, worse, years)
    assert (table["low"] > 0).all()  # good beats worse at every lead
    assert (table["low"] <= table["skill"]).all()
    assert (table["skill"] <= table["high"]).all()
    np.testing.assert_allclose(table["skill"], 1 - 0.25 / 2.25, atol=0.1)
    flipped = bootstrap_skill(actual, worse, good, years)
    assert (flipped["high"] < 0).all()


def test_bootstrap_resamples_whole_years():
    """Two forecasters that tie over the whole test period but differ year by
    year: resampling windows one by one would make the interval too narrow;
    the interval over years is wider than the one over single windows."""
    actual, good, years = _noisy_test_windows()
    rng = np.random.default_rng(2)
    bias = np.repeat(rng.normal(scale=1.0, size=10), 12)[:, None]
    biased = good + bias  # a whole year off together
    by_year = bootstrap_skill(actual, biased, good, years)
    by_window = bootstrap_skill(actual, biased, good, np.arange(120))
    width = by_year["high"] - by_year["low"]
    assert (width > by_window["high"] - by_window["low"]).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"groups": np.arange(5)}, ValueError, r"groups must have shape"),
        ({"groups": np.zeros(120)}, ValueError, r"at least 2 different"),
        ({"n_boot": 10}, ValueError, r"n_boot must be at least 100"),
        ({"level": 95}, ValueError, r"level must lie between 0 and 1"),
        ({"forecast": []}, ValueError, r"at least one forecast"),
        (
            {"forecast": np.zeros((120, 2))},
            ValueError,
            r"forecast must have the same shape",
        ),
        ({"reference": "climatology"}, TypeError, r"array of numbers"),
    ],
)
def test_bootstrap_refuses_bad_input(kwargs, error, message):
    actual, good, years = _noisy_test_windows()
    arguments = {
        "actual": actual,
        "forecast": good,
        "reference": good + 1,
        "groups": years,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        bootstrap_skill(**arguments)
    with pytest.raises(ValueError, match=r"reference is exact"):
        bootstrap_skill(actual, good, actual, years)


def test_diebold_mariano_tells_a_worse_forecaster_apart():
    actual, good, _ = _noisy_test_windows()
    rng = np.random.default_rng(1)
    worse = actual + rng.normal(scale=1.5, size=actual.shape)
    table = diebold_mariano(actual, good, worse)
    assert (table["statistic"] < 0).all() and (table["p"] < 0.01).all()
    same = diebold_mariano(actual, good, good.copy())
    np.testing.assert_allclose(same["p"], 1)
    noise = actual + rng.normal(scale=0.5, size=actual.shape)
    assert (diebold_mariano(actual, good, noise)["p"] > 0.05).all()
    with pytest.raises(ValueError, match=r"more than 2 \* horizon = 6"):
        diebold_mariano(actual[:6], good[:6], worse[:6])


def test_diebold_mariano_holds_its_level():
    """Under the null (two equally good forecasts) at lead 3, with overlapping
    errors, the test rejects at 5 % in about 5 % of the draws."""
    rng = np.random.default_rng(0)
    rejected = []
    for _ in range(400):
        shocks = rng.normal(size=(2, 122))
        # MA(2) forecast errors, as overlapping 3-step windows give
        errors = shocks[:, 2:] + shocks[:, 1:-1] + shocks[:, :-2]
        actual = np.zeros((120, 3))
        a = np.column_stack([errors[0]] * 3)
        b = np.column_stack([errors[1]] * 3)
        rejected.append(diebold_mariano(actual, a, b).loc[3, "p"] < 0.05)
    assert 0.02 < np.mean(rejected) < 0.10


def test_anomaly_features_scale_the_anomaly_and_encode_the_month():
    anomaly = _ar1(0.8, 480)
    series = pd.Series(CYCLE + anomaly, MONTHS)
    history = series.iloc[:240]
    features = anomaly_features(series, history)
    assert features.values.shape == (480, 3)
    means = climatology(history, np.arange(1, 13))
    past = history.to_numpy() - means[MONTHS.month[:240] - 1]
    assert features.scale == pytest.approx(past.std())
    np.testing.assert_allclose(
        features.values[:, 0] * features.scale,
        series.to_numpy() - means[MONTHS.month - 1],
    )
    # December and January lie side by side on the circle
    december, january = features.values[11, 1:], features.values[12, 1:]
    assert np.linalg.norm(december - january) == pytest.approx(
        2 * np.sin(np.pi / 12)
    )
    with pytest.raises(ValueError, match=r"no anomalies"):
        anomaly_features(series, pd.Series(CYCLE[:24], MONTHS[:24]))
    with pytest.raises(TypeError, match=r"series must be a pandas Series"):
        anomaly_features(series.to_numpy(), history)
    with pytest.raises(ValueError, match=r"series contains NaN"):
        anomaly_features(series.where(series.index.year > 1950), history)
