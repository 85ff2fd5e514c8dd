"""The forecasting recipes: windows, the split in time, baselines, errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from lstm_recipes.forecast import (
    Windows,
    chronological_split,
    climatology,
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
