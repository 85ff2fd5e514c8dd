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
