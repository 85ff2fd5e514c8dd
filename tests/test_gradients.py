"""Gradient recipes: they measure what they claim and refuse bad input."""

import keras
import numpy as np
import pytest

from lstm_recipes.cell import lstm_forward
from lstm_recipes.gradients import (
    build_recurrent_classifier,
    gradient_norm,
    gradient_paths,
    input_gradient_norms,
    memory_report,
    train_from_seeds,
    update_norm,
)
from lstm_recipes.problems import marked_sign_data
from tests.backends import tensorflow_only

TAPE = "the gradient recipes use tf.GradientTape"


@tensorflow_only(TAPE)
def test_input_gradient_norms_shape_and_order():
    x, y = marked_sign_data(20, 12, seed=0)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier("SimpleRNN", 12, 2, units=4)
    norms = input_gradient_norms(model, x, y)
    assert norms.shape == (12,)
    assert (norms >= 0).all()


@tensorflow_only(TAPE)
def test_input_gradient_is_zero_where_the_output_does_not_look():
    # A model that reads only the last time step: earlier gradients are 0.
    inputs = keras.Input(shape=(5, 1))
    last = keras.layers.Lambda(lambda t: t[:, -1, :])(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(last))
    x = np.random.default_rng(0).normal(size=(8, 5, 1))
    norms = input_gradient_norms(model, x, np.ones((8, 1)))
    assert norms[0] > 0
    np.testing.assert_array_equal(norms[1:], np.zeros(4))


@tensorflow_only(TAPE)
def test_global_clipnorm_bounds_the_step():
    x, y = marked_sign_data(50, 20, seed=0)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier(
        "SimpleRNN",
        20,
        2,
        optimizer=keras.optimizers.SGD(learning_rate=0.1, global_clipnorm=1.0),
        recurrent_initializer=keras.initializers.Orthogonal(gain=4.0),
    )
    assert gradient_norm(model, x, y) > 10
    assert update_norm(model, x, y) == pytest.approx(0.1, rel=1e-3)


def test_build_recurrent_classifier_layers():
    model = build_recurrent_classifier("LSTM", 7, 3, units=5)
    assert model.input_shape == (None, 7, 3)
    assert isinstance(model.layers[0], keras.layers.LSTM)
    assert model.layers[0].units == 5
    assert model.output_shape == (None, 1)


def test_build_recurrent_classifier_compiles_with_xla_when_asked():
    model = build_recurrent_classifier("LSTM", 7, 3, units=2, jit_compile=True)
    assert model.jit_compile is True
    plain = build_recurrent_classifier("LSTM", 7, 3, units=2, jit_compile=False)
    assert plain.jit_compile is False


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m, x, y: build_recurrent_classifier("GRU", 7, 2),
            ValueError,
            r"kind must be one of",
        ),
        (
            lambda m, x, y: input_gradient_norms("model", x, y),
            TypeError,
            r"model must be a keras.Model",
        ),
        (
            lambda m, x, y: input_gradient_norms(m, x[:, :, :1], y),
            ValueError,
            r"x must have shape \(samples, 7, 2\)",
        ),
        (
            lambda m, x, y: gradient_norm(m, x, y[:3]),
            ValueError,
            r"y must have shape \(10, outputs\)",
        ),
        (
            lambda m, x, y: update_norm(m, x[0], y),
            ValueError,
            r"x must have shape \(samples, time_steps, features\)",
        ),
    ],
)
def test_bad_inputs_are_refused(call, error, message):
    x, y = marked_sign_data(10, 7, seed=0)
    model = build_recurrent_classifier("SimpleRNN", 7, 2, units=3)
    with pytest.raises(error, match=message):
        call(model, x, y)


def _lstm_layer(units=3, features=2, time_steps=6, **options):
    layer = keras.layers.LSTM(units, **options)
    layer.build((None, time_steps, features))
    return layer


def test_memory_report_matches_the_forget_gates():
    keras.utils.set_random_seed(0)
    layer = _lstm_layer()
    x = np.random.default_rng(0).normal(size=(5, 6, 2)).astype("float32")
    marks = np.array([0, 1, 2, 3, 5])
    report = memory_report(layer, x, marks)
    f = lstm_forward(x, layer.get_weights()).gates["f"]
    expected = np.mean(
        [f[s, m + 1 :].prod(axis=0) for s, m in enumerate(marks)], axis=0
    )
    np.testing.assert_allclose(report.kept_per_unit, expected, rtol=1e-10)
    assert report.unit == expected.argmax()
    assert report.kept == pytest.approx(expected.max())
    assert 0 < report.input_at_mark < 1 and 0 < report.input_mean < 1
    # A mark at the last step keeps everything; an int mark is broadcast.
    assert memory_report(layer, x, 5).kept == pytest.approx(1.0)


def test_memory_report_sees_a_forget_gate_held_open():
    # Zero kernels and a forget-gate bias of 20: f = sigmoid(20) ~ 1 - 2e-9.
    units = 2
    bias = np.zeros(4 * units)
    bias[units : 2 * units] = 20.0
    layer = _lstm_layer(
        units=units, kernel_initializer="zeros", recurrent_initializer="zeros"
    )
    layer.set_weights(
        [np.zeros((2, 4 * units)), np.zeros((units, 4 * units)), bias]
    )
    x = np.ones((4, 6, 2), dtype="float32")
    report = memory_report(layer, x, 0)
    assert report.kept == pytest.approx(1.0, abs=1e-7)
    assert report.input_at_mark == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("make_layer", "x", "marks", "error", "message"),
    [
        (
            lambda: keras.layers.GRU(3),
            np.zeros((2, 6, 2)),
            0,
            TypeError,
            r"layer must be a keras.layers.LSTM",
        ),
        (
            lambda: _lstm_layer(activation="relu"),
            np.zeros((2, 6, 2)),
            0,
            ValueError,
            r"layer must use activation='tanh'",
        ),
        (
            lambda: _lstm_layer(),
            np.zeros((2, 6, 3)),
            0,
            ValueError,
            r"x must have shape \(samples, time_steps, 2\)",
        ),
        (
            lambda: _lstm_layer(),
            np.zeros((2, 6)),
            0,
            ValueError,
            r"x must have shape \(samples, time_steps, features\)",
        ),
        (
            lambda: _lstm_layer(),
            np.zeros((2, 6, 2)),
            1.5,
            TypeError,
            r"marks must be integers",
        ),
        (
            lambda: _lstm_layer(),
            np.zeros((2, 6, 2)),
            [0, 1, 2],
            ValueError,
            r"marks must be an int or have shape \(2,\)",
        ),
        (
            lambda: _lstm_layer(),
            np.zeros((2, 6, 2)),
            [0, 6],
            ValueError,
            r"marks must be time steps in \[0, 5\]",
        ),
    ],
)
def test_memory_report_refuses_bad_inputs(make_layer, x, marks, error, message):
    with pytest.raises(error, match=message):
        memory_report(make_layer(), x, marks)


@tensorflow_only(TAPE)
def test_gradient_paths_add_up_to_the_full_gradient():
    x, y = marked_sign_data(30, 12, seed=0)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier("LSTM", 12, 2, units=4)
    paths = gradient_paths(model, x, y)
    assert set(paths) == {"all", "cell", "rest"}
    assert all(p.shape == (12,) for p in paths.values())
    np.testing.assert_allclose(
        paths["all"], input_gradient_norms(model, x, y), rtol=1e-4
    )
    # At the last step no path goes through an earlier hidden state.
    assert paths["cell"][0] == pytest.approx(paths["all"][0])
    assert paths["rest"][0] == pytest.approx(0, abs=1e-12)
    assert paths["rest"][-1] > 0


@tensorflow_only(TAPE)
def test_without_recurrent_weights_only_the_cell_path_is_left():
    x, y = marked_sign_data(30, 8, seed=1)
    keras.utils.set_random_seed(0)
    model = build_recurrent_classifier(
        "LSTM", 8, 2, units=3, recurrent_initializer="zeros"
    )
    paths = gradient_paths(model, x, y)
    np.testing.assert_allclose(paths["cell"], paths["all"], rtol=1e-5)
    np.testing.assert_allclose(paths["rest"], 0, atol=1e-9)


@pytest.mark.parametrize(
    ("first_layer", "error", "message"),
    [
        (
            keras.layers.SimpleRNN(3),
            TypeError,
            r"model.layers\[0\] must be a keras.layers.LSTM",
        ),
        (
            keras.layers.LSTM(3, recurrent_activation="hard_sigmoid"),
            ValueError,
            r"model.layers\[0\] must use activation='tanh'",
        ),
        (
            keras.layers.LSTM(3, return_sequences=True),
            ValueError,
            r"must return only its last output",
        ),
    ],
)
def test_gradient_paths_refuses_other_layers(first_layer, error, message):
    x, y = marked_sign_data(10, 7, seed=0)
    model = keras.Sequential(
        [
            keras.Input(shape=(7, 2)),
            first_layer,
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    with pytest.raises(error, match=message):
        gradient_paths(model, x, y)


def test_train_from_seeds_matches_a_new_model_per_seed():
    x, y = marked_sign_data(60, 6, seed=0)

    def build():
        return build_recurrent_classifier("LSTM", 6, 2, units=3)

    models = train_from_seeds(
        build, x, y, seeds=[3, 4], epochs=2, batch_size=20, shuffle=False
    )
    assert list(models) == [3, 4]
    for seed, model in models.items():
        keras.utils.set_random_seed(seed)
        alone = build()
        alone.fit(x, y, epochs=2, batch_size=20, shuffle=False, verbose=0)
        for ours, theirs in zip(model.get_weights(), alone.get_weights()):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_train_from_seeds_with_shuffling_repeats_after_one_set_random_seed():
    x, y = marked_sign_data(60, 6, seed=0)

    def build():
        return build_recurrent_classifier("LSTM", 6, 2, units=3)

    def series():
        keras.utils.set_random_seed(0)  # once, for the batch order
        models = train_from_seeds(
            build, x, y, seeds=[3, 4], epochs=2, batch_size=20
        )
        return [w for model in models.values() for w in model.get_weights()]

    first, again = series(), series()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first[0], first[len(first) // 2])  # seeds differ


@pytest.mark.parametrize(
    ("build", "seeds", "error", "message"),
    [
        ("LSTM", [0], TypeError, "build must be a function"),
        (lambda: "model", [0], TypeError, "build must return a keras.Model"),
        (lambda: None, [], ValueError, "seeds must be a non-empty"),
        (lambda: None, [0.5], ValueError, "seeds must be a non-empty"),
    ],
)
def test_train_from_seeds_refuses_bad_inputs(build, seeds, error, message):
    x, y = marked_sign_data(10, 5, seed=0)
    with pytest.raises(error, match=message):
        train_from_seeds(build, x, y, seeds=seeds, epochs=1)


@tensorflow_only(TAPE)
def test_update_norm_takes_the_step_fit_takes():
    x, y = marked_sign_data(40, 6, seed=0)
    steps = []
    for eager in (True, False):
        keras.utils.set_random_seed(0)
        model = build_recurrent_classifier(
            "LSTM",
            6,
            2,
            units=3,
            optimizer=keras.optimizers.SGD(learning_rate=0.5, clipnorm=0.1),
        )
        before = [w.numpy() for w in model.trainable_variables]
        if eager:
            steps.append(update_norm(model, x, y))
        else:
            model.train_on_batch(x, y)
            after = [w.numpy() for w in model.trainable_variables]
            steps.append(
                np.sqrt(
                    sum(np.sum((a - b) ** 2) for a, b in zip(after, before))
                )
            )
    assert steps[0] == pytest.approx(steps[1], rel=1e-4)


def test_update_norm_refuses_a_model_without_optimizer():
    x, y = marked_sign_data(10, 7, seed=0)
    model = keras.Sequential(
        [
            keras.Input(shape=(7, 2)),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    with pytest.raises(ValueError, match="model must be compiled"):
        update_norm(model, x, y)
