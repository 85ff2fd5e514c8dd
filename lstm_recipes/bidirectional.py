"""Bidirectional LSTMs: label every time step with the past and the future.

The bidirectional-LSTM chapter embeds the sections marked ``--8<--`` below.
"""

# --8<-- [start:imports]
import keras

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = [
    "DIRECTIONS",
    "MERGE_MODES",
    "ReverseTime",
    "build_sequence_labeller",
]

# --8<-- [start:reverse_time]
DIRECTIONS = ("forward", "backward", "bidirectional")
MERGE_MODES = ("concat", "sum", "mul", "ave")


@keras.saving.register_keras_serializable(package="lstm_recipes")
class ReverseTime(keras.layers.Layer):
    """Reverse the time axis of ``(samples, time_steps, features)``."""

    def call(self, inputs):
        return keras.ops.flip(inputs, axis=1)


# --8<-- [end:reverse_time]


# --8<-- [start:build_sequence_labeller]
def build_sequence_labeller(
    time_steps,
    features=1,
    *,
    direction="bidirectional",
    merge_mode="concat",
    units=16,
    learning_rate=0.02,
    steps_per_execution=1,
):
    """Define and compile an LSTM that labels every time step: 1 or 0.

    Inputs have shape ``(samples, time_steps, features)``; outputs, one
    probability per time step, ``(samples, time_steps, 1)``.

    Args:
        time_steps: time steps of one input sample.
        features: features per time step.
        direction: ``"forward"`` reads the sequence from its first step,
            ``"backward"`` from its last, ``"bidirectional"`` both ways.
        merge_mode: how a bidirectional layer joins the two readings at each
            step: ``"concat"``, ``"sum"``, ``"mul"`` or ``"ave"``.
        units: size of the hidden and cell state of each LSTM.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: batches per call into the compiled graph.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    units = check_positive_int(units, "units")
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction must be one of {DIRECTIONS}, got {direction!r}"
        )
    if merge_mode not in MERGE_MODES:
        raise ValueError(
            f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}"
        )

    lstm = keras.layers.LSTM(
        units,
        return_sequences=True,  # one hidden state per time step
        go_backwards=direction == "backward",
    )
    if direction == "bidirectional":
        readers = [keras.layers.Bidirectional(lstm, merge_mode=merge_mode)]
    elif direction == "backward":
        # go_backwards also returns the states last step first: flip them
        # back so that step t's state meets step t's label
        readers = [lstm, ReverseTime()]
    else:
        readers = [lstm]
    model = keras.Sequential(
        [
            keras.Input(shape=(time_steps, features)),
            *readers,
            # the same Dense layer turns each step's state into a probability
            keras.layers.TimeDistributed(
                keras.layers.Dense(1, activation="sigmoid")
            ),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=check_positive_int(
            steps_per_execution, "steps_per_execution"
        ),
    )
    return model


# --8<-- [end:build_sequence_labeller]
