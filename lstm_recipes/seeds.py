"""Train N copies of a model side by side, one per seed, in one program.

A comparison in this book trains every configuration from at least five
seeds. Small models spend most of their time in per-step overhead, not in
arithmetic, so five separate runs cost five times one. ``fit_seeds`` builds
one Keras model in which every weight has a leading *seed* axis: each
recurrent layer runs one time loop for all copies, and its matrix products
are batched over the seeds (``keras.ops.einsum``). The loss is the sum of
the copies' losses, so each copy's gradient is its own; the optimizers the
book uses (Adam, SGD, RMSprop) update every weight on its own, so each copy
trains exactly as it would alone, up to float rounding.

Data layout inside: ``(batch, seeds, ...)``: copy ``k`` reads ``x[:, k]``.
"""

# --8<-- [start:imports]
import keras
from keras import ops

# --8<-- [end:imports]
# isort: split
import inspect
import string

import numpy as np
import tensorflow as tf
from keras import layers

from lstm_recipes.checks import check_positive_int
from lstm_recipes.seeding import seed_initializers

__all__ = ["SeedRuns", "fit_seeds", "put_weights", "seed_weights", "vectorise"]


def _einsum_last(x, kernel):
    """``x`` (batch, seeds, ..., in) times ``kernel`` (seeds, in, out)."""
    middle = string.ascii_lowercase[: len(x.shape) - 3]
    return ops.einsum(f"Bs{middle}i,sio->Bs{middle}o", x, kernel)


class SeedDense(layers.Layer):
    """``Dense(units)`` for ``seeds`` copies: kernel ``(seeds, in, units)``.

    Reads ``(batch, seeds, ..., in)`` and writes ``(batch, seeds, ...,
    units)``; copy ``k`` uses its own kernel and bias. Also stands in for
    ``TimeDistributed(Dense)``, which is the same map at every time step.
    """

    def __init__(self, seeds, units, activation=None, use_bias=True, **kw):
        super().__init__(**kw)
        self.seeds, self.units, self.use_bias = seeds, units, use_bias
        self.activation = keras.activations.get(activation)
        self.supports_masking = True

    def build(self, input_shape):
        shape = (self.seeds, input_shape[-1], self.units)
        self.kernel = self.add_weight(shape=shape, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.seeds, self.units), name="bias"
            )

    def call(self, x, mask=None, training=None):  # mask: passed through
        y = _einsum_last(x, self.kernel)
        if self.use_bias:
            shape = (1, self.seeds) + (1,) * (len(x.shape) - 3)
            y = y + ops.reshape(self.bias, shape + (self.units,))
        return self.activation(y)


class SeedLSTM(layers.Layer):
    """``LSTM(units)`` for ``seeds`` copies, one time loop for all of them.

    Reads ``(batch, seeds, time_steps, features)``, with an optional mask
    ``(batch, seeds, time_steps)``; returns what ``LSTM`` with the same
    ``return_sequences`` and ``return_state`` returns, each with the seed
    axis after the batch axis. Inside the loop the states are ``(seeds,
    batch, units)``, so each step's recurrent product is one batched
    matrix product over the copies.
    """

    def __init__(
        self,
        seeds,
        units,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        unroll=False,
        zero_output_for_mask=False,
        **kw,
    ):
        super().__init__(**kw)
        self.seeds, self.units = seeds, units
        self.return_sequences, self.return_state = (
            return_sequences,
            return_state,
        )
        self.go_backwards, self.unroll = go_backwards, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True

    def build(self, input_shape):
        s, u = self.seeds, self.units
        self.kernel = self.add_weight(
            shape=(s, input_shape[-1], 4 * u), name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(s, u, 4 * u), name="recurrent_kernel"
        )
        self.bias = self.add_weight(shape=(s, 4 * u), name="bias")

    # --8<-- [start:seed_step]
    def _step(self, carry, inputs):
        h, c, out = carry  # each (seeds, batch, units)
        z, bits = inputs  # (seeds, batch, 4 units), (seeds, batch, 1)
        z = z + ops.matmul(h, self.recurrent_kernel)
        i, f, g, o = ops.split(z, 4, axis=-1)  # Keras's order of the gates
        c_new = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        h_new = ops.sigmoid(o) * ops.tanh(c_new)
        if bits is None:
            return (h_new, c_new, h_new), h_new
        keep = 1 - bits  # a padded step keeps the states; its output repeats
        if self.zero_output_for_mask:  # the last one, or is zero
            out = ops.zeros_like(out)
        carry = (
            bits * h_new + keep * h,
            bits * c_new + keep * c,
            bits * h_new + keep * out,
        )
        return carry, carry[2]

    # --8<-- [end:seed_step]

    def call(self, inputs, initial_state=None, mask=None, training=None):
        # every step's input times the kernel at once: (time, s, batch, 4u)
        x = ops.transpose(inputs, (2, 1, 0, 3))
        z = ops.einsum("tsbf,sfg->tsbg", x, self.kernel)
        z = z + ops.expand_dims(self.bias, 1)
        bits = None
        if mask is not None:  # (batch, s, time) -> (time, s, batch, 1)
            bits = ops.transpose(ops.cast(mask, z.dtype), (2, 1, 0))[..., None]
        if self.go_backwards:
            z = ops.flip(z, 0)
            bits = None if bits is None else ops.flip(bits, 0)
        if initial_state is None:
            h = ops.zeros_like(z[0, :, :, : self.units])
            c = h
        else:  # (batch, s, units) -> (s, batch, units)
            h, c = (ops.transpose(t, (1, 0, 2)) for t in initial_state)
        carry = (h, c, ops.zeros_like(h))
        if self.unroll:  # the loop written out, step by step, in the graph
            outputs = []
            for t in range(z.shape[0]):
                step = (z[t], None if bits is None else bits[t])
                carry, output = self._step(carry, step)
                outputs.append(output)
            outputs = ops.stack(outputs)
        else:  # one loop op; it stacks the whole carry at every step

            def step(carry, inputs):  # inputs: z, then the mask bit if any
                split = (
                    (inputs, None)
                    if bits is None
                    else (
                        inputs[..., :-1],
                        inputs[..., -1:],
                    )
                )
                return (self._step(carry, split)[0],) * 2

            steps = z if bits is None else ops.concatenate([z, bits], -1)
            carry, (_, _, outputs) = ops.scan(step, carry, steps)
        if self.return_sequences:  # (time, s, batch, u) -> (batch, s, time, u)
            output = ops.transpose(outputs, (2, 1, 0, 3))
        else:
            output = ops.transpose(carry[2], (1, 0, 2))
        if not self.return_state:
            return output
        return [output] + [ops.transpose(t, (1, 0, 2)) for t in carry[:2]]

    def compute_mask(self, inputs, mask=None):
        mask = mask if self.return_sequences else None
        return [mask, None, None] if self.return_state else mask


class SeedBidirectional(layers.Layer):
    """``Bidirectional(LSTM)`` for ``seeds`` copies."""

    def __init__(self, seeds, layer, merge_mode, **kw):
        super().__init__(**kw)
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.forward, self.backward = (
            SeedLSTM(
                seeds,
                layer.units,
                return_sequences=layer.return_sequences,
                return_state=layer.return_state,
                go_backwards=backwards,
                unroll=layer.unroll,
                zero_output_for_mask=layer.return_sequences,
            )
            for backwards in (False, True)
        )
        self.supports_masking = True

    def build(self, input_shape):
        self.forward.build(input_shape)
        self.backward.build(input_shape)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        half = None if initial_state is None else len(initial_state) // 2
        forward = self.forward(
            inputs,
            initial_state=None if half is None else initial_state[:half],
            mask=mask,
        )
        backward = self.backward(
            inputs,
            initial_state=None if half is None else initial_state[half:],
            mask=mask,
        )
        if self.return_state:
            forward, states_f = forward[0], forward[1:]
            backward, states_b = backward[0], backward[1:]
        if self.return_sequences:  # back in forward time order
            backward = ops.flip(backward, axis=2)
        merged = {
            "concat": lambda: ops.concatenate([forward, backward], -1),
            "sum": lambda: forward + backward,
            "mul": lambda: forward * backward,
            "ave": lambda: (forward + backward) / 2,
            None: lambda: [forward, backward],
        }[self.merge_mode]()
        if not self.return_state:
            return merged
        merged = merged if isinstance(merged, list) else [merged]
        return merged + list(states_f) + list(states_b)

    def compute_mask(self, inputs, mask=None):
        mask = mask if self.return_sequences else None
        outputs = [mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            return outputs + [None] * 4
        return outputs if self.merge_mode is None else mask


class SeedEmbedding(layers.Layer):
    """``Embedding`` for ``seeds`` copies; integer inputs ``(batch, seeds,
    ...)``. The tables are stacked, ``(seeds * vocabulary, dimension)``:
    copy ``k`` looks up row ``k * vocabulary + id``. A lookup in a
    variable keeps TensorFlow's gradient sparse (one row per id read), so
    the optimizer updates the tables exactly as it would one table."""

    def __init__(self, seeds, input_dim, output_dim, mask_zero=False, **kw):
        super().__init__(**kw)
        self.seeds, self.input_dim, self.output_dim = (
            seeds,
            input_dim,
            output_dim,
        )
        self.mask_zero = mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.seeds * self.input_dim, self.output_dim),
            name="embeddings",
        )

    def call(self, inputs, training=None):
        tokens = ops.cast(inputs, "int32")
        shape = (1, self.seeds) + (1,) * (len(tokens.shape) - 2)
        offsets = ops.reshape(ops.arange(self.seeds) * self.input_dim, shape)
        return ops.take(self.embeddings, tokens + offsets, axis=0)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0) if self.mask_zero else None


class Folded(layers.Layer):
    """A layer without weights, applied to every copy: the seed axis is
    folded into the batch axis, ``(batch, seeds, ...) -> (batch * seeds,
    ...)``, and unfolded afterwards."""

    def __init__(self, seeds, layer, **kw):
        super().__init__(**kw)
        self.seeds, self.layer = seeds, layer
        self.layer_arguments = inspect.signature(layer.call).parameters
        self.supports_masking = True

    def build(self, *shapes):
        pass  # no weights; the layer builds itself at its first call

    def _fold(self, tensors):  # (batch, seeds, ...) -> (batch * seeds, ...)
        def fold(t):
            if t is None:
                return None
            shape = ops.shape(t)  # unknown sizes (time) as tensors
            return ops.reshape(t, (-1, *shape[2:]))

        return keras.tree.map_structure(fold, tensors)

    def _unfold(self, tensors):
        def unfold(t):
            if t is None:
                return None
            return ops.reshape(t, (-1, self.seeds, *ops.shape(t)[1:]))

        return keras.tree.map_structure(unfold, tensors)

    def call(self, inputs, mask=None, **kwargs):
        if mask is not None and "mask" in self.layer_arguments:
            kwargs["mask"] = self._fold(mask)
        return self._unfold(self.layer(self._fold(inputs), **kwargs))

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        folded = self.layer.compute_mask(self._fold(inputs), self._fold(mask))
        return self._unfold(folded)


def _refuse(layer, why):
    raise ValueError(
        f"fit_seeds cannot vectorise layer {layer.name!r} "
        f"({type(layer).__name__}): {why}"
    )


def _check_plain(layer):
    """Refuse regularizers and constraints: fit_seeds has no stand-in."""
    for name, value in vars(layer).items():
        if name.endswith(("_regularizer", "_constraint")) and value is not None:
            _refuse(layer, f"{name} is set; train it with model.fit")


def _check_lstm(layer):
    _check_plain(layer)
    _check_plain(layer.cell)
    cell = layer.cell
    plain = (
        cell.activation is keras.activations.tanh
        and cell.recurrent_activation is keras.activations.sigmoid
        and cell.use_bias
    )
    if not plain:
        _refuse(layer, "only tanh/sigmoid activations with a bias")
    if cell.dropout or cell.recurrent_dropout:
        _refuse(
            layer,
            "dropout inside the LSTM; put a keras.layers.Dropout layer "
            "before it instead",
        )
    if layer.stateful:
        _refuse(layer, "stateful layers carry state between batches")


# Operations in a functional graph that act on each number alone.
ELEMENTWISE = {
    "Abs", "Add", "Cast", "ConvertToTensor", "Divide", "Equal", "Exp",
    "Greater", "GreaterEqual", "Less", "LessEqual", "Log", "LogicalAnd",
    "LogicalNot", "LogicalOr", "Maximum", "Minimum", "Multiply", "Negative",
    "NotEqual", "OnesLike", "Power", "Sigmoid", "Sqrt", "Square", "Subtract",
    "Tanh", "TrueDivide", "Where", "ZerosLike",
}  # fmt: skip


def _stand_in(layer, seeds):
    """The layer that does ``layer``'s work for ``seeds`` copies."""
    if not isinstance(layer, layers.Layer):  # an op, e.g. a mask's `!= 0`
        axis = layer.get_config().get("axis", 0)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        counted_from_the_end = axis is not None and all(a < 0 for a in axes)
        if type(layer).__name__ not in ELEMENTWISE and not counted_from_the_end:
            _refuse(layer, "an operation that may mix the seed axis")
        return layer.__class__.from_config(layer.get_config())
    if isinstance(layer, layers.TimeDistributed) and isinstance(
        layer.layer, layers.Dense
    ):
        layer = layer.layer  # Dense maps every time step the same way
    if isinstance(layer, layers.Dense):
        _check_plain(layer)
        return SeedDense(seeds, layer.units, layer.activation, layer.use_bias)
    if isinstance(layer, layers.LSTM):
        _check_lstm(layer)
        return SeedLSTM(
            seeds,
            layer.units,
            return_sequences=layer.return_sequences,
            return_state=layer.return_state,
            go_backwards=layer.go_backwards,
            unroll=layer.unroll,
            zero_output_for_mask=layer.zero_output_for_mask,
        )
    if isinstance(layer, layers.Bidirectional):
        if not isinstance(layer.forward_layer, layers.LSTM):
            _refuse(layer, "only Bidirectional(LSTM) is supported")
        _check_lstm(layer.forward_layer)
        return SeedBidirectional(seeds, layer.forward_layer, layer.merge_mode)
    if isinstance(layer, layers.Embedding):
        _check_plain(layer)
        return SeedEmbedding(
            seeds, layer.input_dim, layer.output_dim, layer.mask_zero
        )
    if isinstance(layer, keras.Model):
        _refuse(layer, "a model nested as a layer; call its layers directly")
    if layer.weights or isinstance(layer, layers.BatchNormalization):
        _refuse(layer, "it has weights fit_seeds has no stand-in for")
    fresh = layer.__class__.from_config(layer.get_config())
    return Folded(seeds, fresh)  # no weights: run it on every copy


def _seed_variables(stand_in):
    """The stand-in's variables, in the order of the original's weights."""
    if isinstance(stand_in, SeedLSTM):
        recurrent = stand_in.recurrent_kernel
        return [stand_in.kernel, recurrent, stand_in.bias]
    if isinstance(stand_in, SeedBidirectional):
        return _seed_variables(stand_in.forward) + _seed_variables(
            stand_in.backward
        )
    return list(stand_in.weights)


def vectorise(model, seeds):
    """Build a model that runs ``seeds`` copies of ``model`` side by side.

    Every input gets a seed axis after the batch axis: copy ``k`` reads
    ``x[:, k]`` and writes ``y[:, k]``.

    Args:
        model: a built ``keras.Model`` (Sequential or functional) made of
            ``Dense``, ``LSTM``, ``Bidirectional(LSTM)``, ``Embedding``,
            ``TimeDistributed(Dense)`` and layers without weights.
        seeds: number of copies, at least 1.

    Returns:
        ``(vectorised, variables)``: the new model (not compiled) and, for
        each of ``model.weights`` in order, the variable of ``vectorised``
        that holds it for every copy: ``(seeds, *weight.shape)`` values,
        reshaped to the variable's shape (see ``put_weights``).

    Raises:
        ValueError: a layer cannot be vectorised (the message names it).
    """
    if not isinstance(model, keras.Model) or not model.built:
        raise TypeError(
            f"model must be a built keras.Model, got {type(model).__name__}"
        )
    seeds = check_positive_int(seeds, "seeds")
    stand_ins = {}

    def clone(layer):
        if id(layer) not in stand_ins:
            stand_ins[id(layer)] = (layer, _stand_in(layer, seeds))
        return stand_ins[id(layer)][1]

    sequential = isinstance(model, keras.Sequential)
    inputs = keras.tree.map_structure(
        lambda t: keras.Input(shape=(seeds, *t.shape[1:]), dtype=t.dtype),
        model.inputs if sequential else model.input,
    )
    vectorised = keras.models.clone_model(
        model, input_tensors=inputs, clone_function=clone
    )
    holder = {}  # id of an original weight -> the stand-in's variable
    for layer, stand_in in stand_ins.values():
        if not isinstance(layer, layers.Layer):
            continue  # an op: no weights
        for weight, variable in zip(layer.weights, _seed_variables(stand_in)):
            holder[id(weight)] = variable
    return vectorised, [holder[id(weight)] for weight in model.weights]


def put_weights(variables, per_seed):
    """Give every copy its weights: ``per_seed[k]`` is a list of arrays in
    the order of the original model's weights."""
    for i, variable in enumerate(variables):
        stacked = np.stack([weights[i] for weights in per_seed])
        variable.assign(stacked.reshape(variable.shape))


def seed_weights(variables, shapes, k):
    """Copy ``k``'s weights, as ``model.get_weights()`` lists them."""
    return [
        np.array(v.numpy().reshape(-1, *shape)[k])
        for v, shape in zip(variables, shapes)
    ]


# --8<-- [start:sum_over_seeds]
class _SumOverSeeds(keras.losses.Loss):
    """The sum of every copy's loss, so each copy gets its own gradient."""

    def __init__(self, loss, seeds):
        super().__init__(name="loss_sum_over_seeds")
        self.loss, self.seeds = loss, seeds

    def call(self, y_true, y_pred):  # mean over (batch, seeds, ...) x seeds
        return self.seeds * self.loss.call(y_true, y_pred)


# --8<-- [end:sum_over_seeds]


class _PerSeedMean(keras.metrics.Metric):
    """The mean of ``function(y_true, y_pred)`` for every copy, logged as
    ``{name}_0``, ``{name}_1``, ...; one update for all copies."""

    def __init__(self, function, seeds, name):
        super().__init__(name=f"{name}_per_seed")  # not "loss": Keras's own
        self.function, self.seeds, self.key = function, seeds, name
        self.total = self.add_variable(
            shape=(seeds,), initializer="zeros", name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", name="count"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.function(y_true, y_pred)  # (batch, seeds, ...)
        values = ops.cast(values, "float32")
        batch = ops.shape(values)[0]
        values = ops.reshape(values, (batch, self.seeds, -1))
        self.total.assign_add(ops.sum(ops.mean(values, axis=-1), axis=0))
        self.count.assign_add(ops.cast(batch, "float32"))

    def result(self):
        means = self.total / ops.maximum(self.count, 1.0)
        return {f"{self.key}_{k}": means[k] for k in range(self.seeds)}

    def reset_state(self):
        self.total.assign(ops.zeros((self.seeds,)))
        self.count.assign(0.0)


def _metric_function(metric):
    """``(name, f)``: ``f(y_true, y_pred)`` gives one value per sample."""
    function = (
        getattr(keras.metrics, metric, None)
        if isinstance(metric, str)
        else metric
    )
    if not inspect.isfunction(function):
        raise ValueError(
            "metrics must name a function of keras.metrics, e.g. "
            f"'sparse_categorical_accuracy', or be one; got {metric!r}"
        )
    return function.__name__, function


def _as_loss(loss):
    if isinstance(loss, keras.losses.Loss):
        if loss.reduction != "sum_over_batch_size":
            raise ValueError(
                f"fit_seeds needs a loss with the default reduction "
                f"'sum_over_batch_size', got {loss.reduction!r}"
            )
        return loss
    if loss is None or isinstance(loss, (list, tuple, dict)):
        raise ValueError(
            f"fit_seeds needs a model compiled with one loss, got loss={loss!r}"
        )
    function = keras.losses.get(loss)
    if isinstance(function, keras.losses.Loss):
        return function
    return _FunctionLoss(function)


class _FunctionLoss(keras.losses.Loss):
    def __init__(self, function):
        super().__init__(name=getattr(function, "__name__", "loss"))
        self.function = function

    def call(self, y_true, y_pred):
        return self.function(y_true, y_pred)


# Optimizers that update every number of a weight from its own gradient.
ELEMENTWISE_OPTIMIZERS = {
    "SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad",
    "Adadelta", "Ftrl", "Lion",
}  # fmt: skip


def _optimizer_copy(optimizer):
    name = type(optimizer).__name__
    if name not in ELEMENTWISE_OPTIMIZERS:
        raise ValueError(
            f"fit_seeds cannot train with {name}: it may combine the numbers "
            "of a weight (e.g. a norm per variable), which would couple the "
            f"copies; use one of {sorted(ELEMENTWISE_OPTIMIZERS)}"
        )
    config = optimizer.get_config()
    for key in ("clipnorm", "global_clipnorm"):
        if config.get(key) is not None:
            raise ValueError(
                f"fit_seeds cannot train with {key}={config[key]}: the norm "
                "would be taken over all copies together; use clipvalue, "
                "which clips each weight on its own, or model.fit"
            )
    return optimizer.__class__.from_config(config)


def _check_data(model, x, y, name):
    parts = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(parts) != len(model.inputs):
        raise ValueError(
            f"{name}: the model has {len(model.inputs)} inputs, got "
            f"{len(parts)} arrays"
        )
    parts = [np.asarray(part) for part in parts]
    y = np.asarray(y)
    for part, tensor in zip(parts, model.inputs):
        if (
            part.shape[1:] != tuple(tensor.shape[1:])
            and None not in (tensor.shape[1:])
        ):
            raise ValueError(
                f"{name}: expected inputs of shape (samples, "
                f"{', '.join(map(str, tensor.shape[1:]))}), got {part.shape}"
            )
    if len({len(part) for part in parts} | {len(y)}) != 1:
        raise ValueError(
            f"{name}: inputs and targets must have the same number of "
            f"samples, got {[len(p) for p in parts]} and {len(y)}"
        )
    if len(y) == 0:
        raise ValueError(f"{name}: no samples")
    return parts, y


def _shuffles(seeds, samples, passes, shuffle):
    """Sample order of every pass for every copy: ``(passes, seeds,
    samples)``. Copy ``k`` shuffles with ``np.random.default_rng(seed)``."""
    order = np.empty((passes, len(seeds), samples), dtype="int32")
    for k, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        for p in range(passes):
            order[p, k] = (
                rng.permutation(samples) if shuffle else np.arange(samples)
            )
    return order


def _dataset(parts, y, order, batch_size):
    """Batches ``(batch, seeds, ...)``: copy ``k`` reads its own order."""
    steps = -(-order.shape[2] // batch_size)
    order = tf.constant(order)
    parts = [tf.constant(part) for part in parts]
    y = tf.constant(y)

    def batch(index):  # index: (seeds, batch) -> (batch, seeds, ...)
        def pick(array):
            taken = tf.gather(array, index)
            axes = [1, 0] + list(range(2, len(taken.shape)))
            return tf.transpose(taken, axes)

        inputs = tuple(pick(part) for part in parts)
        return (inputs if len(inputs) > 1 else inputs[0]), pick(y)

    def one_pass(p):
        starts = tf.data.Dataset.range(steps)
        return starts.map(
            lambda b: order[p][:, b * batch_size : (b + 1) * batch_size]
        )

    passes = tf.data.Dataset.range(order.shape[0])
    data = passes.flat_map(one_pass).map(batch)
    return data.prefetch(tf.data.AUTOTUNE), steps


def _divisor_up_to(limit, steps):
    """The largest divisor of ``steps`` that is at most ``limit``."""
    return max(d for d in range(1, min(limit, steps) + 1) if steps % d == 0)


class _EarlyStoppingPerSeed(keras.callbacks.Callback):
    """``EarlyStopping(patience, restore_best_weights=True)`` for every
    copy on its own; training ends when every copy has stopped."""

    def __init__(self, seeds, patience, variables, shapes):
        super().__init__()
        self.patience, self.variables, self.shapes = patience, variables, shapes
        self.best = [np.inf] * seeds
        self.wait = [0] * seeds
        self.stopped = [None] * seeds  # epoch at which each copy stopped
        self.best_weights = [None] * seeds

    def _weights(self, k):
        return seed_weights(self.variables, self.shapes, k)

    def on_epoch_end(self, epoch, logs=None):
        for k, stopped in enumerate(self.stopped):
            if stopped is not None:
                continue
            current = logs[f"val_loss_{k}"]
            if self.best_weights[k] is None:
                self.best_weights[k] = self._weights(k)
            self.wait[k] += 1
            if current < self.best[k]:
                self.best[k], self.wait[k] = current, 0
                self.best_weights[k] = self._weights(k)
            elif self.wait[k] >= self.patience and epoch > 0:
                self.stopped[k] = epoch
        if all(stopped is not None for stopped in self.stopped):
            self.model.stop_training = True


class SeedRuns:
    """What ``fit_seeds`` returns: one training run per seed.

    Attributes:
        seeds: the seeds, in order.
        history: per seed, a dict like ``History.history``: ``"loss"``
            (and ``"val_loss"``, and each metric) per epoch.
        weights: per seed, a list of arrays for ``model.set_weights``.
        model: the vectorised model, holding every seed's final weights.
    """

    def __init__(self, seeds, history, weights, model):
        self.seeds, self.history = seeds, history
        self.weights, self.model = weights, model

    def load(self, model, k):
        """Give ``model`` the weights of the ``k``-th seed; return it."""
        model.set_weights(self.weights[k])
        return model

    def predict(self, x, batch_size=256):
        """Every seed's outputs for ``x``: ``(seeds, samples, ...)``."""
        parts = list(x) if isinstance(x, (list, tuple)) else [x]
        tiled = [
            np.repeat(np.asarray(p)[:, None], len(self.seeds), axis=1)
            for p in parts
        ]
        out = self.model.predict(
            tiled if len(tiled) > 1 else tiled[0],
            batch_size=batch_size,
            verbose=0,
        )
        return np.moveaxis(out, 1, 0)


def fit_seeds(
    model,
    x,
    y,
    *,
    seeds,
    epochs,
    batch_size=32,
    validation_data=None,
    patience=None,
    metrics=(),
    shuffle=True,
    passes_per_epoch=1,
    jit_compile=None,
    verbose=0,
):
    """Train one copy of ``model`` per seed, all in one program.

    Copy ``k`` starts from the weights ``model`` would have if built after
    ``keras.utils.set_random_seed(seeds[k])``, shuffles with
    ``np.random.default_rng(seeds[k])`` and has its own optimizer state:
    it trains as ``model.fit`` would, given that start and that order.

    Args:
        model: a compiled ``keras.Model`` (one loss; see ``vectorise`` for
            the layers it may hold). It is not changed.
        x: inputs ``(samples, ...)``, or a list of arrays for several.
        y: targets ``(samples, ...)``.
        seeds: the seeds, e.g. ``range(5)``.
        epochs: epochs (each ``passes_per_epoch`` passes over the data).
        batch_size: samples per step.
        validation_data: ``(x_val, y_val)``, evaluated after every epoch.
        patience: early stopping per seed on its validation loss, keeping
            its best weights, like ``EarlyStopping(patience=...,
            restore_best_weights=True)``. Needs ``validation_data``.
        metrics: names or functions ``f(y_true, y_pred)`` also logged per
            seed, e.g. ``["sparse_categorical_accuracy"]``.
        shuffle: reshuffle before every pass.
        passes_per_epoch: passes over the data per epoch (per history entry).
        jit_compile: compile with XLA; ``None``: as ``model`` was compiled.
        verbose: passed to ``fit``.

    Returns:
        A ``SeedRuns``: per-seed ``history`` and ``weights``.
    """
    if not isinstance(model, keras.Model) or not model.compiled:
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
        )
    seeds = list(seeds)
    if not all(isinstance(s, (int, np.integer)) for s in seeds) or any(
        isinstance(s, bool) for s in seeds
    ):
        raise TypeError(f"seeds must be integers, got {seeds!r}")
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(
            f"seeds must be one or more distinct integers >= 0, got {seeds}"
        )
    seeds = [int(s) for s in seeds]
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    passes = check_positive_int(passes_per_epoch, "passes_per_epoch")
    if patience is not None and validation_data is None:
        raise ValueError("patience needs validation_data to watch")
    if isinstance(metrics, str):
        metrics = [metrics]
    if any(m in ("accuracy", "acc") for m in metrics):
        raise ValueError(
            "name the accuracy: 'sparse_categorical_accuracy', "
            "'categorical_accuracy' or 'binary_accuracy'"
        )
    if any(getattr(t, "_keras_mask", None) is not None for t in model.outputs):
        raise ValueError(
            "the model's output carries a mask (e.g. from "
            "Embedding(mask_zero=True)): Keras would average the loss over "
            "the unmasked steps of all copies together, so the copies would "
            "not train as they do alone; train it with model.fit"
        )
    if patience is not None:
        patience = check_positive_int(patience, "patience")
    if validation_data is not None and (
        not isinstance(validation_data, (tuple, list))
        or len(validation_data) != 2
    ):
        raise ValueError(
            "validation_data must be a pair (x_val, y_val), got "
            f"{type(validation_data).__name__}"
        )
    parts, y = _check_data(model, x, y, "x, y")
    n = len(seeds)
    vectorised, variables = vectorise(model, n)
    order = _shuffles(seeds, len(y), epochs * passes, shuffle)
    data, steps = _dataset(parts, y, order, batch_size)
    loss = _as_loss(model.loss)
    functions = {"loss": loss.call} | dict(map(_metric_function, metrics))
    vectorised.compile(
        optimizer=_optimizer_copy(model.optimizer),
        loss=_SumOverSeeds(loss, n),
        metrics=[_PerSeedMean(f, n, name) for name, f in functions.items()],
        jit_compile=model.jit_compile if jit_compile is None else jit_compile,
        steps_per_execution=_divisor_up_to(
            model.steps_per_execution, steps * passes
        ),  # whole epochs: no batch of the next pass is drawn early
    )
    starts = []  # each seed's initial weights, as a model built afresh
    for seed in seeds:
        seed_initializers(seed)
        starts.append(keras.models.clone_model(model).get_weights())
    shapes = [tuple(w.shape) for w in model.weights]
    put_weights(variables, starts)
    callbacks, validation = [], None
    if validation_data is not None:
        val_parts, y_val = _check_data(
            model, *validation_data, "validation_data"
        )
        tiled = [np.repeat(p[:, None], n, axis=1) for p in val_parts]
        validation = (
            tiled if len(tiled) > 1 else tiled[0],
            np.repeat(y_val[:, None], n, axis=1),
        )
    if patience is not None:
        callbacks.append(_EarlyStoppingPerSeed(n, patience, variables, shapes))
    logs = vectorised.fit(
        data,
        epochs=epochs,
        steps_per_epoch=steps * passes,
        validation_data=validation,
        validation_batch_size=1024,
        callbacks=callbacks,
        shuffle=False,  # the dataset holds every copy's own order
        verbose=verbose,
    ).history
    weights = [seed_weights(variables, shapes, k) for k in range(n)]
    history = []
    for k in range(n):
        last = len(logs["loss"])
        if patience is not None:
            stop = callbacks[0].stopped[k]
            last = last if stop is None else stop + 1
            weights[k] = callbacks[0].best_weights[k]
        history.append(
            {
                prefix + name: logs[f"{prefix}{name}_{k}"][:last]
                for name in functions
                for prefix in ("", "val_")
                if f"{prefix}{name}_{k}" in logs
            }
        )
    put_weights(variables, weights)  # the kept weights, all seeds
    return SeedRuns(seeds, history, weights, vectorised)
