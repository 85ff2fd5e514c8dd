"""The stacked LSTM: LSTM layers on top of each other.

The stacked-LSTM chapter embeds the sections marked ``--8<--`` below.
"""

# --8<-- [start:imports]
import keras

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = ["build_stacked_lstm"]


# --8<-- [start:build_stacked_lstm]
def build_stacked_lstm(
    time_steps,
    features,
    outputs,
    *,
    units=(20, 20),
    learning_rate=0.01,
    steps_per_execution=10,
):
    """Define and compile a stack of LSTM layers for multi-step regression.

    Every LSTM layer but the last returns its whole output sequence,
    ``(samples, time_steps, units)``, so that the next LSTM layer has a
    sequence to read; the last returns only its final hidden state.

    Args:
        time_steps: time steps of one input sample.
        features: features per time step.
        outputs: number of values to predict, e.g. the next 5 steps.
        units: sizes of the LSTM layers, bottom to top; ``(20,)`` is a
            single layer, ``(20, 20)`` a stack of two.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the compiled
            graph; larger values cut Python overhead for small models.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, time_steps, features)``
        to ``(samples, outputs)``, trained with mean squared error.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    outputs = check_positive_int(outputs, "outputs")
    if not isinstance(units, (tuple, list)) or not units:
        raise TypeError(
            f"units must be a non-empty tuple of layer sizes such as "
            f"(20, 20), got {units!r}"
        )
    units = [check_positive_int(u, f"units[{i}]") for i, u in enumerate(units)]
    steps = check_positive_int(steps_per_execution, "steps_per_execution")

    inputs = keras.Input(shape=(time_steps, features))
    hidden = inputs
    for i, size in enumerate(units):
        last = i == len(units) - 1
        # all but the last layer pass on the whole sequence
        hidden = keras.layers.LSTM(size, return_sequences=not last)(hidden)
    predictions = keras.layers.Dense(outputs)(hidden)  # linear
    model = keras.Model(inputs, predictions, name="stacked_lstm")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mean_squared_error",
        steps_per_execution=steps,
    )
    return model


# --8<-- [end:build_stacked_lstm]
