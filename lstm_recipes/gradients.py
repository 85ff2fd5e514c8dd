"""Measure gradients in recurrent networks (the chapter "Training LSTMs").

How strongly does the loss react to the input ``d`` steps before the end?
``input_gradient_norms`` answers with ``tf.GradientTape``, for any Keras
model; ``gradient_norm`` gives the global norm of the weight gradients that
an optimizer would apply. ``train_from_seeds`` trains one model per random
seed without tracing a new training graph for each. ``memory_report`` looks
inside a trained ``keras.layers.LSTM``: how much of a value written at a
given step its best unit still holds at the end, and whether its input gate
opens there.

``input_gradient_norms``, ``gradient_paths``, ``gradient_norm`` and
``update_norm`` use ``tf.GradientTape`` and need Keras' TensorFlow backend;
the other functions run on any backend.
"""

# --8<-- [start:imports]
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from lstm_recipes.cell import lstm_forward
from lstm_recipes.checks import (
    check_positive_int,
    check_sequences,
    check_targets,
)
from lstm_recipes.seeding import seed_initializers

# --8<-- [end:imports]

__all__ = [
    "RECURRENT_LAYERS",
    "MemoryReport",
    "build_recurrent_classifier",
    "gradient_norm",
    "gradient_paths",
    "input_gradient_norms",
    "memory_report",
    "train_from_seeds",
    "update_norm",
]

# --8<-- [start:build_recurrent_classifier]
RECURRENT_LAYERS = {
    "SimpleRNN": keras.layers.SimpleRNN,
    "LSTM": keras.layers.LSTM,
}


def build_recurrent_classifier(
    kind,
    time_steps,
    features,
    *,
    units=16,
    optimizer=None,
    jit_compile="auto",
    **layer_options,
):
    """A binary classifier: one recurrent layer and a sigmoid output.

    Args:
        kind: ``"SimpleRNN"`` or ``"LSTM"``.
        time_steps: time steps of one sample.
        features: features per time step.
        units: size of the recurrent layer's state.
        optimizer: a Keras optimizer; default Adam with learning rate 0.01.
        jit_compile: passed to ``compile``. ``True`` compiles the training
            step with XLA (on a CPU; Keras turns it off for a cuDNN LSTM on
            a GPU).
        **layer_options: passed to the recurrent layer, e.g.
            ``recurrent_initializer``.

    Returns:
        A compiled ``keras.Model``, ``(samples, time_steps, features)`` ->
        ``(samples, 1)``, with binary cross-entropy loss and accuracy.
    """
    if kind not in RECURRENT_LAYERS:
        raise ValueError(
            f"kind must be one of {sorted(RECURRENT_LAYERS)}, got {kind!r}"
        )
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    units = check_positive_int(units, "units")
    model = keras.Sequential(
        [
            keras.Input(shape=(time_steps, features)),
            RECURRENT_LAYERS[kind](units, **layer_options),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.01),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=20,  # fewer calls into the graph: faster
        jit_compile=jit_compile,
    )
    return model


# --8<-- [end:build_recurrent_classifier]


# --8<-- [start:input_gradient_norms]
def input_gradient_norms(model, x, y, *, loss="binary_crossentropy"):
    """Mean norm of the gradient of the loss w.r.t. each input time step.

    Args:
        model: a Keras model that maps ``x`` to predictions like ``y``.
        x: inputs, shape ``(samples, time_steps, features)``.
        y: targets, shape ``(samples, outputs)``.
        loss: a Keras loss name or function, applied per sample.

    Returns:
        ``norms`` of shape ``(time_steps,)``: ``norms[d]`` is the mean over
        samples of ``|| dL / dx_t ||`` for ``t = time_steps - 1 - d``, i.e.
        ``d`` steps before the last one (``d = 0``: the last input).
    """
    x, y = _check_model_data(model, x, y)
    loss_fn = keras.losses.get(loss)
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)  # x is not a variable: ask the tape to follow it
        # Summing per-sample losses keeps each sample's gradient its own.
        total = tf.reduce_sum(loss_fn(y, model(x, training=False)))
    grads = tape.gradient(total, x).numpy()  # (samples, time_steps, feat.)
    per_step = np.linalg.norm(grads, axis=2).mean(axis=0)  # (time_steps,)
    return per_step[::-1]  # index = distance from the last step


# --8<-- [end:input_gradient_norms]


# --8<-- [start:gradient_paths]
def gradient_paths(model, x, y, *, loss="binary_crossentropy"):
    """Split an LSTM's input gradient: the cell-state path and the rest.

    The model's first layer must be a ``keras.layers.LSTM`` that returns
    only its last output; the later layers are applied as they are. The
    layer is recomputed step by step in TensorFlow, twice: once as Keras
    computes it, and once with ``tf.stop_gradient`` on the hidden state
    ``h_{t-1}`` that feeds the gates. In the second run the only way from
    ``x_t`` to the output is the cell state, ``c_t -> c_{t+1} -> ... ->
    c_T``, scaled at every step by the forget gate: that is the cell path.

    Args:
        model: a Keras model whose first layer is the LSTM.
        x: inputs, shape ``(samples, time_steps, features)``.
        y: targets, shape ``(samples, outputs)``.
        loss: a Keras loss name or function, applied per sample.

    Returns:
        A dict of arrays of shape ``(time_steps,)``, indexed like
        ``input_gradient_norms`` by the distance ``d`` from the last step:
        ``"all"``: the mean norm of the full gradient ``dL/dx_t``;
        ``"cell"``: that of its cell-path part; ``"rest"``: that of the
        difference, the paths through the hidden state and the recurrent
        weights. At ``d = 0`` the cell path is the whole gradient.
    """
    x, y = _check_model_data(model, x, y)
    layer = _check_lstm_layer(model.layers[0], "model.layers[0]")
    if layer.return_sequences or layer.return_state or layer.go_backwards:
        raise ValueError(
            "model.layers[0] must return only its last output (no "
            "return_sequences, return_state or go_backwards)"
        )
    loss_fn = keras.losses.get(loss)
    kernel, recurrent_kernel, bias = (
        tf.constant(w) for w in layer.get_weights()
    )
    per_sample = {}
    for path, cut in (("all", False), ("cell", True)):
        x_t = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x_t)
            out = _lstm_last_output(x_t, kernel, recurrent_kernel, bias, cut)
            for later in model.layers[1:]:
                out = later(out, training=False)
            total = tf.reduce_sum(loss_fn(y, out))
        per_sample[path] = tape.gradient(total, x_t).numpy()
    per_sample["rest"] = per_sample["all"] - per_sample["cell"]
    return {
        path: np.linalg.norm(grads, axis=2).mean(axis=0)[::-1]
        for path, grads in per_sample.items()
    }


@tf.function  # one graph per input shape and cut, reused by every model
def _lstm_last_output(x, kernel, recurrent_kernel, bias, cut):
    """The LSTM's last output ``h_T``, ``(samples, units)``, step by step."""
    h = c = tf.zeros((tf.shape(x)[0], tf.shape(recurrent_kernel)[0]))
    for t in tf.range(tf.shape(x)[1]):  # a loop in the graph, not unrolled
        h_in = tf.stop_gradient(h) if cut else h
        z = x[:, t] @ kernel + h_in @ recurrent_kernel + bias
        i, f, g, o = tf.split(z, 4, axis=1)  # Keras order i, f, c, o
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
    return h


# --8<-- [end:gradient_paths]


# --8<-- [start:train_from_seeds]
def train_from_seeds(build, x, y, *, seeds, **fit_options):
    """Train one model per seed, as ``fit`` on a new model would, but faster.

    For each seed this builds the model ``keras.utils.set_random_seed(seed)``
    and ``model = build()`` would give, and trains it as
    ``model.fit(x, y, **fit_options)`` would. Keras traces a new training
    graph for every new model, which takes noticeable time on a CPU, so here one
    extra model, the trainer, does all the training: for each seed it takes
    the new model's initial weights and a reset optimizer, trains, and hands
    its weights back to the new model. Seeding with ``seed_initializers``
    keeps the trainer's graph. On TensorFlow the batch order follows
    TensorFlow's seed, so set it once before (``keras.utils.set_random_seed``)
    for a repeatable series; on JAX it follows each run's seed.

    Args:
        build: a function of no arguments that returns a compiled
            ``keras.Model``; called once per seed, after seeding.
        x: inputs, ``(samples, time_steps, features)``.
        y: targets, ``(samples, outputs)``.
        seeds: the random seeds, e.g. ``range(5)``.
        **fit_options: passed to ``fit`` (``epochs``, ``batch_size``, ...).

    Returns:
        A dict ``seed -> keras.Model``: the model ``build`` returned for that
        seed, with its trained weights.
    """
    if not callable(build):
        raise TypeError(f"build must be a function, got {type(build).__name__}")
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, (int, np.integer)) for s in seeds):
        raise ValueError(
            f"seeds must be a non-empty sequence of ints, got {seeds!r}"
        )
    trainer = build()
    if not isinstance(trainer, keras.Model):
        raise TypeError(
            f"build must return a keras.Model, got {type(trainer).__name__}"
        )
    trainer.optimizer.build(trainer.trainable_variables)
    start = [v.numpy() for v in trainer.optimizer.variables]  # step 0
    models = {}
    for seed in seeds:
        seed_initializers(seed)  # the weights set_random_seed(seed) gives
        model = build()
        trainer.set_weights(model.get_weights())
        for variable, value in zip(trainer.optimizer.variables, start):
            variable.assign(value)
        trainer.fit(x, y, verbose=0, **fit_options)
        model.set_weights(trainer.get_weights())
        models[int(seed)] = model
    return models


# --8<-- [end:train_from_seeds]


# --8<-- [start:gradient_norm]
def gradient_norm(model, x, y, *, loss="binary_crossentropy"):
    """Global norm of the gradient of the mean loss w.r.t. the weights.

    This is the norm that ``global_clipnorm`` limits.

    Args:
        model: a Keras model.
        x: a batch of inputs, ``(samples, time_steps, features)``.
        y: its targets, ``(samples, outputs)``.
        loss: a Keras loss.

    Returns:
        A float: ``sqrt(sum of squared gradient entries)``.
    """
    x, y = _check_model_data(model, x, y)
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        mean_loss = tf.reduce_mean(loss_fn(y, model(x, training=True)))
    grads = tape.gradient(mean_loss, model.trainable_variables)
    return float(tf.linalg.global_norm(grads))


# --8<-- [end:gradient_norm]


# --8<-- [start:update_norm]
def update_norm(model, x, y, *, loss="binary_crossentropy"):
    """Take one optimizer step on the batch; return how far the weights moved.

    The step is the one ``fit`` takes on a batch: the gradient of the mean
    loss, clipped as the optimizer is configured (``clipvalue``,
    ``clipnorm``, ``global_clipnorm``), then applied by the optimizer. It
    runs eagerly, so no training graph is traced for a one-off step.

    Args:
        model: a Keras model compiled with an optimizer.
        x: one batch of inputs, ``(samples, time_steps, features)``.
        y: its targets, ``(samples, outputs)``.
        loss: a Keras loss, the one the model was compiled with.

    Returns:
        The global norm of the change of all trainable weights.
    """
    x, y = _check_model_data(model, x, y)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model must be compiled with an optimizer")
    loss_fn = keras.losses.get(loss)
    weights = model.trainable_variables
    before = [w.numpy() for w in weights]
    with tf.GradientTape() as tape:
        mean_loss = tf.reduce_mean(loss_fn(y, model(x, training=True)))
    grads = tape.gradient(mean_loss, weights)
    model.optimizer.apply_gradients(zip(grads, weights))  # clips, then steps
    after = [w.numpy() for w in weights]
    return float(
        np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(after, before)))
    )


# --8<-- [end:update_norm]


# --8<-- [start:memory_report]
class MemoryReport(NamedTuple):
    """What ``memory_report`` found; the gate figures are the best unit's.

    ``kept``: the best unit's surviving fraction, the product of its forget
    gates from the step after the mark to the last step, averaged over
    samples; ``unit``: the index of that unit; ``input_at_mark``: its input
    gate at the mark, averaged over samples; ``input_mean``: its input gate
    averaged over all samples and time steps; ``kept_per_unit``: the
    surviving fraction of every unit, shape ``(units,)``.
    """

    kept: float
    unit: int
    input_at_mark: float
    input_mean: float
    kept_per_unit: np.ndarray


def memory_report(layer, x, marks):
    """How well an LSTM layer keeps a value written at a marked time step.

    The layer is run on ``x`` by the NumPy cell (``lstm_forward``), which
    returns every gate. For each unit, the product of its forget gates after
    the mark is the fraction of its cell state that survives to the end,
    and the factor by which the cell-state path scales the gradient.

    Args:
        layer: a ``keras.layers.LSTM`` with the default activations (tanh and
            sigmoid) and a bias.
        x: inputs, shape ``(samples, time_steps, features)``.
        marks: the time step at which each sample's value is written: an int
            for all samples, or ints of shape ``(samples,)``.

    Returns:
        A ``MemoryReport``. A mark at the last step keeps everything (1.0).
    """
    layer, x, marks = _check_memory_report(layer, x, marks)
    trace = lstm_forward(x, layer.get_weights())
    after = np.arange(x.shape[1]) > marks[:, None]  # (samples, time_steps)
    with np.errstate(divide="ignore"):  # a forget gate of exactly 0: log 0
        log_f = np.log(trace.gates["f"])  # (samples, time_steps, units)
    log_kept = np.where(after[:, :, None], log_f, 0.0).sum(axis=1)
    kept = np.exp(log_kept).mean(axis=0)  # (units,)
    best = int(kept.argmax())
    i = trace.gates["i"][:, :, best]  # (samples, time_steps)
    return MemoryReport(
        kept=float(kept[best]),
        unit=best,
        input_at_mark=float(i[np.arange(len(x)), marks].mean()),
        input_mean=float(i.mean()),
        kept_per_unit=kept,
    )


# --8<-- [end:memory_report]


# --8<-- [start:checks]
def _check_model_data(model, x, y):
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must be a keras.Model, got {type(model).__name__}"
        )
    x = check_sequences(x, "x")
    y = check_targets(y, len(x), "y")
    expected = tuple(model.input_shape[1:])
    if any(e is not None and e != a for e, a in zip(expected, x.shape[1:])):
        raise ValueError(
            f"x must have shape (samples, {expected[0]}, {expected[1]}) to "
            f"fit the model, got shape {x.shape}"
        )
    return x, y


def _check_lstm_layer(layer, name):
    if not isinstance(layer, keras.layers.LSTM):
        raise TypeError(
            f"{name} must be a keras.layers.LSTM, got {type(layer).__name__}"
        )
    if (
        layer.activation is not keras.activations.tanh
        or layer.recurrent_activation is not keras.activations.sigmoid
        or not layer.use_bias
    ):
        raise ValueError(
            f"{name} must use activation='tanh', "
            "recurrent_activation='sigmoid' and use_bias=True, the cell "
            "of the chapter's equations"
        )
    return layer


def _check_memory_report(layer, x, marks):
    _check_lstm_layer(layer, "layer")
    x = check_sequences(x, "x")
    if x.shape[2] != layer.get_weights()[0].shape[0]:
        raise ValueError(
            f"x must have shape (samples, time_steps, "
            f"{layer.get_weights()[0].shape[0]}) to fit the layer, "
            f"got shape {x.shape}"
        )
    samples, time_steps = x.shape[:2]
    marks = np.asarray(marks)
    if marks.dtype.kind not in "iu":
        raise TypeError(f"marks must be integers, got dtype {marks.dtype}")
    marks = np.broadcast_to(marks, (samples,)) if marks.ndim == 0 else marks
    if marks.shape != (samples,):
        raise ValueError(
            f"marks must be an int or have shape ({samples},), "
            f"got shape {marks.shape}"
        )
    if marks.min() < 0 or marks.max() >= time_steps:
        raise ValueError(
            f"marks must be time steps in [0, {time_steps - 1}], got values "
            f"from {marks.min()} to {marks.max()}"
        )
    return layer, x, marks


# --8<-- [end:checks]
