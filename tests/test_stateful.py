"""Stateful training and generation: resets, the fast loop, warm-up."""

import keras
import numpy as np
import pytest

from lstm_recipes.alphabet import ALPHABET, window_data
from lstm_recipes.stateful import (
    ResetState,
    build_stateful_lstm,
    fit_stateful,
    generate,
    reset_lstm_states,
)


def lstm_state(model):
    return [keras.ops.convert_to_numpy(v) for v in model.layers[0].states]


def test_build_stateful_lstm_fixes_the_batch_size():
    model = build_stateful_lstm(4, batch_size=5, time_steps=2, features=3)
    assert model.input_shape == (5, 2, 3)
    assert model.output_shape == (5, 26)
    assert model.layers[0].stateful


def test_state_is_carried_and_reset():
    keras.utils.set_random_seed(0)
    model = build_stateful_lstm(4)
    letter = np.full((1, 1, 1), 0.5, dtype="float32")
    first = np.asarray(model(letter))
    second = np.asarray(model(letter))
    assert not np.allclose(first, second)  # same input, carried state
    assert any(np.abs(s).sum() > 0 for s in lstm_state(model))
    reset_lstm_states(model)
    assert all(np.abs(s).sum() == 0 for s in lstm_state(model))
    np.testing.assert_allclose(np.asarray(model(letter)), first, rtol=1e-6)


def test_fit_stateful_equals_the_seed_loop():
    x, y = window_data(1)
    losses = []
    for fast in (False, True):
        keras.utils.set_random_seed(3)
        model = build_stateful_lstm(8, steps_per_execution=25)
        if fast:
            fit_stateful(model, x, y, epochs=4)
        else:
            for _ in range(4):
                model.fit(
                    x, y, epochs=1, batch_size=1, shuffle=False, verbose=0
                )
                reset_lstm_states(model)
        reset_lstm_states(model)
        losses.append(model.evaluate(x, y, batch_size=1, verbose=0)[0])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


def test_reset_state_callback_with_fit_equals_the_loop():
    x, y = window_data(1)
    weights = []
    for use_callback in (False, True):
        keras.utils.set_random_seed(3)
        model = build_stateful_lstm(8)
        if use_callback:
            model.fit(
                x,
                y,
                epochs=3,
                batch_size=1,
                shuffle=False,
                verbose=0,
                callbacks=[ResetState()],
            )
        else:
            for _ in range(3):
                reset_lstm_states(model)
                model.fit(
                    x, y, epochs=1, batch_size=1, shuffle=False, verbose=0
                )
        weights.append(model.get_weights()[0])
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-5)


def test_stateful_model_learns_and_generates_with_warm_up():
    keras.utils.set_random_seed(7)
    x, y = window_data(1)
    model = build_stateful_lstm(50, steps_per_execution=25)
    fit_stateful(model, x, y, epochs=300)
    reset_lstm_states(model)
    assert model.evaluate(x, y, batch_size=1, verbose=0)[1] >= 0.96
    assert generate(model, "A", 25) == ALPHABET[1:]
    assert generate(model, "ABCDEFGHIJK", 5) == "LMNOP"
    # Cold start: a zero state is the state before "A".
    assert generate(model, "K", 1, warm_up=False) != "L"


def test_bad_arguments():
    model = build_stateful_lstm(4, steps_per_execution=5)
    x, y = window_data(1)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        reset_lstm_states("model")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        fit_stateful(None, x, y, epochs=1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        fit_stateful(model, x, y, epochs=0)
    with pytest.raises(ValueError, match=r"steps_per_execution \(10\)"):
        fit_stateful(
            build_stateful_lstm(4, steps_per_execution=10), x, y, epochs=1
        )
    with pytest.raises(ValueError, match="multiple of the model's fixed"):
        fit_stateful(build_stateful_lstm(4, batch_size=2), x, y, epochs=1)
    with pytest.raises(ValueError, match="must be a multiple of the model's"):
        model.fit(
            x,
            y,
            epochs=1,
            batch_size=1,
            verbose=0,
            callbacks=[ResetState(every=7)],
        )
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        ResetState(every=0)
    with pytest.raises(ValueError, match=r"input shape \(2, 1, 1\)"):
        generate(build_stateful_lstm(4, batch_size=2), "A", 3)
    with pytest.raises(ValueError, match="capital letters"):
        generate(model, "a", 3)
    with pytest.raises(ValueError, match="at least one letter"):
        generate(model, "", 3)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        generate(model, "A", 0)
