"""Encoder-decoder LSTMs: read a whole sequence, then write another one.

The encoder-decoder chapter of the book embeds the sections marked ``--8<--``
below: text to integers and back, the ``RepeatVector`` encoder-decoder (with
an optional bidirectional encoder), the plain aligned LSTM it is compared
with, the teacher-forcing encoder-decoder and its greedy decoding loop, and
two helpers that make repeated training runs cheap.
"""

# --8<-- [start:imports]
import keras
import numpy as np
import tensorflow as tf

from lstm_recipes.checks import check_positive_int, check_sequences
from lstm_recipes.seeding import seed_initializers

# --8<-- [end:imports]

__all__ = [
    "beam_search",
    "best_aligned_accuracy",
    "build_aligned_lstm",
    "build_repeat_vector",
    "build_teacher_forcing",
    "character_accuracy",
    "decode_texts",
    "draw_sequence_mappings",
    "encode_texts",
    "greedy_decode",
    "make_dataset",
    "reset_weights",
    "sequence_accuracy",
    "shift_right",
]


# --8<-- [start:text]
def _check_alphabet(alphabet):
    if not isinstance(alphabet, str) or len(alphabet) < 2:
        raise TypeError(
            f"alphabet must be a str of at least 2 characters, got {alphabet!r}"
        )
    if len(set(alphabet)) != len(alphabet):
        repeated = sorted({c for c in alphabet if alphabet.count(c) > 1})
        raise ValueError(
            f"alphabet must not repeat characters, {alphabet!r} repeats "
            f"{repeated}"
        )
    return alphabet


def encode_texts(texts, alphabet, length, *, pad=" "):
    """Turn strings into rows of character indices, padded to ``length``.

    Args:
        texts: a list of strings, e.g. ``["12+7", "3+45"]``.
        alphabet: every character that may occur, in a fixed order; a
            character's index in it is its code, e.g. ``" +0123456789="``.
        length: time steps per row; shorter strings get ``pad`` at the end.
        pad: the padding character; it must be in ``alphabet``.

    Returns:
        int32 array ``(samples, length)``; ``keras.utils.to_categorical``
        turns it into one-hot rows ``(samples, length, len(alphabet))``.
    """
    alphabet = _check_alphabet(alphabet)
    length = check_positive_int(length, "length")
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TypeError(
            f"texts must be a list of strings, got {type(texts).__name__}"
        )
    if not texts:
        raise ValueError("texts must hold at least one string")
    if pad not in alphabet:
        raise ValueError(f"pad {pad!r} is not in alphabet {alphabet!r}")
    index = {char: i for i, char in enumerate(alphabet)}
    codes = np.full((len(texts), length), index[pad], dtype="int32")
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{row}] must be a str, got {text!r}")
        if len(text) > length:
            raise ValueError(
                f"texts[{row}] = {text!r} has {len(text)} characters, more "
                f"than length = {length}"
            )
        unknown = sorted(set(text) - set(alphabet))
        if unknown:
            raise ValueError(
                f"texts[{row}] = {text!r} has characters {unknown} that are "
                f"not in alphabet {alphabet!r}"
            )
        codes[row, : len(text)] = [index[char] for char in text]
    return codes


def decode_texts(codes, alphabet, *, pad=" ", end=None):
    """Turn rows of indices, or of predicted probabilities, into strings.

    Args:
        codes: int array ``(samples, steps)``, or probabilities
            ``(samples, steps, len(alphabet))`` whose ``argmax`` is taken.
        alphabet: the alphabet the codes were made with.
        pad: trailing padding characters are removed.
        end: an end-of-sequence character, or ``None``; each string is
            cut before its first ``end``, which is dropped.

    Returns:
        A list of ``samples`` strings.
    """
    alphabet = _check_alphabet(alphabet)
    if end is not None and end not in alphabet:
        raise ValueError(f"end {end!r} is not in alphabet {alphabet!r}")
    codes = np.asarray(codes)
    if codes.ndim == 3:
        if codes.shape[-1] != len(alphabet):
            raise ValueError(
                f"codes has {codes.shape[-1]} classes per step, but alphabet "
                f"{alphabet!r} has {len(alphabet)} characters; decode with "
                "the alphabet the model was trained with"
            )
        codes = codes.argmax(axis=-1)
    if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(
            "codes must be integers (samples, steps) or probabilities "
            f"(samples, steps, classes), got {codes.dtype} {codes.shape}"
        )
    if codes.size and (codes.min() < 0 or codes.max() >= len(alphabet)):
        raise ValueError(
            f"codes must lie in [0, {len(alphabet)}) for alphabet "
            f"{alphabet!r}, got values from {codes.min()} to {codes.max()}"
        )
    texts = ["".join(alphabet[i] for i in row) for row in codes]
    if end is not None:
        texts = [text.split(end, 1)[0] for text in texts]
    return [text.rstrip(pad) for text in texts]


# --8<-- [end:text]


# --8<-- [start:compile]
def _compile(model, loss, learning_rate, steps_per_execution, metrics=None):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=loss,
        metrics=metrics,
        steps_per_execution=check_positive_int(
            steps_per_execution, "steps_per_execution"
        ),
    )
    return model


# --8<-- [end:compile]


# --8<-- [start:metrics]
@keras.saving.register_keras_serializable(package="lstm_recipes")
def sequence_accuracy(y_true, y_pred):
    """Keras metric: 1 for an answer whose characters are all right.

    ``y_true`` holds integer codes ``(samples, steps)``, ``y_pred`` the
    probabilities ``(samples, steps, classes)``. Steps whose target is
    code 0, the padding after the answer, are not counted. With
    ``compile(metrics=[sequence_accuracy])`` Keras reports the mean: the
    share of exactly right answers.
    """
    predicted = keras.ops.argmax(y_pred, axis=-1)
    y_true = keras.ops.cast(y_true, predicted.dtype)
    right = keras.ops.equal(predicted, y_true) | keras.ops.equal(y_true, 0)
    return keras.ops.cast(keras.ops.all(right, axis=-1), "float32")


@keras.saving.register_keras_serializable(package="lstm_recipes")
def character_accuracy(y_true, y_pred):
    """Keras metric: the share of an answer's characters that are right.

    Shapes as in ``sequence_accuracy``; padding (code 0) is not counted,
    so an answer ``"19."`` has 3 characters. Keras averages the shares
    over the answers.
    """
    predicted = keras.ops.argmax(y_pred, axis=-1)
    y_true = keras.ops.cast(y_true, predicted.dtype)
    counted = keras.ops.cast(keras.ops.not_equal(y_true, 0), "float32")
    right = keras.ops.cast(keras.ops.equal(predicted, y_true), "float32")
    return keras.ops.sum(right * counted, axis=-1) / keras.ops.maximum(
        keras.ops.sum(counted, axis=-1), 1.0
    )


# --8<-- [end:metrics]


# --8<-- [start:build_repeat_vector]
def build_repeat_vector(
    time_steps,
    features,
    output_steps,
    outputs,
    *,
    units=32,
    bidirectional=False,
    output_activation=None,
    loss="mean_squared_error",
    unroll=False,
    learning_rate=0.01,
    steps_per_execution=10,
    metrics=None,
):
    """The ``RepeatVector`` encoder-decoder: read all, then write all.

    The encoder LSTM reads ``(samples, time_steps, features)`` and returns
    its last hidden state, one vector per sample. ``RepeatVector`` copies
    that vector ``output_steps`` times; the decoder LSTM reads the copies
    and returns one hidden state per output step; ``TimeDistributed(Dense)``
    maps each of them to the ``outputs`` values of that step.

    Args:
        time_steps: input steps per sample.
        features: input values per step.
        output_steps: output steps per sample.
        outputs: output values per step (the number of classes with
            ``output_activation="softmax"``).
        units: units of the encoder and of the decoder LSTM.
        bidirectional: wrap the encoder in ``Bidirectional``, which reads
            the input forwards and backwards and concatenates the two last
            states (``2 * units`` values).
        output_activation: ``None`` (linear) for regression, ``"softmax"``
            to predict one class out of ``outputs`` at each step.
        loss: e.g. ``"mean_squared_error"``, or
            ``"sparse_categorical_crossentropy"`` with integer targets
            ``(samples, output_steps)``.
        unroll: unroll the LSTM loops into the graph; for short sequences
            this can train faster, at the price of a slower first ``fit``
            (measure it: the performance appendix finds less than 2x either
            way on TensorFlow and a slowdown on JAX). ``False`` keeps the
            cuDNN kernel on a GPU.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the graph.
        metrics: passed to ``compile``, e.g. ``[sequence_accuracy]``.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, time_steps, features)``
        to ``(samples, output_steps, outputs)``.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    output_steps = check_positive_int(output_steps, "output_steps")
    outputs = check_positive_int(outputs, "outputs")
    units = check_positive_int(units, "units")
    if not isinstance(bidirectional, bool):
        raise TypeError(
            f"bidirectional must be True or False, got {bidirectional!r}"
        )

    inputs = keras.Input(shape=(time_steps, features))
    encoder = keras.layers.LSTM(units, unroll=unroll)  # last state only
    if bidirectional:
        encoder = keras.layers.Bidirectional(encoder)  # 2 * units values
    summary = encoder(inputs)  # (samples, units)
    repeated = keras.layers.RepeatVector(output_steps)(summary)
    decoded = keras.layers.LSTM(units, return_sequences=True, unroll=unroll)(
        repeated
    )
    step_output = keras.layers.Dense(outputs, activation=output_activation)
    predictions = keras.layers.TimeDistributed(step_output)(decoded)
    name = (
        "bidirectional_encoder_decoder" if bidirectional else "encoder_decoder"
    )
    model = keras.Model(inputs, predictions, name=name)
    return _compile(model, loss, learning_rate, steps_per_execution, metrics)


# --8<-- [end:build_repeat_vector]


# --8<-- [start:build_aligned_lstm]
def build_aligned_lstm(
    time_steps,
    features,
    outputs,
    *,
    units=32,
    output_activation="softmax",
    loss="sparse_categorical_crossentropy",
    unroll=False,
    learning_rate=0.01,
    steps_per_execution=10,
):
    """A plain LSTM with one output per input step (many-to-many, aligned).

    Output step ``t`` is computed from the hidden state after input step
    ``t``: it can use the inputs up to ``t``, never the ones after.

    Args:
        time_steps: steps per sample, read and written.
        features: input values per step.
        outputs: output values per step (classes with ``"softmax"``).
        units: units of the LSTM.
        output_activation: activation of the ``Dense`` layer applied at
            every step.
        loss: e.g. ``"sparse_categorical_crossentropy"`` with integer
            targets ``(samples, time_steps)``.
        unroll: unroll the LSTM loop (see ``build_repeat_vector``).
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the graph.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, time_steps, features)``
        to ``(samples, time_steps, outputs)``.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    features = check_positive_int(features, "features")
    outputs = check_positive_int(outputs, "outputs")
    units = check_positive_int(units, "units")
    inputs = keras.Input(shape=(time_steps, features))
    states = keras.layers.LSTM(units, return_sequences=True, unroll=unroll)(
        inputs
    )
    step_output = keras.layers.Dense(outputs, activation=output_activation)
    predictions = keras.layers.TimeDistributed(step_output)(states)
    model = keras.Model(inputs, predictions, name="aligned_lstm")
    return _compile(model, loss, learning_rate, steps_per_execution)


def best_aligned_accuracy(questions, answers):
    """The highest exact accuracy that any aligned model can reach.

    An aligned model writes answer character ``t`` right after reading
    question character ``t``, so its answers are a function of question
    prefixes. For each prefix, this picks the output character that keeps
    the most answers entirely right, whatever the rest of the question:
    no model of this kind, however trained, answers more of ``questions``.

    Args:
        questions: a list of question strings, e.g. ``["12+7", "95+5"]``.
        answers: a list of answer strings, one per question; answers are
            padded to the length of the longest question.

    Returns:
        The best exact-sequence accuracy, a float in [0, 1].
    """
    if not isinstance(questions, list) or not isinstance(answers, list):
        raise TypeError("questions and answers must be lists of strings")
    if len(questions) != len(answers) or not questions:
        raise ValueError(
            f"questions and answers must be non-empty and of equal length, "
            f"got {len(questions)} and {len(answers)}"
        )
    length = max(len(q) for q in questions + answers)
    pairs = [
        (q.ljust(length), a.ljust(length)) for q, a in zip(questions, answers)
    ]

    def most_right(t, group):  # group: same question[:t], answer[:t] right
        if t == length:
            return len(group)
        total = 0
        for read in {q[t] for q, _ in group}:  # the next character read
            same = [(q, a) for q, a in group if q[t] == read]
            total += max(  # the best character to write now
                most_right(t + 1, [(q, a) for q, a in same if a[t] == write])
                for write in {a[t] for _, a in same}
            )
        return total

    return most_right(0, pairs) / len(pairs)


# --8<-- [end:build_aligned_lstm]


# --8<-- [start:build_teacher_forcing]
def build_teacher_forcing(
    time_steps,
    output_steps,
    classes,
    *,
    units=32,
    unroll=False,
    learning_rate=0.01,
    steps_per_execution=10,
    metrics=None,
):
    """The teacher-forcing encoder-decoder, with its two inference models.

    The encoder LSTM reads the one-hot input ``(samples, time_steps,
    classes)`` and hands its final hidden and cell states to the decoder
    LSTM as ``initial_state``. In training, the decoder reads the target
    shifted right by one step (a start character, then the true characters
    but the last; see ``shift_right``) and predicts the next character at
    each step. At inference the true characters are unknown, so
    ``greedy_decode`` feeds back the decoder's own choices, one step at a
    time, with the two inference models returned here. All three models
    share the same layers, hence the same trained weights.

    Args:
        time_steps: input characters per sample.
        output_steps: output characters per sample.
        classes: size of the alphabet (inputs and outputs share it).
        units: units of the encoder and of the decoder LSTM.
        unroll: unroll the LSTM loops (see ``build_repeat_vector``).
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: optimizer steps per call into the graph.
        metrics: passed to ``compile``, e.g. ``[sequence_accuracy]``.

    Returns:
        model: the training model, compiled: ``[(samples, time_steps,
            classes), (samples, output_steps, classes)]`` -> ``(samples,
            output_steps, classes)`` probabilities, trained with integer
            targets ``(samples, output_steps)`` and sparse categorical
            cross-entropy.
        encoder: ``(samples, time_steps, classes)`` -> ``[h, c]``, each
            ``(samples, units)``.
        decoder: ``[(samples, 1, classes), h, c]`` -> ``[probabilities, h,
            c]``, one step at a time.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    output_steps = check_positive_int(output_steps, "output_steps")
    classes = check_positive_int(classes, "classes")
    units = check_positive_int(units, "units")

    source = keras.Input(shape=(time_steps, classes), name="question")
    _, h, c = keras.layers.LSTM(units, return_state=True, unroll=unroll)(source)

    shifted = keras.Input(shape=(output_steps, classes), name="shifted")
    decoder_lstm = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, unroll=unroll
    )
    decoder_output = keras.layers.TimeDistributed(
        keras.layers.Dense(classes, activation="softmax")
    )
    states, _, _ = decoder_lstm(shifted, initial_state=[h, c])
    model = keras.Model(
        [source, shifted], decoder_output(states), name="teacher_forcing"
    )
    _compile(
        model,
        "sparse_categorical_crossentropy",
        learning_rate,
        steps_per_execution,
        metrics,
    )

    encoder = keras.Model(source, [h, c], name="encoder")
    previous = keras.Input(shape=(1, classes), name="previous")
    h_in = keras.Input(shape=(units,), name="h")
    c_in = keras.Input(shape=(units,), name="c")
    step_states, h_out, c_out = decoder_lstm(
        previous, initial_state=[h_in, c_in]
    )
    decoder = keras.Model(
        [previous, h_in, c_in],
        [decoder_output(step_states), h_out, c_out],
        name="decoder",
    )
    return model, encoder, decoder


# --8<-- [end:build_teacher_forcing]


# --8<-- [start:shift_right]
def shift_right(codes, start):
    """The decoder's training input: the start code, then the target but
    its last step. ``[[3, 4, 0]]`` with ``start=12`` gives ``[[12, 3, 4]]``.

    Args:
        codes: int array ``(samples, steps)``, the target characters.
        start: the code of the start character.

    Returns:
        An int array ``(samples, steps)`` of the same dtype as ``codes``.
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(
            f"codes must be integers (samples, steps), got {codes.dtype} "
            f"{codes.shape}"
        )
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
        raise TypeError(f"start must be an integer code, got {start!r}")
    if start < 0:
        raise ValueError(f"start must be a code >= 0, got {start}")
    first = np.full((len(codes), 1), start, dtype=codes.dtype)
    return np.concatenate([first, codes[:, :-1]], axis=1)


# --8<-- [end:shift_right]


# --8<-- [start:greedy_decode]
def _check_decoding(encoder, decoder, x, alphabet, steps, start, end):
    """Check the arguments of the decoding loops; the inputs as arrays."""
    alphabet = _check_alphabet(alphabet)
    steps = check_positive_int(steps, "steps")
    for name, model in [("encoder", encoder), ("decoder", decoder)]:
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"{name} must be a keras.Model (the {name} returned by "
                f"build_teacher_forcing), got {type(model).__name__}"
            )
    classes = decoder.outputs[0].shape[-1]
    if len(alphabet) != classes:
        raise ValueError(
            f"alphabet has {len(alphabet)} characters but the decoder "
            f"predicts {classes} classes; use the training alphabet, got "
            f"{alphabet!r}"
        )
    for name, char in [("start", start), ("end", end)]:
        if (char is not None or name == "start") and char not in alphabet:
            raise ValueError(f"{name} {char!r} is not in alphabet {alphabet!r}")
    x = check_sequences(x, "x")
    if x.shape[1:] != tuple(encoder.inputs[0].shape[1:]):
        raise ValueError(
            f"x must have shape (samples, "
            f"{', '.join(map(str, encoder.inputs[0].shape[1:]))}) for this "
            f"encoder, got {x.shape}"
        )
    return alphabet, steps, x


def _step(decoder, tokens, h, c):
    """One decoder step for a batch: the probabilities and the new states."""
    classes = decoder.outputs[0].shape[-1]
    one_hot = keras.utils.to_categorical(tokens, classes)[:, None, :]
    probabilities, h, c = (
        keras.ops.convert_to_numpy(out) for out in decoder([one_hot, h, c])
    )
    return probabilities[:, 0], h, c


def greedy_decode(encoder, decoder, x, alphabet, *, steps, start="=", end=None):
    """Write the answers one character at a time, feeding back each choice.

    The encoder turns ``x`` into the decoder's first states. At every step
    the decoder reads the previous character (the start character first),
    predicts a distribution over the alphabet, and the most likely
    character becomes the next input: greedy decoding. With an ``end``
    character, an answer is finished when the decoder writes it, and the
    loop stops as soon as every answer is finished, or after ``steps``.

    Args:
        encoder: the encoder inference model of ``build_teacher_forcing``.
        decoder: the one-step decoder model of ``build_teacher_forcing``.
        x: one-hot questions ``(samples, time_steps, classes)``.
        alphabet: the alphabet the model was trained with; its length must
            be the decoder's number of classes.
        steps: the most characters to write (the end character included).
        start: the start character, as in training.
        end: the end-of-sequence character, or ``None`` to write ``steps``
            characters.

    Returns:
        A list of ``samples`` strings, without the end character and
        trailing blanks.
    """
    alphabet, steps, x = _check_decoding(
        encoder, decoder, x, alphabet, steps, start, end
    )
    stop = -1 if end is None else alphabet.index(end)
    h, c = (keras.ops.convert_to_numpy(s) for s in encoder(x))
    token = np.full(len(x), alphabet.index(start))
    finished = np.zeros(len(x), dtype=bool)
    codes = []
    for _ in range(steps):
        probabilities, h, c = _step(decoder, token, h, c)
        token = probabilities.argmax(axis=-1)  # the likeliest character
        codes.append(np.where(finished, 0, token))  # blanks once finished
        finished |= token == stop
        if finished.all():
            break
    return decode_texts(np.stack(codes, axis=1), alphabet, end=end)


# --8<-- [end:greedy_decode]


# --8<-- [start:beam_search]
def beam_search(
    encoder, decoder, x, alphabet, *, steps, beam_width=3, start="=", end=None
):
    """Keep the ``beam_width`` likeliest partial answers at every step.

    Greedy decoding commits to the likeliest character at each step. Beam
    search keeps ``beam_width`` candidates per question, each with the sum
    of the log-probabilities of its characters. At each step every
    candidate is extended by every character, and the ``beam_width`` best
    extensions are kept. A candidate that has written ``end`` is finished:
    it is kept as it is, with its score. After ``steps`` steps, or when
    every candidate is finished, the best candidate is the answer. With
    ``beam_width=1`` this is greedy decoding.

    Args:
        encoder: the encoder inference model of ``build_teacher_forcing``.
        decoder: its decoder inference model (one step).
        x: one-hot questions ``(samples, time_steps, classes)``.
        alphabet: the alphabet the model was trained with.
        steps: the most characters to write (the end character included).
        beam_width: candidates kept per question, at least 1.
        start: the start character, as in training.
        end: the end-of-sequence character, or ``None``.

    Returns:
        A list of ``samples`` strings, without the end character and
        trailing blanks.
    """
    alphabet, steps, x = _check_decoding(
        encoder, decoder, x, alphabet, steps, start, end
    )
    k = check_positive_int(beam_width, "beam_width")
    classes, n = len(alphabet), len(x)
    stop = -1 if end is None else alphabet.index(end)
    h, c = (
        np.repeat(keras.ops.convert_to_numpy(s), k, axis=0) for s in encoder(x)
    )  # (n * k, units): candidate j of question i is row i * k + j
    tokens = np.full((n, k), alphabet.index(start))
    scores = np.full((n, k), -np.inf)
    scores[:, 0] = 0.0  # at first there is one candidate: the start
    finished = np.zeros((n, k), dtype=bool)
    codes = np.zeros((n, k, 0), dtype=int)
    for _ in range(steps):
        probabilities, h, c = _step(decoder, tokens.reshape(-1), h, c)
        with np.errstate(divide="ignore"):
            log_p = np.log(probabilities).reshape(n, k, classes)
        # a finished candidate goes on with a blank, at no cost
        log_p[finished] = -np.inf
        log_p[finished, 0] = 0.0
        total = (scores[..., None] + log_p).reshape(n, k * classes)
        best = np.argsort(-total, axis=1, kind="stable")[:, :k]
        parent, tokens = best // classes, best % classes
        scores = np.take_along_axis(total, best, axis=1)
        codes = np.concatenate(
            [
                np.take_along_axis(codes, parent[..., None], 1),
                tokens[..., None],
            ],
            axis=2,
        )
        finished = np.take_along_axis(finished, parent, 1) | (tokens == stop)
        rows = (np.arange(n)[:, None] * k + parent).reshape(-1)
        h, c = h[rows], c[rows]
        if finished.all():
            break
    winner = codes[np.arange(n), scores.argmax(axis=1)]
    return decode_texts(winner, alphabet, end=end)


# --8<-- [end:beam_search]


# --8<-- [start:make_dataset]
def make_dataset(
    inputs, targets, *, batch_size=32, passes=1, seed=0, any_length=False
):
    """A ``tf.data.Dataset`` that makes ``passes`` shuffled passes.

    ``model.fit(make_dataset(x, y, passes=20))`` trains for 20 passes over
    the samples in a single Keras epoch, so Keras's fixed cost per epoch is
    paid once; the samples are reshuffled at every pass.

    Args:
        inputs: an array ``(samples, ...)``, or a tuple of arrays for a
            model with several inputs.
        targets: an array ``(samples, ...)``.
        batch_size: samples per optimizer step.
        passes: passes over the samples per Keras epoch.
        seed: seed of the shuffle (TensorFlow combines it with its global
            seed, which ``keras.utils.set_random_seed`` sets).
        any_length: leave the time axis of the inputs open (``None``) in
            the dataset's shapes. ``fit`` traces its training step for the
            shapes of the data; a model built for any length then traces
            it once for datasets of all lengths, not again for each one.

    Returns:
        A ``tf.data.Dataset`` of ``(inputs, targets)`` batches, ``passes``
        times ``ceil(samples / batch_size)`` of them.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    passes = check_positive_int(passes, "passes")
    if not isinstance(any_length, bool):
        raise TypeError(f"any_length must be True or False, got {any_length!r}")
    parts = inputs if isinstance(inputs, tuple) else (inputs,)
    lengths = [len(part) for part in parts] + [len(targets)]
    if len(set(lengths)) != 1:
        raise ValueError(
            f"inputs and targets must have the same number of samples, got "
            f"{lengths}"
        )
    data = tf.data.Dataset.from_tensor_slices((inputs, targets))
    data = data.shuffle(lengths[0], seed=seed, reshuffle_each_iteration=True)
    if any_length:  # (time_steps, ...) -> (None, ...); nothing is padded
        x_spec, y_spec = data.element_spec
        open_time = tf.nest.map_structure(
            lambda spec: [None, *spec.shape[1:]], x_spec
        )
        data = data.padded_batch(
            batch_size, padded_shapes=(open_time, y_spec.shape)
        )
    else:
        data = data.batch(batch_size)
    return data.repeat(passes).prefetch(tf.data.AUTOTUNE)


# --8<-- [end:make_dataset]


# --8<-- [start:reset_weights]
def reset_weights(model, seed):
    """Start a compiled model afresh: new weights from ``seed``, new optimizer.

    The first ``fit`` of a model traces its training step into a graph,
    which costs seconds. Training the same model again from other seeds
    need not pay that again: after ``seed_initializers(seed)`` every
    weight is drawn anew by its initializer (from a clone of the model, so
    the same seed gives the same weights), and the optimizer's state (step
    count, moment estimates) is set back to zero. TensorFlow's seed is left
    alone, so the compiled graph is kept.

    Args:
        model: a compiled ``keras.Model`` whose initializers have no fixed
            seed (the Keras default).
        seed: an integer; the same seed gives the same weights.

    Returns:
        The same ``model``, reset in place.
    """
    if not isinstance(model, keras.Model) or model.optimizer is None:
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    seed_initializers(seed)
    model.set_weights(keras.models.clone_model(model).get_weights())
    optimizer = model.optimizer
    if optimizer.built:
        schedule = isinstance(
            optimizer._learning_rate,
            keras.optimizers.schedules.LearningRateSchedule,
        )
        learning_rate = None if schedule else float(optimizer.learning_rate)
        for variable in optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        if learning_rate is not None:  # a schedule restarts at step 0
            optimizer.learning_rate = learning_rate
    return model


# --8<-- [end:reset_weights]


def draw_sequence_mappings():
    """Draw the five input/output shapes of recurrent models in one figure.

    Each panel shows input steps (bottom), recurrent steps (middle) and
    output steps (top) with arrows, plus the Keras layers that make it. The
    panels have as many steps as the models the chapter builds: a sequence
    of 4 input steps, and 4 (one-to-many) or 3 (unaligned many-to-many)
    output steps. In the unaligned panel the decoder starts from zero
    states; ``RepeatVector`` hands it the encoder's last hidden state as
    its input at every step.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    colors = {"x": "#fbe3a6", "h": "#cfe0f3", "y": "#d9ead3"}
    # (title, cells: (position, what it reads, writes output, continues
    #  the state of the cell before), Keras layers); a cell reads "x", an
    #  input step, or "h", the encoder's last hidden state (RepeatVector)
    panels = [
        ("one-to-one", [(0, "x", True, False)], "LSTM\nDense"),
        (  # RepeatVector hands the same x to every step
            "one-to-many",
            [(i, "x", True, i > 0) for i in range(4)],
            "RepeatVector\nLSTM(return_sequences)\nTimeDistributed",
        ),
        (
            "many-to-one",
            [(i, "x", i == 3, i > 0) for i in range(4)],
            "LSTM\nDense",
        ),
        (
            "many-to-many aligned",
            [(i, "x", True, i > 0) for i in range(4)],
            "LSTM(return_sequences)\nTimeDistributed",
        ),
        (  # encoder: 4 steps; decoder: 3 steps, each reading the summary
            "many-to-many unaligned",
            [(i, "x", False, i > 0) for i in range(4)]
            + [(i, "h", True, i > 4) for i in range(4, 7)],
            "LSTM, RepeatVector\nLSTM(return_sequences)\nTimeDistributed",
        ),
    ]
    fig, axes = plt.subplots(
        1,
        5,
        figsize=(13, 3.6),
        layout="constrained",
        gridspec_kw={"width_ratios": [1.2, 2.6, 2.6, 2.6, 4.4]},
    )

    def box(ax, x, y, text, color):
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.3, y - 0.22),
                0.6,
                0.44,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=color,
                edgecolor="#333333",
                linewidth=1,
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=9)

    def arrow(ax, start, end):
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "->", "color": "#444444", "lw": 1},
        )

    for ax, (title, cells, layers) in zip(axes, panels):
        for position, reads, writes, continues in cells:
            box(ax, position, 1, "h", colors["h"])
            box(ax, position, 0, reads, colors[reads])
            arrow(ax, (position, 0.22), (position, 0.78))
            if writes:
                box(ax, position, 2, "y", colors["y"])
                arrow(ax, (position, 1.22), (position, 1.78))
            if continues:
                arrow(ax, (position - 0.7, 1), (position - 0.3, 1))
        copies = [position for position, reads, _, _ in cells if reads == "h"]
        if copies:  # the encoder's last state, down to every copy of it
            last = copies[0] - 1
            middle = last + 0.5
            ax.plot(
                [last + 0.3, middle, middle, copies[-1]],
                [1, 1, -0.4, -0.4],
                color="#444444",
                lw=1,
            )
            for position in copies:
                arrow(ax, (position, -0.4), (position, -0.22))
        last = max(position for position, _, _, _ in cells)
        ax.set_xlim(-0.6, last + 0.6)
        ax.set_ylim(-1.7, 2.5)
        ax.set_title(title, fontsize=10)
        ax.text(
            last / 2,
            -0.6,
            layers,
            ha="center",
            va="top",
            fontsize=8,
            family="monospace",
        )
        ax.set_aspect("equal")
        ax.axis("off")
    return fig
