"""The alphabet data: encoding, windows in both framings, variable length."""

import numpy as np
import pytest

from lstm_recipes.alphabet import (
    ALPHABET,
    decode,
    encode,
    pad_queries,
    variable_length_data,
    window_data,
)


def test_alphabet_and_encoding():
    assert ALPHABET == "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = encode("AZK")
    assert codes.dtype == np.float32
    np.testing.assert_allclose(codes, [0, 25 / 26, 10 / 26])


def test_decode_takes_the_argmax_of_each_row():
    probabilities = np.zeros((3, 26))
    probabilities[[0, 1, 2], [1, 25, 0]] = 1
    assert decode(probabilities) == "BZA"


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("abc", ValueError, "capital letters A-Z, got 'abc'"),
        ("AB1a", ValueError, r"got 'AB1a' \(not allowed: '1a'\)"),
        ("A1", ValueError, "not allowed: '1'"),
        (["A"], TypeError, "letters must be a string"),
    ],
)
def test_encode_refuses_bad_letters(bad, error, message):
    with pytest.raises(error, match=message):
        encode(bad)


def test_decode_refuses_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(samples, 26\)"):
        decode(np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"shape \(samples, 26\)"):
        decode(np.zeros(26))


@pytest.mark.parametrize("window", [1, 3, 25])
def test_window_data_time_steps(window):
    x, y = window_data(window)
    samples = 26 - window
    assert x.shape == (samples, window, 1) and x.dtype == np.float32
    assert y.shape == (samples, 26)
    # Row i holds letters i .. i + window - 1; its target is letter i + window.
    np.testing.assert_allclose(x[:, 0, 0], np.arange(samples) / 26)
    np.testing.assert_allclose(x[:, -1, 0], np.arange(window - 1, 25) / 26)
    np.testing.assert_array_equal(y.argmax(axis=1), np.arange(window, 26))
    np.testing.assert_array_equal(y.sum(axis=1), 1)


def test_window_data_features_holds_the_same_letters():
    steps, y_steps = window_data(3, framing="time_steps")
    features, y_features = window_data(3, framing="features")
    assert features.shape == (23, 1, 3)
    np.testing.assert_array_equal(features[:, 0, :], steps[:, :, 0])
    np.testing.assert_array_equal(y_features, y_steps)
    assert decode(y_steps[:3]) == "DEF"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"window": 0}, ValueError, "window must be an integer >= 1"),
        ({"window": 26}, ValueError, "between 1 and 25 letters, got 26"),
        ({"window": 2.0}, TypeError, "window must be an integer"),
        ({"framing": "steps"}, ValueError, "framing must be one of"),
    ],
)
def test_window_data_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        window_data(**kwargs)


def test_pad_queries_pads_in_front_with_zeros():
    x = pad_queries(["BC", "XY", "Q"], max_len=3)
    assert x.shape == (3, 3, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, 0], [0, 1 / 26, 2 / 26])
    np.testing.assert_allclose(x[2, :, 0], [0, 0, 16 / 26])


@pytest.mark.parametrize(
    ("queries", "error", "message"),
    [
        ("ABC", TypeError, "non-empty list of strings"),
        ([], TypeError, "non-empty list of strings"),
        (["ABCDEF"], ValueError, "1 to 5 letters, got 'ABCDEF'"),
        ([""], ValueError, "1 to 5 letters"),
        (["ab"], ValueError, "capital letters"),
    ],
)
def test_pad_queries_refuses_bad_queries(queries, error, message):
    with pytest.raises(error, match=message):
        pad_queries(queries)


def test_variable_length_data_is_seeded_and_consistent():
    x, y, queries = variable_length_data(500, max_len=5, seed=3)
    assert x.shape == (500, 5, 1) and y.shape == (500, 26)
    assert {len(q) for q in queries} == {1, 2, 3, 4, 5}
    for query, row, target in zip(queries, x, y):
        assert query in ALPHABET  # a run of consecutive letters
        np.testing.assert_allclose(row[-len(query) :, 0], encode(query))
        np.testing.assert_array_equal(row[: -len(query)], 0)
        assert ALPHABET[ALPHABET.index(query[-1]) + 1] == decode(target[None])
    again = variable_length_data(500, max_len=5, seed=3)
    np.testing.assert_array_equal(again[0], x)
    assert variable_length_data(500, seed=4)[2] != queries


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"samples": 0}, ValueError, "samples must be an integer >= 1"),
        ({"max_len": 26}, ValueError, "max_len must be between 1 and 25"),
        ({"max_len": "5"}, TypeError, "max_len must be an integer"),
    ],
)
def test_variable_length_data_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        variable_length_data(**kwargs)
