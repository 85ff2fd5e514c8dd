"""The life-cycle recipe: data framing, the model per problem type, bad input."""

import keras
import numpy as np
import pytest

from lstm_recipes.lifecycle import (
    KERAS_2_0_DEFAULTS,
    OUTPUT_HEADS,
    build_lstm,
    hard_sigmoid_keras2,
    next_value_data,
)
from lstm_recipes.training import fit_fast


def test_next_value_data_frames_pairs():
    x, y = next_value_data(10)
    assert x.shape == (9, 1, 1)
    assert y.shape == (9, 1)
    np.testing.assert_allclose(x[:, 0, 0], np.arange(9) / 10)
    np.testing.assert_allclose(y[:, 0], np.arange(1, 10) / 10)


@pytest.mark.parametrize(
    ("length", "error", "message"),
    [
        (1, ValueError, r"length must be >= 2"),
        (0, ValueError, r"length must be an integer >= 1"),
        (3.0, TypeError, r"length must be an integer"),
    ],
)
def test_next_value_data_refuses_bad_length(length, error, message):
    with pytest.raises(error, match=message):
        next_value_data(length)


@pytest.mark.parametrize(
    ("problem", "outputs", "activation", "loss"),
    [
        ("regression", 1, "linear", "mean_squared_error"),
        ("binary", 1, "sigmoid", "binary_crossentropy"),
        ("multiclass", 3, "softmax", "categorical_crossentropy"),
    ],
)
def test_build_lstm_head_follows_the_problem(
    problem, outputs, activation, loss
):
    model = build_lstm(5, 2, units=4, outputs=outputs, problem=problem)
    assert model.input_shape == (None, 5, 2)
    assert model.output_shape == (None, outputs)
    lstm, dense = model.layers
    assert isinstance(lstm, keras.layers.LSTM) and lstm.units == 4
    assert dense.activation.__name__ == activation
    assert model.loss == loss
    assert OUTPUT_HEADS[problem][:2] == (activation, loss)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_multiclass_outputs_sum_to_one():
    model = build_lstm(3, 1, units=4, outputs=4, problem="multiclass")
    p = model.predict(np.random.default_rng(0).random((6, 3, 1)), verbose=0)
    np.testing.assert_allclose(p.sum(axis=1), np.ones(6), rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"problem": "classification"},
            ValueError,
            r"problem must be one of \['binary', 'multiclass', 'regression'\], got 'classification'",
        ),
        (
            {"problem": "multiclass", "outputs": 1},
            ValueError,
            r"multiclass model needs outputs >= 2",
        ),
        ({"units": 0}, ValueError, r"units must be an integer >= 1, got 0"),
        ({"outputs": 1.5}, TypeError, r"outputs must be an integer >= 1"),
        (
            {"recurrent_activation": 1},
            TypeError,
            r"recurrent_activation must be a name or a function, got int",
        ),
        ({"epsilon": "1e-8"}, TypeError, r"epsilon must be a number"),
        ({"epsilon": 0.0}, ValueError, r"epsilon must be in \(0, 1\), got"),
        ({"unroll": 1}, TypeError, r"unroll must be True or False, got 1"),
        (
            {"steps_per_execution": 0},
            ValueError,
            r"steps_per_execution must be an integer >= 1",
        ),
    ],
)
def test_build_lstm_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        build_lstm(3, 1, **kwargs)


def test_build_lstm_refuses_bad_shape():
    with pytest.raises(
        ValueError, match=r"time_steps must be an integer >= 1, got 0"
    ):
        build_lstm(0, 1)
    with pytest.raises(
        TypeError, match=r"features must be an integer >= 1, got \(1, 1\)"
    ):
        build_lstm(3, (1, 1))


def test_hard_sigmoid_keras2_is_the_old_slope():
    x = np.array([-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0], dtype="float32")
    old = np.asarray(hard_sigmoid_keras2(x))
    np.testing.assert_allclose(old, np.clip(0.2 * x + 0.5, 0, 1), atol=1e-7)
    new = np.asarray(keras.activations.hard_sigmoid(x))  # Keras 3: x / 6
    np.testing.assert_allclose(new, np.clip(x / 6 + 0.5, 0, 1), atol=1e-6)
    assert old[4] == pytest.approx(0.7) and new[4] == pytest.approx(2 / 3)


def test_keras_2_0_defaults_reach_the_layer_and_the_optimizer():
    default = build_lstm(1, 1)
    assert default.layers[0].recurrent_activation.__name__ == "sigmoid"
    assert default.optimizer.epsilon == pytest.approx(1e-7)
    old = build_lstm(1, 1, **KERAS_2_0_DEFAULTS)
    assert old.layers[0].recurrent_activation is hard_sigmoid_keras2
    assert old.optimizer.epsilon == pytest.approx(1e-8)
    assert float(old.optimizer.learning_rate) == pytest.approx(0.001)


def test_unroll_and_steps_per_execution_do_not_change_the_result():
    x, y = next_value_data()
    results = []
    for options in ({}, {"unroll": True, "steps_per_execution": 10}):
        keras.utils.set_random_seed(3)
        model = build_lstm(1, 1, **options)
        fit_fast(model, x, y, epochs=20)
        assert model.steps_per_execution == options.get(
            "steps_per_execution", 1
        )
        results.append(model.predict(x, verbose=0))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-7)
