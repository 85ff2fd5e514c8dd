"""Stateful LSTMs: carry the state across batches, reset it when you decide.

The stateful-LSTM chapter embeds the sections marked ``--8<--`` below: a
model whose LSTM keeps its state between batches, a callback that resets that
state at the start of every epoch, and generation one letter at a time with
the state carried from step to step (after a warm-up on the letters before
the start).
"""

# --8<-- [start:imports]
import keras
import numpy as np
import tensorflow as tf

from lstm_recipes.alphabet import ALPHABET, decode, encode
from lstm_recipes.checks import (
    check_positive_int,
    check_sequences,
    check_targets,
)

# --8<-- [end:imports]

__all__ = [
    "ResetState",
    "build_stateful_lstm",
    "fit_stateful",
    "generate",
    "reset_lstm_states",
]


# --8<-- [start:build_stateful_lstm]
def build_stateful_lstm(
    units=50,
    *,
    batch_size=1,
    time_steps=1,
    features=1,
    learning_rate=0.001,
    steps_per_execution=1,
):
    """An LSTM that keeps its state between batches, and a softmax over 26.

    A stateful layer keeps one state per row of the batch, so the batch size
    is part of the input shape: ``keras.Input(batch_shape=...)``. Every call
    (``fit``, ``predict``, ``evaluate``) must use that batch size.
    ``steps_per_execution`` optimizer steps run per call into the graph.

    Returns:
        A compiled ``keras.Model``, ``(batch_size, time_steps, features)`` ->
        ``(batch_size, 26)``.
    """
    units = check_positive_int(units, "units")
    batch_size = check_positive_int(batch_size, "batch_size")
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    steps_per_execution = check_positive_int(
        steps_per_execution, "steps_per_execution"
    )
    model = keras.Sequential(
        [
            keras.Input(batch_shape=(batch_size, time_steps, features)),
            keras.layers.LSTM(units, stateful=True),
            keras.layers.Dense(len(ALPHABET), activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


# --8<-- [end:build_stateful_lstm]


# --8<-- [start:reset]
def reset_lstm_states(model):
    """Set the state of every stateful layer of ``model`` back to zeros."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


class ResetState(keras.callbacks.Callback):
    """Reset the model's stateful layers at the start of every epoch.

    ``model.fit(..., epochs=300, shuffle=False, callbacks=[ResetState()])``
    trains like 300 calls of ``fit(epochs=1)``, each followed by a reset.

    With ``every=n``, it also resets before every ``n``-th batch: one reset
    per pass when ``fit_fast`` streams many passes of ``n`` batches through
    one Keras epoch. ``n`` must be a multiple of the model's
    ``steps_per_execution``, since Keras calls the callback once per call
    into the graph.
    """

    def __init__(self, every=None):
        super().__init__()
        if every is not None:
            every = check_positive_int(every, "every")
        self.every = every

    def on_train_begin(self, logs=None):
        per_call = getattr(self.model, "steps_per_execution", 1) or 1
        if self.every is not None and self.every % per_call:
            raise ValueError(
                f"every ({self.every}) must be a multiple of the model's "
                f"steps_per_execution ({per_call})"
            )

    def on_epoch_begin(self, epoch, logs=None):
        reset_lstm_states(self.model)

    def on_train_batch_begin(self, batch, logs=None):
        if self.every is not None and batch % self.every == 0:
            reset_lstm_states(self.model)


# --8<-- [end:reset]


# --8<-- [start:fit_stateful]
def fit_stateful(model, x, y, *, epochs):
    """Train a stateful model on ``x`` in order, resetting before each pass.

    The same updates as the loop ``for _ in range(epochs):
    model.fit(x, y, epochs=1, shuffle=False); reset``, but all passes
    stream through one Keras epoch (as ``fit_fast`` does) and a
    ``ResetState`` callback resets the state at the start of each pass.

    Args:
        model: a compiled stateful model, input ``(batch_size, ...)``.
        x: inputs ``(samples, time_steps, features)``, in the order to read;
            ``samples`` must be a multiple of the model's batch size.
        y: targets ``(samples, outputs)``.
        epochs: passes over ``x``.

    Returns:
        The ``keras.callbacks.History`` (one entry for all passes).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    x = check_sequences(x, "x")
    y = check_targets(y, len(x), "y")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = model.input_shape[0]
    if batch_size is None or len(x) % batch_size:
        raise ValueError(
            f"x must hold a multiple of the model's fixed batch size "
            f"({batch_size}) samples, got {len(x)}"
        )
    batches = len(x) // batch_size
    per_call = getattr(model, "steps_per_execution", 1) or 1
    if batches % per_call:
        raise ValueError(
            f"the batches per pass ({batches}) must be a multiple of the "
            f"model's steps_per_execution ({per_call})"
        )
    # drop_remainder keeps the batch size fixed, as a stateful layer needs.
    data = tf.data.Dataset.from_tensor_slices((x, y))
    data = data.batch(batch_size, drop_remainder=True).repeat()
    return model.fit(
        data,
        epochs=1,
        steps_per_epoch=batches * epochs,
        callbacks=[ResetState(every=batches)],
        shuffle=False,  # the order of the samples is the point
        verbose=0,
    )


# --8<-- [end:fit_stateful]


# --8<-- [start:generate]
def generate(model, seed_letters, steps, *, warm_up=True):
    """Continue ``seed_letters`` by ``steps`` letters, one call per letter.

    The model must map a batch of one letter, ``(1, 1, 1)``, to ``(1, 26)``
    and be stateful: the state left by one letter is the context of the next.

    Args:
        model: a stateful model built with ``batch_size=1, time_steps=1``.
        seed_letters: the letters to start from, e.g. ``"A"`` or ``"ABCDEFG"``.
        steps: how many letters to generate.
        warm_up: feed all of ``seed_letters`` to build up the state; if
            ``False``, start cold from the last seed letter alone.

    Returns:
        The generated letters, a string of length ``steps``.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    if model.input_shape != (1, 1, 1):
        raise ValueError(
            "model must take batches of shape (1, 1, 1) (batch_size=1, one "
            f"letter per call), got input shape {model.input_shape}"
        )
    codes = list(encode(seed_letters))
    if not codes:
        raise ValueError("seed_letters must hold at least one letter")
    steps = check_positive_int(steps, "steps")
    if not warm_up:
        codes = codes[-1:]
    reset_lstm_states(model)  # start from a zero state
    for code in codes[:-1]:  # warm-up: only the state matters
        model(np.full((1, 1, 1), code, dtype="float32"))
    letters = ""
    code = codes[-1]
    for _ in range(steps):
        probabilities = model(np.full((1, 1, 1), code, dtype="float32"))
        letters += decode(np.asarray(probabilities))
        code = encode(letters[-1])[0]
    reset_lstm_states(model)
    return letters


# --8<-- [end:generate]
