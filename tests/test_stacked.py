"""The stacked LSTM recipe: the layers pass sequences, bad input, it learns."""

import keras
import numpy as np
import pytest

from lstm_recipes.problems import damped_sine_data
from lstm_recipes.stacked import build_stacked_lstm, restartable
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
    forecast = keras.ops.convert_to_numpy(model(x_test))  # no test graph
    assert np.mean((forecast - y_test) ** 2) < naive / 20


def small_stack():
    return build_stacked_lstm(6, 1, 2, units=(4, 3))


def test_restart_gives_the_initial_weights_of_the_seed():
    restart = restartable(small_stack)
    for seed in (3, 0, 3):
        model = restart(seed)
        keras.utils.set_random_seed(seed)
        for got, want in zip(model.get_weights(), small_stack().get_weights()):
            np.testing.assert_array_equal(got, want)


def test_a_restarted_model_trains_like_a_new_one():
    """Same seed, same data: the same weights after training, and the
    optimizer starts again from step 0."""
    x, y = damped_sine_data(40, time_steps=6, outputs=2, seed=0)
    restart = restartable(small_stack)
    restart(1).fit(x, y, epochs=2, batch_size=10, verbose=0)  # another seed
    model = restart(0)
    assert int(model.optimizer.iterations) == 0
    # unshuffled: the batch order follows TensorFlow's seed, which
    # restart leaves alone (see seed_initializers)
    model.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0)
    keras.utils.set_random_seed(0)
    alone = small_stack()
    alone.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (small_stack(), r"build must be a function"),
        (lambda: "model", r"build must return a compiled keras.Model"),
        (
            lambda: keras.Sequential(
                [keras.Input((2,)), keras.layers.Dense(1)]
            ),
            r"build must return a compiled keras.Model",
        ),
    ],
)
def test_restartable_refuses_what_is_not_a_model_builder(build, message):
    with pytest.raises(TypeError, match=message):
        restartable(build)


def test_restart_refuses_a_seed_that_is_not_an_integer():
    restart = restartable(small_stack)
    with pytest.raises(TypeError, match=r"seed must be an integer, got 1.5"):
        restart(1.5)
