"""Prepare data for an LSTM: scale, encode, mark, frame, split, pad, reshape.

The data-preparation chapter embeds the sections marked ``--8<--`` below. Each
recipe returns plain NumPy or pandas objects; the shapes follow Keras's
``(samples, time_steps, features)``.
"""

# --8<-- [start:imports]
from numbers import Real

import keras
import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

from lstm_recipes.checks import as_number_array, check_positive_int

# --8<-- [end:imports]

__all__ = [
    "as_float_array",
    "char_index",
    "decode_one_hot",
    "encode_chars",
    "load_elnino",
    "mark_missing",
    "pad_ragged",
    "reshape_for_lstm",
    "scale_train_test",
    "series_to_supervised",
    "split_sequence",
]


# --8<-- [start:as_float_array]
def as_float_array(
    values, name, shapes=("(time,)", "(time, features)"), *, allow_nan=False
):
    """Return ``values`` as a float64 array with one of the named ``shapes``.

    Raises a ``TypeError`` or ``ValueError`` that names the argument and the
    expected shapes. Infinite values are refused, NaN unless ``allow_nan``.
    """
    array = as_number_array(values, name, dtype="float64")
    # "(time,)" has 1 dimension, "(time, features)" 2, and so on.
    ndims = [shape.count(",") + (not shape.endswith(",)")) for shape in shapes]
    if array.ndim not in ndims:
        expected = " or ".join(shapes)
        raise ValueError(
            f"{name} must have shape {expected}, got shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if np.isinf(array).any() or (not allow_nan and np.isnan(array).any()):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


# --8<-- [end:as_float_array]


# --8<-- [start:load_elnino]
def load_elnino():
    """Monthly sea-surface temperature (°C) off Peru, 1950-2010.

    statsmodels ships the data as a table of 61 years × 12 months; this
    returns it as one series of 732 months with a monthly ``DatetimeIndex``.
    Nothing is downloaded.
    """
    from statsmodels.api import datasets

    table = datasets.elnino.load_pandas().data  # columns YEAR, JAN ... DEC
    months = table.drop(columns="YEAR").to_numpy().reshape(-1)  # row by row
    start = f"{int(table['YEAR'].iloc[0])}-01"
    index = pd.date_range(start, periods=months.size, freq="MS")
    return pd.Series(months, index=index, name="sst")


# --8<-- [end:load_elnino]


# --8<-- [start:scale_train_test]
def scale_train_test(values, train_size, *, scaler=None):
    """Split a series in time and scale both parts with the training part.

    The scaler learns its statistics (min and max, or mean and standard
    deviation) from the first ``train_size`` steps only, so nothing about
    the test period leaks into training.

    Args:
        values: the series, shape ``(time,)`` or ``(time, features)``.
        train_size: number of leading steps used for training, at least 1
            and fewer than ``time``.
        scaler: an unfitted scikit-learn scaler; default ``MinMaxScaler()``,
            which maps the training part to [0, 1].

    Returns:
        ``(train, test, scaler)``: the scaled parts, each with the number of
        dimensions of ``values``, and the fitted scaler, whose
        ``inverse_transform`` maps model outputs back to the original units.
    """
    array = as_float_array(values, "values")
    train_size = check_positive_int(train_size, "train_size")
    if train_size >= len(array):
        raise ValueError(
            f"train_size must be < the {len(array)} steps of values so that "
            f"a test part remains, got {train_size}"
        )
    scaler = MinMaxScaler() if scaler is None else scaler
    for method in ("fit", "transform", "inverse_transform"):
        if not callable(getattr(scaler, method, None)):
            raise TypeError(
                f"scaler must be a scikit-learn scaler with fit, transform "
                f"and inverse_transform, got {type(scaler).__name__}"
            )
    table = array.reshape(len(array), -1)  # scikit-learn wants 2-D
    scaler.fit(table[:train_size])
    train = scaler.transform(table[:train_size]).reshape(
        (train_size,) + array.shape[1:]
    )
    test = scaler.transform(table[train_size:]).reshape(
        (len(array) - train_size,) + array.shape[1:]
    )
    return train, test, scaler


# --8<-- [end:scale_train_test]


# --8<-- [start:one_hot_chars]
def char_index(text):
    """Map each distinct character of ``text`` to an integer, and back.

    Returns:
        ``(char_to_index, index_to_char)``: two dicts; the characters are
        numbered 0, 1, ... in sorted order.
    """
    if not isinstance(text, str) or not text:
        raise TypeError(
            f"text must be a non-empty str, got {type(text).__name__} "
            f"{text!r:.40}"
        )
    chars = sorted(set(text))
    char_to_index = {char: i for i, char in enumerate(chars)}
    index_to_char = dict(enumerate(chars))
    return char_to_index, index_to_char


def encode_chars(text, char_to_index):
    """One-hot encode ``text``: shape ``(len(text), len(char_to_index))``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(char_to_index, dict) or not char_to_index:
        raise TypeError("char_to_index must be a non-empty dict (char_index)")
    unknown = sorted(set(text) - set(char_to_index))
    if unknown:
        raise ValueError(
            f"text contains characters missing from char_to_index: {unknown}"
        )
    indices = [char_to_index[char] for char in text]
    return keras.utils.to_categorical(indices, len(char_to_index))


def decode_one_hot(rows, index_to_char):
    """Turn one-hot rows (or predicted probabilities) back into text.

    Args:
        rows: shape ``(characters, classes)``; each row's ``argmax`` is the
            index of its character.
        index_to_char: the dict returned by ``char_index``.
    """
    rows = as_float_array(rows, "rows", ("(characters, classes)",))
    if not isinstance(index_to_char, dict):
        raise TypeError(
            f"index_to_char must be a dict, got {type(index_to_char).__name__}"
        )
    if rows.shape[1] != len(index_to_char):
        raise ValueError(
            f"rows must have shape (characters, {len(index_to_char)}) to "
            f"match index_to_char, got shape {rows.shape}"
        )
    return "".join(index_to_char[i] for i in rows.argmax(axis=1))


# --8<-- [end:one_hot_chars]


# --8<-- [start:mark_missing]
def mark_missing(values, mask_value=-1.0):
    """Replace NaN (missing) entries by ``mask_value``, which must not occur.

    A ``keras.layers.Masking(mask_value)`` layer then skips every time step
    whose features all equal ``mask_value``.

    Args:
        values: array of any shape, e.g. ``(samples, time_steps, features)``,
            with NaN where a value is missing.
        mask_value: the marker; choose a value the data cannot take.

    Returns:
        A float32 copy of ``values`` without NaN.
    """
    shapes = ("(time,)", "(time, features)", "(samples, time_steps, features)")
    array = as_float_array(values, "values", shapes, allow_nan=True)
    if isinstance(mask_value, bool) or not isinstance(mask_value, Real):
        raise TypeError(f"mask_value must be a number, got {mask_value!r}")
    if not np.isfinite(mask_value):
        raise ValueError(f"mask_value must be finite, got {mask_value}")
    missing = np.isnan(array)
    if np.any(array[~missing] == mask_value):
        raise ValueError(
            f"mask_value {mask_value} occurs in values; pick a value the data "
            "cannot take, or real steps would be skipped as missing"
        )
    return np.where(missing, mask_value, array).astype("float32")


# --8<-- [end:mark_missing]


# --8<-- [start:series_to_supervised]
def series_to_supervised(data, n_in=1, n_out=1, *, dropna=True):
    """Frame a series as a supervised table of lag and future observations.

    Row ``t`` holds the inputs ``t-n_in, ..., t-1`` and the outputs
    ``t, ..., t+n_out-1`` of every variable, built with ``DataFrame.shift``.

    Args:
        data: the series, shape ``(time,)`` or ``(time, variables)``; a
            pandas ``Series``/``DataFrame`` lends its names to the columns.
        n_in: number of lag observations used as input.
        n_out: number of future observations to predict (multi-step if > 1).
        dropna: drop the first and last rows, where a shift ran off the end.

    Returns:
        A ``DataFrame`` with columns ``name(t-n_in) ... name(t-1)``, then
        ``name(t) ... name(t+n_out-1)``, variables side by side within each
        time; it has ``time - n_in - n_out + 1`` rows if ``dropna``.
    """
    n_in = check_positive_int(n_in, "n_in")
    n_out = check_positive_int(n_out, "n_out")
    if isinstance(data, pd.Series):
        frame = data.to_frame()
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        array = as_float_array(data, "data")
        frame = pd.DataFrame(array.reshape(len(array), -1))
        frame.columns = [f"var{i + 1}" for i in range(frame.shape[1])]
    as_float_array(frame.to_numpy(), "data")  # numbers only, no NaN
    if n_in + n_out > len(frame):
        raise ValueError(
            f"n_in + n_out ({n_in} + {n_out}) must not exceed the "
            f"{len(frame)} time steps of data"
        )
    names = [str(column) for column in frame.columns]
    columns, labels = [], []
    for shift in range(n_in, -n_out, -1):  # n_in, ..., 1, 0, ..., 1 - n_out
        columns.append(frame.shift(shift))
        when = "t" if shift == 0 else f"t{-shift:+d}"
        labels += [f"{name}({when})" for name in names]
    table = pd.concat(columns, axis=1)
    table.columns = labels
    return table.dropna() if dropna else table


# --8<-- [end:series_to_supervised]


# --8<-- [start:reshape_for_lstm]
def reshape_for_lstm(table, features=1):
    """Reshape a table of lag columns to ``(samples, time_steps, features)``.

    The columns must be ordered by time, the features of one time step next
    to each other, as ``series_to_supervised`` writes them.

    Args:
        table: array or ``DataFrame``, shape ``(samples, columns)``.
        features: values per time step; ``columns`` must be a multiple.
            ``features=1`` makes every column a time step; ``features=columns``
            puts all columns side by side in a single time step.
    """
    array = as_float_array(table, "table", ("(samples, columns)",))
    features = check_positive_int(features, "features")
    samples, columns = array.shape
    if columns % features:
        raise ValueError(
            f"features ({features}) must divide the {columns} columns of "
            f"table, shape {array.shape}"
        )
    return array.reshape(samples, columns // features, features).astype(
        "float32"
    )


# --8<-- [end:reshape_for_lstm]


# --8<-- [start:split_sequence]
def split_sequence(values, length):
    """Cut one long sequence into back-to-back subsequences of ``length``.

    Args:
        values: the sequence, shape ``(time,)`` or ``(time, features)``;
            ``time`` must be a multiple of ``length`` (trim the oldest steps
            first if it is not).
        length: time steps per subsequence.

    Returns:
        float32 array ``(time // length, length, features)``.
    """
    array = as_float_array(values, "values")
    length = check_positive_int(length, "length")
    time = len(array)
    if time % length:
        raise ValueError(
            f"length ({length}) must divide the {time} time steps of values; "
            f"drop the first {time % length} steps (values[{time % length}:])"
        )
    return array.reshape(time // length, length, -1).astype("float32")


# --8<-- [end:split_sequence]


# --8<-- [start:pad_ragged]
def pad_ragged(
    sequences, maxlen=None, *, padding="post", truncating="pre", value=0.0
):
    """Pad (or cut) sequences of different lengths to one length.

    Wraps ``keras.utils.pad_sequences`` and refuses a padding ``value`` that
    occurs as a real time step, which ``keras.layers.Masking(value)`` would
    otherwise skip. Unlike Keras, it pads after the values by default (the
    mask cuDNN accepts); like Keras, it cuts the oldest steps of a sequence
    that is too long, and keeps the most recent ones.

    Args:
        sequences: list of arrays, each ``(steps,)`` or ``(steps, features)``.
        maxlen: length of the result; default: the longest sequence.
        padding: ``"post"`` adds the padding after the values (right-padded,
            what cuDNN needs), ``"pre"`` before them.
        truncating: ``"pre"`` cuts the beginning of longer sequences (the
            oldest steps), ``"post"`` their end (the most recent steps).
        value: the padding value.

    Returns:
        float32 array ``(samples, maxlen, features)``.
    """
    if isinstance(sequences, (str, bytes, np.ndarray)) or not isinstance(
        sequences, (list, tuple)
    ):
        raise TypeError(
            f"sequences must be a list of arrays shaped (steps,) or "
            f"(steps, features), got {type(sequences).__name__}"
        )
    if not sequences:
        raise ValueError("sequences must hold at least one sequence")
    arrays = [
        as_float_array(s, f"sequences[{i}]").reshape(len(s), -1)
        for i, s in enumerate(sequences)
    ]
    if len({a.shape[1] for a in arrays}) > 1:
        raise ValueError(
            "sequences must all have the same number of features, got "
            f"shapes {[a.shape for a in arrays]}"
        )
    if maxlen is not None:
        maxlen = check_positive_int(maxlen, "maxlen")
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {option!r}")
    if any(np.all(a == value, axis=1).any() for a in arrays):
        raise ValueError(
            f"value {value} is a real time step in sequences; Masking would "
            "skip it, so pad with a value the data cannot take"
        )
    return keras.utils.pad_sequences(
        arrays,
        maxlen=maxlen,
        dtype="float32",
        padding=padding,
        truncating=truncating,
        value=value,
    )


# --8<-- [end:pad_ragged]
