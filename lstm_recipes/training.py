"""Train small models fast: many passes over the data in a few Keras epochs.

``model.fit`` pays a fixed bookkeeping cost at every epoch (callbacks, logs, a
new data iterator). On TensorFlow, for a model with a few hundred weights,
that cost is most of the run. ``fit_fast`` streams the passes from one
repeated ``tf.data`` pipeline instead, so Keras sees a handful of long epochs.
"""

# --8<-- [start:imports]
import math

import keras
import tensorflow as tf

from lstm_recipes.checks import (
    check_positive_int,
    check_sequences,
    check_targets,
)

# --8<-- [end:imports]

__all__ = ["fit_fast", "repeated_dataset"]


# --8<-- [start:repeated_dataset]
def repeated_dataset(x, y, *, batch_size=None, shuffle=False, seed=0):
    """Return an endless ``tf.data.Dataset`` of ``(x, y)`` batches.

    The batches of one pass over the data follow the batches of the last.

    Args:
        x: inputs, shape ``(samples, time_steps, features)``.
        y: targets, shape ``(samples, outputs)`` or ``(samples,)``.
        batch_size: samples per batch; ``None`` puts the whole set in one batch.
        shuffle: reshuffle the samples at the start of every pass.
        seed: seed of the shuffle.
    """
    x = check_sequences(x, "x")
    y = check_targets(y, len(x), "y")
    batch_size = (
        len(x)
        if batch_size is None
        else check_positive_int(batch_size, "batch_size")
    )
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).repeat()


# --8<-- [end:repeated_dataset]


# --8<-- [start:fit_fast]
def fit_fast(
    model,
    x,
    y,
    *,
    epochs,
    batch_size=None,
    shuffle=False,
    seed=0,
    log_every=None,
    validation_data=None,
    verbose=0,
):
    """Train like ``model.fit(x, y, epochs=..., batch_size=...)``, faster.

    ``log_every`` passes over the data make one Keras epoch, so the per-epoch
    overhead is paid ``epochs / log_every`` times instead of ``epochs`` times.
    With ``shuffle=False`` the optimizer sees the same batches in the same
    order as with ``model.fit(..., shuffle=False)``, so the weights come out
    the same.

    Args:
        model: a compiled ``keras.Model``.
        x: inputs, shape ``(samples, time_steps, features)``.
        y: targets, shape ``(samples, outputs)`` or ``(samples,)``.
        epochs: passes over the training data.
        batch_size: samples per update; ``None``: the whole set (full batch).
        shuffle: reshuffle the samples before every pass.
        seed: seed of the shuffle.
        log_every: passes per Keras epoch, i.e. per entry of the history;
            must divide ``epochs``. Default: ``epochs`` (a single entry).
        validation_data: optional ``(x_val, y_val)``, evaluated every
            ``log_every`` passes.
        verbose: passed to ``model.fit``.

    Returns:
        The ``keras.callbacks.History``. Its ``epoch`` list counts passes over
        the data (``log_every, 2 * log_every, ...``); each logged loss is the
        mean over the passes since the previous entry.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
        )
    epochs = check_positive_int(epochs, "epochs")
    log_every = (
        epochs
        if log_every is None
        else check_positive_int(log_every, "log_every")
    )
    if epochs % log_every:
        raise ValueError(
            f"log_every ({log_every}) must divide epochs ({epochs})"
        )
    data = repeated_dataset(
        x, y, batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    samples = len(x)
    batches_per_pass = math.ceil(samples / (batch_size or samples))
    if validation_data is not None:
        x_val, y_val = validation_data
        x_val = check_sequences(x_val, "validation_data[0]")
        validation_data = (
            x_val,
            check_targets(y_val, len(x_val), "validation_data[1]"),
        )
    history = model.fit(
        data,
        epochs=epochs // log_every,
        steps_per_epoch=batches_per_pass * log_every,
        validation_data=validation_data,
        shuffle=False,  # the dataset shuffles (or not) by itself
        verbose=verbose,
    )
    history.epoch = [log_every * (i + 1) for i in history.epoch]
    return history


# --8<-- [end:fit_fast]
