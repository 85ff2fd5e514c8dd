"""The shared input checks: right inputs pass through, wrong ones name the argument."""

import numpy as np
import pytest

from lstm_recipes.checks import (
    check_positive_int,
    check_sequences,
    check_targets,
)


def test_sequences_come_back_as_float32_3d():
    x = check_sequences([[[1], [2]], [[3], [4]]])
    assert x.dtype == np.float32
    assert x.shape == (2, 2, 1)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            np.zeros((4, 3)),
            ValueError,
            r"x must have shape \(samples, time_steps, features\), got shape \(4, 3\); .*x\.reshape\(4, 3, 1\)",
        ),
        (
            np.zeros(5),
            ValueError,
            r"x must have shape \(samples, time_steps, features\), got shape \(5,\)",
        ),
        (np.zeros((2, 3, 1, 1)), ValueError, r"got shape \(2, 3, 1, 1\)"),
        (np.zeros((0, 3, 1)), ValueError, r"x must not be empty"),
        (
            np.array([[[np.nan]]]),
            ValueError,
            r"x contains NaN or infinite values",
        ),
        (
            np.array([[[np.inf]]]),
            ValueError,
            r"x contains NaN or infinite values",
        ),
        ("abc", TypeError, r"x must be an array of numbers, got str"),
        (None, TypeError, r"x must be an array of numbers, got NoneType"),
        ([[["a"]]], TypeError, r"x must be an array of numbers"),
    ],
)
def test_bad_sequences_are_refused_with_the_argument_named(
    value, error, message
):
    with pytest.raises(error, match=message):
        check_sequences(value)


def test_the_name_in_the_message_is_the_callers():
    with pytest.raises(ValueError, match=r"^x_val must have shape"):
        check_sequences(np.zeros((3, 2)), "x_val")


def test_targets_1d_become_a_column():
    y = check_targets([1, 2, 3], samples=3)
    assert y.shape == (3, 1)
    assert y.dtype == np.float32


def test_targets_2d_pass_through():
    assert check_targets(np.zeros((3, 4)), samples=3).shape == (3, 4)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            np.zeros(4),
            r"y must have shape \(3, outputs\) to match x, got shape \(4, 1\)",
        ),
        (
            np.zeros((3, 2, 1)),
            r"y must have shape \(3, outputs\) to match x, got shape \(3, 2, 1\)",
        ),
        (np.array([1.0, np.nan, 0.0]), r"y contains NaN"),
    ],
)
def test_bad_targets_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        check_targets(value, samples=3)


@pytest.mark.parametrize("value", [1, 7, np.int64(3)])
def test_positive_ints_pass(value):
    assert check_positive_int(value, "units") == int(value)
    assert type(check_positive_int(value, "units")) is int


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, ValueError),
        (-2, ValueError),
        (2.0, TypeError),
        ("3", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_non_positive_ints_are_refused(value, error):
    with pytest.raises(error, match=r"^units must be an integer >= 1, got"):
        check_positive_int(value, "units")
