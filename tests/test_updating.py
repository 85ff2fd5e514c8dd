"""Update schemes: which windows each trains on, and the walk forward."""

import keras
import numpy as np
import pandas as pd
import pytest

from lstm_recipes.forecast import make_windows
from lstm_recipes.updating import (
    SCHEMES,
    WalkForward,
    outside_training_range,
    prepare_anomalies,
    training_mask,
    walk_forward,
)

# A series of 60 steps, windows of 4 steps in and 2 out: 55 windows whose
# first targets are steps 4 ... 58.
SERIES = np.sin(np.arange(60) / 3.0)
# The same values as a monthly series with a trend, from January 2000.
MONTHLY = pd.Series(
    SERIES + np.arange(60) / 30.0,
    index=pd.date_range("2000-01-01", periods=60, freq="MS"),
)
WINDOWS = make_windows(SERIES, lookback=4, horizon=2)
BLOCKS = [30, 45]  # two blocks: 30-44 and 45 to the end


def small_model(outputs=2):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4, 1))
    outputs = keras.layers.Dense(outputs)(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(0.05), "mse")
    return model


# training_mask -----------------------------------------------------------


def starts(mask):
    return WINDOWS.start[mask].tolist()


def test_each_scheme_trains_on_the_windows_it_names():
    bounds = {"block_start": 30, "block_end": 45}
    # known once the last target (start + 1) is before 45
    assert starts(training_mask(WINDOWS, "refit", **bounds)) == list(
        range(4, 44)
    )
    assert starts(training_mask(WINDOWS, "new data", **bounds)) == list(
        range(29, 44)
    )
    recent = training_mask(WINDOWS, "recent", recent=10, **bounds)
    assert starts(recent) == list(range(34, 44))
    none = training_mask(WINDOWS, "none", **bounds)
    assert none.dtype == bool and none.shape == (55,) and not none.any()


def test_schemes_are_the_four_of_the_chapter():
    assert SCHEMES == ("none", "refit", "new data", "recent")


@pytest.mark.parametrize(
    ("windows", "kwargs", "error", "message"),
    [
        ("windows", {}, TypeError, r"windows must come from make_windows"),
        (None, {"scheme": "all"}, ValueError, r"scheme must be one of"),
        (None, {"block_start": 30.0}, TypeError, r"block_start must be"),
        (None, {"block_end": 0}, ValueError, r"block_end must be"),
        (None, {"block_end": 30}, ValueError, r"block_end \(30\) must come"),
        (None, {"scheme": "recent"}, ValueError, r"needs recent"),
        (None, {"scheme": "recent", "recent": 0}, ValueError, r"recent must"),
    ],
)
def test_training_mask_refuses_bad_input(windows, kwargs, error, message):
    arguments = {"scheme": "refit", "block_start": 30, "block_end": 45}
    arguments.update(kwargs)
    scheme = arguments.pop("scheme")
    with pytest.raises(error, match=message):
        training_mask(
            WINDOWS if windows is None else windows, scheme, **arguments
        )


# prepare_anomalies ---------------------------------------------------------


def test_anomalies_are_scaled_with_the_statistics_before_end():
    prepared = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    values = MONTHLY.to_numpy()
    months = MONTHLY.index.month.to_numpy()
    normal = np.array(
        [values[:30][months[:30] == m].mean() for m in range(1, 13)]
    )
    anomaly = values - normal[months - 1]
    assert np.isclose(prepared.mean, anomaly[:30].mean())
    assert np.isclose(prepared.scale, anomaly[:30].std())
    expected = (anomaly - prepared.mean) / prepared.scale
    np.testing.assert_allclose(
        prepared.windows.x[0, :, 0], expected[:4], rtol=1e-5, atol=1e-6
    )
    targets = prepared.windows.start[:, None] + np.arange(2)
    np.testing.assert_allclose(prepared.normal, normal[months[targets] - 1])


def test_to_units_gives_back_the_series():
    prepared = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    index = np.arange(10, 20)
    back = prepared.to_units(prepared.windows.y[index, :, 0], index)
    targets = prepared.windows.start[index, None] + np.arange(2)
    np.testing.assert_allclose(back, MONTHLY.to_numpy()[targets], atol=1e-5)


def test_nothing_after_end_enters_the_statistics():
    changed = MONTHLY.copy()
    changed.iloc[30:] += 5.0
    a = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    b = prepare_anomalies(changed, 30, lookback=4, horizon=2)
    assert (a.mean, a.scale) == (b.mean, b.scale)
    np.testing.assert_array_equal(a.normal, b.normal)
    np.testing.assert_array_equal(a.windows.x[:20], b.windows.x[:20])


@pytest.mark.parametrize(
    ("series", "end", "error", "message"),
    [
        (SERIES, 30, TypeError, r"series must be a pandas Series"),
        ("monthly", 11, ValueError, r"end must lie between 12 and"),
        ("monthly", 61, ValueError, r"end must lie between 12 and"),
        ("monthly", 30.0, TypeError, r"end must be an integer"),
        ("monthly", 12, ValueError, r"do not vary"),
    ],
)
def test_prepare_anomalies_refuses_bad_input(series, end, error, message):
    series = MONTHLY if isinstance(series, str) else series
    with pytest.raises(error, match=message):
        prepare_anomalies(series, end, lookback=4, horizon=2)


# walk_forward ------------------------------------------------------------


def walk(model, scheme, weights, **kwargs):
    options = {"passes": 2, "batch_size": 8, "recent": 10, "seed": 0}
    options.update(kwargs)
    return walk_forward(
        model,
        MONTHLY,
        BLOCKS,
        scheme=scheme,
        weights=weights,
        lookback=4,
        horizon=2,
        **options,
    )


def test_without_updates_every_window_is_forecast_by_the_start_model():
    model = small_model()
    weights = model.get_weights()
    found = walk(model, "none", weights)
    assert isinstance(found, WalkForward)
    assert found.index.tolist() == list(range(26, 55))  # starts 30 ... 58
    assert found.forecast.shape == found.actual.shape == (29, 2)
    assert found.block.tolist() == [0] * 15 + [1] * 14
    prepared = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    expected = prepared.to_units(
        np.asarray(model(prepared.windows.x[found.index])), found.index
    )
    np.testing.assert_allclose(found.forecast, expected, rtol=1e-6)
    targets = prepared.windows.start[found.index, None] + np.arange(2)
    np.testing.assert_array_equal(found.actual, MONTHLY.to_numpy()[targets])
    assert len(found.seconds) == 0 and len(found.check) == 0


def test_updating_schemes_change_only_the_later_blocks():
    model = small_model()
    weights, initial = model.get_weights(), model.get_weights()
    none = walk(model, "none", weights)
    for scheme in ("refit", "new data", "recent"):
        found = walk(
            model, scheme, weights, initial=initial, check=np.arange(10)
        )
        first, later = found.block == 0, found.block == 1
        np.testing.assert_allclose(
            found.forecast[first], none.forecast[first], rtol=1e-6
        )
        assert not np.allclose(found.forecast[later], none.forecast[later])
        assert len(found.seconds) == 1 and found.seconds[0] > 0
        assert found.check.shape == (1,) and np.isfinite(found.check).all()


def test_the_check_is_the_squared_error_in_the_units_of_the_series():
    model = small_model()
    weights = model.get_weights()
    found = walk(model, "new data", weights, check=np.arange(10))
    prepared = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    index = np.arange(10)
    forecast = prepared.to_units(
        np.asarray(model(prepared.windows.x[index])), index
    )
    targets = prepared.windows.start[index, None] + np.arange(2)
    expected = np.mean((forecast - MONTHLY.to_numpy()[targets]) ** 2)
    assert np.isclose(found.check[-1], expected, rtol=1e-5)


def test_a_walk_that_stops_forecasts_only_windows_known_by_then():
    model = small_model()
    found = walk(model, "new data", model.get_weights(), stop=50)
    starts = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2).windows
    assert (starts.start[found.index] + 2 <= 50).all()
    assert starts.start[found.index].tolist() == list(range(30, 49))


def test_a_refit_estimates_the_preprocessing_again():
    model = small_model()
    initial = model.get_weights()
    model.fit(np.zeros((8, 4, 1)), np.zeros((8, 2)), verbose=0)  # see below
    found = walk(model, "refit", initial, initial=initial)
    # the refitted model reads the windows scaled with steps 0 ... 44
    later = found.index[found.block == 1]
    prepared = prepare_anomalies(MONTHLY, 45, lookback=4, horizon=2)
    expected = prepared.to_units(
        np.asarray(model(prepared.windows.x[later])), later
    )
    np.testing.assert_allclose(found.forecast[found.block == 1], expected)
    old = prepare_anomalies(MONTHLY, 30, lookback=4, horizon=2)
    assert old.scale != prepared.scale


def test_a_refit_forgets_the_weights_it_was_handed():
    model = small_model()
    initial = model.get_weights()
    # On JAX, the first fit of a compiled model reads one batch to build its
    # loss, then starts the data again, which a tf.data shuffle reshuffles:
    # that fit would see other batches than the same fit later. Fit once
    # first (walk_forward restarts from its weights) so that both walks
    # below see the same batches on every backend.
    model.fit(np.zeros((8, 4, 1)), np.zeros((8, 2)), verbose=0)
    other = [w + 0.5 for w in initial]
    a = walk(model, "refit", initial, initial=initial)
    b = walk(model, "refit", other, initial=initial)
    later = a.block == 1
    assert not np.allclose(a.forecast[~later], b.forecast[~later])
    np.testing.assert_allclose(a.forecast[later], b.forecast[later], rtol=1e-5)


def test_continuing_starts_from_the_weights_it_was_handed():
    model = small_model()
    weights = model.get_weights()
    other = [w + 0.5 for w in weights]
    a = walk(model, "new data", weights)
    b = walk(model, "new data", other)
    later = a.block == 1
    assert not np.allclose(a.forecast[later], b.forecast[later])


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"model": "model"}, TypeError, r"model must be a compiled"),
        ({"series": SERIES}, TypeError, r"series must be a pandas Series"),
        ({"blocks": "30"}, TypeError, r"blocks must be a list"),
        ({"blocks": [45, 30]}, ValueError, r"blocks must be increasing"),
        ({"blocks": []}, ValueError, r"blocks must be increasing"),
        ({"blocks": [30, 59]}, ValueError, r"blocks must start before"),
        ({"stop": 40}, ValueError, r"blocks must start before"),
        ({"stop": 0}, ValueError, r"stop must be an integer >= 1"),
        ({"blocks": [30.5]}, TypeError, r"blocks\[0\] must be an integer"),
        ({"scheme": "retrain"}, ValueError, r"scheme must be one of"),
        ({"passes": 0}, ValueError, r"passes must be an integer >= 1"),
        ({"scheme": "recent", "recent": None}, TypeError, r"recent must"),
        ({"scheme": "refit"}, ValueError, r"needs initial"),
        (
            {"blocks": [13, 14], "horizon": 11, "model": "11 outputs"},
            ValueError,
            r"no window to train on",
        ),
    ],
)
def test_walk_forward_refuses_bad_input(change, error, message):
    model = small_model()
    arguments = {
        "model": model,
        "series": MONTHLY,
        "blocks": BLOCKS,
        "scheme": "new data",
        "weights": model.get_weights(),
        "passes": 1,
        "recent": 10,
        "lookback": 4,
        "horizon": 2,
    }
    arguments.update(change)
    if arguments["model"] == "model":
        arguments["model"] = keras.Sequential([keras.layers.Dense(2)])
    if arguments["model"] == "11 outputs":  # no window known by step 14
        arguments["model"] = small_model(outputs=11)
        arguments["weights"] = arguments["model"].get_weights()
    with pytest.raises(error, match=message):
        walk_forward(
            arguments.pop("model"),
            arguments.pop("series"),
            arguments.pop("blocks"),
            **arguments,
        )


# outside_training_range --------------------------------------------------


def test_windows_beyond_the_training_level_or_swing_are_flagged():
    x_train = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 2.5]])  # means 0.5-2.25
    x = np.array(
        [
            [1.0, 1.5],  # inside: mean 1.25, std 0.25
            [3.0, 4.0],  # mean 3.5: higher than any training window
            [0.0, 3.0],  # mean 1.5, but std 1.5 > 0.5
            [1.0, 1.0],  # std 0 < 0.25
        ]
    )
    assert outside_training_range(x_train, x).tolist() == [
        False,
        True,
        True,
        True,
    ]
    assert not outside_training_range(x_train, x_train).any()
    assert outside_training_range(x_train[..., None], x[..., None]).sum() == 3


@pytest.mark.parametrize(
    ("x_train", "x", "message"),
    [
        (np.zeros((3, 2)), np.zeros((2, 3)), r"x must have the 2 time steps"),
        (np.zeros((3, 1)), np.zeros((2, 1)), r"x_train must have shape"),
        (np.zeros((3, 2, 2)), np.zeros((2, 2)), r"x_train must have shape"),
        (np.zeros((3, 2)), np.full((2, 2), np.nan), r"x contains NaN"),
    ],
)
def test_outside_training_range_refuses_bad_input(x_train, x, message):
    with pytest.raises(ValueError, match=message):
        outside_training_range(x_train, x)
