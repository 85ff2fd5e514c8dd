"""Attention: let the decoder look back at every step of the encoder.

The attention chapter of the book embeds the sections marked ``--8<--``
below: dot-product (Luong) and additive (Bahdanau) attention in plain NumPy,
computed exactly as ``keras.layers.Attention`` and
``keras.layers.AdditiveAttention`` compute them (masks included); a recall
problem in which each output sits at its own, distant input position; the
``RepeatVector`` encoder-decoder with and without an attention layer over
the encoder's per-step outputs; and the measurement of where the trained
attention looks.
"""

# --8<-- [start:imports]
import keras
import numpy as np

from lstm_recipes.checks import as_number_array, check_positive_int

# --8<-- [end:imports]

__all__ = [
    "additive_attention",
    "alignment",
    "attention_weights",
    "build_attention_seq2seq",
    "dot_product_attention",
    "marked_recall_data",
]


# --8<-- [start:check_inputs]
def _check_attention_inputs(query, value, key, query_mask, value_mask):
    query = as_number_array(query, "query", dtype="float64")
    value = as_number_array(value, "value", dtype="float64")
    key = value if key is None else as_number_array(key, "key", dtype="float64")
    for name, array in (("query", query), ("value", value), ("key", key)):
        if array.ndim != 3 or 0 in array.shape:
            raise ValueError(
                f"{name} must have shape (samples, steps, dim), got shape "
                f"{array.shape}"
            )
    if value.shape[0] != query.shape[0]:
        raise ValueError(
            f"query and value must hold the same number of samples, got "
            f"query {query.shape} and value {value.shape}"
        )
    if key.shape[:2] != value.shape[:2]:
        raise ValueError(
            f"key must have shape ({value.shape[0]}, {value.shape[1]}, dim) "
            f"like value {value.shape}, got {key.shape}"
        )
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(
            f"query and key (the value if no key is given) must have the "
            f"same last dimension, got query {query.shape} and key "
            f"{key.shape}"
        )
    masks = []
    for name, mask, shape in (
        ("query_mask", query_mask, query.shape[:2]),
        ("value_mask", value_mask, value.shape[:2]),
    ):
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != shape or mask.dtype != bool:
                raise ValueError(
                    f"{name} must be a bool array of shape {shape}, got "
                    f"{mask.dtype} {mask.shape}"
                )
        masks.append(mask)
    return query, value, key, *masks


# --8<-- [end:check_inputs]


# --8<-- [start:apply_scores]
def _apply_scores(scores, value, query_mask, value_mask):
    """Masked softmax over the value steps, then the weighted sum."""
    if value_mask is not None:  # (samples, Tv): False steps get no weight
        scores = np.where(value_mask[:, None, :], scores, scores - 1e9)
    scores = scores - scores.max(axis=-1, keepdims=True)  # a stable softmax
    weights = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    context = weights @ value  # (samples, Tq, dim)
    if query_mask is not None:  # (samples, Tq): False steps output zeros
        context = np.where(query_mask[:, :, None], context, 0.0)
    return context, weights


# --8<-- [end:apply_scores]


# --8<-- [start:dot_product_attention]
def dot_product_attention(
    query, value, key=None, *, scale=None, query_mask=None, value_mask=None
):
    """Dot-product (Luong) attention, as ``keras.layers.Attention``.

    ``scores[b, i, j] = scale * query[b, i] . key[b, j]``, a softmax over
    ``j`` turns the scores into weights, and the context of query step ``i``
    is the weighted sum of the value vectors.

    Args:
        query: array ``(samples, Tq, dim)``, e.g. the decoder's states.
        value: array ``(samples, Tv, dim_v)``, e.g. the encoder's states.
        key: array ``(samples, Tv, dim)``; ``None``: the value is the key.
        scale: the layer's scalar ``scale`` weight (``use_scale=True``);
            ``None``: no scaling.
        query_mask: bool array ``(samples, Tq)``; the context of a False
            step is zero.
        value_mask: bool array ``(samples, Tv)``; False steps get weight 0.

    Returns:
        ``context`` of shape ``(samples, Tq, dim_v)`` and ``weights`` of
        shape ``(samples, Tq, Tv)``, each row of ``weights`` summing to 1.
    """
    query, value, key, query_mask, value_mask = _check_attention_inputs(
        query, value, key, query_mask, value_mask
    )
    scores = query @ key.transpose(0, 2, 1)  # (samples, Tq, Tv)
    if scale is not None:
        scores = scores * float(np.asarray(scale))
    return _apply_scores(scores, value, query_mask, value_mask)


# --8<-- [end:dot_product_attention]


# --8<-- [start:additive_attention]
def additive_attention(
    query, value, key=None, *, scale=None, query_mask=None, value_mask=None
):
    """Additive (Bahdanau) attention, as ``keras.layers.AdditiveAttention``.

    ``scores[b, i, j] = sum_d scale[d] * tanh(query[b, i, d] + key[b, j,
    d])``; the softmax and the weighted sum are those of
    ``dot_product_attention``. Bahdanau's original also projects query and
    key with learned matrices first; the Keras layer leaves that to
    ``Dense`` layers before it.

    Args:
        query: array ``(samples, Tq, dim)``.
        value: array ``(samples, Tv, dim_v)``.
        key: array ``(samples, Tv, dim)``; ``None``: the value is the key.
        scale: the layer's ``scale`` weight, shape ``(dim,)``
            (``use_scale=True``, the default); ``None``: all ones.
        query_mask: bool array ``(samples, Tq)``; the context of a False
            step is zero.
        value_mask: bool array ``(samples, Tv)``; False steps get weight 0.

    Returns:
        ``context`` ``(samples, Tq, dim_v)`` and ``weights``
        ``(samples, Tq, Tv)``.
    """
    query, value, key, query_mask, value_mask = _check_attention_inputs(
        query, value, key, query_mask, value_mask
    )
    dim = query.shape[-1]
    scale = np.ones(dim) if scale is None else np.asarray(scale, "float64")
    if scale.shape != (dim,):
        raise ValueError(
            f"scale must have shape ({dim},) to match query, got {scale.shape}"
        )
    pairs = np.tanh(query[:, :, None, :] + key[:, None, :, :])  # b, i, j, d
    scores = (pairs * scale).sum(axis=-1)  # (samples, Tq, Tv)
    return _apply_scores(scores, value, query_mask, value_mask)


# --8<-- [end:additive_attention]


# --8<-- [start:marked_recall_data]
def marked_recall_data(samples, time_steps, marks=2, *, seed=0):
    """Recall the marked digits of a long sequence, in the order of the marks.

    Each step holds a random digit 0-9 (one-hot, 10 values) and ``marks``
    marker flags. At ``marks`` random steps one flag is set: flag 0 at one
    step, flag 1 at another, and so on, anywhere in the sequence; every
    other digit is filler. Output step ``k`` is the digit at the step that
    carries flag ``k``: each output depends on one input step, and on
    nothing in between.

    Args:
        samples: number of sequences.
        time_steps: length of each sequence, at least ``marks``.
        marks: number of marker flags, i.e. of output steps.
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        ``x`` float32 ``(samples, time_steps, 10 + marks)``, ``y`` int32
        digits ``(samples, marks)`` and ``positions`` int ``(samples,
        marks)``, the input step that holds each target digit.
    """
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    marks = check_positive_int(marks, "marks")
    if time_steps < marks:
        raise ValueError(
            f"time_steps must be >= marks = {marks} to hold every mark, got "
            f"{time_steps}"
        )
    rng = np.random.default_rng(seed)
    digits = rng.integers(0, 10, size=(samples, time_steps))
    order = np.argsort(rng.random((samples, time_steps)), axis=1)
    positions = order[:, :marks]  # flag k is set at positions[:, k]
    rows = np.arange(samples)[:, None]
    flags = np.zeros((samples, time_steps, marks), dtype="float32")
    flags[rows, positions, np.arange(marks)] = 1.0
    x = np.concatenate(
        [keras.utils.to_categorical(digits, num_classes=10), flags], axis=-1
    )
    y = digits[rows, positions].astype("int32")
    return x.astype("float32"), y, positions


# --8<-- [end:marked_recall_data]


# --8<-- [start:build_attention_seq2seq]
def build_attention_seq2seq(
    features,
    output_steps,
    classes,
    *,
    units=16,
    attention=True,
    learning_rate=0.05,
    steps_per_execution=10,
):
    """The ``RepeatVector`` encoder-decoder, with or without attention.

    The encoder LSTM reads ``(samples, time_steps, features)`` and returns
    its state at every step ``(samples, time_steps, units)`` as well as its
    last state. As in ``build_repeat_vector``, the last state is repeated
    ``output_steps`` times and read by the decoder LSTM. With
    ``attention=True``, a ``keras.layers.Attention`` layer (named
    ``"attention"``) lets each decoder state (the query) weigh every
    encoder state (the values), and the weighted sum is concatenated to
    the decoder state before ``TimeDistributed(Dense(classes,
    "softmax"))``. Without it, the last encoder state is all the decoder
    knows. ``time_steps`` is left open, so one model (one traced graph)
    serves every sequence length.

    Args:
        features: input values per step.
        output_steps: output steps per sample.
        classes: classes per output step.
        units: units of the encoder and of the decoder LSTM.
        attention: add the attention layer.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the graph.

    Returns:
        A ``keras.Model`` compiled with sparse categorical cross-entropy,
        ``(samples, time_steps, features)`` -> ``(samples, output_steps,
        classes)`` probabilities.
    """
    features = check_positive_int(features, "features")
    output_steps = check_positive_int(output_steps, "output_steps")
    classes = check_positive_int(classes, "classes")
    units = check_positive_int(units, "units")
    if not isinstance(attention, bool):
        raise TypeError(f"attention must be True or False, got {attention!r}")

    inputs = keras.Input(shape=(None, features))
    encoder = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    states, last, _ = encoder(inputs)  # (samples, time_steps, units), ...
    repeated = keras.layers.RepeatVector(output_steps)(last)
    decoded = keras.layers.LSTM(units, return_sequences=True)(repeated)
    if attention:
        context = keras.layers.Attention(name="attention")([decoded, states])
        decoded = keras.layers.Concatenate()([decoded, context])
    step_output = keras.layers.Dense(classes, activation="softmax")
    predictions = keras.layers.TimeDistributed(step_output)(decoded)
    name = "attention_seq2seq" if attention else "encoder_decoder"
    model = keras.Model(inputs, predictions, name=name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        steps_per_execution=check_positive_int(
            steps_per_execution, "steps_per_execution"
        ),
    )
    return model


# --8<-- [end:build_attention_seq2seq]


# --8<-- [start:attention_weights]
def attention_weights(model, x):
    """The attention weights of a model of ``build_attention_seq2seq``.

    Calls the model's layers again on ``x``, with the layer named
    ``"attention"`` returning its weights (``return_attention_scores=
    True``); the trained weights are shared, nothing is copied.

    Args:
        model: a model built with ``attention=True``.
        x: inputs ``(samples, time_steps, features)``.

    Returns:
        float32 array ``(samples, output_steps, time_steps)``: how much
        each output step looks at each input step; rows sum to 1.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {model!r}")
    names = [layer.name for layer in model.layers]
    if "attention" not in names:
        raise ValueError(
            f"model {model.name!r} has no layer named 'attention'; build it "
            "with attention=True"
        )
    x = as_number_array(x, "x")
    if x.ndim != 3 or x.shape[-1] != model.input_shape[-1]:
        raise ValueError(
            f"x must have shape (samples, time_steps, "
            f"{model.input_shape[-1]}), got {x.shape}"
        )
    encoder, repeat, decoder, attention = (
        model.get_layer(index=i) for i in range(1, 5)
    )
    states, last, _ = encoder(x)
    decoded = decoder(repeat(last))
    _, weights = attention([decoded, states], return_attention_scores=True)
    return keras.ops.convert_to_numpy(weights)


# --8<-- [end:attention_weights]


# --8<-- [start:alignment]
def alignment(weights, positions):
    """How often the largest attention weight falls on the expected step.

    Args:
        weights: array ``(samples, output_steps, time_steps)``, e.g. from
            ``attention_weights``.
        positions: int array ``(samples, output_steps)``: for each output
            step, the input step that the task says it depends on.

    Returns:
        The fraction of output steps whose ``argmax`` weight is on that
        step, a float in [0, 1].
    """
    weights = as_number_array(weights, "weights")
    positions = np.asarray(positions)
    if weights.ndim != 3:
        raise ValueError(
            f"weights must have shape (samples, output_steps, time_steps), "
            f"got {weights.shape}"
        )
    if positions.shape != weights.shape[:2]:
        raise ValueError(
            f"positions must have shape {weights.shape[:2]} to match "
            f"weights {weights.shape}, got {positions.shape}"
        )
    if not np.issubdtype(positions.dtype, np.integer):
        raise TypeError(f"positions must be integers, got {positions.dtype}")
    if positions.min() < 0 or positions.max() >= weights.shape[2]:
        raise ValueError(
            f"positions must lie in [0, {weights.shape[2]}), got values from "
            f"{positions.min()} to {positions.max()}"
        )
    return float(np.mean(weights.argmax(axis=-1) == positions))


# --8<-- [end:alignment]
