"""Ship a model: checkpoints that survive a crash, pinned files, exports that
run where they are served, metadata beside the file, and serving latency.

The finalize-and-predict chapter (and the callbacks part of the
diagnose-and-tune chapter) embed the sections marked ``--8<--`` below. They
build on :mod:`lstm_recipes.finalize` (``save_atomic``, ``load_keras_file``)
and add what a deployment needs next: a checkpoint callback whose save is
atomic, a sha256 checked before a file is loaded, a SavedModel export with no
cuDNN op in TF Serving's versioned layout, its signature, a LiteRT file run by
the LiteRT interpreter, a metadata file, and a latency table.
"""

# --8<-- [start:imports]
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from lstm_recipes.checks import as_number_array, check_positive_int
from lstm_recipes.finalize import _keras_path, load_keras_file, save_atomic

# --8<-- [end:imports]

__all__ = [
    "AtomicCheckpoint",
    "export_for_cpu",
    "export_litert",
    "load_pinned",
    "read_metadata",
    "run_litert",
    "serving_latency",
    "serving_signature",
    "sha256_of",
    "write_metadata",
]


# --8<-- [start:atomic_checkpoint]
class AtomicCheckpoint(keras.callbacks.Callback):
    """Save the model after an epoch, atomically: a crash mid-save keeps
    the previous good file.

    ``keras.callbacks.ModelCheckpoint`` writes over its file in place, so a
    save that fails half-way leaves a damaged file where the best model
    was. This callback saves with ``save_atomic`` (a new file, renamed over
    the old one once complete).

    Args:
        filepath: the ``.keras`` file to write.
        monitor: the logged quantity that decides what "best" is.
        mode: ``"min"`` if lower ``monitor`` is better, ``"max"`` if higher.
        save_best_only: save only when ``monitor`` improves on the best so
            far; if False, save after every epoch.
    """

    def __init__(
        self, filepath, monitor="val_loss", mode="min", save_best_only=True
    ):
        super().__init__()
        self.filepath = _keras_path(filepath, "filepath")
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a str, got {type(monitor)}")
        if mode not in ("min", "max"):
            raise ValueError(f'mode must be "min" or "max", got {mode!r}')
        self.monitor, self.mode = monitor, mode
        self.save_best_only = bool(save_best_only)
        self.best = np.inf if mode == "min" else -np.inf
        self.saved_epochs = []  # epochs (from 1) whose model was saved

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None and self.save_best_only:
            raise ValueError(
                f"monitor {self.monitor!r} is not in the logs "
                f"{sorted(logs or {})}; for val_* pass validation_data"
            )
        if self.save_best_only:
            better = (
                value < self.best if self.mode == "min" else value > self.best
            )
            if not better:
                return
            self.best = float(value)
        save_atomic(self.model, self.filepath)
        self.saved_epochs.append(epoch + 1)


# --8<-- [end:atomic_checkpoint]


# --8<-- [start:sha256]
def sha256_of(path):
    """Return the sha256 of the file at ``path``, as 64 hex digits.

    Args:
        path: a file (str or ``pathlib.Path``).

    Returns:
        The hex digest, a str of 64 characters.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or Path, got {type(path)}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {str(path)!r}")
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_pinned(path, sha256):
    """Load a ``.keras`` model only if its sha256 is the one pinned.

    The hash is checked before Keras reads a byte of the file, so a file
    that was replaced, cut short or damaged never reaches the loader. The
    load itself is ``load_keras_file`` (safe mode). A matching hash says the
    file is the one you pinned, not that it is harmless: pin only files you
    made or checked, and load others in a sandboxed process.

    Args:
        path: the ``.keras`` file.
        sha256: the expected digest, 64 hex digits (as ``sha256_of`` gives).

    Returns:
        The ``keras.Model``.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
    """
    path = _keras_path(path, "path")
    if not isinstance(sha256, str):
        raise TypeError(
            f"sha256 must be a str of 64 hex digits, got {sha256!r}"
        )
    pinned = sha256.strip().lower()
    if len(pinned) != 64 or any(c not in "0123456789abcdef" for c in pinned):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    actual = sha256_of(path)
    if actual != pinned:
        raise ValueError(
            f"{str(path)!r} is not the pinned file, do not load it; its "
            f"sha256 is {actual[:12]}..., the pin is {pinned[:12]}... (the "
            "file was replaced or damaged)"
        )
    return load_keras_file(path)


# --8<-- [end:sha256]


# --8<-- [start:export_for_cpu]
def _recurrent_layers(layer):
    """Every LSTM and GRU layer inside ``layer``, wrappers included."""
    if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
        yield layer
    inner = list(getattr(layer, "layers", []))
    for name in ("forward_layer", "backward_layer", "layer"):
        if isinstance(getattr(layer, name, None), keras.layers.Layer):
            inner.append(getattr(layer, name))
    for child in inner:
        yield from _recurrent_layers(child)


def export_for_cpu(model, directory, version=1):
    """Export ``model`` as a SavedModel that runs on CPUs, in the layout TF
    Serving reads: ``directory/<version>/``.

    On TensorFlow with a GPU, an LSTM with default settings is traced to
    the ``CudnnRNNV3`` op, which has no CPU kernel. This exports with cuDNN
    switched off in every LSTM and GRU layer (``use_cudnn=False``), then
    checks the graph. On JAX it asks for a CPU lowering.

    Args:
        model: a built ``keras.Model``.
        directory: the model's folder of versions, e.g. ``"serving/sst"``.
        version: a positive int, the subfolder TF Serving loads.

    Returns:
        The ``pathlib.Path`` of the version folder.

    Raises:
        FileExistsError: if that version folder exists (export a new
            version instead of overwriting one a server may be reading).
        RuntimeError: if the exported graph still holds a cuDNN op.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or Path, got {directory!r}")
    version = check_positive_int(version, "version")
    target = Path(directory) / str(version)
    if target.exists():
        raise FileExistsError(
            f"{str(target)!r} exists; export version {version + 1} instead "
            "(a server may be reading this one)"
        )
    options = {}
    if keras.backend.backend() == "jax":
        options["jax2tf_kwargs"] = {"native_serialization_platforms": ("cpu",)}
    layers = list(_recurrent_layers(model))
    before = [layer.use_cudnn for layer in layers]
    try:
        for layer in layers:
            layer.use_cudnn = False  # read when the layer is traced
        model.export(target, format="tf_saved_model", verbose=False, **options)
    finally:
        for layer, setting in zip(layers, before):
            layer.use_cudnn = setting
    if b"CudnnRNN" in (target / "saved_model.pb").read_bytes():
        raise RuntimeError(f"the export in {str(target)!r} holds a cuDNN op")
    return target


# --8<-- [end:export_for_cpu]


# --8<-- [start:serving_signature]
def serving_signature(directory):
    """Return the inputs and outputs a client of a SavedModel sends and gets.

    The Python equivalent of ``saved_model_cli show --dir DIRECTORY
    --tag_set serve --signature_def serving_default``. Needs TensorFlow.

    Args:
        directory: a SavedModel folder (e.g. what ``export_for_cpu`` returned).

    Returns:
        A dict ``{"inputs": {name: (shape, dtype)}, "outputs": {...}}`` of
        the ``serving_default`` signature; unknown sizes are ``None``.

    Raises:
        FileNotFoundError: if ``directory`` holds no ``saved_model.pb``.
    """
    import tensorflow as tf

    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or Path, got {directory!r}")
    if not (Path(directory) / "saved_model.pb").is_file():
        raise FileNotFoundError(f"no SavedModel in {str(directory)!r}")
    signature = tf.saved_model.load(str(directory)).signatures[
        "serving_default"
    ]

    def describe(specs):
        return {
            name: (tuple(spec.shape.as_list()), spec.dtype.name)
            for name, spec in sorted(specs.items())
        }

    return {
        "inputs": describe(signature.structured_input_signature[1]),
        "outputs": describe(signature.structured_outputs),
    }


# --8<-- [end:serving_signature]


# --8<-- [start:litert]
def export_litert(model, path, batch_size=1):
    """Export ``model`` as a LiteRT (TFLite) file that needs only LiteRT's
    built-in ops. TensorFlow backend only.

    With a free batch size the converter keeps the LSTM's loop as
    TensorFlow ops that the LiteRT runtime does not have; a fixed batch
    size lets it write the loop with built-in ops. cuDNN is switched off
    while exporting, as in ``export_for_cpu``.

    Args:
        model: a built ``keras.Model`` with one input
            ``(None, time_steps, features)``.
        path: the file to write, ending in ``.tflite``.
        batch_size: the batch size the file accepts.

    Returns:
        ``path`` as a ``pathlib.Path``.

    Raises:
        RuntimeError: on a backend other than TensorFlow.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    if not isinstance(path, (str, os.PathLike)) or not str(path).endswith(
        ".tflite"
    ):
        raise ValueError(
            f"path must be a file name ending in .tflite: {path!r}"
        )
    batch_size = check_positive_int(batch_size, "batch_size")
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            "LiteRT export needs the TensorFlow backend, running on "
            f"{keras.backend.backend()}"
        )
    import tensorflow as tf

    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 3:
        raise ValueError(
            "model must have one input (None, time_steps, features), got "
            f"{[tuple(t.shape) for t in model.inputs]}"
        )
    tensor = model.inputs[0]
    spec = keras.InputSpec(
        shape=(batch_size, *tensor.shape[1:]),
        dtype=tensor.dtype,
        name=tensor.name,
    )
    layers = list(_recurrent_layers(model))
    before = [layer.use_cudnn for layer in layers]
    try:
        for layer in layers:
            layer.use_cudnn = False
        model.export(
            str(path),
            format="litert",
            input_signature=[spec],
            target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]},
            verbose=False,
        )
    finally:
        for layer, setting in zip(layers, before):
            layer.use_cudnn = setting
    return Path(path)


def run_litert(path, x):
    """Run a ``.tflite`` file from ``export_litert`` with the LiteRT
    interpreter (package ``ai-edge-litert``), batch by batch.

    Args:
        path: the ``.tflite`` file.
        x: inputs, shape ``(samples, time_steps, features)``; ``samples``
            a multiple of the batch size the file was exported with.

    Returns:
        The outputs, a NumPy array ``(samples, ...)``.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
    """
    from ai_edge_litert.interpreter import Interpreter

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or Path, got {path!r}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"no LiteRT file at {str(path)!r}")
    interpreter = Interpreter(model_path=str(path))
    (detail,) = interpreter.get_input_details()
    shape = tuple(int(size) for size in detail["shape"])
    x = as_number_array(x, "x", dtype=detail["dtype"])
    batch = shape[0]
    if x.shape[1:] != shape[1:] or len(x) == 0 or len(x) % batch:
        raise ValueError(
            f"x must have shape (k * {batch}, {', '.join(map(str, shape[1:]))})"
            f" for this file, got {x.shape}"
        )
    runner = interpreter.get_signature_runner()
    (name,) = interpreter.get_signature_list()["serving_default"]["inputs"]
    outputs = [
        next(iter(runner(**{name: x[i : i + batch]}).values()))
        for i in range(0, len(x), batch)
    ]
    return np.concatenate(outputs)


# --8<-- [end:litert]


# --8<-- [start:metadata]
def write_metadata(model_path, *, data_start, data_end, seed, **extra):
    """Write ``<model_path>.json`` beside a model file: what it was trained
    on, with what, and the file's sha256.

    Args:
        model_path: the saved model file (e.g. ``"sst.keras"``).
        data_start: first time step of the training data (str or date).
        data_end: last time step of the training data.
        seed: the random seed of the training run (int).
        **extra: more JSON-serializable facts (e.g. ``epochs=10``).

    Returns:
        The metadata as a dict (also written to the file).

    Raises:
        FileNotFoundError: if there is no file at ``model_path``.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {seed!r}")
    if str(data_end) < str(data_start):
        raise ValueError(
            f"data_end must not come before data_start, got {data_start} "
            f"to {data_end}"
        )
    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax"}.get(backend, backend)
    metadata = {
        "file": Path(model_path).name,
        "sha256": sha256_of(model_path),
        "data": {"start": str(data_start), "end": str(data_end)},
        "seed": int(seed),
        "versions": {
            "python": platform.python_version(),
            "keras": keras.__version__,
            "backend": backend,
            module: __import__(module).__version__,
            "numpy": np.__version__,
        },
        **extra,
    }
    Path(f"{model_path}.json").write_text(
        json.dumps(metadata, indent=2), encoding="utf-8"
    )
    return metadata


def read_metadata(model_path):
    """Read ``<model_path>.json`` and check that it describes the file.

    Args:
        model_path: the model file the metadata was written for.

    Returns:
        The metadata dict.

    Raises:
        FileNotFoundError: if the model or its metadata file is missing.
    """
    sidecar = Path(f"{model_path}.json")
    if not sidecar.is_file():
        raise FileNotFoundError(f"no metadata file {str(sidecar)!r}")
    metadata = json.loads(sidecar.read_text(encoding="utf-8"))
    if metadata.get("sha256") != sha256_of(model_path):
        raise ValueError(
            f"{str(sidecar)!r} describes another file: the sha256 of "
            f"{str(model_path)!r} has changed since it was written"
        )
    return metadata


# --8<-- [end:metadata]


# --8<-- [start:serving_latency]
def serving_latency(model, requests, repeats=30):
    """Median time of ``model(x)``, ``predict_on_batch`` and ``predict``
    for each request, in milliseconds.

    Each way is called once first (tracing, allocation), then timed
    ``repeats`` times; the median ignores the odd slow call.

    Args:
        model: a ``keras.Model``.
        requests: a dict of name -> input array ``(samples, time_steps,
            features)``, e.g. one sample and a batch.
        repeats: timed calls per way and request.

    Returns:
        A ``pandas.DataFrame``: one row per way, one column per request.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    if not isinstance(requests, dict) or not requests:
        raise TypeError("requests must be a non-empty dict of name -> array")
    repeats = check_positive_int(repeats, "repeats")
    ways = {
        "model(x)": lambda x: np.asarray(model(x, training=False)),
        "predict_on_batch": model.predict_on_batch,
        "predict": lambda x: model.predict(x, verbose=0),
    }
    table = {}
    for name, x in requests.items():
        x = as_number_array(x, f"requests[{name!r}]")
        table[name] = {}
        for way, call in ways.items():
            call(x)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                call(x)
                times.append(time.perf_counter() - start)
            table[name][way] = 1000 * float(np.median(times))
    return pd.DataFrame(table)


# --8<-- [end:serving_latency]
