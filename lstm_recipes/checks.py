"""Input checks shared by every recipe.

Each check converts its argument to a NumPy array (or an int) and raises a
``TypeError`` or ``ValueError`` that names the argument and the expected shape,
so that a wrong input fails at the call, not deep inside Keras.
"""

import numbers

import numpy as np

__all__ = [
    "as_number_array",
    "check_positive_int",
    "check_sequences",
    "check_targets",
]


def as_number_array(value, name, *, dtype="float32"):
    """Return ``value`` as a NumPy array of ``dtype``, or raise a TypeError
    that names the argument (a string, ``None``, ragged lists...)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(
            f"{name} must be an array of numbers, got {type(value).__name__}"
        )
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array of numbers: {error}"
        ) from None


def _as_float_array(value, name):
    array = as_number_array(value, name)
    if array.size and not np.isfinite(array).all():
        raise ValueError(
            f"{name} contains NaN or infinite values; replace missing values "
            "first (for example mark them with a value and add a "
            "keras.layers.Masking layer)"
        )
    return array


def check_sequences(x, name="x"):
    """Return ``x`` as a float32 array ``(samples, time_steps, features)``.

    Raises:
        TypeError: if ``x`` is not an array of numbers.
        ValueError: if ``x`` is not 3-D, is empty, or holds NaN/inf.
    """
    array = _as_float_array(x, name)
    if array.ndim != 3:
        hint = ""
        if array.ndim == 2:
            hint = (
                f"; for one feature per time step use {name}.reshape"
                f"({array.shape[0]}, {array.shape[1]}, 1)"
            )
        raise ValueError(
            f"{name} must have shape (samples, time_steps, features), "
            f"got shape {array.shape}{hint}"
        )
    if 0 in array.shape:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array


def check_targets(y, samples, name="y"):
    """Return ``y`` as a float32 array of shape ``(samples, outputs)``.

    A 1-D ``y`` of length ``samples`` becomes ``(samples, 1)``.

    Raises:
        TypeError: if ``y`` is not an array of numbers.
        ValueError: if ``y`` has the wrong number of samples or dimensions.
    """
    array = _as_float_array(y, name)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[0] != samples:
        raise ValueError(
            f"{name} must have shape ({samples}, outputs) to match x, "
            f"got shape {array.shape}"
        )
    return array


def check_positive_int(value, name):
    """Return ``value`` as an ``int`` if it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value}")
    return int(value)
