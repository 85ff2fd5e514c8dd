"""The attention recipes: the NumPy reference against the Keras layers (masks
included, several shapes), the recall problem, the encoder-decoder with and
without attention, its attention weights and their alignment."""

import keras
import numpy as np
import pytest

from lstm_recipes.attention import (
    additive_attention,
    alignment,
    attention_weights,
    build_attention_seq2seq,
    dot_product_attention,
    marked_recall_data,
)

SHAPES = [  # samples, Tq, Tv, dim
    (1, 1, 2, 1),
    (2, 3, 5, 4),
    (4, 7, 2, 3),
]


def _inputs(samples, tq, tv, dim, seed=0):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(samples, tq, dim)).astype("float32")
    value = rng.normal(size=(samples, tv, dim)).astype("float32")
    key = rng.normal(size=(samples, tv, dim)).astype("float32")
    query_mask = rng.random((samples, tq)) > 0.3
    value_mask = rng.random((samples, tv)) > 0.3
    value_mask[:, 0] = True  # every query sees at least one value
    return query, value, key, query_mask, value_mask


def _keras(layer, inputs, mask):
    context, weights = layer(inputs, mask=mask, return_attention_scores=True)
    return keras.ops.convert_to_numpy(context), keras.ops.convert_to_numpy(
        weights
    )


# ---- the NumPy reference against keras.layers ----


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_key", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_dot_product_attention_matches_keras(shape, with_key, masked):
    query, value, key, query_mask, value_mask = _inputs(*shape)
    layer = keras.layers.Attention(use_scale=True)
    inputs = [query, value, key] if with_key else [query, value]
    layer.build([array.shape for array in inputs])
    layer.scale.assign(0.7)
    mask = [query_mask, value_mask] if masked else None
    context, weights = _keras(layer, inputs, mask)
    ours, our_weights = dot_product_attention(
        query,
        value,
        key if with_key else None,
        scale=layer.get_weights()[0],
        query_mask=query_mask if masked else None,
        value_mask=value_mask if masked else None,
    )
    assert ours.shape == (shape[0], shape[1], shape[3])
    assert np.allclose(ours, context, atol=1e-5)
    assert np.allclose(our_weights, weights, atol=1e-5)
    assert np.allclose(our_weights.sum(axis=-1), 1.0)


def test_dot_product_attention_without_scale_matches_the_default_layer():
    query, value, _, _, _ = _inputs(2, 3, 4, 5)
    context, weights = _keras(keras.layers.Attention(), [query, value], None)
    ours, our_weights = dot_product_attention(query, value)
    assert np.allclose(ours, context, atol=1e-5)
    assert np.allclose(our_weights, weights, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_key", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_additive_attention_matches_keras(shape, with_key, masked):
    query, value, key, query_mask, value_mask = _inputs(*shape, seed=1)
    layer = keras.layers.AdditiveAttention()  # a learned scale (dim,)
    inputs = [query, value, key] if with_key else [query, value]
    mask = [query_mask, value_mask] if masked else None
    context, weights = _keras(layer, inputs, mask)
    ours, our_weights = additive_attention(
        query,
        value,
        key if with_key else None,
        scale=layer.get_weights()[0],
        query_mask=query_mask if masked else None,
        value_mask=value_mask if masked else None,
    )
    assert np.allclose(ours, context, atol=1e-5)
    assert np.allclose(our_weights, weights, atol=1e-5)


def test_additive_attention_without_scale_matches_use_scale_false():
    query, value, _, _, _ = _inputs(2, 3, 4, 5)
    layer = keras.layers.AdditiveAttention(use_scale=False)
    context, weights = _keras(layer, [query, value], None)
    ours, our_weights = additive_attention(query, value)
    assert np.allclose(ours, context, atol=1e-5)
    assert np.allclose(our_weights, weights, atol=1e-5)


def test_masks_zero_weights_and_contexts():
    query, value, _, query_mask, value_mask = _inputs(3, 4, 6, 2)
    for attend in (dot_product_attention, additive_attention):
        context, weights = attend(
            query, value, query_mask=query_mask, value_mask=value_mask
        )
        assert np.all(
            weights[~np.broadcast_to(value_mask[:, None], weights.shape)] < 1e-6
        )
        assert np.all(context[~query_mask] == 0.0)


@pytest.mark.parametrize("attend", [dot_product_attention, additive_attention])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": np.ones((2, 3))}, r"query must have shape"),
        ({"value": np.ones((2, 4, 5))}, r"same last dimension"),
        ({"value": np.ones((3, 4, 2))}, r"same number of samples"),
        ({"key": np.ones((2, 5, 2))}, r"key must have shape \(2, 4, dim\)"),
        ({"query_mask": np.ones((2, 4), bool)}, r"query_mask must be"),
        ({"value_mask": np.ones((2, 4))}, r"value_mask must be a bool"),
    ],
)
def test_attention_refuses_mismatched_shapes(attend, kwargs, message):
    arguments = {"query": np.ones((2, 3, 2)), "value": np.ones((2, 4, 2))}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        attend(**arguments)


def test_attention_refuses_non_numbers_and_a_bad_scale():
    with pytest.raises(TypeError, match="query must be an array"):
        dot_product_attention("abc", np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match=r"scale must have shape \(2,\)"):
        additive_attention(np.ones((1, 2, 2)), np.ones((1, 3, 2)), scale=[1.0])


# ---- the recall problem ----


def test_marked_recall_data_targets_the_marked_digits():
    x, y, positions = marked_recall_data(50, 12, marks=3, seed=4)
    assert x.shape == (50, 12, 13) and x.dtype == np.float32
    assert y.shape == positions.shape == (50, 3) and y.dtype == np.int32
    rows = np.arange(50)[:, None]
    digits = x[:, :, :10].argmax(axis=-1)
    assert np.all(x[:, :, :10].sum(axis=-1) == 1.0)  # one digit per step
    assert np.all(digits[rows, positions] == y)
    flags = x[:, :, 10:]
    assert np.all(flags.sum(axis=(1, 2)) == 3)  # each flag once
    assert np.all(flags[rows, positions, np.arange(3)] == 1.0)
    assert len(set(positions[:, 0])) > 1  # marks move about


def test_marked_recall_data_is_seeded():
    first = marked_recall_data(5, 8, seed=1)
    again = marked_recall_data(5, 8, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], marked_recall_data(5, 8, seed=2)[0])


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 8), ValueError, r"samples must be an integer >= 1"),
        ((5, 8.0), TypeError, r"time_steps must be an integer"),
        ((5, 2, 3), ValueError, r"time_steps must be >= marks = 3"),
        ((5, 8, 0), ValueError, r"marks must be an integer >= 1"),
    ],
)
def test_marked_recall_data_refuses_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        marked_recall_data(*args)


# ---- the models ----


def test_build_attention_seq2seq_shapes_and_any_length():
    keras.utils.set_random_seed(0)
    model = build_attention_seq2seq(12, 2, 10, units=4)
    plain = build_attention_seq2seq(12, 2, 10, units=4, attention=False)
    assert "attention" in [layer.name for layer in model.layers]
    assert "attention" not in [layer.name for layer in plain.layers]
    for time_steps in (4, 9):
        x, _, _ = marked_recall_data(3, time_steps, seed=0)
        for built in (model, plain):
            probabilities = keras.ops.convert_to_numpy(built(x))
            assert probabilities.shape == (3, 2, 10)
            assert np.allclose(probabilities.sum(axis=-1), 1.0, atol=1e-5)


def test_attention_model_learns_the_recall_problem_quickly():
    keras.utils.set_random_seed(0)
    x, y, _ = marked_recall_data(1024, 10, seed=0)
    model = build_attention_seq2seq(12, 2, 10, units=16, learning_rate=0.05)
    model.fit(x, y, batch_size=128, epochs=8, verbose=0)
    x_test, y_test, positions_test = marked_recall_data(200, 10, seed=1)
    accuracy = np.mean(model.predict(x_test, verbose=0).argmax(-1) == y_test)
    assert accuracy > 0.5  # chance: 0.1
    weights = attention_weights(model, x_test)
    assert weights.shape == (200, 2, 10)
    assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert alignment(weights, positions_test) > 0.2  # chance: 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"features": 0}, ValueError, r"features must be an integer >= 1"),
        ({"units": 2.5}, TypeError, r"units must be an integer"),
        ({"attention": "dot"}, TypeError, r"attention must be True or False"),
        ({"steps_per_execution": 0}, ValueError, r"steps_per_execution"),
    ],
)
def test_build_attention_seq2seq_refuses_bad_arguments(kwargs, error, message):
    arguments = {"features": 12, "output_steps": 2, "classes": 10}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        build_attention_seq2seq(**arguments)


def test_attention_weights_refuses_a_model_without_attention_and_bad_x():
    plain = build_attention_seq2seq(12, 2, 10, units=4, attention=False)
    with pytest.raises(ValueError, match="no layer named 'attention'"):
        attention_weights(plain, np.zeros((1, 4, 12)))
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        attention_weights("model", np.zeros((1, 4, 12)))
    model = build_attention_seq2seq(12, 2, 10, units=4)
    with pytest.raises(ValueError, match=r"x must have shape \(samples, "):
        attention_weights(model, np.zeros((1, 4, 11)))


# ---- alignment ----


def test_alignment_counts_argmax_on_the_expected_step():
    weights = np.array(
        [[[0.1, 0.8, 0.1], [0.6, 0.2, 0.2]], [[0.0, 0.0, 1.0], [0.3, 0.3, 0.4]]]
    )
    assert alignment(weights, np.array([[1, 0], [2, 0]])) == 0.75
    assert alignment(weights, np.array([[1, 0], [2, 2]])) == 1.0


@pytest.mark.parametrize(
    ("weights", "positions", "error", "message"),
    [
        (np.ones((2, 3)), np.zeros((2, 3), int), ValueError, "weights must"),
        (np.ones((2, 2, 3)), np.zeros((2, 3), int), ValueError, r"\(2, 2\)"),
        (np.ones((1, 1, 3)), np.zeros((1, 1)), TypeError, "integers"),
        (np.ones((1, 1, 3)), np.full((1, 1), 3), ValueError, r"\[0, 3\)"),
    ],
)
def test_alignment_refuses_bad_input(weights, positions, error, message):
    with pytest.raises(error, match=message):
        alignment(weights, positions)
