"""Stateful LSTMs: carry the state across batches, reset it when you decide.

The stateful-LSTM chapter embeds the sections marked ``--8<--`` below: a
model whose LSTM keeps its state between batches, a callback that resets that
state at the start of every epoch, generation one letter at a time with the
state carried from step to step (after a warm-up on the letters before the
start), and truncated backpropagation through time: long sequences cut into
pieces and laid out so that row ``i`` of each batch continues row ``i`` of
the batch before. ``restart`` trains one model again from other seeds
without paying for a new graph.
"""

# --8<-- [start:imports]
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from lstm_recipes.alphabet import ALPHABET, decode, encode
from lstm_recipes.checks import (
    check_positive_int,
    check_sequences,
    check_targets,
)
from lstm_recipes.seeding import seed_initializers

# --8<-- [end:imports]

__all__ = [
    "ResetState",
    "build_stateful_lstm",
    "build_tbptt_lstm",
    "fit_stateful",
    "generate",
    "plot_pieces",
    "reset_lstm_states",
    "restart",
    "stateful_pieces",
    "switch_data",
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
def fit_stateful(model, x, y, *, epochs, reset_every=None):
    """Train a stateful model on ``x`` in order, resetting before each pass.

    The same updates as the loop ``for _ in range(epochs):
    model.fit(x, y, epochs=1, shuffle=False); reset``, but all passes
    stream through one Keras epoch (as ``fit_fast`` does) and a
    ``ResetState`` callback resets the state at the start of each pass.

    Args:
        model: a compiled stateful model, input ``(batch_size, ...)``.
        x: inputs ``(samples, time_steps, features)``, in the order to read;
            ``samples`` must be a multiple of the model's batch size.
        y: targets ``(samples, outputs)``, or ``(samples, time_steps,
            outputs)`` for a model with an output at every time step.
        epochs: passes over ``x``.
        reset_every: batches between two resets; default: one pass (all of
            ``x``). It must divide the batches of a pass.

    Returns:
        The ``keras.callbacks.History`` (one entry for all passes).

    Raises:
        NotImplementedError: on the JAX backend, for a model with a stateful
            layer: there, ``fit`` does not carry the state from one batch
            to the next (each batch starts from the state held when the
            training step was compiled).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    x = check_sequences(x, "x")
    if np.ndim(y) == 3:  # a target at every time step
        y = check_sequences(y, "y")
        if y.shape[:2] != x.shape[:2]:
            raise ValueError(
                f"y must have {x.shape[:2]} (samples, time_steps) like x, "
                f"got shape {y.shape}"
            )
    else:
        y = check_targets(y, len(x), "y")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = model.input_shape[0]
    if batch_size is None or len(x) % batch_size:
        raise ValueError(
            f"x must hold a multiple of the model's fixed batch size "
            f"({batch_size}) samples, got {len(x)}"
        )
    batches = len(x) // batch_size
    if reset_every is None:
        reset_every = batches
    reset_every = check_positive_int(reset_every, "reset_every")
    if batches % reset_every:
        raise ValueError(
            f"reset_every ({reset_every}) must divide the batches per pass "
            f"({batches})"
        )
    per_call = getattr(model, "steps_per_execution", 1) or 1
    if reset_every % per_call:
        raise ValueError(
            f"the batches between resets ({reset_every}) must be a multiple "
            f"of the model's steps_per_execution ({per_call})"
        )
    if keras.backend.backend() == "jax" and any(
        getattr(layer, "stateful", False) for layer in model.layers
    ):
        raise NotImplementedError(
            "Keras's JAX trainer does not carry a stateful layer's state "
            "from batch to batch in fit; train this model on TensorFlow"
        )
    # drop_remainder keeps the batch size fixed, as a stateful layer needs.
    data = tf.data.Dataset.from_tensor_slices((x, y))
    data = data.batch(batch_size, drop_remainder=True).repeat()
    return model.fit(
        data,
        epochs=1,
        steps_per_epoch=batches * epochs,
        callbacks=[ResetState(every=reset_every)],
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


# --8<-- [start:restart]
def restart(model, seed):
    """Start ``model`` over: new initial weights and a fresh optimizer.

    The weights are drawn as a new model built after
    ``keras.utils.set_random_seed(seed)`` would draw them (a clone of
    ``model`` gives them, after ``seed_initializers(seed)``), the
    optimizer's steps and moment estimates go back to zero, and stateful
    layers to a zero state. The compiled training step is kept, so training
    again from another seed does not trace a new graph; TensorFlow is not
    reseeded, which would clear its caches. Set its seed once, with
    ``keras.utils.set_random_seed``, before a series of runs that shuffle.
    For optimizers whose state starts at zero: Adam, SGD, RMSprop.

    Args:
        model: a compiled ``keras.Model``.
        seed: an integer, passed to ``seed_initializers``.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model must be compiled (it has no optimizer)")
    seed_initializers(seed)
    model.set_weights(keras.models.clone_model(model).get_weights())
    for variable in model.optimizer.variables:
        if variable.name != "learning_rate":
            variable.assign(np.zeros(variable.shape, variable.dtype))
    reset_lstm_states(model)


# --8<-- [end:restart]


# --8<-- [start:switch_data]
def switch_data(streams, length, *, set_probability=0.05, seed=0):
    """A switch, set on or off now and then: a task that needs memory.

    At each time step the input is ``+1`` (the switch is set on), ``-1``
    (set off) or ``0`` (left alone); each stream sets it at its first step,
    and then at each step with probability ``set_probability``. The target
    at every step is ``1`` while the switch is on, ``0`` while it is off: it
    depends on the last non-zero input, however far back that was.

    Returns:
        ``x`` and ``y``, float32, both of shape ``(streams, length, 1)``.
    """
    streams = check_positive_int(streams, "streams")
    length = check_positive_int(length, "length")
    if not 0 < set_probability <= 1:
        raise ValueError(
            f"set_probability must be in (0, 1], got {set_probability!r}"
        )
    rng = np.random.default_rng(seed)
    sets = rng.random((streams, length)) < set_probability
    sets[:, 0] = True
    values = rng.choice([-1.0, 1.0], size=(streams, length))
    x = np.where(sets, values, 0.0)
    # The index of the last set at or before each step, then its value.
    last_set = np.maximum.accumulate(np.where(sets, np.arange(length), 0), 1)
    y = np.take_along_axis(values, last_set, axis=1) > 0
    return x[..., None].astype("float32"), y[..., None].astype("float32")


# --8<-- [end:switch_data]


# --8<-- [start:stateful_pieces]
def stateful_pieces(x, y, *, piece_length, batch_size):
    """Cut long sequences into pieces, in the order a stateful layer reads.

    Each of the ``streams`` sequences is cut into pieces of
    ``piece_length`` steps. The streams go ``batch_size`` at a time into a
    group; within a group, batch ``k`` holds piece ``k`` of every stream, so
    that row ``i`` of batch ``k + 1`` continues row ``i`` of batch ``k``.
    Feed the result in order with that batch size (``shuffle=False``) and
    reset the state between groups: every ``length // piece_length``
    batches. The gradient stops at the cuts (truncated backpropagation
    through time); the state goes on.

    Args:
        x: inputs ``(streams, length, features)``.
        y: targets at every step ``(streams, length, outputs)``.
        piece_length: time steps per piece; must divide ``length``.
        batch_size: rows per batch, at most ``streams``; must divide it.

    Returns:
        ``x`` ``(samples, piece_length, features)`` and ``y`` ``(samples,
        piece_length, outputs)``, with ``samples = streams * length //
        piece_length``; sample ``g * batch_size * pieces + k * batch_size +
        i`` is piece ``k`` of stream ``g * batch_size + i``.
    """
    x = check_sequences(x, "x")
    y = check_sequences(y, "y")
    streams, length = x.shape[:2]
    if y.shape[:2] != (streams, length):
        raise ValueError(
            f"y must have the (streams, length) of x, {(streams, length)}, "
            f"got shape {y.shape}"
        )
    piece_length = check_positive_int(piece_length, "piece_length")
    batch_size = check_positive_int(batch_size, "batch_size")
    if length % piece_length:
        raise ValueError(
            f"piece_length ({piece_length}) must divide the length of the "
            f"sequences ({length}); cut them to "
            f"{length - length % piece_length} steps, or pick another length"
        )
    if batch_size > streams:
        raise ValueError(
            f"batch_size ({batch_size}) is larger than the number of "
            f"streams ({streams}): each row of a batch continues a stream "
            "of its own"
        )
    if streams % batch_size:
        raise ValueError(
            f"batch_size ({batch_size}) must divide the number of streams "
            f"({streams})"
        )
    pieces = length // piece_length

    def lay_out(a):
        # (group, row, piece, step, feature) -> (group, piece, row, ...)
        a = a.reshape(-1, batch_size, pieces, piece_length, a.shape[-1])
        a = a.transpose(0, 2, 1, 3, 4)
        return a.reshape(-1, piece_length, a.shape[-1])

    return lay_out(x), lay_out(y)


# --8<-- [end:stateful_pieces]


# --8<-- [start:build_tbptt_lstm]
def build_tbptt_lstm(
    units=8,
    *,
    batch_size,
    piece_length,
    features=1,
    stateful=True,
    learning_rate=0.02,
    steps_per_execution=1,
    unroll=True,
):
    """An LSTM with a sigmoid output at every time step, for pieces.

    With ``stateful=True`` the state left by one batch starts the next; with
    ``stateful=False`` every piece starts from a zero state, as if the state
    were reset before each piece. Everything else is the same. Pieces are
    short, so the time steps are written out (``unroll=True``), which is
    faster on a CPU than a loop over them.

    Returns:
        A compiled ``keras.Model``, ``(batch_size, piece_length, features)``
        -> ``(batch_size, piece_length, 1)``, binary cross-entropy loss.
    """
    units = check_positive_int(units, "units")
    batch_size = check_positive_int(batch_size, "batch_size")
    piece_length = check_positive_int(piece_length, "piece_length")
    features = check_positive_int(features, "features")
    if not isinstance(stateful, bool):
        raise TypeError(f"stateful must be True or False, got {stateful!r}")
    if not isinstance(unroll, bool):
        raise TypeError(f"unroll must be True or False, got {unroll!r}")
    model = keras.Sequential(
        [
            keras.Input(batch_shape=(batch_size, piece_length, features)),
            keras.layers.LSTM(
                units,
                stateful=stateful,
                return_sequences=True,
                unroll=unroll,
            ),
            keras.layers.Dense(1, activation="sigmoid"),
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


# --8<-- [end:build_tbptt_lstm]


# --8<-- [start:plot_pieces]
def plot_pieces(streams=4, length=15, piece_length=5, *, ax=None):
    """Draw where ``stateful_pieces`` puts each piece of each stream.

    The streams are rows, time runs to the right; every piece is labelled
    with the batch and the row of the batch it lands in, computed by
    ``stateful_pieces`` itself (one group: ``batch_size = streams``).

    Returns:
        The matplotlib ``Axes``.
    """
    # Number every step of every stream, lay the numbers out, read back.
    steps = np.arange(streams * length, dtype="float32")
    steps = steps.reshape(streams, length, 1)
    pieces, _ = stateful_pieces(
        steps, steps, piece_length=piece_length, batch_size=streams
    )
    if ax is None:
        _, ax = plt.subplots(
            figsize=(1.3 + 0.45 * length, 0.6 + 0.55 * streams),
            layout="constrained",
        )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for sample, piece in enumerate(pieces):
        stream, start = divmod(int(piece[0, 0]), length)
        batch, row = divmod(sample, streams)
        ax.add_patch(
            plt.Rectangle(
                (start - 0.5, stream - 0.4),
                piece_length,
                0.8,
                color=colors[batch % len(colors)],
                alpha=0.35,
            )
        )
        middle = start + (piece_length - 1) / 2
        ax.text(middle, stream - 0.1, f"batch {batch + 1}", ha="center")
        ax.text(
            middle,
            stream + 0.2,
            f"row {row + 1}",
            ha="center",
            fontsize="small",
        )
        if start + piece_length < length:  # the state goes on
            ax.annotate(
                "",
                xy=(start + piece_length - 0.3, stream),
                xytext=(start + piece_length - 0.7, stream),
                arrowprops={"arrowstyle": "->"},
            )
    ax.set_xlim(-0.6, length - 0.4)
    ax.set_ylim(streams - 0.5, -0.5)
    ax.set_yticks(range(streams), [f"stream {i + 1}" for i in range(streams)])
    ax.set_xlabel("time step")
    ax.set_title("row i of batch k + 1 continues row i of batch k")
    return ax


# --8<-- [end:plot_pieces]
