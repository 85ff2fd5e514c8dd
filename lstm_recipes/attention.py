"""Attention: let the decoder look back at every step of the encoder.

The attention chapter of the book embeds the sections marked ``--8<--``
below: dot-product (Luong) and additive (Bahdanau) attention in plain NumPy,
computed exactly as ``keras.layers.Attention`` and
``keras.layers.AdditiveAttention`` compute them (masks included); a copy
task whose sequences have every length from a few digits to dozens;
batches of similar lengths; the teacher-forcing encoder-decoder with Luong
attention or without, with its step-by-step greedy decoding.
"""

# --8<-- [start:imports]
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from lstm_recipes.checks import as_number_array, check_positive_int

# --8<-- [end:imports]

__all__ = [
    "PAD",
    "START",
    "VOCABULARY",
    "Seq2Seq",
    "additive_attention",
    "build_attention_decoder",
    "copy_data",
    "decoder_inputs",
    "dot_product_attention",
    "greedy_decode",
    "length_batches",
    "reverse_tokens",
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


# --8<-- [start:copy_data]
PAD, START = 0, 1  # token 0 pads, token 1 starts the decoder; digit d is d+2
VOCABULARY = 12


def copy_data(samples, min_length, max_length, *, seed=0):
    """Digit sequences of random lengths, to be written out again.

    Each sequence holds ``min_length`` to ``max_length`` random digits
    (each length equally likely). A digit ``d`` is the token ``d + 2``;
    rows are padded with ``PAD`` (0) after their last digit. The target is
    the input itself: the model must copy it, so everything it writes
    depends on everything it read, and the longer the sequence, the more a
    single summary vector would have to hold.

    Args:
        samples: number of sequences.
        min_length: fewest digits in a sequence, at least 1.
        max_length: most digits, at least ``min_length``; the width of the
            arrays.

    Returns:
        ``source`` int32 ``(samples, max_length)``, ``target`` int32
        ``(samples, max_length)`` (equal to ``source``) and ``lengths`` int
        ``(samples,)``, the number of digits in each row.
    """
    samples = check_positive_int(samples, "samples")
    min_length = check_positive_int(min_length, "min_length")
    max_length = check_positive_int(max_length, "max_length")
    if max_length < min_length:
        raise ValueError(
            f"max_length must be >= min_length = {min_length}, got {max_length}"
        )
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=samples)
    digits = rng.integers(0, 10, size=(samples, max_length)) + 2
    steps = np.arange(max_length)
    source = np.where(steps < lengths[:, None], digits, PAD).astype("int32")
    return source, source.copy(), lengths


def _check_tokens(tokens, name):
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(
            f"{name} must be integer tokens (samples, steps), got "
            f"{tokens.dtype} {tokens.shape}"
        )
    real = tokens != PAD
    if np.any(~real[:, :-1] & real[:, 1:]):
        raise ValueError(f"{name} must have its padding (0) after the tokens")
    return tokens, real


def decoder_inputs(target):
    """The teacher-forcing input: ``START``, then the target but its last
    token; padding stays padding. ``[[5, 6, 7, 0]]`` gives ``[[1, 5, 6,
    0]]``.

    Args:
        target: int tokens ``(samples, steps)``, padded with 0 at the end.

    Returns:
        int32 array ``(samples, steps)``.
    """
    target, real = _check_tokens(target, "target")
    shifted = np.concatenate(
        [np.full((len(target), 1), START), target[:, :-1]], axis=1
    )
    return np.where(real, shifted, PAD).astype("int32")


def reverse_tokens(tokens):
    """Reverse each row's tokens, leaving its padding at the end:
    ``[[5, 6, 7, 0]]`` gives ``[[7, 6, 5, 0]]``.

    Args:
        tokens: int tokens ``(samples, steps)``, padded with 0 at the end.

    Returns:
        int32 array ``(samples, steps)``.
    """
    tokens, real = _check_tokens(tokens, "tokens")
    lengths = real.sum(axis=1, keepdims=True)
    steps = np.arange(tokens.shape[1])
    index = np.where(steps < lengths, lengths - 1 - steps, steps)
    return np.take_along_axis(tokens, index, axis=1).astype("int32")


# --8<-- [end:copy_data]


# --8<-- [start:length_batches]
def length_batches(inputs, target, *, batch_size, steps, width=10, seed=0):
    """Batches of sequences of similar length, each cut to its longest.

    Rows are grouped by length into buckets ``width`` steps wide (1 to
    ``width`` tokens, then up to ``2 * width``, ...); each batch is drawn
    from one bucket and cut to the bucket's width, so a batch of short
    sequences costs few time steps. Sequences of different lengths still
    share a batch, padded; the model's mask hides the padding.

    Args:
        inputs: a tuple of int arrays ``(samples, max_steps)``, padded with
            0 at the end, e.g. ``(source, decoder_inputs(target))``.
        target: int array ``(samples, max_steps)``, padded alike; its
            non-zero tokens give each row's length.
        batch_size: rows per batch.
        steps: number of batches (optimizer steps) in the dataset.
        width: width of a bucket, in time steps.
        seed: seed of the shuffle.

    Returns:
        A ``tf.data.Dataset`` of ``steps`` batches ``(inputs, target)``,
        the time axis left open (``None``).
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    steps = check_positive_int(steps, "steps")
    width = check_positive_int(width, "width")
    if not isinstance(inputs, tuple):
        raise TypeError(f"inputs must be a tuple of arrays, got {inputs!r}")
    target, real = _check_tokens(target, "target")
    arrays = [np.asarray(part) for part in inputs] + [target]
    if len({array.shape for array in arrays}) != 1:
        raise ValueError(
            f"inputs and target must have the same shape, got "
            f"{[array.shape for array in arrays]}"
        )
    buckets = -(-real.sum(axis=1) // width)  # 1: up to width tokens, ...
    rng = np.random.default_rng(seed)
    plan = []  # (rows, width) of every batch
    while len(plan) < steps:
        order = rng.permutation(len(target))
        one_pass = []
        for bucket in np.unique(buckets):
            rows = order[buckets[order] == bucket]
            for start in range(0, len(rows), batch_size):
                one_pass.append((rows[start : start + batch_size], bucket))
        plan += [one_pass[i] for i in rng.permutation(len(one_pass))]

    def batches():
        for rows, bucket in plan[:steps]:
            cut = [array[rows, : bucket * width] for array in arrays]
            yield tuple(cut[:-1]), cut[-1]

    spec = tf.TensorSpec((None, None), tf.int32)
    return tf.data.Dataset.from_generator(
        batches, output_signature=((spec,) * len(inputs), spec)
    ).prefetch(tf.data.AUTOTUNE)


# --8<-- [end:length_batches]


# --8<-- [start:build_attention_decoder]
class Seq2Seq(NamedTuple):
    """The models of ``build_attention_decoder``; they share their layers."""

    model: keras.Model
    scores: keras.Model | None
    encoder: keras.Model
    decoder: keras.Model


def build_attention_decoder(
    vocabulary,
    *,
    units=32,
    embedding=16,
    attention=True,
    mask=True,
    learning_rate=0.01,
    steps_per_execution=10,
):
    """The teacher-forcing encoder-decoder, with Luong attention or without.

    An ``Embedding`` (``mask_zero=mask``) turns the tokens of the source
    ``(samples, Tv)`` and of the decoder's input ``(samples, Tq)`` (see
    ``decoder_inputs``) into vectors. The encoder LSTM returns its state at
    every step ``(samples, Tv, units)`` and hands its final states to the
    decoder LSTM, whose state at every step ``(samples, Tq, units)`` is the
    query. With ``attention=True`` an ``Attention`` layer named
    ``"attention"`` scores every encoder state against each query (a dot
    product), and the weighted sum of encoder states, the context, joins
    the query: ``Dense(units, "tanh")`` reads both, as in Luong et al.
    (2015). Without attention it reads the query alone. A last
    ``Dense(vocabulary, "softmax")`` gives the next token's probabilities.
    With ``mask=True`` padded steps (token 0) are skipped by the LSTMs, get
    attention weight 0 and do not count in the loss.

    Args:
        vocabulary: number of tokens, padding and start included.
        units: units of each LSTM.
        embedding: values per token.
        attention: add the attention layer.
        mask: mask padded steps (``Embedding(mask_zero=True)``).
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the graph.

    Returns:
        A ``Seq2Seq`` of four models sharing their layers:
        ``model``, ``[source, decoder input] -> (samples, Tq, vocabulary)``
        probabilities, compiled with sparse categorical cross-entropy;
        ``scores``, the same inputs ``-> (samples, Tq, Tv)`` attention
        weights (``None`` without attention); ``encoder``, ``source ->
        [states, h, c]``; and ``decoder``, one step at a time:
        ``[token (samples, 1), states, source, h, c] -> [probabilities
        (samples, 1, vocabulary), h, c, weights (samples, 1, Tv)]``
        (no weights without attention).
    """
    vocabulary = check_positive_int(vocabulary, "vocabulary")
    units = check_positive_int(units, "units")
    embedding = check_positive_int(embedding, "embedding")
    for name, flag in (("attention", attention), ("mask", mask)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")

    embed = keras.layers.Embedding(vocabulary, embedding, mask_zero=mask)
    encoder_lstm = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, name="encoder"
    )
    decoder_lstm = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, name="decoder"
    )
    attend = keras.layers.Attention(name="attention") if attention else None
    mix = keras.layers.Dense(units, activation="tanh", name="mix")
    output = keras.layers.Dense(vocabulary, activation="softmax", name="next")

    def write(queries, states, value_mask):
        """Next-token probabilities (and weights) from decoder states."""
        if attend is None:
            return output(mix(queries)), None
        extra = {} if value_mask is None else {"mask": [None, value_mask]}
        context, weights = attend(
            [queries, states], return_attention_scores=True, **extra
        )
        mixed = mix(keras.layers.Concatenate()([queries, context]))
        return output(mixed), weights

    source = keras.Input(shape=(None,), dtype="int32", name="source")
    shifted = keras.Input(shape=(None,), dtype="int32", name="shifted")
    states, h, c = encoder_lstm(embed(source))
    queries, _, _ = decoder_lstm(embed(shifted), initial_state=[h, c])
    # In the training graph the masks travel with the tensors.
    probabilities, weights = write(queries, states, None)
    model = keras.Model([source, shifted], probabilities, name="seq2seq")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        steps_per_execution=check_positive_int(
            steps_per_execution, "steps_per_execution"
        ),
    )
    scores = None
    if attention:
        scores = keras.Model([source, shifted], weights, name="scores")
    encoder = keras.Model(source, [states, h, c], name="encoder")

    token = keras.Input(shape=(1,), dtype="int32", name="token")
    states_in = keras.Input(shape=(None, units), name="states")
    source_in = keras.Input(shape=(None,), dtype="int32", name="source")
    h_in = keras.Input(shape=(units,), name="h")
    c_in = keras.Input(shape=(units,), name="c")
    query, h_out, c_out = decoder_lstm(embed(token), initial_state=[h_in, c_in])
    value_mask = keras.ops.not_equal(source_in, PAD) if mask else None
    step_probabilities, step_weights = write(query, states_in, value_mask)
    outputs = [step_probabilities, h_out, c_out]
    if attention:
        outputs.append(step_weights)
    decoder = keras.Model(
        [token, states_in, source_in, h_in, c_in], outputs, name="decoder"
    )
    return Seq2Seq(model, scores, encoder, decoder)


# --8<-- [end:build_attention_decoder]


# --8<-- [start:greedy_decode]
def greedy_decode(parts, source, steps=None):
    """Write every output token by feeding back the likeliest one.

    The encoder reads ``source`` once; then the one-step decoder reads
    ``START``, and at every later step the token it chose last.

    Args:
        parts: a ``Seq2Seq`` from ``build_attention_decoder``.
        source: int tokens ``(samples, Tv)``, padded with 0 at the end.
        steps: tokens to write; ``None``: ``Tv``.

    Returns:
        ``tokens`` int ``(samples, steps)`` and the attention ``weights``
        ``(samples, steps, Tv)`` of every step (``None`` without
        attention).
    """
    if not isinstance(parts, Seq2Seq):
        raise TypeError(
            f"parts must be the Seq2Seq of build_attention_decoder, got "
            f"{type(parts).__name__}"
        )
    source, _ = _check_tokens(source, "source")
    steps = source.shape[1] if steps is None else steps
    steps = check_positive_int(steps, "steps")
    # predict_on_batch runs a compiled step: much faster than model(x)
    states, h, c = parts.encoder.predict_on_batch(source)
    token = np.full((len(source), 1), START, dtype="int32")
    tokens, weights = [], []
    for _ in range(steps):
        probabilities, h, c, *step_weights = parts.decoder.predict_on_batch(
            [token, states, source, h, c]
        )
        token = probabilities.argmax(-1).astype("int32")  # (samples, 1)
        tokens.append(token[:, 0])
        weights += [w[:, 0] for w in step_weights]
    return np.stack(tokens, 1), np.stack(weights, 1) if weights else None


# --8<-- [end:greedy_decode]
