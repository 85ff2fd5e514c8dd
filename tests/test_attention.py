"""The attention recipes: the NumPy reference against the Keras layers (masks
included, several shapes), the copy task and its batches, the
teacher-forcing encoder-decoder with and without attention, its inference
loop, its attention weights and its mask."""

import keras
import numpy as np
import pytest

from lstm_recipes.attention import (
    PAD,
    START,
    VOCABULARY,
    Seq2Seq,
    additive_attention,
    build_attention_decoder,
    copy_data,
    decoder_inputs,
    dot_product_attention,
    greedy_decode,
    length_batches,
    reverse_tokens,
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


# ---- the copy task ----


def test_copy_data_pads_after_the_digits():
    source, target, lengths = copy_data(200, 3, 9, seed=4)
    assert source.shape == target.shape == (200, 9)
    assert source.dtype == target.dtype == np.int32
    assert np.array_equal(source, target)
    assert lengths.min() == 3 and lengths.max() == 9
    real = source != PAD
    assert np.array_equal(real.sum(axis=1), lengths)
    assert np.all(real == (np.arange(9) < lengths[:, None]))  # pads last
    assert source[real].min() == 2 and source[real].max() == 11  # digits
    again = copy_data(200, 3, 9, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(again, (source, target)))


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 1, 2), ValueError, r"samples must be an integer >= 1"),
        ((5, 0, 2), ValueError, r"min_length must be an integer >= 1"),
        ((5, 3, 2), ValueError, r"max_length must be >= min_length = 3"),
        ((5, 2, 4.0), TypeError, r"max_length must be an integer"),
    ],
)
def test_copy_data_refuses_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        copy_data(*args)


def test_decoder_inputs_and_reverse_tokens():
    target = np.array([[5, 6, 7, 0], [8, 9, 0, 0]], dtype="int32")
    assert np.array_equal(
        decoder_inputs(target), [[START, 5, 6, 0], [START, 8, 0, 0]]
    )
    assert np.array_equal(reverse_tokens(target), [[7, 6, 5, 0], [9, 8, 0, 0]])
    assert np.array_equal(reverse_tokens(reverse_tokens(target)), target)


@pytest.mark.parametrize("function", [decoder_inputs, reverse_tokens])
@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (np.ones((2, 3, 1), int), r"integer tokens \(samples, steps\)"),
        (np.ones((2, 3)), r"integer tokens"),
        (np.array([[0, 5, 6]]), r"padding \(0\) after the tokens"),
    ],
)
def test_token_helpers_refuse_bad_tokens(function, tokens, message):
    with pytest.raises(ValueError, match=message):
        function(tokens)


def test_length_batches_cut_each_batch_to_its_bucket():
    source, target, lengths = copy_data(300, 1, 30, seed=0)
    data = length_batches(
        (source, decoder_inputs(target)), target, batch_size=16, steps=40
    )
    batches = list(data.as_numpy_iterator())
    assert len(batches) == 40
    widths = set()
    for (x, shifted), y in batches:
        assert x.shape == shifted.shape == y.shape and len(x) <= 16
        width = x.shape[1]
        widths.add(width)
        real = (y != PAD).sum(axis=1)
        assert real.max() <= width and real.min() > width - 10  # one bucket
        assert np.array_equal(x, y)  # the copy task: rows stay whole
        assert np.array_equal(shifted, decoder_inputs(y))
    assert widths == {10, 20, 30}


def test_length_batches_refuse_bad_arguments():
    source, target, _ = copy_data(10, 2, 5)
    with pytest.raises(TypeError, match="inputs must be a tuple"):
        length_batches([source], target, batch_size=4, steps=2)
    with pytest.raises(ValueError, match="the same shape"):
        length_batches((source[:, :3],), target, batch_size=4, steps=2)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        length_batches((source,), target, batch_size=4, steps=0)


# ---- the encoder-decoder with attention ----


def _batch():
    source, target, _ = copy_data(6, 2, 7, seed=3)
    source[0, :] = [4, 5, 6, 7, 8, 9, 10]  # one row without padding
    return source, source.copy()


def test_build_attention_decoder_models_share_their_weights():
    keras.utils.set_random_seed(0)
    parts = build_attention_decoder(VOCABULARY, units=8, embedding=4)
    plain = build_attention_decoder(
        VOCABULARY, units=8, embedding=4, attention=False
    )
    assert isinstance(parts, Seq2Seq) and plain.scores is None
    assert parts.model.get_layer("attention").name == "attention"
    assert "attention" not in [layer.name for layer in plain.model.layers]
    # the mix layer reads the context too: units * units more weights
    assert parts.model.count_params() - plain.model.count_params() == 64
    source, target = _batch()
    shifted = decoder_inputs(target)
    for built in (parts, plain):
        probabilities = keras.ops.convert_to_numpy(
            built.model([source, shifted])
        )
        assert probabilities.shape == (6, 7, VOCABULARY)
        assert np.allclose(probabilities.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("attention", [True, False])
def test_inference_loop_matches_the_training_model(attention):
    """Fed the true previous tokens, the one-step decoder writes exactly
    what the training model writes under teacher forcing."""
    keras.utils.set_random_seed(1)
    parts = build_attention_decoder(
        VOCABULARY, units=8, embedding=4, attention=attention
    )
    source, target = _batch()
    shifted = decoder_inputs(target)
    expected = parts.model.predict_on_batch([source, shifted])
    states, h, c = parts.encoder.predict_on_batch(source)
    for step in range(source.shape[1]):
        probabilities, h, c, *weights = parts.decoder.predict_on_batch(
            [shifted[:, step : step + 1], states, source, h, c]
        )
        real = target[:, step] != PAD
        assert np.allclose(
            probabilities[real, 0], expected[real, step], atol=1e-5
        )
        if attention:
            scores = parts.scores.predict_on_batch([source, shifted])
            assert np.allclose(
                weights[0][real, 0], scores[real, step], atol=1e-5
            )


def test_padded_steps_get_zero_weight_and_change_nothing():
    keras.utils.set_random_seed(2)
    parts = build_attention_decoder(VOCABULARY, units=8, embedding=4)
    source, target = _batch()
    shifted = decoder_inputs(target)
    weights = parts.scores.predict_on_batch([source, shifted])
    padded = np.broadcast_to((source == PAD)[:, None, :], weights.shape)
    assert np.all(weights[padded] == 0.0)  # exactly zero
    assert np.allclose(weights.sum(-1), 1.0, atol=1e-5)
    # a row's outputs do not depend on how much padding follows it
    row = 1
    n = int((source[row] != PAD).sum())
    alone = parts.model.predict_on_batch(
        [source[row : row + 1, :n], shifted[row : row + 1, :n]]
    )
    together = parts.model.predict_on_batch([source, shifted])[row, :n]
    assert np.allclose(alone[0], together, atol=1e-5)
    _, greedy_weights = greedy_decode(parts, source)
    padded = np.broadcast_to((source == PAD)[:, None, :], greedy_weights.shape)
    assert np.all(greedy_weights[padded] == 0.0)


def test_the_loss_skips_padded_steps():
    """evaluate gives the mean cross-entropy over the real tokens only."""
    keras.utils.set_random_seed(0)
    parts = build_attention_decoder(VOCABULARY, units=8, embedding=4)
    write = parts.model.get_layer("next")
    kernel, bias = write.get_weights()
    bias[PAD] = -20.0  # padding all but impossible: costly wherever counted
    write.set_weights([kernel, bias])
    source, target, _ = copy_data(16, 5, 12, seed=0)
    inputs = [source, decoder_inputs(target)]
    probabilities = parts.model.predict_on_batch(inputs)
    nll = -np.log(
        np.take_along_axis(probabilities, target[..., None], -1)[..., 0]
    )
    loss = parts.model.evaluate(inputs, target, batch_size=16, verbose=0)
    assert np.isclose(loss, nll[target != PAD].mean(), rtol=1e-5)
    assert nll.mean() > 2 * loss  # counting the padding would show


def test_without_the_mask_padding_gets_weight():
    keras.utils.set_random_seed(3)
    masked = build_attention_decoder(VOCABULARY, units=8, embedding=4)
    unmasked = build_attention_decoder(
        VOCABULARY, units=8, embedding=4, mask=False
    )
    unmasked.model.set_weights(masked.model.get_weights())
    source, target = _batch()
    inputs = [source, decoder_inputs(target)]
    weights = unmasked.scores.predict_on_batch(inputs)
    assert weights[1:, :, -1].min() > 0.0  # the padded last step
    # the row without padding is the same with and without the mask
    assert np.allclose(
        unmasked.model.predict_on_batch(inputs)[0],
        masked.model.predict_on_batch(inputs)[0],
        atol=1e-5,
    )


def test_greedy_decode_shapes_and_first_step():
    keras.utils.set_random_seed(4)
    parts = build_attention_decoder(VOCABULARY, units=8, embedding=4)
    plain = build_attention_decoder(
        VOCABULARY, units=8, embedding=4, attention=False
    )
    source, _ = _batch()
    tokens, weights = greedy_decode(parts, source)
    assert tokens.shape == (6, 7) and weights.shape == (6, 7, 7)
    first = parts.model.predict_on_batch(
        [source, np.full((6, 1), START, dtype="int32")]
    )
    assert np.array_equal(tokens[:, 0], first[:, 0].argmax(-1))
    tokens, weights = greedy_decode(plain, source, steps=3)
    assert tokens.shape == (6, 3) and weights is None


def test_attention_decoder_learns_to_copy_short_sequences():
    keras.utils.set_random_seed(0)
    parts = build_attention_decoder(
        VOCABULARY, units=16, embedding=8, learning_rate=0.02
    )
    source, target, _ = copy_data(2048, 2, 5, seed=0)
    data = length_batches(
        (source, decoder_inputs(target)), target, batch_size=64, steps=300
    )
    parts.model.fit(data, verbose=0, shuffle=False)
    test, _, _ = copy_data(200, 2, 5, seed=1)
    tokens, _ = greedy_decode(parts, test)
    real = test != PAD
    assert np.mean(tokens[real] == test[real]) > 0.8  # chance: 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"vocabulary": 0}, ValueError, r"vocabulary must be an integer >= 1"),
        ({"units": 2.5}, TypeError, r"units must be an integer"),
        ({"embedding": 0}, ValueError, r"embedding must be an integer"),
        ({"attention": "dot"}, TypeError, r"attention must be True or False"),
        ({"mask": 1}, TypeError, r"mask must be True or False"),
        ({"steps_per_execution": 0}, ValueError, r"steps_per_execution"),
    ],
)
def test_build_attention_decoder_refuses_bad_arguments(kwargs, error, message):
    arguments = {"vocabulary": VOCABULARY}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        build_attention_decoder(**arguments)


def test_greedy_decode_refuses_bad_input():
    parts = build_attention_decoder(VOCABULARY, units=4, embedding=2)
    with pytest.raises(TypeError, match="parts must be the Seq2Seq"):
        greedy_decode(parts.model, np.ones((1, 3), int))
    with pytest.raises(ValueError, match="source must be integer tokens"):
        greedy_decode(parts, np.ones((1, 3, 1)))
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        greedy_decode(parts, np.ones((1, 3), int), steps=0)
