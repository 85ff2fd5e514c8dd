"""The NumPy LSTM cell reproduces keras.layers.LSTM and refuses bad input."""

import itertools

import keras
import numpy as np
import pytest

from lstm_recipes.cell import GATE_ORDER, lstm_forward, lstm_step, split_gates


def _layer_and_data(units=3, features=2, seed=0):
    keras.utils.set_random_seed(seed)
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, 6, features)).astype("float32")
    layer(x)
    weights = [rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    outputs, h, c = layer(x)
    return x, weights, np.asarray(outputs), np.asarray(h), np.asarray(c)


@pytest.mark.parametrize(("units", "features"), [(1, 1), (3, 2), (5, 4)])
def test_matches_keras_outputs_and_states(units, features):
    x, weights, outputs, h, c = _layer_and_data(units, features)
    trace = lstm_forward(x, weights)
    np.testing.assert_allclose(trace.outputs, outputs, atol=1e-5)
    np.testing.assert_allclose(trace.h, h, atol=1e-5)
    np.testing.assert_allclose(trace.c, c, atol=1e-5)
    for name in "ifog":
        assert trace.gates[name].shape == (4, 6, units)


def test_only_the_keras_gate_order_matches():
    x, weights, outputs, _, _ = _layer_and_data()
    matching = [
        order
        for order in itertools.permutations(GATE_ORDER)
        if np.allclose(
            lstm_forward(x, weights, order).outputs, outputs, atol=1e-5
        )
    ]
    assert matching == [("i", "f", "c", "o")]


def test_fresh_layer_has_forget_bias_one_in_second_block():
    layer = keras.layers.LSTM(3)
    layer(np.zeros((1, 2, 1), dtype="float32"))
    gates = split_gates(layer.get_weights())
    np.testing.assert_array_equal(gates["f"][2], np.ones(3))
    for name in "ico":
        np.testing.assert_array_equal(gates[name][2], np.zeros(3))


def test_gates_are_in_their_ranges():
    x, weights, *_ = _layer_and_data()
    gates = lstm_forward(x, weights).gates
    for name in "ifo":
        assert gates[name].min() > 0 and gates[name].max() < 1
    assert np.abs(gates["g"]).max() < 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda w, x: lstm_forward(x[:, :, :1], w),
            r"x must have shape \(samples, time_steps, 2\)",
        ),
        (lambda w, x: lstm_forward(x[0], w), r"x must have shape"),
        (lambda w, x: lstm_forward(x, w[:2]), r"weights must be \[kernel"),
        (
            lambda w, x: lstm_forward(x, [w[0][:, :10], w[1], w[2]]),
            r"kernel \(weights\[0\]\) must have shape \(features, 4 \* units\)",
        ),
        (
            lambda w, x: lstm_forward(x, [w[0], w[1][:2], w[2]]),
            r"recurrent_kernel \(weights\[1\]\) must have shape \(3, 12\)",
        ),
        (
            lambda w, x: lstm_forward(x, [w[0], w[1], w[2][:4]]),
            r"bias \(weights\[2\]\) must have shape \(12,\)",
        ),
        (
            lambda w, x: split_gates(w, ("i", "f", "o", "x")),
            r"gate_order must be a permutation",
        ),
        (
            lambda w, x: lstm_step(
                x[:, 0], np.zeros((4, 2)), np.zeros((4, 3)), split_gates(w)
            ),
            r"h_prev must have shape \(4, 3\), got \(4, 2\)",
        ),
        (
            lambda w, x: lstm_step(
                x[:, 0, :1], np.zeros((4, 3)), np.zeros((4, 3)), split_gates(w)
            ),
            r"x_t must have shape \(4, 2\)",
        ),
    ],
)
def test_bad_inputs_are_refused(call, message):
    x, weights, *_ = _layer_and_data()
    with pytest.raises(ValueError, match=message):
        call(weights, x)
