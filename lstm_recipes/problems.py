"""Small synthetic sequence problems, seeded and vectorised with NumPy.

Every generator returns ``(x, y)`` with ``x`` of shape
``(samples, time_steps, features)`` and ``y`` of shape ``(samples, outputs)``,
and draws from ``numpy.random.default_rng(seed)``: the same seed gives the
same data; a different seed gives fresh data for testing.
"""

# --8<-- [start:imports]
import keras
import numpy as np

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = [
    "peak_position_data",
    "random_sequences",
    "rising_data",
    "sequence_mean_data",
]


def random_sequences(samples, time_steps, *, seed=0, min_time_steps=1):
    """Uniform random values in [0, 1), shape ``(samples, time_steps, 1)``."""
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    if time_steps < min_time_steps:
        raise ValueError(
            f"time_steps must be >= {min_time_steps} for this problem, "
            f"got {time_steps}"
        )
    rng = np.random.default_rng(seed)
    return rng.random((samples, time_steps, 1), dtype="float32")


# --8<-- [start:problem_types]
def sequence_mean_data(samples, time_steps=3, *, seed=0):
    """Regression: the mean of the sequence; ``y`` is ``(samples, 1)``."""
    x = random_sequences(samples, time_steps, seed=seed)
    return x, x.mean(axis=1)


def rising_data(samples, time_steps=3, *, seed=0):
    """Binary classification: is the last value above the first?

    ``y`` holds 1.0 (yes) or 0.0 (no), shape ``(samples, 1)``.
    """
    x = random_sequences(samples, time_steps, seed=seed, min_time_steps=2)
    return x, (x[:, -1] > x[:, 0]).astype("float32")


def peak_position_data(samples, time_steps=3, *, seed=0):
    """Multi-class classification: at which time step is the largest value?

    ``y`` is one-hot, shape ``(samples, time_steps)``: one class per time step.
    """
    x = random_sequences(samples, time_steps, seed=seed, min_time_steps=2)
    peak = x[:, :, 0].argmax(axis=1)  # class index, shape (samples,)
    return x, keras.utils.to_categorical(peak, num_classes=time_steps)


# --8<-- [end:problem_types]
