"""Finalize recipes: scaling inside the model, safe save, checked load and input."""

import os

import keras
import numpy as np
import pytest

from lstm_recipes.finalize import (
    build_scaled_lstm,
    check_input,
    load_keras_file,
    save_atomic,
)
from tests.backends import BACKEND, tensorflow_only

RNG = np.random.default_rng(0)
VALUES = RNG.normal(23.0, 2.0, 200)  # a series around 23 °C
X = RNG.normal(23.0, 2.0, (6, 5, 1)).astype("float32")


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return build_scaled_lstm(VALUES, 5, horizon=2, units=4)


# --------------------------------------------------------------- build_scaled_lstm


def test_raw_units_in_and_out(model):
    assert model.input_shape == (None, 5, 1)
    assert model.output_shape == (None, 2)
    assert model.compiled and model.loss == "mean_squared_error"
    scale = model.get_layer("scale")
    np.testing.assert_allclose(np.ravel(scale.mean), VALUES.mean(), rtol=1e-5)
    np.testing.assert_allclose(
        np.ravel(scale.variance), VALUES.var(), rtol=1e-5
    )
    # the inverse maps 0 to the mean and 1 to mean + std
    unscale = model.get_layer("unscale")
    back = keras.ops.convert_to_numpy(unscale(np.array([[0.0, 1.0]])))
    np.testing.assert_allclose(
        back, [[VALUES.mean(), VALUES.mean() + VALUES.std()]], rtol=1e-5
    )


def test_the_scaled_input_is_standardized(model):
    scaled = keras.Model(model.input, model.get_layer("scale").output)
    z = scaled.predict(VALUES[:200].reshape(40, 5, 1), verbose=0)
    assert abs(z.mean()) < 1e-4 and abs(z.std() - 1) < 1e-4


def test_learns_a_sine_in_its_own_units():
    """Short training: raw values in, raw values out, beats repeating."""
    keras.utils.set_random_seed(0)
    t = np.arange(400)
    series = 20.0 + 3.0 * np.sin(2 * np.pi * t / 12)
    x = np.stack([series[i : i + 6] for i in range(388)])[:, :, None]
    y = series[6:394].reshape(-1, 1)
    model = build_scaled_lstm(series[:300], 6, units=8, learning_rate=0.02)
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    mse = model.evaluate(x, y, verbose=0)
    assert mse < np.mean((x[:, -1] - y) ** 2) / 10, mse


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((VALUES.reshape(-1, 2), 5), {}, ValueError, r"train_values must"),
        ((np.full(10, 3.0), 5), {}, ValueError, r"2 different values"),
        ((VALUES[:1], 5), {}, ValueError, r"at least 2 different"),
        (("23.5", 5), {}, TypeError, r"train_values must be an array"),
        ((VALUES, 0), {}, ValueError, r"lookback must be an integer >= 1"),
        ((VALUES, 5), {"horizon": 1.5}, TypeError, r"horizon must be"),
        ((VALUES, 5), {"units": 0}, ValueError, r"units must be"),
        ((np.r_[VALUES, np.nan], 5), {}, ValueError, r"NaN or infinite"),
    ],
)
def test_build_refuses_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        build_scaled_lstm(*args, **kwargs)


# --------------------------------------------------------------- check_input


def test_check_input_passes_the_right_shape(model):
    checked = check_input(model, X.astype("float64"))
    assert checked.dtype == np.float32 and checked.shape == X.shape


@pytest.mark.parametrize(
    ("x", "shape"),
    [
        (X[:, 1:], r"\(6, 4, 1\)"),  # too few time steps: Keras would predict
        (np.repeat(X, 2, axis=2), r"\(6, 5, 2\)"),  # two features
        (X[:, :, 0], r"\(6, 5\)"),  # 2-D
    ],
)
def test_check_input_names_the_expected_shape(model, x, shape):
    with pytest.raises(
        ValueError, match=r"\(samples, 5, 1\).*got shape " + shape
    ):
        check_input(model, x)


@tensorflow_only("its trainer checks the input shape on the first predict")
def test_keras_alone_checks_the_length_only_on_the_first_call():
    """On TensorFlow, Keras (3.15) checks the shape of the first input to
    ``predict``, and of no later one."""
    keras.utils.set_random_seed(0)
    model = build_scaled_lstm(VALUES, 5)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5, 1\)"):
        model.predict(X[:, 1:], verbose=0)
    model.predict(X, verbose=0)
    forecast = model.predict(X[:, 1:], verbose=0)  # 4 time steps, not 5
    assert forecast.shape == (6, 1) and np.isfinite(forecast).all()


def test_keras_alone_forecasts_from_a_window_of_the_wrong_length():
    """The reason for check_input: once the model has predicted, Keras
    (3.15) forecasts from a window of the wrong length without a word, on
    every backend (on JAX, even on the first call)."""
    keras.utils.set_random_seed(0)
    model = build_scaled_lstm(VALUES, 5)
    model.predict(X, verbose=0)
    forecast = model.predict(X[:, 1:], verbose=0)  # 4 time steps, not 5
    assert forecast.shape == (6, 1) and np.isfinite(forecast).all()
    if BACKEND == "jax":  # no check at all, not even on the first call
        fresh = build_scaled_lstm(VALUES, 5)
        first = fresh.predict(X[:, 1:], verbose=0)
        assert first.shape == (6, 1) and np.isfinite(first).all()


@pytest.mark.skipif(BACKEND != "jax", reason="a behaviour of the JAX trainer")
def test_on_jax_a_failed_predict_loses_the_weights():
    """Why the finalize chapter loads its model again after feeding it two
    features: on JAX, Keras (3.15) clears the model's variables for the
    predict loop and does not put them back when the loop fails."""
    keras.utils.set_random_seed(0)
    model = build_scaled_lstm(VALUES, 5)
    model.predict(X, verbose=0)
    with pytest.raises(TypeError, match="LSTMCell"):
        model.predict(np.concatenate([X, X], axis=2), verbose=0)
    with pytest.raises(TypeError, match="'NoneType' object is not callable"):
        model.predict(X, verbose=0)


def test_check_input_refuses_bad_values_and_types(model):
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_input(model, np.where(X > 24, np.nan, X))
    with pytest.raises(ValueError, match="at least one sample"):
        check_input(model, X[:0])
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        check_input(model, "window")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        check_input(object(), X)


def test_check_input_needs_a_sequence_model():
    dense = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"one input of shape \(None"):
        check_input(dense, X[:, :, 0])


# --------------------------------------------------------------- save and load


def test_save_load_predict_round_trip(model, tmp_path):
    path = save_atomic(model, tmp_path / "sst.keras")
    assert path == tmp_path / "sst.keras" and path.is_file()
    assert os.listdir(tmp_path) == ["sst.keras"]  # no partial file left
    loaded = load_keras_file(str(path))
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6
    )


class _HoldsAnObject(keras.layers.Layer):
    """A layer Keras cannot serialize: its argument is a Python object."""

    def __init__(self, thing, **kwargs):
        super().__init__(**kwargs)
        self.thing = thing

    def call(self, x):
        return x


def _unsavable():
    inputs = keras.Input(shape=(5, 1))
    return keras.Model(inputs, _HoldsAnObject(object())(inputs))


def test_a_failed_save_keeps_the_last_good_file(model, tmp_path):
    path = save_atomic(model, tmp_path / "model.keras")
    before = path.read_bytes()
    with pytest.raises(NotImplementedError):
        save_atomic(_unsavable(), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.keras"]
    load_keras_file(path)


def test_keras_save_alone_empties_the_file_when_it_fails(model, tmp_path):
    """The reason for save_atomic."""
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(NotImplementedError):
        _unsavable().save(path)
    assert path.stat().st_size == 0


def test_save_refuses_bad_arguments(model, tmp_path):
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        save_atomic("model", tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"path must end in \.keras"):
        save_atomic(model, tmp_path / "m.h5")
    with pytest.raises(TypeError, match="path must be a path"):
        save_atomic(model, 3)


def test_load_tells_missing_from_damaged(model, tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file at"):
        load_keras_file(tmp_path / "missing.keras")
    good = save_atomic(model, tmp_path / "good.keras").read_bytes()
    cut = tmp_path / "cut.keras"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"cut\.keras.*not a complete"):
        load_keras_file(cut)
    flipped = bytearray(good)
    middle = len(flipped) // 2
    flipped[middle : middle + 64] = bytes(b ^ 0xFF for b in good[middle:][:64])
    damaged = tmp_path / "damaged.keras"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match=r"damaged\.keras.*not a complete"):
        load_keras_file(damaged)
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    with pytest.raises(
        ValueError, match=r"not a complete .keras file \(it is empty\)"
    ):
        load_keras_file(empty)


def test_load_refuses_bad_paths_and_lambdas(tmp_path):
    with pytest.raises(ValueError, match=r"weights-only files"):
        load_keras_file(tmp_path / "m.weights.h5")
    with pytest.raises(TypeError, match="path must be a path"):
        load_keras_file(None)
    inputs = keras.Input(shape=(3,))
    lam = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2)(inputs))
    lam.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="arbitrary code execution"):
        load_keras_file(tmp_path / "lambda.keras")


def test_model_checkpoint_saves_in_place_so_a_failed_save_breaks_it(
    model, tmp_path
):
    """The diagnose chapter: ModelCheckpoint writes over its file in place."""
    path = tmp_path / "best.keras"
    model.save(path)
    unsavable = _unsavable()
    unsavable.compile(optimizer="adam", loss="mean_squared_error")
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_best_only=False)
    with pytest.raises(NotImplementedError):
        unsavable.fit(X, X, epochs=1, callbacks=[checkpoint], verbose=0)
    assert path.stat().st_size == 0  # the good model saved there is gone


def test_safe_mode_leaves_out_the_formats_without_it():
    """The finalize chapter: tf.saved_model.load has no safe mode, and Keras
    documents that safe mode gives no isolation."""
    import inspect

    assert "isolation" in keras.saving.deserialize_keras_object.__doc__
    tf = pytest.importorskip("tensorflow")
    load_parameters = inspect.signature(tf.saved_model.load).parameters
    assert "safe_mode" not in load_parameters


# --------------------------------------------------------------- export


def _exported_graph(model, path, *, pretend_gpu):
    """Export ``model`` and return its graph, traced as on a GPU if asked."""
    import importlib
    from unittest import mock

    # keras.src.backend.tensorflow.rnn is shadowed by the function rnn
    tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    with mock.patch.object(
        tf_rnn, "_is_gpu_available", return_value=pretend_gpu
    ):
        model.export(path, verbose=False)
    return (path / "saved_model.pb").read_bytes()


def _small_lstm(**lstm_arguments):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(5, 1))
    hidden = keras.layers.LSTM(4, **lstm_arguments)(inputs)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))


@tensorflow_only("cuDNN tracing and SavedModel export of TensorFlow")
def test_an_export_traced_for_a_gpu_holds_cudnn_and_fails_on_a_cpu(tmp_path):
    import tensorflow as tf

    graph = _exported_graph(_small_lstm(), tmp_path / "gpu", pretend_gpu=True)
    assert b"CudnnRNNV3" in graph
    served = tf.saved_model.load(str(tmp_path / "gpu"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="CudnnRNNV3"):
        served.serve(X)
    with pytest.raises(Exception, match="CudnnRNNV3' op is neither"):
        _to_tflite(tf, tmp_path / "gpu")


def _to_tflite(tf, path):
    """Convert a SavedModel for TFLite, TensorFlow ops allowed."""
    converter = tf.lite.TFLiteConverter.from_saved_model(str(path))
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS,
        tf.lite.OpsSet.SELECT_TF_OPS,
    ]
    converter._experimental_lower_tensor_list_ops = False
    return converter.convert()


@tensorflow_only("cuDNN tracing and SavedModel export of TensorFlow")
def test_an_export_runs_on_a_cpu_from_a_cpu_or_without_cudnn(tmp_path):
    import tensorflow as tf

    for name, lstm_arguments, pretend_gpu in [
        ("cpu", {}, False),
        ("no_cudnn", {"use_cudnn": False}, True),
    ]:
        model = _small_lstm(**lstm_arguments)
        graph = _exported_graph(model, tmp_path / name, pretend_gpu=pretend_gpu)
        assert b"CudnnRNN" not in graph, name
        served = tf.saved_model.load(str(tmp_path / name))
        np.testing.assert_allclose(
            served.serve(X).numpy(), model.predict(X, verbose=0), rtol=1e-5
        )
    assert len(_to_tflite(tf, tmp_path / "no_cudnn")) > 0


@tensorflow_only("TFSMLayer wraps a TensorFlow SavedModel")
def test_tfsm_layer_runs_an_export_but_safe_mode_refuses_it(model, tmp_path):
    """Exercise 4 of the finalize chapter works as written."""
    model.export(tmp_path / "served", verbose=False)
    inputs = keras.Input(shape=(5, 1))
    served = keras.layers.TFSMLayer(
        str(tmp_path / "served"), call_endpoint="serve"
    )
    wrapper = keras.Model(inputs, served(inputs))
    np.testing.assert_allclose(
        wrapper.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5
    )
    wrapper.save(tmp_path / "wrapper.keras")
    with pytest.raises(ValueError, match="TFSMLayer"):
        keras.saving.load_model(tmp_path / "wrapper.keras", safe_mode=True)
