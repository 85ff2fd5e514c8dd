"""The stacked LSTM: LSTM layers on top of each other.

The stacked-LSTM chapter embeds the sections marked ``--8<--`` below.
"""

# --8<-- [start:imports]
import keras

from lstm_recipes.checks import check_positive_int
from lstm_recipes.seeding import seed_initializers

# --8<-- [end:imports]

__all__ = ["build_stacked_lstm", "restartable"]


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


# --8<-- [start:restartable]
def restartable(build):
    """Build a model once; restart it from any seed without tracing again.

    Keras traces (compiles) a new model's training step the first time it is
    fitted.
    ``restart(seed)`` instead gives the one model the initial weights that
    ``build()`` draws after ``keras.utils.set_random_seed(seed)`` and an
    optimizer that has taken no step yet, so the training that follows is
    that of a model built afresh from ``seed``, without the tracing. It
    seeds with ``seed_initializers``, which leaves TensorFlow's seed (and
    so its compiled graphs) alone: set that once, before the runs.

    Args:
        build: a function of no arguments that returns a compiled
            ``keras.Model``; it is called once per restart (building a
            model does not trace its training step).

    Returns:
        ``restart``: a function ``seed -> model`` (always the same model).
    """
    if isinstance(build, keras.Model) or not callable(build):
        raise TypeError(
            f"build must be a function that returns a compiled keras.Model, "
            f"got {type(build).__name__}"
        )
    model = build()
    if not isinstance(model, keras.Model) or not model.compiled:
        raise TypeError(
            f"build must return a compiled keras.Model, "
            f"got {type(model).__name__}"
        )
    model.optimizer.build(model.trainable_variables)
    start = [variable.numpy() for variable in model.optimizer.variables]

    def restart(seed):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        seed_initializers(seed)
        model.set_weights(build().get_weights())  # seed's initial weights
        for variable, value in zip(model.optimizer.variables, start):
            variable.assign(value)  # no step taken, no moments yet
        return model

    return restart


# --8<-- [end:restartable]
