"""The vanilla LSTM: one LSTM layer and an output layer.

The vanilla-LSTM chapter embeds the sections marked ``--8<--`` below.
"""

# --8<-- [start:imports]
import keras

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = ["build_vanilla_lstm"]


# --8<-- [start:build_vanilla_lstm]
def build_vanilla_lstm(
    time_steps,
    features,
    classes,
    *,
    units=25,
    learning_rate=0.01,
    steps_per_execution=10,
):
    """Define and compile a vanilla LSTM classifier.

    Input layer -> one ``LSTM`` layer -> ``Dense`` softmax output: the model
    reads a whole sequence and answers once, with one of ``classes`` labels.

    Args:
        time_steps: time steps of one input sample.
        features: features per time step.
        classes: number of classes of the one-hot target (at least 2).
        units: size of the LSTM's hidden and cell state.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the compiled
            graph; larger values cut Python overhead for small models.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, time_steps, features)``
        to class probabilities of shape ``(samples, classes)``.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    classes = check_positive_int(classes, "classes")
    if classes < 2:
        raise ValueError(f"classes must be >= 2, got {classes}")
    units = check_positive_int(units, "units")
    steps = check_positive_int(steps_per_execution, "steps_per_execution")

    inputs = keras.Input(shape=(time_steps, features))
    state = keras.layers.LSTM(units)(inputs)  # (samples, units): last step
    outputs = keras.layers.Dense(classes, activation="softmax")(state)
    model = keras.Model(inputs, outputs, name="vanilla_lstm")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps,
    )
    return model


# --8<-- [end:build_vanilla_lstm]
