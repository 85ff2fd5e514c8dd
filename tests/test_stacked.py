"""The stacked LSTM recipe: the layers pass sequences, bad input, it learns."""

import keras
import numpy as np
import pytest

from lstm_recipes.problems import damped_sine_data
from lstm_recipes.stacked import build_stacked_lstm
from lstm_recipes.training import fit_fast


def test_all_but_the_last_layer_return_sequences():
    model = build_stacked_lstm(12, 2, 3, units=(8, 6, 4))
    assert model.input_shape == (None, 12, 2)
    assert model.output_shape == (None, 3)
    lstms = [la for la in model.layers if isinstance(la, keras.layers.LSTM)]
    assert [la.units for la in lstms] == [8, 6, 4]
    assert [la.return_sequences for la in lstms] == [True, True, False]
    assert [la.output.shape for la in lstms] == [
        (None, 12, 8),
        (None, 12, 6),
        (None, 4),
    ]
    for lstm in lstms:  # cuDNN-compatible defaults
        assert lstm.activation.__name__ == "tanh"
        assert lstm.recurrent_activation.__name__ == "sigmoid"
        assert lstm.recurrent_dropout == 0 and not lstm.unroll


def test_one_size_gives_a_single_layer():
    model = build_stacked_lstm(5, 1, 2, units=(10,))
    lstms = [la for la in model.layers if isinstance(la, keras.layers.LSTM)]
    assert len(lstms) == 1 and not lstms[0].return_sequences


def test_compiled_for_regression():
    model = build_stacked_lstm(5, 1, 2)
    assert model.compiled
    assert model.loss == "mean_squared_error"
    assert model.layers[-1].activation.__name__ == "linear"


def test_without_return_sequences_the_second_layer_fails():
    """The error the chapter shows: an LSTM needs a 3-D input."""
    last_state = keras.layers.LSTM(4)(keras.Input(shape=(5, 1)))
    with pytest.raises(ValueError, match=r"expected ndim=3, found ndim=2"):
        keras.layers.LSTM(4)(last_state)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"units": 20}, TypeError, r"units must be a non-empty tuple"),
        ({"units": ()}, TypeError, r"units must be a non-empty tuple"),
        ({"units": (20, 0)}, ValueError, r"units\[1\] must be an integer"),
        ({"units": (20, 2.5)}, TypeError, r"units\[1\] must be an integer"),
        ({"outputs": 0}, ValueError, r"outputs must be an integer >= 1"),
        ({"time_steps": "20"}, TypeError, r"time_steps must be an integer"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    arguments = {"time_steps": 20, "features": 1, "outputs": 5} | kwargs
    with pytest.raises(error, match=message):
        build_stacked_lstm(**arguments)


def test_learns_to_continue_damped_sine_waves():
    """A short training beats "repeat the last value" by a wide margin."""
    keras.utils.set_random_seed(0)
    x, y = damped_sine_data(500, time_steps=10, outputs=2, seed=0)
    x_test, y_test = damped_sine_data(300, time_steps=10, outputs=2, seed=1)
    naive = np.mean((y_test - x_test[:, -1]) ** 2)
    model = build_stacked_lstm(10, 1, 2, units=(12, 12))
    fit_fast(model, x, y, epochs=20, batch_size=50, shuffle=True)
    assert model.evaluate(x_test, y_test, verbose=0) < naive / 20
