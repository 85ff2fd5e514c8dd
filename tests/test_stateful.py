"""Stateful training and generation: resets, the fast loop, warm-up."""

import keras
import numpy as np
import pytest

from lstm_recipes.alphabet import ALPHABET, window_data
from lstm_recipes.stateful import (
    ResetState,
    build_stateful_lstm,
    build_tbptt_lstm,
    fit_stateful,
    generate,
    plot_pieces,
    reset_lstm_states,
    restart,
    stateful_pieces,
    switch_data,
)
from tests.backends import BACKEND, tensorflow_only

# Keras's JAX trainer passes the model's tracked variables from step to
# step; a stateful RNN's state variables are not among them, so in fit,
# evaluate and predict every batch starts from the state they held when the
# step was compiled (zero for a model that has not run yet), not from the
# state the previous batch left.
NO_STATE_IN_FIT = "Keras's JAX trainer does not carry a stateful layer's state"


def lstm_state(model):
    return [keras.ops.convert_to_numpy(v) for v in model.layers[0].states]


def test_build_stateful_lstm_fixes_the_batch_size():
    model = build_stateful_lstm(4, batch_size=5, time_steps=2, features=3)
    assert model.input_shape == (5, 2, 3)
    assert model.output_shape == (5, 26)
    assert model.layers[0].stateful


def test_state_is_carried_and_reset():
    keras.utils.set_random_seed(0)
    model = build_stateful_lstm(4)
    letter = np.full((1, 1, 1), 0.5, dtype="float32")
    first = np.asarray(model(letter))
    second = np.asarray(model(letter))
    assert not np.allclose(first, second)  # same input, carried state
    assert any(np.abs(s).sum() > 0 for s in lstm_state(model))
    reset_lstm_states(model)
    assert all(np.abs(s).sum() == 0 for s in lstm_state(model))
    np.testing.assert_allclose(np.asarray(model(letter)), first, rtol=1e-6)


@tensorflow_only(NO_STATE_IN_FIT)
def test_fit_stateful_equals_the_seed_loop():
    x, y = window_data(1)
    losses = []
    for fast in (False, True):
        keras.utils.set_random_seed(3)
        model = build_stateful_lstm(8, steps_per_execution=25)
        if fast:
            fit_stateful(model, x, y, epochs=4)
        else:
            for _ in range(4):
                model.fit(
                    x, y, epochs=1, batch_size=1, shuffle=False, verbose=0
                )
                reset_lstm_states(model)
        reset_lstm_states(model)
        losses.append(model.evaluate(x, y, batch_size=1, verbose=0)[0])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


def test_reset_state_callback_with_fit_equals_the_loop():
    x, y = window_data(1)
    weights = []
    for use_callback in (False, True):
        keras.utils.set_random_seed(3)
        model = build_stateful_lstm(8)
        if use_callback:
            model.fit(
                x,
                y,
                epochs=3,
                batch_size=1,
                shuffle=False,
                verbose=0,
                callbacks=[ResetState()],
            )
        else:
            for _ in range(3):
                reset_lstm_states(model)
                model.fit(
                    x, y, epochs=1, batch_size=1, shuffle=False, verbose=0
                )
        weights.append(model.get_weights()[0])
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-5)


@tensorflow_only(NO_STATE_IN_FIT)
def test_stateful_model_learns_and_generates_with_warm_up():
    keras.utils.set_random_seed(7)
    x, y = window_data(1)
    # At 0.01 instead of the chapter's 0.001, 100 passes learn the alphabet
    # (the chapter's 300 passes would triple this test's training time).
    model = build_stateful_lstm(50, steps_per_execution=25, learning_rate=0.01)
    fit_stateful(model, x, y, epochs=100)
    reset_lstm_states(model)
    assert model.evaluate(x, y, batch_size=1, verbose=0)[1] >= 0.96
    assert generate(model, "A", 25) == ALPHABET[1:]
    assert generate(model, "ABCDEFGHIJK", 5) == "LMNOP"
    # Cold start: a zero state is the state before "A".
    assert generate(model, "K", 1, warm_up=False) != "L"


def test_compiled_steps_carry_the_state_only_on_tensorflow():
    # On JAX the state variables are not among the variables that the
    # trainer passes through its compiled steps: predict_on_batch, evaluate
    # and fit leave them unchanged (here at zero, as built).
    model = build_stateful_lstm(4)
    letter = np.full((1, 1, 1), 0.5, dtype="float32")
    model.predict_on_batch(letter)
    carried = any(np.abs(s).sum() > 0 for s in lstm_state(model))
    assert carried == (BACKEND != "jax")


def test_evaluate_carries_the_state_only_on_tensorflow():
    # The stateful page's JAX note: evaluate, like predict_on_batch, leaves
    # the state at zero on JAX; on TensorFlow it ends in the last batch's.
    keras.utils.set_random_seed(0)
    model = build_stateful_lstm(4)
    x, y = window_data(1)
    model.evaluate(x, y, batch_size=1, verbose=0)
    carried = any(np.abs(s).sum() > 0 for s in lstm_state(model))
    assert carried == (BACKEND != "jax")


def test_predict_batches_start_from_the_held_state_only_on_jax():
    # The stateful page's JAX note: every batch of predict starts from the
    # state the layer held when the step was compiled, and the state it
    # ends in is dropped; on TensorFlow each batch goes on from the last.
    keras.utils.set_random_seed(0)
    model = build_stateful_lstm(4)
    letter = np.full((1, 1, 1), 0.5, dtype="float32")
    model(letter)
    model(letter)  # the state is now off zero
    held = lstm_state(model)
    rows = model.predict(np.repeat(letter, 3, axis=0), batch_size=1, verbose=0)
    after = lstm_state(model)
    if BACKEND == "jax":
        np.testing.assert_allclose(
            rows, np.repeat(rows[:1], 3, axis=0), rtol=1e-6
        )
        np.testing.assert_allclose(
            rows[0], np.asarray(model(letter))[0], rtol=1e-5
        )
        for h, a in zip(held, after, strict=True):
            np.testing.assert_array_equal(h, a)
    else:
        assert not np.allclose(rows[0], rows[1])
        assert not all(
            np.allclose(h, a) for h, a in zip(held, after, strict=True)
        )


def test_fit_stateful_refuses_a_stateful_model_on_jax():
    model = build_stateful_lstm(4, steps_per_execution=25)
    x, y = window_data(1)
    if BACKEND == "jax":
        with pytest.raises(NotImplementedError, match="JAX trainer"):
            fit_stateful(model, x, y, epochs=1)
    else:
        assert len(fit_stateful(model, x, y, epochs=1).history["loss"]) == 1


def test_bad_arguments():
    model = build_stateful_lstm(4, steps_per_execution=5)
    x, y = window_data(1)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        reset_lstm_states("model")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        fit_stateful(None, x, y, epochs=1)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        fit_stateful(model, x, y, epochs=0)
    with pytest.raises(ValueError, match=r"steps_per_execution \(10\)"):
        fit_stateful(
            build_stateful_lstm(4, steps_per_execution=10), x, y, epochs=1
        )
    with pytest.raises(ValueError, match="multiple of the model's fixed"):
        fit_stateful(build_stateful_lstm(4, batch_size=2), x, y, epochs=1)
    with pytest.raises(ValueError, match="must be a multiple of the model's"):
        model.fit(
            x,
            y,
            epochs=1,
            batch_size=1,
            verbose=0,
            callbacks=[ResetState(every=7)],
        )
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        ResetState(every=0)
    with pytest.raises(ValueError, match=r"input shape \(2, 1, 1\)"):
        generate(build_stateful_lstm(4, batch_size=2), "A", 3)
    with pytest.raises(ValueError, match="capital letters"):
        generate(model, "a", 3)
    with pytest.raises(ValueError, match="at least one letter"):
        generate(model, "", 3)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        generate(model, "A", 0)


def train_passes(model, x, y, passes):
    """``passes`` passes in order, reset before each (any backend)."""
    model.fit(
        x,
        y,
        epochs=passes,
        batch_size=1,
        shuffle=False,
        verbose=0,
        callbacks=[ResetState()],
    )


def test_restart_equals_a_fresh_model():
    x, y = window_data(1)
    keras.utils.set_random_seed(5)
    fresh = build_stateful_lstm(6, steps_per_execution=25)
    initial = fresh.get_weights()
    train_passes(fresh, x, y, 2)
    model = build_stateful_lstm(6, steps_per_execution=25)
    train_passes(model, x, y, 3)  # trained, moments set
    model(x[:1])  # and a state left (a direct call carries it everywhere)
    restart(model, 5)
    for mine, theirs in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(mine, theirs)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 0
    assert all(np.abs(s).sum() == 0 for s in lstm_state(model))
    train_passes(model, x, y, 2)
    for mine, theirs in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-7)


def test_restart_keeps_the_learning_rate_and_refuses_bad_models():
    model = build_stateful_lstm(4, learning_rate=0.03)
    x, y = window_data(1)
    train_passes(model, x, y, 1)
    restart(model, 1)
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.03)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        restart("model", 1)
    bare = keras.Sequential([keras.Input((1, 1)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="must be compiled"):
        restart(bare, 1)


def test_switch_data_targets_follow_the_last_set():
    x, y = switch_data(6, 300, set_probability=0.1, seed=2)
    assert x.shape == y.shape == (6, 300, 1)
    assert x.dtype == y.dtype == np.float32
    assert set(np.unique(x)) <= {-1.0, 0.0, 1.0}
    assert np.all(x[:, 0, 0] != 0)  # every stream starts with a set
    for stream_x, stream_y in zip(x[..., 0], y[..., 0]):
        position = None
        for value, target in zip(stream_x, stream_y):
            if value:
                position = value > 0
            assert target == position
    again = switch_data(6, 300, set_probability=0.1, seed=2)
    np.testing.assert_array_equal(again[0], x)
    # About one step in ten sets the switch.
    assert 0.07 < np.mean(x[:, 1:] != 0) < 0.13


def test_stateful_pieces_row_i_continues_row_i():
    streams, length, piece = 6, 12, 4
    steps = np.arange(streams * length, dtype="float32")
    steps = steps.reshape(streams, length, 1)
    x, y = stateful_pieces(steps, -steps, piece_length=piece, batch_size=3)
    pieces = length // piece
    assert x.shape == y.shape == (streams * pieces, piece, 1)
    np.testing.assert_array_equal(y, -x)
    batches = x.reshape(-1, 3, piece)  # (batch, row, step)
    for group in range(2):  # 2 groups of 3 streams, 3 batches each
        for k in range(pieces):
            batch = batches[group * pieces + k]
            for i in range(3):
                stream = group * 3 + i
                start = stream * length + k * piece
                np.testing.assert_array_equal(
                    batch[i], np.arange(start, start + piece)
                )


def test_stateful_pieces_refuses_bad_layouts():
    x, y = switch_data(4, 30, seed=0)
    with pytest.raises(ValueError, match=r"piece_length \(7\) must divide"):
        stateful_pieces(x, y, piece_length=7, batch_size=2)
    with pytest.raises(ValueError, match=r"length of the sequences \(30\)"):
        stateful_pieces(x, y, piece_length=7, batch_size=2)
    with pytest.raises(
        ValueError, match=r"batch_size \(8\) is larger than the number of "
    ):
        stateful_pieces(x, y, piece_length=5, batch_size=8)
    with pytest.raises(ValueError, match=r"batch_size \(3\) must divide"):
        stateful_pieces(x, y, piece_length=5, batch_size=3)
    with pytest.raises(ValueError, match="y must have the"):
        stateful_pieces(x, y[:, :20], piece_length=5, batch_size=2)
    with pytest.raises(ValueError, match="piece_length must be an integer"):
        stateful_pieces(x, y, piece_length=0, batch_size=2)
    with pytest.raises(ValueError, match="x must have shape"):
        stateful_pieces(x[..., 0], y, piece_length=5, batch_size=2)


def test_switch_data_refuses_bad_arguments():
    with pytest.raises(ValueError, match="set_probability must be in"):
        switch_data(2, 10, set_probability=0)
    with pytest.raises(ValueError, match="length must be an integer >= 1"):
        switch_data(2, 0)


def test_tbptt_model_carries_the_state_only_when_stateful():
    x, y = switch_data(4, 20, seed=1)
    pieces, targets = stateful_pieces(x, y, piece_length=5, batch_size=4)
    for stateful in (True, False):
        keras.utils.set_random_seed(0)
        model = build_tbptt_lstm(
            4, batch_size=4, piece_length=5, stateful=stateful
        )
        assert model.input_shape == (4, 5, 1)
        assert model.output_shape == (4, 5, 1)
        first = np.asarray(model(pieces[4:8]))
        second = np.asarray(model(pieces[4:8]))
        assert np.allclose(first, second) != stateful
    history = fit_stateful(model, pieces, targets, epochs=2, reset_every=2)
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match=r"reset_every \(3\) must divide"):
        fit_stateful(model, pieces, targets, epochs=1, reset_every=3)
    with pytest.raises(ValueError, match="y must have"):
        fit_stateful(model, pieces, targets[:, :4], epochs=1)
    with pytest.raises(TypeError, match="stateful must be True or False"):
        build_tbptt_lstm(batch_size=1, piece_length=1, stateful=1)
    with pytest.raises(TypeError, match="unroll must be True or False"):
        build_tbptt_lstm(batch_size=1, piece_length=1, unroll="yes")


def test_plot_pieces_labels_every_piece():
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_pieces(streams=3, length=8, piece_length=4)
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert texts.count("batch 1") == 3 and texts.count("batch 2") == 3
    assert sorted(set(texts)) == [
        "batch 1",
        "batch 2",
        "row 1",
        "row 2",
        "row 3",
    ]
    with pytest.raises(ValueError, match="piece_length"):
        plot_pieces(streams=3, length=8, piece_length=3)
