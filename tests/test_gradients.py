"""Gradient recipes: they measure what they claim and refuse bad input."""

import keras
import numpy as np
import pytest

from lstm_recipes.gradients import (
    build_recurrent_classifier,
    gradient_norm,
    input_gradient_norms,
    update_norm,
)
from lstm_recipes.problems import marked_sign_data


def test_input_gradient_norms_shape_and_order():
    x, y = marked_sign_data(20, 12, seed=0)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier("SimpleRNN", 12, 2, units=4)
    norms = input_gradient_norms(model, x, y)
    assert norms.shape == (12,)
    assert (norms >= 0).all()


def test_input_gradient_is_zero_where_the_output_does_not_look():
    # A model that reads only the last time step: earlier gradients are 0.
    inputs = keras.Input(shape=(5, 1))
    last = keras.layers.Lambda(lambda t: t[:, -1, :])(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(last))
    x = np.random.default_rng(0).normal(size=(8, 5, 1))
    norms = input_gradient_norms(model, x, np.ones((8, 1)))
    assert norms[0] > 0
    np.testing.assert_array_equal(norms[1:], np.zeros(4))


def test_global_clipnorm_bounds_the_step():
    x, y = marked_sign_data(50, 20, seed=0)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier(
        "SimpleRNN",
        20,
        2,
        optimizer=keras.optimizers.SGD(learning_rate=0.1, global_clipnorm=1.0),
        recurrent_initializer=keras.initializers.Orthogonal(gain=4.0),
    )
    assert gradient_norm(model, x, y) > 10
    assert update_norm(model, x, y) == pytest.approx(0.1, rel=1e-3)


def test_build_recurrent_classifier_layers():
    model = build_recurrent_classifier("LSTM", 7, 3, units=5)
    assert model.input_shape == (None, 7, 3)
    assert isinstance(model.layers[0], keras.layers.LSTM)
    assert model.layers[0].units == 5
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m, x, y: build_recurrent_classifier("GRU", 7, 2),
            ValueError,
            r"kind must be one of",
        ),
        (
            lambda m, x, y: input_gradient_norms("model", x, y),
            TypeError,
            r"model must be a keras.Model",
        ),
        (
            lambda m, x, y: input_gradient_norms(m, x[:, :, :1], y),
            ValueError,
            r"x must have shape \(samples, 7, 2\)",
        ),
        (
            lambda m, x, y: gradient_norm(m, x, y[:3]),
            ValueError,
            r"y must have shape \(10, outputs\)",
        ),
        (
            lambda m, x, y: update_norm(m, x[0], y),
            ValueError,
            r"x must have shape \(samples, time_steps, features\)",
        ),
    ],
)
def test_bad_inputs_are_refused(call, error, message):
    x, y = marked_sign_data(10, 7, seed=0)
    model = build_recurrent_classifier("SimpleRNN", 7, 2, units=3)
    with pytest.raises(error, match=message):
        call(model, x, y)
