"""The synthetic problems: shapes, labels that follow their definition, seeds."""

import numpy as np
import pytest

from lstm_recipes.problems import (
    peak_position_data,
    random_sequences,
    rising_data,
    sequence_mean_data,
)

GENERATORS = [sequence_mean_data, rising_data, peak_position_data]


@pytest.mark.parametrize("generate", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(generate):
    x1, y1 = generate(50, 4, seed=3)
    x2, y2 = generate(50, 4, seed=3)
    x3, _ = generate(50, 4, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_random_sequences_shape_and_range():
    x = random_sequences(20, 5, seed=0)
    assert x.shape == (20, 5, 1)
    assert x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() < 1.0


def test_sequence_mean_targets_are_the_means():
    x, y = sequence_mean_data(30, 6)
    assert y.shape == (30, 1)
    np.testing.assert_allclose(y[:, 0], x[:, :, 0].mean(axis=1), rtol=1e-6)


def test_rising_labels_compare_last_with_first():
    x, y = rising_data(200, 3)
    assert y.shape == (200, 1)
    assert set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(y[:, 0] == 1.0, x[:, -1, 0] > x[:, 0, 0])


def test_peak_position_is_one_hot_at_the_argmax():
    x, y = peak_position_data(200, 4)
    assert y.shape == (200, 4)
    np.testing.assert_array_equal(y.sum(axis=1), np.ones(200))
    np.testing.assert_array_equal(y.argmax(axis=1), x[:, :, 0].argmax(axis=1))
    # every class occurs: the problem is not degenerate
    assert set(y.argmax(axis=1)) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: sequence_mean_data(0),
            ValueError,
            r"samples must be an integer >= 1, got 0",
        ),
        (
            lambda: sequence_mean_data(10, 2.5),
            TypeError,
            r"time_steps must be an integer >= 1",
        ),
        (
            lambda: rising_data(10, 1),
            ValueError,
            r"time_steps must be >= 2 for this problem, got 1",
        ),
        (
            lambda: peak_position_data(10, 1),
            ValueError,
            r"time_steps must be >= 2 for this problem, got 1",
        ),
        (
            lambda: random_sequences("10", 3),
            TypeError,
            r"samples must be an integer",
        ),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- CNN-LSTM: moving_shape_videos ----

from lstm_recipes.problems import moving_shape_videos  # noqa: E402


def _left_edges(x):
    """Leftmost lit column of every frame, shape (samples, frames)."""
    lit = x[..., 0].any(axis=2)  # (samples, frames, width)
    return lit.argmax(axis=2)


@pytest.mark.parametrize("shape", ["square", "line"])
def test_moving_shapes_move_one_pixel_per_frame_in_the_labelled_way(shape):
    x, y = moving_shape_videos(300, 6, 7, 10, shape=shape, side=3, seed=2)
    assert x.shape == (300, 6, 7, 10, 1) and x.dtype == np.float32
    assert y.shape == (300, 1)
    assert set(np.unique(x)) == {0.0, 1.0}
    steps = np.diff(_left_edges(x), axis=1)  # (samples, frames - 1)
    expected = np.where(y == 1.0, 1, -1)  # right: +1 column per frame
    np.testing.assert_array_equal(steps, np.broadcast_to(expected, steps.shape))
    lit = x.sum(axis=(2, 3, 4))  # pixels per frame: the shape stays whole
    np.testing.assert_array_equal(lit, 3 * 3 if shape == "square" else 7)
    assert 100 < y.sum() < 200  # both directions occur


def test_square_keeps_its_row_and_line_fills_the_height():
    x, _ = moving_shape_videos(50, 4, 8, 8, side=2, seed=0)
    rows = x[..., 0].any(axis=3)  # (samples, frames, height)
    assert (rows == rows[:, :1]).all()  # same rows in every frame
    np.testing.assert_array_equal(rows.sum(axis=2), 2)
    x, _ = moving_shape_videos(50, 4, 8, 8, shape="line", seed=0)
    assert x[..., 0].any(axis=3).all()


def test_only_the_order_of_the_frames_tells_the_direction():
    x, y = moving_shape_videos(4000, 5, 6, 9, side=2, seed=0)
    edges = _left_edges(x)
    right, left = edges[y[:, 0] == 1], edges[y[:, 0] == 0]
    # left-moving videos show the positions of right-moving ones reversed
    assert sorted(set(map(tuple, right))) == sorted(
        set(map(tuple, left[:, ::-1]))
    )
    # so a model that ignored the order would see the same frames
    assert abs(right.mean() - left.mean()) < 0.1


def test_moving_shape_videos_seeds():
    a, b, c = (moving_shape_videos(20, seed=s)[0] for s in (3, 3, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"samples": 0}, ValueError, r"samples must be an integer >= 1"),
        ({"frames": 1}, ValueError, r"frames must be >= 2 to show motion"),
        ({"shape": "circle"}, ValueError, r"shape must be 'line' or 'square'"),
        ({"width": 9.0}, TypeError, r"width must be an integer >= 1"),
        ({"width": 9}, ValueError, r"width must be >= 10 for a square"),
        ({"height": 2}, ValueError, r"height must be >= side \(3\)"),
        ({"side": 0}, ValueError, r"side must be an integer >= 1"),
    ],
)
def test_moving_shape_videos_refuses_bad_arguments(kwargs, error, message):
    arguments = {"samples": 5, "frames": 8, **kwargs}
    with pytest.raises(error, match=message):
        moving_shape_videos(**arguments)


# ---- Bidirectional: cumulative_threshold_data ----

from lstm_recipes.problems import cumulative_threshold_data  # noqa: E402


def test_fixed_threshold_labels_follow_the_running_sum():
    x, y = cumulative_threshold_data(200, 10, seed=0)
    assert x.shape == y.shape == (200, 10, 1)
    running = np.cumsum(x[:, :, 0], axis=1)
    np.testing.assert_array_equal(y[:, :, 0] == 1.0, running > 2.5)
    # once crossed, always crossed: labels never fall back to 0
    assert (np.diff(y[:, :, 0], axis=1) >= 0).all()
    _, y = cumulative_threshold_data(200, 10, threshold=4.0, seed=0)
    np.testing.assert_array_equal(y[:, :, 0] == 1.0, running > 4.0)


def test_relative_threshold_depends_on_the_future():
    x, y = cumulative_threshold_data(200, 10, relative=True, seed=0)
    running = np.cumsum(x[:, :, 0], axis=1)
    np.testing.assert_array_equal(
        y[:, :, 0] == 1.0, running > running[:, -1:] / 2
    )
    # a larger last value moves the half-way point: earlier labels change
    x2 = x.copy()
    x2[:, -1] += 5
    running2 = np.cumsum(x2[:, :, 0], axis=1)
    later = running2 > running2[:, -1:] / 2
    assert (later[:, :-1] != (y[:, :-1, 0] == 1.0)).any()
    assert y[:, -1].all()  # the whole sum is always more than half of it


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"time_steps": 1}, ValueError, r"time_steps must be >= 2"),
        ({"threshold": 0}, ValueError, r"threshold must be > 0, got 0"),
        ({"threshold": "2"}, TypeError, r"threshold must be a number"),
        (
            {"relative": True, "threshold": 1.5},
            ValueError,
            r"threshold must be a share in \(0, 1\), got 1.5",
        ),
    ],
)
def test_cumulative_threshold_data_refuses_bad_arguments(
    kwargs, error, message
):
    with pytest.raises(error, match=message):
        cumulative_threshold_data(5, **kwargs)


# ---- Training: marked_sign_data ----


def test_marked_sign_labels_follow_the_mark():
    from lstm_recipes.problems import marked_sign_data

    x, y = marked_sign_data(300, 15, seed=0)
    assert x.shape == (300, 15, 2) and y.shape == (300, 1)
    np.testing.assert_array_equal(x[:, :, 1].sum(axis=1), np.ones(300))
    marks = x[:, :, 1].argmax(axis=1)
    values = x[np.arange(300), marks, 0]
    np.testing.assert_array_equal(y[:, 0] == 1.0, values > 0)
    assert 0.35 < y.mean() < 0.65  # both classes occur
    assert x[:, :, 0].min() >= -1.0 and x[:, :, 0].max() < 1.0


def test_marked_sign_marks_stay_in_range():
    from lstm_recipes.problems import marked_sign_data

    x, _ = marked_sign_data(500, 20, seed=1, marks=(2, 4))
    assert set(x[:, :, 1].argmax(axis=1)) == {2, 3, 4}
    x1, _ = marked_sign_data(5, 20, seed=1)
    x2, _ = marked_sign_data(5, 20, seed=1)
    np.testing.assert_array_equal(x1, x2)


@pytest.mark.parametrize(
    ("marks", "error"),
    [((3, 2), ValueError), ((0, 20), ValueError), ((0.5, 3), TypeError)],
)
def test_marked_sign_refuses_bad_marks(marks, error):
    from lstm_recipes.problems import marked_sign_data

    with pytest.raises(error, match="marks must be"):
        marked_sign_data(5, 20, marks=marks)


# ---- Vanilla: echo_data ----
def test_echo_target_is_the_value_at_index():
    from lstm_recipes.problems import echo_data

    x, y = echo_data(300, time_steps=6, values=7, index=4, seed=2)
    assert x.shape == (300, 6, 7) and y.shape == (300, 7)
    assert x.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(x.sum(axis=2), np.ones((300, 6)))
    np.testing.assert_array_equal(y.argmax(axis=1), x[:, 4].argmax(axis=1))
    assert set(y.argmax(axis=1)) == set(range(7))  # every value occurs


def test_echo_seeds():
    from lstm_recipes.problems import echo_data

    x1, y1 = echo_data(40, seed=5)
    x2, y2 = echo_data(40, seed=5)
    x3, _ = echo_data(40, seed=6)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"index": 10}, ValueError, r"index must be in \[0, time_steps\)"),
        ({"index": -1}, ValueError, r"index must be in \[0, time_steps\)"),
        ({"index": 1.0}, TypeError, r"index must be an integer"),
        ({"values": 1}, ValueError, r"values must be >= 2"),
        ({"time_steps": 0}, ValueError, r"time_steps must be an integer"),
    ],
)
def test_echo_refuses_bad_arguments(kwargs, error, message):
    from lstm_recipes.problems import echo_data

    with pytest.raises(error, match=message):
        echo_data(10, **kwargs)


# ---- Stacked: damped_sine_data ----
def test_damped_sine_continues_the_same_series():
    from lstm_recipes.problems import damped_sine_data

    x, y = damped_sine_data(50, time_steps=15, outputs=4, seed=0)
    assert x.shape == (50, 15, 1) and y.shape == (50, 4)
    assert x.dtype == np.float32
    assert np.abs(x).max() <= 1.0 and np.abs(y).max() <= 1.0
    # the first time_steps values of a longer draw are the same window
    longer, _ = damped_sine_data(50, time_steps=19, outputs=1, seed=0)
    np.testing.assert_allclose(longer[:, 15:, 0], y[:, :4], atol=1e-6)
    np.testing.assert_allclose(longer[:, :15], x, atol=1e-6)


def test_damped_sine_decays():
    from lstm_recipes.problems import damped_sine_data

    x, _ = damped_sine_data(200, time_steps=60, decay=(0.1, 0.1), seed=1)
    start, end = np.abs(x[:, :10]).max(), np.abs(x[:, -10:]).max()
    assert end <= start * np.exp(-0.1 * 50) + 1e-6


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"period": (20, 10)}, ValueError, r"period must be a range"),
        ({"decay": (0, 0.1)}, ValueError, r"decay must be a range"),
        ({"period": 10}, TypeError, r"period must be a pair of numbers"),
        ({"period": (1, 2, 3)}, TypeError, r"period must be a pair"),
        ({"outputs": 0}, ValueError, r"outputs must be an integer >= 1"),
    ],
)
def test_damped_sine_refuses_bad_arguments(kwargs, error, message):
    from lstm_recipes.problems import damped_sine_data

    with pytest.raises(error, match=message):
        damped_sine_data(10, **kwargs)
