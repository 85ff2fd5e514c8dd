"""Finalize a forecaster: scaling inside the model, safe files, checked input.

The finalize-and-predict chapter embeds the sections marked ``--8<--`` below.
Keras saves, loads and exports models by itself; these helpers add only what
it leaves out: a model that takes and returns the series' own units, a save
that never destroys the last good file, a load that tells a missing file from
a damaged one, and a check of the input shape before a prediction.
"""

# --8<-- [start:imports]
import os
import tempfile
import zipfile
from pathlib import Path

import keras
import numpy as np

from lstm_recipes.checks import as_number_array, check_positive_int
from lstm_recipes.prep import as_float_array

# --8<-- [end:imports]

__all__ = [
    "build_scaled_lstm",
    "check_input",
    "load_keras_file",
    "save_atomic",
]


# --8<-- [start:build_scaled_lstm]
def build_scaled_lstm(
    train_values, lookback, *, horizon=1, units=16, learning_rate=0.01
):
    """Define and compile an LSTM forecaster that scales its own input.

    A ``Normalization`` layer learns the mean and variance of
    ``train_values`` and standardizes the input; a second one, with
    ``invert=True``, maps the output back. The model reads and returns the
    series in its own units (°C, say), so the saved file is all a user needs.

    Args:
        train_values: the training part of the series, shape ``(time,)``,
            in its own units; only its mean and variance are kept.
        lookback: input time steps per sample.
        horizon: values to forecast, the next ``horizon`` steps.
        units: size of the LSTM layer.
        learning_rate: step size of the Adam optimizer.

    Returns:
        A compiled ``keras.Model`` mapping ``(samples, lookback, 1)`` to
        ``(samples, horizon)``, both in the units of ``train_values``,
        trained with mean squared error (in those units squared).
    """
    values = as_float_array(train_values, "train_values", ("(time,)",))
    distinct = len(np.unique(values))
    if distinct < 2:
        raise ValueError(
            "train_values must hold at least 2 different values to scale "
            f"by, got {len(values)} values, {distinct} distinct"
        )
    lookback = check_positive_int(lookback, "lookback")
    horizon = check_positive_int(horizon, "horizon")
    units = check_positive_int(units, "units")

    scale = keras.layers.Normalization(name="scale")  # (x - mean) / std
    scale.adapt(values.reshape(-1, 1))
    unscale = keras.layers.Normalization(  # y * std + mean
        axis=None,
        mean=float(values.mean()),
        variance=float(values.var()),
        invert=True,
        name="unscale",
    )
    inputs = keras.Input(shape=(lookback, 1), name="values")
    hidden = keras.layers.LSTM(units)(scale(inputs))
    outputs = unscale(keras.layers.Dense(horizon)(hidden))
    model = keras.Model(inputs, outputs, name="scaled_lstm")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mean_squared_error",
    )
    return model


# --8<-- [end:build_scaled_lstm]


# --8<-- [start:check_input]
def check_input(model, x):
    """Return ``x`` as float32 if it has the shape ``model`` was built for.

    An LSTM runs over any number of time steps. Keras (3.15) checks the
    shape on the first call of ``predict`` only, and on the JAX backend not
    even then: a window of the wrong length gives a forecast without a word,
    and a wrong number of features fails deep inside the graph (on JAX, it
    also leaves the model without its weights). This check fails at once,
    every time, naming the shape the model expects.

    Args:
        model: a ``keras.Model`` with one input, shape
            ``(None, time_steps, features)``.
        x: the inputs, shape ``(samples, time_steps, features)``.

    Returns:
        ``x`` as a float32 NumPy array.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    expected = tuple(model.input_shape)
    if len(expected) != 3:
        raise ValueError(
            "model must have one input of shape (None, time_steps, "
            f"features), got input shape {model.input_shape}"
        )
    want = "(samples, " + ", ".join(map(str, expected[1:])) + ")"
    x = as_number_array(x, "x")
    if x.ndim != 3 or any(
        size is not None and got != size
        for got, size in zip(x.shape[1:], expected[1:])
    ):
        raise ValueError(
            f"x must have shape {want}, the (samples, time steps, "
            f"features) this model was built for; got shape {x.shape}"
        )
    if len(x) == 0:
        raise ValueError(f"x must hold at least one sample, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("x contains NaN or infinite values")
    return x


# --8<-- [end:check_input]


# --8<-- [start:keras_path]
def _keras_path(path, name):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a path (str or pathlib.Path), got "
            f"{type(path).__name__}"
        )
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(
            f"{name} must end in .keras, got {str(path)!r}; weights-only "
            "files (.weights.h5) need the code that builds the model, see "
            "Model.load_weights"
        )
    return path


# --8<-- [end:keras_path]


# --8<-- [start:save_atomic]
def save_atomic(model, path):
    """Save ``model`` to ``path`` so that a failed save changes nothing.

    ``model.save(path)`` empties the file at ``path`` before it writes, so
    a save that fails half-way (an object Keras cannot serialize, a full
    disk) destroys the model saved there before. This saves to a new file
    beside ``path`` and renames it over ``path`` only once it is complete.

    Args:
        model: the ``keras.Model`` to save.
        path: where to save, a file name ending in ``.keras``.

    Returns:
        ``path`` as a ``pathlib.Path``.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model)}")
    path = _keras_path(path, "path")
    handle, partial = tempfile.mkstemp(
        suffix=".keras", prefix=f".{path.stem}-", dir=path.parent
    )
    os.close(handle)
    try:
        model.save(partial)
        os.replace(partial, path)  # atomic: the old file or the new one
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return path


# --8<-- [end:save_atomic]


# --8<-- [start:load_keras_file]
def load_keras_file(path):
    """Load a ``.keras`` model in safe mode, with a clear error if it is not
    there or not whole.

    For a file that exists but is truncated, Keras reports "File not found";
    this tells the two apart before Keras reads the file. Safe mode is no
    sandbox: load a file you did not make only in a sandboxed process, after
    checking its sha256.

    Args:
        path: a ``.keras`` file written by ``model.save`` or ``save_atomic``.

    Returns:
        The ``keras.Model``, loaded with ``safe_mode=True``.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
        ValueError: if the file is not a complete ``.keras`` archive.
    """
    path = _keras_path(path, "path")
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {str(path)!r}")
    damaged = (
        f"{str(path)!r} is not a complete .keras file"
        + (" (it is empty)" if path.stat().st_size == 0 else "")
        + ": it was cut short or damaged, e.g. by an interrupted copy or "
        "save; copy or save it again"
    )
    if not zipfile.is_zipfile(path):
        raise ValueError(damaged)
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()  # checks every member's checksum
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{damaged} ({error})") from None
    if bad is not None:
        raise ValueError(f"{damaged} (bad checksum in {bad})")
    return keras.saving.load_model(path, safe_mode=True)


# --8<-- [end:load_keras_file]
