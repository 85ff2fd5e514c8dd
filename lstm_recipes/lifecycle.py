"""The life-cycle of a Keras LSTM: define, compile, fit, evaluate, predict.

The life-cycle chapter embeds the sections marked ``--8<--`` below; the
migration page lists the Keras 2.0 defaults that ``KERAS_2_0_DEFAULTS``
restores.
"""

# --8<-- [start:imports]
from numbers import Real

import keras
import numpy as np

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = [
    "KERAS_2_0_DEFAULTS",
    "OUTPUT_HEADS",
    "build_lstm",
    "hard_sigmoid_keras2",
    "next_value_data",
]


# --8<-- [start:next_value_data]
def next_value_data(length=10):
    """The sequence 0.0, 0.1, ... framed as "given a value, predict the next".

    Returns:
        ``x`` of shape ``(length - 1, 1, 1)``: one time step, one feature;
        ``y`` of shape ``(length - 1, 1)``: the value that follows.
    """
    length = check_positive_int(length, "length")
    if length < 2:
        raise ValueError(
            f"length must be >= 2 to form one (input, next value) pair, "
            f"got {length}"
        )
    sequence = np.arange(length, dtype="float32") / length
    x = sequence[:-1].reshape(-1, 1, 1)  # (samples, time_steps=1, features=1)
    y = sequence[1:].reshape(-1, 1)  # (samples, outputs=1)
    return x, y


# --8<-- [end:next_value_data]


# --8<-- [start:output_heads]
# Problem type -> (activation of the output layer, loss, metrics).
OUTPUT_HEADS = {
    "regression": ("linear", "mean_squared_error", []),
    "binary": ("sigmoid", "binary_crossentropy", ["accuracy"]),
    "multiclass": ("softmax", "categorical_crossentropy", ["accuracy"]),
}
# --8<-- [end:output_heads]


# --8<-- [start:build_lstm]
def build_lstm(
    time_steps,
    features,
    *,
    units=10,
    outputs=1,
    problem="regression",
    learning_rate=0.01,
    recurrent_activation="sigmoid",
    epsilon=1e-7,
    unroll=False,
    steps_per_execution=1,
):
    """Define and compile a one-layer LSTM.

    Inputs have shape ``(samples, time_steps, features)``.

    Args:
        time_steps: time steps of one input sample.
        features: features per time step.
        units: size of the LSTM's hidden and cell state.
        outputs: units of the output layer: 1 for regression or binary
            classification, the number of classes for ``"multiclass"``.
        problem: ``"regression"``, ``"binary"`` or ``"multiclass"``; picks the
            output activation, the loss and the metrics from ``OUTPUT_HEADS``.
        learning_rate: step size of the Adam optimizer.
        recurrent_activation: activation of the LSTM's gates, a name or a
            function; Keras 3's default is ``"sigmoid"``.
        epsilon: Adam's small constant that keeps it from dividing by zero;
            Keras 3's default is ``1e-7``.
        unroll: write the time steps out instead of looping over them:
            faster for a few time steps, the same result.
        steps_per_execution: optimizer steps per call into the compiled
            training graph: faster for tiny models, the same result.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, time_steps, features)``
        to ``(samples, outputs)``.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    units = check_positive_int(units, "units")
    outputs = check_positive_int(outputs, "outputs")
    if problem not in OUTPUT_HEADS:
        raise ValueError(
            f"problem must be one of {sorted(OUTPUT_HEADS)}, got {problem!r}"
        )
    if problem == "multiclass" and outputs < 2:
        raise ValueError(
            "a multiclass model needs outputs >= 2 (one per class), "
            f"got {outputs}"
        )
    if not (
        callable(recurrent_activation) or isinstance(recurrent_activation, str)
    ):
        raise TypeError(
            "recurrent_activation must be a name or a function, got "
            f"{type(recurrent_activation).__name__}"
        )
    if isinstance(epsilon, bool) or not isinstance(epsilon, Real):
        raise TypeError(f"epsilon must be a number, got {epsilon!r}")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must be in (0, 1), got {epsilon}")
    if not isinstance(unroll, bool):
        raise TypeError(f"unroll must be True or False, got {unroll!r}")
    steps_per_execution = check_positive_int(
        steps_per_execution, "steps_per_execution"
    )
    activation, loss, metrics = OUTPUT_HEADS[problem]

    model = keras.Sequential(
        [  # 1. define
            keras.Input(shape=(time_steps, features)),
            keras.layers.LSTM(
                units,
                recurrent_activation=recurrent_activation,
                unroll=unroll,
            ),
            keras.layers.Dense(outputs, activation=activation),
        ]
    )
    model.compile(  # 2. compile
        optimizer=keras.optimizers.Adam(
            learning_rate=learning_rate, epsilon=epsilon
        ),
        loss=loss,
        metrics=metrics,
        steps_per_execution=steps_per_execution,
    )
    return model


# --8<-- [end:build_lstm]


# --8<-- [start:keras2_defaults]
def hard_sigmoid_keras2(x):
    """Keras 2's hard sigmoid, ``clip(0.2 * x + 0.5, 0, 1)``, elementwise.

    Keras 3's ``"hard_sigmoid"`` is another function with a gentler slope,
    ``clip(x / 6 + 0.5, 0, 1)``.
    """
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


# build_lstm arguments that restore what Keras 2.0 used when they were left
# out: the gates' activation and Adam's epsilon (its learning rate, 0.001,
# is the same in Keras 3).
KERAS_2_0_DEFAULTS = {
    "recurrent_activation": hard_sigmoid_keras2,
    "epsilon": 1e-8,
    "learning_rate": 0.001,
}
# --8<-- [end:keras2_defaults]
