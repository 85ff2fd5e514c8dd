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
    "cumulative_threshold_data",
    "damped_sine_data",
    "echo_data",
    "marked_sign_data",
    "moving_shape_videos",
    "peak_position_data",
    "random_sequences",
    "rising_data",
    "sequence_mean_data",
]


# --8<-- [start:random_sequences]
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


# --8<-- [end:random_sequences]


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


# ---- Training LSTMs: a task that needs a long memory ----


# --8<-- [start:marked_sign_data]
def marked_sign_data(samples, time_steps=40, *, seed=0, marks=None):
    """Binary classification: is the marked value positive?

    Feature 0 holds random values in [-1, 1); feature 1 is 1.0 at one
    time step, the mark, and 0.0 elsewhere. The label is 1.0 if the value at
    the mark is positive. Every other value is a distractor that the model
    must read and then ignore.

    Args:
        samples: number of sequences.
        time_steps: length of each sequence.
        seed: seed of the random values and marks.
        marks: ``(first, last)``: the mark lies at a time step from
            ``first`` to ``last`` inclusive, uniformly; default: anywhere.

    Returns:
        ``x`` of shape ``(samples, time_steps, 2)`` and ``y`` of shape
        ``(samples, 1)``.
    """
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    first, last = (0, time_steps - 1) if marks is None else marks
    if not all(isinstance(m, (int, np.integer)) for m in (first, last)):
        raise TypeError(f"marks must be two integers, got {marks!r}")
    if not 0 <= first <= last < time_steps:
        raise ValueError(
            f"marks must be (first, last) with 0 <= first <= last < "
            f"time_steps={time_steps}, got {marks!r}"
        )
    rng = np.random.default_rng(seed)
    x = np.zeros((samples, time_steps, 2), dtype="float32")
    x[:, :, 0] = rng.uniform(-1.0, 1.0, size=(samples, time_steps))
    where = rng.integers(first, last + 1, size=samples)
    rows = np.arange(samples)
    x[rows, where, 1] = 1.0
    y = (x[rows, where, 0] > 0).astype("float32").reshape(-1, 1)
    return x, y


# --8<-- [end:marked_sign_data]


# ---- CNN-LSTM: a shape moving across video frames ----


# --8<-- [start:moving_shape_videos]
def moving_shape_videos(
    samples,
    frames=8,
    height=12,
    width=12,
    *,
    shape="square",
    side=3,
    seed=0,
):
    """Binary classification of short videos: does the shape move right?

    Each video shows one shape (a ``side`` x ``side`` square at a random
    height, or a vertical line as tall as the frame) that moves one pixel per
    frame across a random stretch of columns. A video that moves left shows
    the frames of one that moves right in reverse order, so a model that
    ignored the order of the frames could not tell the two apart.

    Returns:
        ``x`` of shape ``(samples, frames, height, width, 1)``: pixels 0.0
        (background) or 1.0 (shape);
        ``y`` of shape ``(samples, 1)``: 1.0 moving right, 0.0 moving left.
    """
    samples = check_positive_int(samples, "samples")
    frames = check_positive_int(frames, "frames")
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    side = check_positive_int(side, "side")
    if shape not in ("line", "square"):
        raise ValueError(f"shape must be 'line' or 'square', got {shape!r}")
    if frames < 2:
        raise ValueError(f"frames must be >= 2 to show motion, got {frames}")
    shape_width = 1 if shape == "line" else side
    if shape == "square" and side > height:
        raise ValueError(
            f"height must be >= side ({side}) to hold the square, got {height}"
        )
    if width < shape_width + frames - 1:
        raise ValueError(
            f"width must be >= {shape_width + frames - 1} for a {shape} "
            f"{shape_width} pixel(s) wide to move for {frames} frames, "
            f"got {width}"
        )
    rng = np.random.default_rng(seed)
    right = rng.integers(0, 2, samples).astype(bool)  # (samples,)
    first = rng.integers(0, width - shape_width - frames + 2, samples)
    steps = np.arange(frames)
    offset = np.where(right[:, None], steps, frames - 1 - steps)
    left_edge = first[:, None] + offset  # (samples, frames)
    columns = np.arange(width)
    lit_columns = (columns >= left_edge[..., None]) & (
        columns < left_edge[..., None] + shape_width
    )  # (samples, frames, width)
    if shape == "line":
        lit_rows = np.ones((samples, height), dtype=bool)
    else:
        top = rng.integers(0, height - side + 1, samples)[:, None]
        rows = np.arange(height)
        lit_rows = (rows >= top) & (rows < top + side)  # (samples, height)
    video = lit_rows[:, None, :, None] & lit_columns[:, :, None, :]
    x = video[..., None].astype("float32")  # add the channel axis
    return x, right.astype("float32").reshape(-1, 1)


# --8<-- [end:moving_shape_videos]


# ---- Bidirectional LSTM: a running sum crossing a threshold ----


# --8<-- [start:cumulative_threshold_data]
def cumulative_threshold_data(
    samples, time_steps=10, *, relative=False, threshold=None, seed=0
):
    """Label every time step: has the running sum crossed the threshold?

    ``x`` holds random values in [0, 1). The label at step ``t`` is 1.0 once
    ``x[0] + ... + x[t]`` exceeds the threshold, else 0.0.

    Args:
        relative: ``False``: a fixed threshold, by default ``time_steps / 4``
            (the seed tutorial's problem); a label then depends only on the
            values up to its step. ``True``: the threshold is a share of
            the sequence's own total, by default ``0.5`` (has half of the
            total arrived yet?); a label then depends on the whole sequence.
        threshold: the fixed threshold, or the share in (0, 1).

    Returns:
        ``x`` of shape ``(samples, time_steps, 1)``;
        ``y`` of shape ``(samples, time_steps, 1)``: one label per time step.
    """
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    if time_steps < 2:
        raise ValueError(f"time_steps must be >= 2, got {time_steps}")
    if threshold is None:
        threshold = 0.5 if relative else time_steps / 4
    if isinstance(threshold, bool) or not isinstance(
        threshold, (int, float, np.floating, np.integer)
    ):
        raise TypeError(f"threshold must be a number, got {threshold!r}")
    if relative and not 0 < threshold < 1:
        raise ValueError(
            f"with relative=True, threshold must be a share in (0, 1), "
            f"got {threshold}"
        )
    if not relative and threshold <= 0:
        raise ValueError(f"threshold must be > 0, got {threshold}")
    rng = np.random.default_rng(seed)
    x = rng.random((samples, time_steps, 1), dtype="float32")
    running_sum = np.cumsum(x, axis=1)  # (samples, time_steps, 1)
    if relative:
        threshold = threshold * running_sum[:, -1:]  # share of each total
    return x, (running_sum > threshold).astype("float32")


# --8<-- [end:cumulative_threshold_data]


# ---- Vanilla LSTM: the echo problem ----
# --8<-- [start:echo_data]
def echo_data(samples, time_steps=10, values=10, index=2, *, seed=0):
    """Echo: random integers in, the integer seen at step ``index`` out.

    Each sequence holds ``time_steps`` integers drawn uniformly from
    ``0 .. values - 1``, one-hot encoded; the target is the integer at
    position ``index`` (0 = the first step), also one-hot. The model must
    remember it while the rest of the sequence goes by.

    Returns:
        ``x`` of shape ``(samples, time_steps, values)`` and ``y`` of shape
        ``(samples, values)``, both float32 with one 1.0 per row.
    """
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    values = check_positive_int(values, "values")
    if values < 2:
        raise ValueError(f"values must be >= 2 to choose from, got {values}")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"index must be an integer, got {index!r}")
    if not 0 <= index < time_steps:
        raise ValueError(
            f"index must be in [0, time_steps) = [0, {time_steps}), got {index}"
        )
    rng = np.random.default_rng(seed)
    integers = rng.integers(0, values, size=(samples, time_steps))
    x = keras.utils.to_categorical(integers, num_classes=values)
    y = keras.utils.to_categorical(integers[:, index], num_classes=values)
    return x.astype("float32"), y.astype("float32")


# --8<-- [end:echo_data]


# ---- Stacked LSTM: damped sine waves ----
# --8<-- [start:damped_sine_data]
def _check_range(bounds, name):
    """Return ``(low, high)`` as floats if ``0 < low <= high``."""
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a pair of numbers (low, high), got {bounds!r}"
        ) from None
    if not 0 < low <= high:
        raise ValueError(
            f"{name} must be a range (low, high) with 0 < low <= high, "
            f"got {bounds!r}"
        )
    return low, high


def damped_sine_data(
    samples,
    time_steps=20,
    outputs=5,
    *,
    period=(10.0, 20.0),
    decay=(0.01, 0.1),
    seed=0,
):
    """Damped sine waves: a window of ``time_steps`` values, then the next.

    Series ``i`` is ``sin(2 pi t / period_i + phase_i) * exp(-decay_i t)`` for
    ``t = 0, 1, ...``, with its period, decay rate and phase drawn uniformly
    from ``period``, ``decay`` and ``[0, 2 pi)``. Values lie in [-1, 1].

    Returns:
        ``x`` of shape ``(samples, time_steps, 1)``: the window;
        ``y`` of shape ``(samples, outputs)``: the ``outputs`` values after it.
    """
    samples = check_positive_int(samples, "samples")
    time_steps = check_positive_int(time_steps, "time_steps")
    outputs = check_positive_int(outputs, "outputs")
    period = _check_range(period, "period")
    decay = _check_range(decay, "decay")
    rng = np.random.default_rng(seed)
    periods = rng.uniform(*period, size=(samples, 1))
    decays = rng.uniform(*decay, size=(samples, 1))
    phases = rng.uniform(0.0, 2 * np.pi, size=(samples, 1))
    t = np.arange(time_steps + outputs)  # broadcast against (samples, 1)
    series = np.sin(2 * np.pi * t / periods + phases) * np.exp(-decays * t)
    series = series.astype("float32")  # (samples, time_steps + outputs)
    return series[:, :time_steps, np.newaxis], series[:, time_steps:]


# --8<-- [end:damped_sine_data]


# ---- The encoder-decoder chapter: adding numbers written as text ----
# --8<-- [start:addition_problems]
def _check_fraction(value, name):
    if not isinstance(value, float) or not 0 < value < 1:
        raise ValueError(f"{name} must be a float in (0, 1), got {value!r}")
    return value


def addition_problems(
    largest=99, small=9, *, test_fraction=0.2, validation_fraction=None, seed=0
):
    """Sums written as text, ``"12+7"`` -> ``"19"``, split into train and test.

    The problems are every ``a+b`` and ``b+a`` with ``0 <= a <= largest`` and
    ``0 <= b <= small``. The split is made on the unordered pair ``{a, b}``:
    ``"12+7"`` and ``"7+12"`` always fall on the same side, so no test
    problem is seen in training, not even with its terms swapped.

    Args:
        largest: the largest value of the first term, at least 1.
        small: the largest value of the second term, from 1 to
            ``largest``.
        test_fraction: share of the pairs held out for testing, in (0, 1).
        validation_fraction: ``None``, or the share of the pairs held out
            for validation, in (0, 1); split by pair in the same way.
        seed: seed of the random split.

    Returns:
        ``(train, test)``, or ``(train, validation, test)`` with a
        ``validation_fraction``: lists of ``(question, answer)`` strings,
        e.g. ``("12+7", "19")``, each in a random order.
    """
    largest = check_positive_int(largest, "largest")
    small = check_positive_int(small, "small")
    if small > largest:
        raise ValueError(f"small must be <= largest ({largest}), got {small}")
    test_fraction = _check_fraction(test_fraction, "test_fraction")
    if validation_fraction is not None:
        _check_fraction(validation_fraction, "validation_fraction")
        if test_fraction + validation_fraction >= 1:
            raise ValueError(
                "test_fraction + validation_fraction must be < 1, got "
                f"{test_fraction} + {validation_fraction}"
            )
    pairs = sorted(
        {
            (min(a, b), max(a, b))
            for a in range(largest + 1)
            for b in range(small + 1)
        }
    )
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pairs))
    held_out = round(test_fraction * len(pairs))

    def problems(indices):
        found = {}
        for i in indices:
            a, b = pairs[i]
            for question in (f"{a}+{b}", f"{b}+{a}"):
                found[question] = str(a + b)
        items = sorted(found.items())
        return [items[i] for i in rng.permutation(len(items))]

    if validation_fraction is None:
        return problems(order[held_out:]), problems(order[:held_out])
    watched = held_out + round(validation_fraction * len(pairs))
    return (
        problems(order[watched:]),
        problems(order[held_out:watched]),
        problems(order[:held_out]),
    )


# --8<-- [end:addition_problems]
