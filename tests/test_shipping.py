"""Shipping recipes: atomic checkpoints, pinned loads, CPU and LiteRT exports,
metadata, latency."""

import json
import os
from unittest import mock

import keras
import numpy as np
import pytest

from lstm_recipes.shipping import (
    AtomicCheckpoint,
    export_for_cpu,
    export_litert,
    load_pinned,
    read_metadata,
    run_litert,
    serving_latency,
    serving_signature,
    sha256_of,
    write_metadata,
)
from tests.backends import BACKEND, tensorflow_only

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 5, 1)).astype("float32")
Y = X.sum(axis=1)


def _small_lstm(**lstm_arguments):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(5, 1), name="values")
    hidden = keras.layers.LSTM(4, **lstm_arguments)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.fixture(scope="module")
def model():
    return _small_lstm()


# --------------------------------------------------------------- AtomicCheckpoint


def test_checkpoint_saves_the_best_epochs_only(tmp_path):
    model = _small_lstm()
    path = tmp_path / "best.keras"
    checkpoint = AtomicCheckpoint(path, monitor="loss")
    losses = iter([3.0, 2.0, 2.5, 1.0])
    for epoch in range(4):
        checkpoint.set_model(model)
        checkpoint.on_epoch_end(epoch, {"loss": next(losses)})
    assert checkpoint.saved_epochs == [1, 2, 4]
    assert checkpoint.best == 1.0
    assert not [p for p in tmp_path.iterdir() if p.name != "best.keras"]


def test_checkpoint_max_mode_and_every_epoch(tmp_path):
    model = _small_lstm()
    best = AtomicCheckpoint(tmp_path / "a.keras", monitor="acc", mode="max")
    every = AtomicCheckpoint(tmp_path / "b.keras", save_best_only=False)
    for callback in (best, every):
        callback.set_model(model)
    for epoch, acc in enumerate([0.5, 0.4, 0.7]):
        best.on_epoch_end(epoch, {"acc": acc})
        every.on_epoch_end(epoch, {})
    assert best.saved_epochs == [1, 3]
    assert every.saved_epochs == [1, 2, 3]


def test_checkpoint_in_fit_matches_the_model(tmp_path):
    model = _small_lstm()
    path = tmp_path / "best.keras"
    model.fit(
        X,
        Y,
        validation_data=(X, Y),
        epochs=3,
        verbose=0,
        callbacks=[AtomicCheckpoint(path, save_best_only=False)],
    )
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6
    )


def _crashing_save(self, filepath, *args, **kwargs):
    """A save that dies half-way: some bytes written, then an error."""
    with open(filepath, "wb") as file:
        file.write(b"PK\x03\x04 half a zip")
    raise OSError("No space left on device")


def test_a_crash_mid_save_keeps_the_previous_file(tmp_path):
    model = _small_lstm()
    path = tmp_path / "best.keras"
    checkpoint = AtomicCheckpoint(path, monitor="loss")
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 2.0})
    good = path.read_bytes()
    with (
        mock.patch.object(keras.Model, "save", _crashing_save),
        pytest.raises(OSError, match="No space"),
    ):
        checkpoint.on_epoch_end(1, {"loss": 1.0})
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["best.keras"]
    keras.saving.load_model(path)


def test_model_checkpoint_is_not_atomic(tmp_path):
    """Why the callback exists: Keras's own leaves the broken file."""
    model = _small_lstm()
    path = tmp_path / "best.keras"
    checkpoint = keras.callbacks.ModelCheckpoint(path, monitor="loss")
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 2.0})
    with (
        mock.patch.object(keras.Model, "save", _crashing_save),
        pytest.raises(OSError),
    ):
        checkpoint.on_epoch_end(1, {"loss": 1.0})
    with pytest.raises(ValueError):
        keras.saving.load_model(path)


def test_checkpoint_errors(tmp_path, model):
    with pytest.raises(ValueError, match="must end in .keras"):
        AtomicCheckpoint(tmp_path / "best.h5")
    with pytest.raises(TypeError, match="filepath"):
        AtomicCheckpoint(3)
    with pytest.raises(ValueError, match="mode"):
        AtomicCheckpoint(tmp_path / "a.keras", mode="auto")
    with pytest.raises(TypeError, match="monitor"):
        AtomicCheckpoint(tmp_path / "a.keras", monitor=1)
    checkpoint = AtomicCheckpoint(tmp_path / "a.keras")
    checkpoint.set_model(model)
    with pytest.raises(ValueError, match="val_loss.*validation_data"):
        checkpoint.on_epoch_end(0, {"loss": 1.0})


# --------------------------------------------------------------- sha256


def test_sha256_of_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "f.bin"
    data = os.urandom(3 << 20)
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
    with pytest.raises(FileNotFoundError):
        sha256_of(tmp_path / "nope")
    with pytest.raises(TypeError):
        sha256_of(None)


def test_load_pinned(tmp_path, model):
    path = tmp_path / "m.keras"
    model.save(path)
    pin = sha256_of(path)
    loaded = load_pinned(path, pin.upper())
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6
    )
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(data)
    with (
        mock.patch.object(keras.saving, "load_model") as loader,
        pytest.raises(ValueError, match="not the pinned file"),
    ):
        load_pinned(path, pin)
    loader.assert_not_called()  # checked before Keras reads the file
    with pytest.raises(FileNotFoundError):
        load_pinned(tmp_path / "missing.keras", pin)
    with pytest.raises(ValueError, match="64 hex digits"):
        load_pinned(path, pin[:-1])
    with pytest.raises(ValueError, match="64 hex digits"):
        load_pinned(path, "z" * 64)
    with pytest.raises(TypeError, match="sha256"):
        load_pinned(path, None)


def test_load_pinned_still_checks_the_zip(tmp_path):
    """A file pinned while damaged is pinned, but not loadable."""
    path = tmp_path / "cut.keras"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="not a complete .keras file"):
        load_pinned(path, sha256_of(path))


# --------------------------------------------------------------- export


def _pretend_gpu():
    import importlib

    tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    return mock.patch.object(tf_rnn, "_is_gpu_available", return_value=True)


def _seeded_lstm(wrapper):
    """A seeded LSTM(4) -> Dense(1) on (5, 1) inputs named "values"; the LSTM
    inside a ``Bidirectional`` when ``wrapper == "bidirectional"``."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(5, 1), name="values")
    lstm = keras.layers.LSTM(4)
    if wrapper == "bidirectional":
        lstm = keras.layers.Bidirectional(lstm)
    return keras.Model(inputs, keras.layers.Dense(1)(lstm(inputs)))


@tensorflow_only("cuDNN tracing of TensorFlow")
@pytest.mark.parametrize("wrapper", ["none", "bidirectional"])
def test_export_for_cpu_holds_no_cudnn_op_even_on_a_gpu(tmp_path, wrapper):
    import tensorflow as tf

    model = _seeded_lstm(wrapper)
    with _pretend_gpu():
        model.export(tmp_path / "plain", verbose=False)
        target = export_for_cpu(model, tmp_path / "sst")
    assert b"CudnnRNNV3" in (tmp_path / "plain/saved_model.pb").read_bytes()
    # the cuDNN op has no CPU kernel, and TFLite refuses it even with TF ops
    plain = tf.saved_model.load(str(tmp_path / "plain"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="CudnnRNNV3"):
        plain.serve(X)
    converter = tf.lite.TFLiteConverter.from_saved_model(
        str(tmp_path / "plain")
    )
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS,
        tf.lite.OpsSet.SELECT_TF_OPS,
    ]
    with pytest.raises(Exception, match="CudnnRNNV3"):
        converter.convert()
    assert target == tmp_path / "sst" / "1"
    assert b"CudnnRNN" not in (target / "saved_model.pb").read_bytes()
    served = tf.saved_model.load(str(target))
    np.testing.assert_allclose(
        served.serve(X).numpy(), model.predict(X, verbose=0), rtol=1e-5
    )
    layers = [model.layers[1]]
    if wrapper == "bidirectional":
        layers = [layers[0].forward_layer, layers[0].backward_layer]
    assert all(layer.use_cudnn == "auto" for layer in layers)  # restored


def test_export_for_cpu_versions(tmp_path, model):
    pytest.importorskip("tensorflow")
    first = export_for_cpu(model, tmp_path / "sst")
    with pytest.raises(FileExistsError, match="version 2"):
        export_for_cpu(model, tmp_path / "sst")
    second = export_for_cpu(model, tmp_path / "sst", version=2)
    assert sorted(p.name for p in (tmp_path / "sst").iterdir()) == ["1", "2"]
    assert (first / "saved_model.pb").is_file()
    assert (second / "saved_model.pb").is_file()
    with pytest.raises(ValueError, match="version"):
        export_for_cpu(model, tmp_path / "sst", version=0)
    with pytest.raises(TypeError, match="model"):
        export_for_cpu("model", tmp_path / "x")
    with pytest.raises(TypeError, match="directory"):
        export_for_cpu(model, None)


@tensorflow_only("a crashed cuDNN export is TensorFlow's")
def test_export_for_cpu_restores_cudnn_after_a_failed_export(tmp_path):
    model = _small_lstm(use_cudnn=True)
    with (
        mock.patch.object(keras.Model, "export", side_effect=OSError("disk")),
        pytest.raises(OSError),
    ):
        export_for_cpu(model, tmp_path / "sst")
    assert model.layers[1].use_cudnn is True


def test_serving_signature(tmp_path, model):
    pytest.importorskip("tensorflow")
    target = export_for_cpu(model, tmp_path / "sst")
    signature = serving_signature(target)
    assert signature["inputs"] == {"values": ((None, 5, 1), "float32")}
    ((name, (shape, dtype)),) = signature["outputs"].items()
    assert (shape, dtype) == ((None, 1), "float32")
    with pytest.raises(FileNotFoundError):
        serving_signature(tmp_path)
    with pytest.raises(TypeError):
        serving_signature(1)


# --------------------------------------------------------------- LiteRT


@tensorflow_only("LiteRT export needs the TensorFlow backend")
def test_litert_round_trip(tmp_path, model):
    pytest.importorskip("ai_edge_litert")
    path = export_litert(model, tmp_path / "m.tflite")
    np.testing.assert_allclose(
        run_litert(path, X), model.predict(X, verbose=0), atol=1e-5
    )
    batched = export_litert(model, tmp_path / "b.tflite", batch_size=4)
    np.testing.assert_allclose(
        run_litert(batched, X), model.predict(X, verbose=0), atol=1e-5
    )
    with pytest.raises(ValueError, match=r"k \* 4"):
        run_litert(batched, X[:3])
    with pytest.raises(ValueError, match=r"k \* 1, 5, 1"):
        run_litert(path, X[:, :3])
    with pytest.raises(FileNotFoundError):
        run_litert(tmp_path / "none.tflite", X)


@tensorflow_only("LiteRT export needs the TensorFlow backend")
def test_litert_export_needs_no_tensorflow_ops(tmp_path, model):
    pytest.importorskip("ai_edge_litert")
    from ai_edge_litert.interpreter import Interpreter

    path = export_litert(model, tmp_path / "m.tflite")
    ops = {op["op_name"] for op in Interpreter(str(path))._get_ops_details()}
    assert not [op for op in ops if op.startswith("Flex")]
    assert model.layers[1].use_cudnn == "auto"


@tensorflow_only("LiteRT export needs the TensorFlow backend")
def test_litert_with_a_free_batch_size_needs_tensorflow_ops(tmp_path, model):
    """Why export_litert fixes the batch: Keras's default keeps Flex ops
    (the LSTM's TensorList loop) that the LiteRT runtime lacks."""
    pytest.importorskip("ai_edge_litert")
    from ai_edge_litert.interpreter import Interpreter

    model.export(str(tmp_path / "free.tflite"), format="litert", verbose=False)
    interpreter = Interpreter(str(tmp_path / "free.tflite"))
    with pytest.raises(RuntimeError, match="Select TensorFlow op"):
        interpreter.get_signature_runner()(values=X[:1])


@tensorflow_only("Keras exports ONNX through tf2onnx on TensorFlow")
@pytest.mark.parametrize("wrapper", ["none", "bidirectional"])
def test_onnx_round_trip(tmp_path, wrapper):
    """The finalize chapter's ONNX paragraph: with the `onnx` extra, an LSTM
    (and a bidirectional one) exports, and ONNX Runtime gives Keras's
    output; the model must have been called once before."""
    pytest.importorskip("tf2onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    model = _seeded_lstm(wrapper)
    path = str(tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="never called"):
        model.export(path, format="onnx", verbose=False)
    expected = model.predict(X, verbose=0)
    model.export(path, format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(path)
    (feed,) = session.get_inputs()
    assert feed.name == "values" and feed.shape[1:] == [5, 1]
    (got,) = session.run(None, {"values": X})
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_litert_export_errors(tmp_path, model):
    with pytest.raises(ValueError, match="tflite"):
        export_litert(model, tmp_path / "m.lite")
    with pytest.raises(TypeError, match="model"):
        export_litert(None, tmp_path / "m.tflite")
    with pytest.raises(ValueError, match="batch_size"):
        export_litert(model, tmp_path / "m.tflite", batch_size=0)
    if BACKEND != "tensorflow":
        with pytest.raises(RuntimeError, match="TensorFlow backend"):
            export_litert(model, tmp_path / "m.tflite")


# --------------------------------------------------------------- metadata


def test_metadata_round_trip(tmp_path, model):
    path = tmp_path / "m.keras"
    model.save(path)
    written = write_metadata(
        path, data_start="1950-01", data_end="2008-12", seed=3, epochs=10
    )
    on_disk = json.loads((tmp_path / "m.keras.json").read_text())
    assert written == on_disk == read_metadata(path)
    assert written["sha256"] == sha256_of(path)
    assert written["data"] == {"start": "1950-01", "end": "2008-12"}
    assert written["seed"] == 3 and written["epochs"] == 10
    assert written["versions"]["keras"] == keras.__version__
    assert written["versions"]["backend"] == BACKEND
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ValueError, match="has changed"):
        read_metadata(path)


def test_metadata_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_metadata(tmp_path / "no.keras", data_start=1, data_end=2, seed=0)
    with pytest.raises(FileNotFoundError):
        read_metadata(tmp_path / "no.keras")
    with pytest.raises(TypeError, match="seed"):
        write_metadata(
            tmp_path / "no.keras", data_start=1, data_end=2, seed=0.5
        )
    with pytest.raises(ValueError, match="data_end"):
        write_metadata(tmp_path / "no.keras", data_start=2, data_end=1, seed=0)


# --------------------------------------------------------------- latency


def test_serving_latency_table(model):
    table = serving_latency(model, {"one": X[:1], "batch": X}, repeats=3)
    assert list(table.columns) == ["one", "batch"]
    assert list(table.index) == ["model(x)", "predict_on_batch", "predict"]
    assert (table.to_numpy() > 0).all()
    with pytest.raises(TypeError, match="requests"):
        serving_latency(model, [X])
    with pytest.raises(ValueError, match="repeats"):
        serving_latency(model, {"one": X[:1]}, repeats=0)
    with pytest.raises(TypeError, match="model"):
        serving_latency(None, {"one": X[:1]})
