"""The encoder-decoder recipes: text codes, the three models, greedy decoding,
fresh starts, and the addition problems they are trained on."""

import importlib

import keras
import numpy as np
import pytest

from lstm_recipes.encoder_decoder import (
    beam_search,
    best_aligned_accuracy,
    build_aligned_lstm,
    build_repeat_vector,
    build_teacher_forcing,
    character_accuracy,
    decode_texts,
    draw_sequence_mappings,
    encode_texts,
    greedy_decode,
    make_dataset,
    reset_weights,
    sequence_accuracy,
    shift_right,
)
from lstm_recipes.problems import addition_problems

ALPHABET = " +0123456789="


# ---- the addition problems ----


def test_addition_problems_hold_out_both_orders_of_a_pair():
    train, test = addition_problems()
    assert len(train) + len(test) == 1900  # 900 pairs x 2 orders + 100
    seen = {q for q, _ in train}
    for question, answer in test:
        left, right = question.split("+")
        assert question not in seen and f"{right}+{left}" not in seen
        assert int(left) + int(right) == int(answer)
    assert 0.15 < len(test) / 1900 < 0.25


def test_addition_problems_are_seeded():
    assert addition_problems(seed=3) == addition_problems(seed=3)
    assert addition_problems(seed=3) != addition_problems(seed=4)
    train, test = addition_problems(20, 20, test_fraction=0.5)
    assert max(int(a) for _, a in train + test) == 40


def test_addition_problems_hold_out_validation_pairs_too():
    train, validation, test = addition_problems(99, 99, validation_fraction=0.1)
    assert len(train) + len(validation) + len(test) == 10000
    assert (train, test) != addition_problems(99, 99)  # a third part

    def pairs(problems):
        return {frozenset(q.split("+")) for q, _ in problems}

    assert not pairs(train) & pairs(validation)
    assert not pairs(train) & pairs(test)
    assert not pairs(validation) & pairs(test)
    assert 0.08 < len(validation) / 10000 < 0.12


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"validation_fraction": 1}, ValueError, r"validation_fraction must"),
        (
            {"test_fraction": 0.5, "validation_fraction": 0.5},
            ValueError,
            r"test_fraction \+ validation_fraction must be < 1",
        ),
        ({"largest": 0}, ValueError, r"largest must be an integer >= 1"),
        ({"small": 2.0}, TypeError, r"small must be an integer"),
        ({"largest": 5, "small": 9}, ValueError, r"small must be <= largest"),
        ({"test_fraction": 1.0}, ValueError, r"test_fraction must be"),
        ({"test_fraction": 0}, ValueError, r"test_fraction must be"),
    ],
)
def test_addition_problems_refuse_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        addition_problems(**kwargs)


# ---- text to codes and back ----


def test_encode_pads_and_decode_strips():
    codes = encode_texts(["12+7", "5"], ALPHABET, 4)
    assert codes.dtype == np.int32 and codes.shape == (2, 4)
    assert codes[1].tolist() == [ALPHABET.index("5"), 0, 0, 0]
    assert decode_texts(codes, ALPHABET) == ["12+7", "5"]
    probabilities = keras.utils.to_categorical(codes, len(ALPHABET))
    assert decode_texts(probabilities, ALPHABET) == ["12+7", "5"]


@pytest.mark.parametrize(
    ("texts", "alphabet", "length", "error", "message"),
    [
        (["12+7"], ALPHABET, 3, ValueError, r"texts\[0\] = '12\+7' has 4"),
        (["1-2"], ALPHABET, 4, ValueError, r"characters \['-'\]"),
        ("12+7", ALPHABET, 4, TypeError, r"texts must be a list"),
        ([], ALPHABET, 4, ValueError, r"at least one string"),
        ([12], ALPHABET, 4, TypeError, r"texts\[0\] must be a str"),
        (["1"], "0123", 4, ValueError, r"pad ' ' is not in alphabet"),
        (["1"], " 11", 4, ValueError, r"must not repeat characters"),
        (["1"], ALPHABET, 0, ValueError, r"length must be an integer >= 1"),
    ],
)
def test_encode_refuses_bad_input(texts, alphabet, length, error, message):
    with pytest.raises(error, match=message):
        encode_texts(texts, alphabet, length)


def test_decode_refuses_the_wrong_alphabet():
    probabilities = np.zeros((2, 3, 12))
    with pytest.raises(ValueError, match=r"12 classes per step, but alphabet"):
        decode_texts(probabilities, ALPHABET)
    with pytest.raises(ValueError, match=r"codes must lie in \[0, 13\)"):
        decode_texts(np.array([[13, 0]]), ALPHABET)
    with pytest.raises(ValueError, match=r"codes must be integers"):
        decode_texts(np.array([1.0, 2.0]), ALPHABET)


def test_decode_cuts_at_the_end_character():
    codes = encode_texts(["19. 3", "7.", "123"], ALPHABET + ".", 5)
    assert decode_texts(codes, ALPHABET + ".", end=".") == ["19", "7", "123"]
    with pytest.raises(ValueError, match=r"end '\.' is not in alphabet"):
        decode_texts(codes[:, :1], ALPHABET, end=".")


def test_sequence_and_character_accuracy_skip_the_padding():
    y_true = np.array([[3, 4, 2, 0], [5, 2, 0, 0], [6, 2, 0, 0]])
    written = np.array([[3, 4, 2, 7], [5, 3, 0, 0], [1, 1, 0, 0]])
    y_pred = keras.utils.to_categorical(written, 13)
    exact = keras.ops.convert_to_numpy(sequence_accuracy(y_true, y_pred))
    np.testing.assert_array_equal(exact, [1.0, 0.0, 0.0])
    share = keras.ops.convert_to_numpy(character_accuracy(y_true, y_pred))
    np.testing.assert_allclose(share, [1.0, 0.5, 0.0])


def test_shift_right_puts_the_start_first():
    codes = np.array([[3, 4, 0], [5, 0, 0]])
    np.testing.assert_array_equal(
        shift_right(codes, 12), [[12, 3, 4], [12, 5, 0]]
    )
    with pytest.raises(ValueError, match=r"codes must be integers"):
        shift_right(np.array([1, 2]), 12)
    with pytest.raises(TypeError, match=r"start must be an integer"):
        shift_right(codes, "=")
    with pytest.raises(ValueError, match=r"start must be a code >= 0"):
        shift_right(codes, -1)


# ---- the models ----


def test_repeat_vector_model_shapes_and_layers():
    model = build_repeat_vector(4, 13, 3, 13, units=8)
    assert model.input_shape == (None, 4, 13)
    assert model.output_shape == (None, 3, 13)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "InputLayer",
        "LSTM",
        "RepeatVector",
        "LSTM",
        "TimeDistributed",
    ]
    assert model.loss == "mean_squared_error"


def test_bidirectional_encoder_doubles_the_summary():
    model = build_repeat_vector(18, 1, 18, 1, units=16, bidirectional=True)
    wrapper = model.layers[1]
    assert isinstance(wrapper, keras.layers.Bidirectional)
    assert wrapper.output.shape == (None, 32)
    assert model.output_shape == (None, 18, 1)
    with pytest.raises(TypeError, match=r"bidirectional must be True"):
        build_repeat_vector(18, 1, 18, 1, bidirectional="yes")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"output_steps": 0}, ValueError, r"output_steps must be an integer"),
        ({"units": 2.5}, TypeError, r"units must be an integer"),
        ({"steps_per_execution": 0}, ValueError, r"steps_per_execution"),
    ],
)
def test_repeat_vector_refuses_bad_arguments(kwargs, error, message):
    arguments = {
        "time_steps": 4,
        "features": 13,
        "output_steps": 3,
        "outputs": 13,
    } | kwargs
    with pytest.raises(error, match=message):
        build_repeat_vector(**arguments)


def test_aligned_lstm_cannot_see_later_inputs():
    keras.utils.set_random_seed(1)
    model = build_aligned_lstm(4, 13, 13, units=8)
    assert model.output_shape == (None, 4, 13)
    x = keras.utils.to_categorical(
        encode_texts(["12+7", "12+8"], ALPHABET, 4), 13
    )
    out = np.asarray(model(x))
    np.testing.assert_allclose(out[0, :3], out[1, :3], rtol=1e-5)
    assert not np.allclose(out[0, 3], out[1, 3])


def test_best_aligned_accuracy_by_hand():
    # Reading "1" the model must write "1" or "2": one of the two is lost.
    assert best_aligned_accuracy(["1+1", "1+9"], ["2", "10"]) == 0.5
    # Answers decided by the first character can all be right.
    assert best_aligned_accuracy(["1+1", "2+1"], ["2", "3"]) == 1.0
    with pytest.raises(ValueError, match=r"equal length"):
        best_aligned_accuracy(["1+1"], [])
    with pytest.raises(TypeError, match=r"lists of strings"):
        best_aligned_accuracy("1+1", "2")


def test_teacher_forcing_models_share_their_weights():
    model, encoder, decoder = build_teacher_forcing(4, 3, 13, units=8)
    assert [tuple(i.shape) for i in model.inputs] == [
        (None, 4, 13),
        (None, 3, 13),
    ]
    assert model.output_shape == (None, 3, 13)
    assert [tuple(o.shape) for o in encoder.outputs] == [(None, 8), (None, 8)]
    assert tuple(decoder.outputs[0].shape) == (None, 1, 13)
    trained = {id(w) for w in model.weights}
    assert {id(w) for w in encoder.weights} <= trained
    assert {id(w) for w in decoder.weights} <= trained


def test_greedy_decoding_follows_the_step_by_step_model():
    keras.utils.set_random_seed(2)
    model, encoder, decoder = build_teacher_forcing(4, 3, 13, units=8)
    x = keras.utils.to_categorical(
        encode_texts(["12+7", "3+4", "99+9"], ALPHABET, 4), 13
    )
    answers = greedy_decode(encoder, decoder, x, ALPHABET, steps=3)
    assert len(answers) == 3 and all(isinstance(a, str) for a in answers)
    # Teacher forcing with the greedy answers as targets reproduces them.
    codes = encode_texts(answers, ALPHABET, 3)
    shifted = keras.utils.to_categorical(shift_right(codes, 12), 13)
    again = np.asarray(model([x, shifted])).argmax(axis=-1)
    np.testing.assert_array_equal(again, codes)


def test_greedy_decode_refuses_a_wrong_vocabulary_or_shape():
    _, encoder, decoder = build_teacher_forcing(4, 3, 13, units=4)
    x = np.zeros((2, 4, 13), dtype="float32")
    with pytest.raises(ValueError, match=r"alphabet has 12 characters but"):
        greedy_decode(encoder, decoder, x, "0123456789+=", steps=3)
    with pytest.raises(ValueError, match=r"start '#' is not in alphabet"):
        greedy_decode(encoder, decoder, x, ALPHABET, steps=3, start="#")
    with pytest.raises(ValueError, match=r"x must have shape \(samples, 4"):
        greedy_decode(encoder, decoder, x[:, :3], ALPHABET, steps=3)
    with pytest.raises(ValueError, match=r"steps must be an integer >= 1"):
        greedy_decode(encoder, decoder, x, ALPHABET, steps=0)


def markov_models(table, alphabet, units=2):
    """A hand-built encoder and one-step decoder: the decoder's next
    character depends only on the previous one, ``table[previous]``; the
    states pass through unchanged."""
    classes = len(alphabet)
    previous = keras.Input(shape=(1, classes))
    h = keras.Input(shape=(units,))
    c = keras.Input(shape=(units,))
    step = keras.layers.Dense(classes, use_bias=False, activation="softmax")
    decoder = keras.Model(
        [previous, h, c],
        [
            step(previous),
            keras.layers.Identity()(h),
            keras.layers.Identity()(c),
        ],
    )
    step.set_weights([np.log(np.maximum(table, 1e-9))])
    question = keras.Input(shape=(2, classes))
    flat = keras.layers.Flatten()(question)
    zeros = [
        keras.layers.Dense(units, kernel_initializer="zeros")(flat)
        for _ in range(2)
    ]
    return keras.Model(question, zeros), decoder


MARKOV = " =.ab"  # pad, start, end and two letters


def markov_table(rows):
    table = np.zeros((5, 5))
    table[:, 0] = 1.0  # pad and anything not listed: a blank
    for previous, nexts in rows.items():
        table[MARKOV.index(previous)] = 0.0
        for char, p in nexts.items():
            table[MARKOV.index(previous), MARKOV.index(char)] = p
    return table


def test_greedy_decoding_stops_at_the_end_character():
    # "=" -> "a" -> "." -> "b" -> "b" ...: without an end, it goes on.
    table = markov_table(
        {"=": {"a": 1.0}, "a": {".": 1.0}, ".": {"b": 1.0}, "b": {"b": 1.0}}
    )
    encoder, decoder = markov_models(table, MARKOV)
    x = np.zeros((3, 2, 5), dtype="float32")
    assert greedy_decode(encoder, decoder, x, MARKOV, steps=4) == ["a.bb"] * 3
    stopped = greedy_decode(encoder, decoder, x, MARKOV, steps=50, end=".")
    assert stopped == ["a"] * 3
    short = greedy_decode(encoder, decoder, x, MARKOV, steps=1, end=".")
    assert short == ["a"] * 3  # the most steps: one character, no end


def test_beam_search_finds_what_greedy_decoding_misses():
    # Greedy takes "a" (0.55), then "." (0.4): "a" with probability 0.22.
    # "b" (0.45), then "." (0.9) is likelier: 0.405.
    table = markov_table(
        {
            "=": {"a": 0.55, "b": 0.45},
            "a": {".": 0.4, "a": 0.3, "b": 0.3},
            "b": {".": 0.9, "a": 0.05, "b": 0.05},
        }
    )
    encoder, decoder = markov_models(table, MARKOV)
    x = np.zeros((2, 2, 5), dtype="float32")
    greedy = greedy_decode(encoder, decoder, x, MARKOV, steps=5, end=".")
    assert greedy == ["a", "a"]
    for width in (2, 3):
        beam = beam_search(
            encoder, decoder, x, MARKOV, steps=5, end=".", beam_width=width
        )
        assert beam == ["b", "b"]
    one = beam_search(
        encoder, decoder, x, MARKOV, steps=5, end=".", beam_width=1
    )
    assert one == greedy


@pytest.mark.parametrize("end", [None, "."])
def test_beam_search_of_width_one_is_greedy_decoding(end):
    keras.utils.set_random_seed(4)
    alphabet = ALPHABET + "."
    _, encoder, decoder = build_teacher_forcing(4, 3, 14, units=8)
    questions = ["12+7", "3+4", "99+9", "0+0", "45+6", "8+80"]
    x = keras.utils.to_categorical(encode_texts(questions, alphabet, 4), 14)
    greedy = greedy_decode(encoder, decoder, x, alphabet, steps=4, end=end)
    beam = beam_search(
        encoder, decoder, x, alphabet, steps=4, end=end, beam_width=1
    )
    assert beam == greedy


def test_beam_search_refuses_bad_arguments():
    _, encoder, decoder = build_teacher_forcing(4, 3, 14, units=4)
    x = np.zeros((2, 4, 14), dtype="float32")
    alphabet = ALPHABET + "."
    with pytest.raises(ValueError, match=r"beam_width must be an integer"):
        beam_search(encoder, decoder, x, alphabet, steps=3, beam_width=0)
    with pytest.raises(TypeError, match=r"beam_width must be an integer"):
        beam_search(encoder, decoder, x, alphabet, steps=3, beam_width=2.0)
    with pytest.raises(ValueError, match=r"end '#' is not in alphabet"):
        beam_search(encoder, decoder, x, alphabet, steps=3, end="#")
    with pytest.raises(TypeError, match=r"encoder must be a keras.Model"):
        beam_search("encoder", decoder, x, alphabet, steps=3)
    with pytest.raises(TypeError, match=r"decoder must be a keras.Model"):
        greedy_decode(encoder, None, x, alphabet, steps=3)
    with pytest.raises(ValueError, match=r"x must have shape"):
        beam_search(encoder, decoder, x[0], alphabet, steps=3)


def test_teacher_forcing_learns_a_copy_task():
    """A few seconds of training: copy the first three characters."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    codes = rng.integers(2, 12, size=(600, 4)).astype("int32")
    x = keras.utils.to_categorical(codes, 13)
    y = codes[:, :3]
    model, encoder, decoder = build_teacher_forcing(
        4, 3, 13, units=24, learning_rate=0.02
    )
    shifted = keras.utils.to_categorical(shift_right(y, 12), 13)
    model.fit(
        make_dataset((x, shifted), y, batch_size=50, passes=15),
        verbose=0,
        shuffle=False,
    )
    answers = greedy_decode(encoder, decoder, x[:100], ALPHABET, steps=3)
    right = np.mean(
        [a == t for a, t in zip(answers, decode_texts(y[:100], ALPHABET))]
    )
    assert right > 0.5, right


# ---- training helpers ----


def test_make_dataset_makes_shuffled_passes():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1)
    y = np.arange(10)
    data = make_dataset(x, y, batch_size=4, passes=3, seed=1)
    batches = [b[1].numpy() for b in data]
    assert len(batches) == 9  # 3 batches per pass
    seen = np.concatenate(batches)
    for i in range(3):
        assert sorted(seen[10 * i : 10 * (i + 1)]) == list(range(10))
    assert not np.array_equal(seen[:10], seen[10:20])  # reshuffled
    two = make_dataset((x, x), y, batch_size=5)
    (first, second), _ = next(iter(two))
    assert first.shape == second.shape == (5, 1, 1)
    with pytest.raises(ValueError, match=r"same number of samples"):
        make_dataset(x, y[:5])
    with pytest.raises(ValueError, match=r"passes must be an integer >= 1"):
        make_dataset(x, y, passes=0)


def test_make_dataset_any_length_opens_the_time_axis_only():
    x = np.arange(30, dtype="float32").reshape(10, 3, 1)
    y = np.arange(10)
    fixed = make_dataset(x, y, batch_size=4, passes=2, seed=1)
    free = make_dataset(x, y, batch_size=4, passes=2, seed=1, any_length=True)
    assert fixed.element_spec[0].shape.as_list() == [None, 3, 1]
    assert free.element_spec[0].shape.as_list() == [None, None, 1]
    assert free.element_spec[1].shape.as_list() == [None]
    for (x_a, y_a), (x_b, y_b) in zip(fixed, free):  # same batches, no pads
        np.testing.assert_array_equal(x_a.numpy(), x_b.numpy())
        np.testing.assert_array_equal(y_a.numpy(), y_b.numpy())
    two = make_dataset((x, x[:, :2]), y, batch_size=5, any_length=True)
    assert [s.shape.as_list() for s in two.element_spec[0]] == [
        [None, None, 1],
        [None, None, 1],
    ]
    with pytest.raises(TypeError, match=r"any_length must be True or False"):
        make_dataset(x, y, any_length="yes")


def test_reset_weights_starts_afresh_from_the_seed():
    model = build_repeat_vector(6, 1, 2, 1, units=4, bidirectional=True)
    x = np.random.default_rng(0).random((32, 6, 1), dtype="float32")
    reset_weights(model, 5)
    first = [w.copy() for w in model.get_weights()]
    model.fit(x, x[:, :2], epochs=2, verbose=0)
    assert int(model.optimizer.iterations) > 0
    trained = model.get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(first, trained))
    reset_weights(model, 5)
    for a, b in zip(first, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    slots = [v for v in model.optimizer.variables if v.name != "learning_rate"]
    assert slots and not any(np.any(np.asarray(v)) for v in slots)
    reset_weights(model, 6)
    assert not np.array_equal(first[0], model.get_weights()[0])


def test_reset_weights_then_fit_repeats_a_run():
    x = np.random.default_rng(0).random((32, 6, 1), dtype="float32")
    model = build_repeat_vector(6, 1, 2, 1, units=4)
    # On JAX, a compiled model's first fit reads one batch to build its loss
    # and then restarts the data, which the shuffle reshuffles: fit once
    # first, so that both runs below see the same batches on every backend.
    model.fit(x[:8], x[:8, :2], verbose=0)
    runs = []
    for _ in range(2):
        reset_weights(model, 3)
        model.fit(
            make_dataset(x, x[:, :2], batch_size=8, seed=3),
            verbose=0,
            shuffle=False,
        )
        runs.append(model.get_weights())
    for a, b in zip(*runs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_reset_weights_restarts_a_schedule():
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
        [1], [0.1, 0.01]
    )  # 0.1 for steps 0 and 1, then 0.01
    model = build_repeat_vector(6, 1, 2, 1, units=4, learning_rate=schedule)
    x = np.random.default_rng(0).random((8, 6, 1), dtype="float32")
    model.fit(x, x[:, :2], batch_size=4, epochs=2, verbose=0)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    reset_weights(model, 0)
    assert int(model.optimizer.iterations) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)


def test_reset_weights_refuses_what_it_cannot_reset():
    with pytest.raises(TypeError, match=r"compiled keras.Model"):
        reset_weights("model", 0)
    model = build_repeat_vector(3, 1, 2, 1, units=2)
    with pytest.raises(TypeError, match=r"seed must be an integer"):
        reset_weights(model, 0.5)


def test_the_shapes_figure_has_five_panels():
    figure = draw_sequence_mappings()
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == [
        "one-to-one",
        "one-to-many",
        "many-to-one",
        "many-to-many aligned",
        "many-to-many unaligned",
    ]

    def texts(ax):
        return [t.get_text() for t in ax.texts]

    one_to_one, one_to_many, many_to_one, aligned, unaligned = figure.axes
    for ax in (one_to_one, many_to_one):  # as the page's code builds them
        assert "LSTM\nDense" in texts(ax)
    # RepeatVector hands the input to the LSTM at every output step
    assert texts(one_to_many).count("x") == texts(one_to_many).count("y") == 4
    # the page's sequence has 4 steps; unaligned: RepeatVector(3)
    for ax in (many_to_one, aligned, unaligned):
        assert texts(ax).count("x") == 4
    assert texts(aligned).count("y") == 4
    assert texts(unaligned).count("y") == 3
    # 4 encoder and 3 decoder states, and below the decoder, as its input at
    # every step, 3 copies of the encoder's last state
    assert texts(unaligned).count("h") == 4 + 3 + 3
    assert len(unaligned.lines) == 1  # the line that carries the copies


def test_keras_2_module_paths_the_chapter_replaces_are_gone():
    """The migration rows: wrappers and core are no modules in Keras 3."""
    for module in ("keras.layers.wrappers", "keras.layers.core"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(module)
    assert hasattr(keras.layers, "RepeatVector")
    assert hasattr(keras.layers, "TimeDistributed")
