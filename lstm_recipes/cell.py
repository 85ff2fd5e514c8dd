"""An LSTM cell in plain NumPy that reproduces ``keras.layers.LSTM``.

The chapter "What is an LSTM" embeds the sections marked ``--8<--`` below.
The cell takes the three arrays of ``layer.get_weights()`` and computes, step
by step, what the Keras layer computes, so that every equation of the chapter
can be checked against a real layer.
"""

# --8<-- [start:imports]
from typing import NamedTuple

import numpy as np

from lstm_recipes.checks import check_sequences

# --8<-- [end:imports]

__all__ = [
    "GATE_ORDER",
    "LSTMTrace",
    "lstm_forward",
    "lstm_step",
    "sigmoid",
    "split_gates",
]

# --8<-- [start:split_gates]
# How Keras packs the four blocks of columns in kernel, recurrent_kernel and
# bias: input gate, forget gate, candidate ("c"), output gate.
GATE_ORDER = ("i", "f", "c", "o")


def split_gates(weights, gate_order=GATE_ORDER):
    """Split ``layer.get_weights()`` of a Keras LSTM into its four gates.

    Args:
        weights: ``[kernel, recurrent_kernel, bias]`` with shapes
            ``(features, 4 * units)``, ``(units, 4 * units)``, ``(4 * units,)``.
        gate_order: the names of the four column blocks, in order.

    Returns:
        A dict ``name -> (W, U, b)`` with ``W`` of shape ``(features, units)``,
        ``U`` of shape ``(units, units)`` and ``b`` of shape ``(units,)``.
    """
    kernel, recurrent_kernel, bias = _check_weights(weights)
    if sorted(gate_order) != sorted(GATE_ORDER):
        raise ValueError(
            f"gate_order must be a permutation of {GATE_ORDER}, "
            f"got {gate_order!r}"
        )
    blocks = zip(
        np.split(kernel, 4, axis=1),
        np.split(recurrent_kernel, 4, axis=1),
        np.split(bias, 4),
    )
    return dict(zip(gate_order, blocks))


# --8<-- [end:split_gates]


# --8<-- [start:lstm_step]
def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step(x_t, h_prev, c_prev, gates):
    """One time step of the LSTM cell.

    Args:
        x_t: inputs at time t, shape ``(samples, features)``.
        h_prev: hidden state at t - 1, ``(samples, units)``.
        c_prev: cell state at t - 1, ``(samples, units)``.
        gates: the dict of ``split_gates``: name -> ``(W, U, b)``.

    Returns:
        ``h, c, activations``: the new states, ``(samples, units)`` each, and
        a dict of the gate activations ``i, f, o`` and the candidate ``g``.
    """
    _check_step(x_t, h_prev, c_prev, gates)

    def pre_activation(name):  # W x_t + U h_{t-1} + b
        W, U, b = gates[name]
        return x_t @ W + h_prev @ U + b

    i = sigmoid(pre_activation("i"))  # input gate: how much to write
    f = sigmoid(pre_activation("f"))  # forget gate: how much to keep
    o = sigmoid(pre_activation("o"))  # output gate: how much to show
    g = np.tanh(pre_activation("c"))  # candidate values to write
    c = f * c_prev + i * g  # new cell state
    h = o * np.tanh(c)  # new hidden state, the layer's output
    return h, c, {"i": i, "f": f, "o": o, "g": g}


# --8<-- [end:lstm_step]


# --8<-- [start:lstm_forward]
class LSTMTrace(NamedTuple):
    """What ``lstm_forward`` computed.

    ``outputs``: hidden states, ``(samples, time_steps, units)``, like
    ``LSTM(return_sequences=True)``; ``h``, ``c``: final states,
    ``(samples, units)``; ``gates``: dict of ``i, f, o, g`` activations,
    each ``(samples, time_steps, units)``.
    """

    outputs: np.ndarray
    h: np.ndarray
    c: np.ndarray
    gates: dict


def lstm_forward(x, weights, gate_order=GATE_ORDER):
    """Run the NumPy LSTM cell over sequences, from zero initial states.

    Args:
        x: inputs, shape ``(samples, time_steps, features)``.
        weights: ``layer.get_weights()`` of a ``keras.layers.LSTM``.
        gate_order: how the column blocks are packed (see ``split_gates``).

    Returns:
        An ``LSTMTrace`` with the outputs, final states and gate activations.
    """
    x = check_sequences(x, "x").astype("float64")
    gates = split_gates(weights, gate_order)
    features, units = gates["i"][0].shape
    if x.shape[2] != features:
        raise ValueError(
            f"x must have shape (samples, time_steps, {features}) to match "
            f"the kernel, got shape {x.shape}"
        )
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outputs, history = [], []
    for t in range(x.shape[1]):
        h, c, activations = lstm_step(x[:, t], h, c, gates)
        outputs.append(h)
        history.append(activations)
    stacked = {k: np.stack([a[k] for a in history], axis=1) for k in "ifog"}
    return LSTMTrace(np.stack(outputs, axis=1), h, c, stacked)


# --8<-- [end:lstm_forward]


# --8<-- [start:checks]
def _check_weights(weights):
    """Return kernel, recurrent_kernel, bias as float64 arrays, or raise."""
    if not isinstance(weights, (list, tuple)) or len(weights) != 3:
        raise ValueError(
            "weights must be [kernel, recurrent_kernel, bias], the list that "
            "keras.layers.LSTM(..., use_bias=True).get_weights() returns"
        )
    kernel, recurrent_kernel, bias = (
        np.asarray(w, dtype="float64") for w in weights
    )
    if kernel.ndim != 2 or kernel.shape[1] % 4 or kernel.shape[1] == 0:
        raise ValueError(
            "kernel (weights[0]) must have shape (features, 4 * units), "
            f"got shape {kernel.shape}"
        )
    units = kernel.shape[1] // 4
    if recurrent_kernel.shape != (units, 4 * units):
        raise ValueError(
            f"recurrent_kernel (weights[1]) must have shape ({units}, "
            f"{4 * units}) to match the kernel, got {recurrent_kernel.shape}"
        )
    if bias.shape != (4 * units,):
        raise ValueError(
            f"bias (weights[2]) must have shape ({4 * units},) to match the "
            f"kernel, got {bias.shape}"
        )
    return kernel, recurrent_kernel, bias


def _check_step(x_t, h_prev, c_prev, gates):
    """Raise a ValueError naming the argument whose shape does not fit."""
    if not isinstance(gates, dict) or sorted(gates) != sorted(GATE_ORDER):
        raise ValueError(
            f"gates must be the dict of split_gates with keys {GATE_ORDER}"
        )
    features, units = np.shape(gates["i"][0])
    samples = np.shape(x_t)[0] if np.ndim(x_t) == 2 else "samples"
    expected = {
        "x_t": (samples, features),
        "h_prev": (samples, units),
        "c_prev": (samples, units),
    }
    for name, value in zip(expected, (x_t, h_prev, c_prev)):
        if np.shape(value) != expected[name]:
            raise ValueError(
                f"{name} must have shape {expected[name]}, "
                f"got {np.shape(value)}"
            )


# --8<-- [end:checks]
