"""The sequence labeller: directions, merge modes, bad input, learning."""

import keras
import numpy as np
import pytest

from lstm_recipes.bidirectional import (
    MERGE_MODES,
    ReverseTime,
    build_sequence_labeller,
)
from lstm_recipes.encoder_decoder import make_dataset
from lstm_recipes.problems import cumulative_threshold_data


def lstm_of(model):
    return next(
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.LSTM, keras.layers.Bidirectional))
    )


@pytest.mark.parametrize(
    ("direction", "merge_mode", "width"),
    [
        ("forward", "concat", 5),
        ("backward", "concat", 5),
        ("bidirectional", "concat", 10),
        ("bidirectional", "sum", 5),
        ("bidirectional", "mul", 5),
        ("bidirectional", "ave", 5),
    ],
)
def test_one_probability_per_time_step(direction, merge_mode, width):
    model = build_sequence_labeller(
        7, 2, direction=direction, merge_mode=merge_mode, units=5
    )
    assert model.input_shape == (None, 7, 2)
    assert model.output_shape == (None, 7, 1)
    assert model.layers[-2].output.shape == (None, 7, width)
    head = model.layers[-1]
    assert isinstance(head, keras.layers.TimeDistributed)
    assert head.layer.activation.__name__ == "sigmoid"
    assert model.loss == "binary_crossentropy"
    p = model.predict(np.zeros((3, 7, 2)), verbose=0)
    assert p.shape == (3, 7, 1) and ((p >= 0) & (p <= 1)).all()


def test_readers_are_cudnn_compatible_lstms():
    for direction in ("forward", "backward", "bidirectional"):
        layer = lstm_of(build_sequence_labeller(4, direction=direction))
        lstms = (
            [layer.forward_layer, layer.backward_layer]
            if isinstance(layer, keras.layers.Bidirectional)
            else [layer]
        )
        for lstm in lstms:
            assert lstm.return_sequences
            assert lstm.activation.__name__ == "tanh"
            assert lstm.recurrent_activation.__name__ == "sigmoid"
            assert lstm.recurrent_dropout == 0 and not lstm.unroll


def test_backward_model_aligns_its_states_with_the_time_steps():
    model = build_sequence_labeller(4, direction="backward")
    lstm, reverse, _ = model.layers
    assert lstm.go_backwards and isinstance(reverse, ReverseTime)
    # the state at the last step has read only the last input: changing
    # the first input must leave the last step's prediction unchanged
    x = np.random.default_rng(0).random((2, 4, 1))
    changed = x.copy()
    changed[:, 0] += 5
    p, q = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    np.testing.assert_allclose(p[:, -1], q[:, -1], rtol=1e-6)
    assert not np.allclose(p[:, 0], q[:, 0])


def test_forward_model_does_not_see_the_future():
    model = build_sequence_labeller(4, direction="forward")
    x = np.random.default_rng(0).random((2, 4, 1))
    changed = x.copy()
    changed[:, -1] += 5
    p, q = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    np.testing.assert_allclose(p[:, :-1], q[:, :-1], rtol=1e-6)


def test_reverse_time_flips_the_time_axis():
    x = np.arange(6, dtype="float32").reshape(1, 3, 2)
    np.testing.assert_array_equal(ReverseTime()(x), x[:, ::-1])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"direction": "both"}, ValueError, r"direction must be one of"),
        ({"merge_mode": None}, ValueError, r"merge_mode must be one of"),
        ({"units": 0}, ValueError, r"units must be an integer >= 1, got 0"),
        ({"features": 1.5}, TypeError, r"features must be an integer"),
    ],
)
def test_build_sequence_labeller_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        build_sequence_labeller(5, **kwargs)


def test_bidirectional_labeller_learns_the_half_total_problem():
    keras.utils.set_random_seed(0)
    x, y = cumulative_threshold_data(1000, 6, relative=True, seed=0)
    x_test, y_test = cumulative_threshold_data(300, 6, relative=True, seed=1)
    model = build_sequence_labeller(6, steps_per_execution=10)
    # 15 shuffled passes in one Keras epoch: no per-epoch overhead
    data = make_dataset(x, y, batch_size=100, passes=15, seed=0)
    model.fit(data, verbose=0, shuffle=False)
    p = keras.ops.convert_to_numpy(model(x_test))  # no predict graph to trace
    # it reaches 0.99; a forward LSTM trained the same way stays near 0.94
    assert np.mean((p > 0.5) == y_test) >= 0.96


def test_merge_modes_are_the_four_keras_modes():
    assert set(MERGE_MODES) == {"concat", "sum", "mul", "ave"}
