"""The vanilla LSTM recipe: shape, head, compiled, bad input, it learns."""

import keras
import numpy as np
import pytest

from lstm_recipes.problems import echo_data
from lstm_recipes.training import fit_fast
from lstm_recipes.vanilla import build_vanilla_lstm


def test_one_lstm_layer_and_a_softmax_head():
    model = build_vanilla_lstm(7, 4, 5, units=8)
    assert model.input_shape == (None, 7, 4)
    assert model.output_shape == (None, 5)
    lstm, dense = model.layers[1:]
    assert isinstance(lstm, keras.layers.LSTM) and lstm.units == 8
    assert not lstm.return_sequences
    assert dense.activation.__name__ == "softmax"
    # cuDNN-compatible defaults
    assert lstm.activation.__name__ == "tanh"
    assert lstm.recurrent_activation.__name__ == "sigmoid"
    assert lstm.recurrent_dropout == 0 and not lstm.unroll and lstm.use_bias


def test_compiled_with_cross_entropy_and_accuracy():
    model = build_vanilla_lstm(3, 2, 3, learning_rate=0.005)
    assert model.compiled
    assert model.loss == "categorical_crossentropy"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)
    p = model.predict(np.zeros((4, 3, 2), dtype="float32"), verbose=0)
    np.testing.assert_allclose(p.sum(axis=1), np.ones(4), rtol=1e-5)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((0, 2, 3), {}, ValueError, r"time_steps must be an integer >= 1"),
        ((5, 2.0, 3), {}, TypeError, r"features must be an integer >= 1"),
        ((5, 2, 1), {}, ValueError, r"classes must be >= 2, got 1"),
        ((5, 2, 3), {"units": -1}, ValueError, r"units must be an integer"),
        (
            (5, 2, 3),
            {"steps_per_execution": 0},
            ValueError,
            r"steps_per_execution must be an integer >= 1",
        ),
    ],
)
def test_bad_arguments_are_refused(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        build_vanilla_lstm(*args, **kwargs)


def test_learns_a_short_echo():
    """Echo the first of 4 values from 5: chance is 25 %, the model nails it."""
    keras.utils.set_random_seed(0)
    x, y = echo_data(500, time_steps=5, values=4, index=0, seed=0)
    x_test, y_test = echo_data(500, time_steps=5, values=4, index=0, seed=1)
    model = build_vanilla_lstm(5, 4, 4, units=16)
    fit_fast(model, x, y, epochs=30, batch_size=50, shuffle=True)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.9, accuracy


def test_the_same_seed_gives_the_same_initial_weights():
    """The vanilla page rebuilds `model`'s untrained weights from its seed.

    The data drawn in between come from their own NumPy generators.
    """
    keras.utils.set_random_seed(0)
    echo_data(2000, seed=0)
    echo_data(1000, seed=1)
    first = build_vanilla_lstm(10, 10, 10)
    keras.utils.set_random_seed(0)
    second = build_vanilla_lstm(10, 10, 10)
    pairs = zip(first.get_weights(), second.get_weights(), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)
