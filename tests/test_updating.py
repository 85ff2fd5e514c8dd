"""Update schemes: which windows each trains on, and the walk forward."""

import keras
import numpy as np
import pytest

from lstm_recipes.forecast import make_windows
from lstm_recipes.updating import (
    SCHEMES,
    WalkForward,
    training_mask,
    walk_forward,
)

# A series of 60 steps, windows of 4 steps in and 2 out: 55 windows whose
# first targets are steps 4 ... 58.
SERIES = np.sin(np.arange(60) / 3.0)
WINDOWS = make_windows(SERIES, lookback=4, horizon=2)
BLOCKS = [30, 45]  # two blocks: 30-44 and 45 to the end


def small_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4, 1))
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(inputs))
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


# walk_forward ------------------------------------------------------------


def walk(model, scheme, weights, **kwargs):
    options = {"passes": 2, "batch_size": 8, "recent": 10, "seed": 0}
    options.update(kwargs)
    return walk_forward(
        model, WINDOWS, BLOCKS, scheme=scheme, weights=weights, **options
    )


def test_without_updates_every_window_is_forecast_by_the_start_model():
    model = small_model()
    weights = model.get_weights()
    found = walk(model, "none", weights)
    assert isinstance(found, WalkForward)
    assert found.index.tolist() == list(range(26, 55))  # starts 30 ... 58
    assert found.forecast.shape == (29, 2)
    assert found.block.tolist() == [0] * 15 + [1] * 14
    expected = np.asarray(model(WINDOWS.x[found.index]))
    np.testing.assert_allclose(found.forecast, expected, rtol=1e-6)
    assert len(found.seconds) == 0 and len(found.check) == 0


def test_updating_schemes_change_only_the_later_blocks():
    model = small_model()
    weights, initial = model.get_weights(), model.get_weights()
    check = (WINDOWS.x[:10], WINDOWS.y[:10, :, 0])
    none = walk(model, "none", weights)
    for scheme in ("refit", "new data", "recent"):
        found = walk(model, scheme, weights, initial=initial, check=check)
        first, later = found.block == 0, found.block == 1
        np.testing.assert_allclose(
            found.forecast[first], none.forecast[first], rtol=1e-6
        )
        assert not np.allclose(found.forecast[later], none.forecast[later])
        assert len(found.seconds) == 1 and found.seconds[0] > 0
        assert found.check.shape == (1,) and np.isfinite(found.check).all()


def test_a_refit_forgets_the_weights_it_was_handed():
    model = small_model()
    initial = model.get_weights()
    # On JAX, the first fit of a compiled model reads one batch to build its
    # loss, then starts the data again, which a tf.data shuffle reshuffles:
    # that fit would see other batches than the same fit later. Fit once
    # first (walk_forward restarts from its weights) so that both walks
    # below see the same batches on every backend.
    model.fit(WINDOWS.x[:8], WINDOWS.y[:8, :, 0], verbose=0)
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
        ({"windows": (1, 2)}, TypeError, r"windows must come from"),
        ({"windows": "two features"}, ValueError, r"windows must hold one"),
        ({"blocks": "30"}, TypeError, r"blocks must be a list"),
        ({"blocks": [45, 30]}, ValueError, r"blocks must be increasing"),
        ({"blocks": []}, ValueError, r"blocks must be increasing"),
        ({"blocks": [30, 59]}, ValueError, r"blocks must start before"),
        ({"blocks": [30.5]}, TypeError, r"blocks\[0\] must be an integer"),
        ({"scheme": "retrain"}, ValueError, r"scheme must be one of"),
        ({"passes": 0}, ValueError, r"passes must be an integer >= 1"),
        ({"scheme": "recent", "recent": None}, TypeError, r"recent must"),
        ({"scheme": "refit"}, ValueError, r"needs initial"),
        ({"blocks": [4, 5]}, ValueError, r"no window to train on"),
    ],
)
def test_walk_forward_refuses_bad_input(change, error, message):
    model = small_model()
    arguments = {
        "model": model,
        "windows": WINDOWS,
        "blocks": BLOCKS,
        "scheme": "new data",
        "weights": model.get_weights(),
        "passes": 1,
        "recent": 10,
    }
    arguments.update(change)
    if arguments["windows"] == "two features":
        arguments["windows"] = make_windows(
            np.stack([SERIES, SERIES], axis=1), lookback=4, horizon=2
        )
    if arguments["model"] == "model":
        arguments["model"] = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(error, match=message):
        walk_forward(
            arguments.pop("model"),
            arguments.pop("windows"),
            arguments.pop("blocks"),
            **arguments,
        )
