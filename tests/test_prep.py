"""The data-preparation recipes: right results, clear errors."""

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from lstm_recipes.prep import (
    as_float_array,
    char_index,
    decode_one_hot,
    encode_chars,
    load_elnino,
    mark_missing,
    pad_ragged,
    reshape_for_lstm,
    scale_train_test,
    series_to_supervised,
    split_sequence,
)

# ---- as_float_array


def test_as_float_array_counts_dimensions_from_the_shape_names():
    assert as_float_array([1, 2], "v").shape == (2,)
    assert as_float_array([[1, 2]], "v").dtype == np.float64
    assert as_float_array(np.zeros((1, 2, 3)), "v", ("(a, b, c)",)).ndim == 3
    assert np.isnan(as_float_array([np.nan], "v", allow_nan=True)[0])
    with pytest.raises(ValueError, match=r"v must have shape \(a, b, c\), "):
        as_float_array([1.0], "v", ("(a, b, c)",))
    with pytest.raises(ValueError, match=r"v contains NaN"):
        as_float_array([np.nan], "v")
    with pytest.raises(TypeError, match=r"v must be an array of numbers"):
        as_float_array(None, "v")


# ---- load_elnino


def test_load_elnino_is_one_monthly_series():
    sst = load_elnino()
    assert isinstance(sst, pd.Series) and sst.name == "sst"
    assert len(sst) == 61 * 12
    assert sst.index[0] == pd.Timestamp("1950-01-01")
    assert sst.index[-1] == pd.Timestamp("2010-12-01")
    assert sst.iloc[:3].tolist() == [23.11, 24.20, 25.37]  # Jan-Mar 1950
    assert sst.notna().all() and 15 < sst.min() < sst.max() < 35


# ---- scale_train_test


def test_scale_train_test_fits_on_the_training_part_only():
    values = np.array([0.0, 5.0, 10.0, 20.0])
    train, test, scaler = scale_train_test(values, 3)
    np.testing.assert_allclose(train, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(test, [2.0])  # beyond the training range
    assert train.shape == (3,) and test.shape == (1,)
    back = scaler.inverse_transform(test.reshape(-1, 1))
    np.testing.assert_allclose(back[:, 0], [20.0])


def test_scale_train_test_keeps_features_apart():
    values = np.array([[0.0, 10.0], [1.0, 30.0], [2.0, 20.0]])
    train, test, scaler = scale_train_test(values, 2, scaler=StandardScaler())
    assert train.shape == (2, 2) and test.shape == (1, 2)
    np.testing.assert_allclose(train, [[-1, -1], [1, 1]])
    np.testing.assert_allclose(scaler.mean_, [0.5, 20.0])
    np.testing.assert_allclose(scaler.inverse_transform(test), values[2:])


@pytest.mark.parametrize(
    ("values", "train_size", "scaler", "error", "message"),
    [
        ([1.0, 2.0, 3.0], 3, None, ValueError, r"train_size must be < the 3"),
        ([1.0, 2.0, 3.0], 0, None, ValueError, r"train_size must be an int"),
        ([1.0, 2.0, 3.0], 1.5, None, TypeError, r"train_size must be an int"),
        ([1.0, 2.0, 3.0], 2, "minmax", TypeError, r"scaler must be a scikit"),
        (np.zeros((3, 2, 1)), 2, None, ValueError, r"values must have shape"),
        ([1.0, np.nan, 3.0], 2, None, ValueError, r"values contains NaN"),
        ("abc", 2, None, TypeError, r"values must be an array of numbers"),
        ([], 1, None, ValueError, r"values must not be empty"),
    ],
)
def test_scale_train_test_refuses_bad_input(
    values, train_size, scaler, error, message
):
    with pytest.raises(error, match=message):
        scale_train_test(values, train_size, scaler=scaler)


# ---- one-hot encoding of characters


def test_characters_round_trip_through_one_hot():
    char_to_index, index_to_char = char_index("hello world")
    assert list(char_to_index) == sorted(set("hello world"))
    assert all(index_to_char[i] == c for c, i in char_to_index.items())
    rows = encode_chars("hello", char_to_index)
    assert rows.shape == (5, len(char_to_index))
    np.testing.assert_array_equal(rows.sum(axis=1), np.ones(5))
    assert rows[0, char_to_index["h"]] == 1
    assert decode_one_hot(rows, index_to_char) == "hello"
    probabilities = rows * 0.6 + 0.4 / rows.shape[1]  # soft but same argmax
    assert decode_one_hot(probabilities, index_to_char) == "hello"


@pytest.mark.parametrize("text", ["", 42, ["a"]])
def test_char_index_refuses_non_text(text):
    with pytest.raises(TypeError, match=r"text must be a non-empty str"):
        char_index(text)


def test_encode_chars_refuses_unknown_characters():
    char_to_index, _ = char_index("abc")
    with pytest.raises(ValueError, match=r"missing from char_to_index.*'z'"):
        encode_chars("abz", char_to_index)
    with pytest.raises(TypeError, match=r"char_to_index must be"):
        encode_chars("abc", ["a", "b"])
    with pytest.raises(TypeError, match=r"text must be a str"):
        encode_chars(3, char_to_index)


def test_decode_one_hot_refuses_wrong_width():
    _, index_to_char = char_index("abc")
    with pytest.raises(ValueError, match=r"rows must have shape \(chara"):
        decode_one_hot(np.eye(4), index_to_char)
    with pytest.raises(ValueError, match=r"rows must have shape"):
        decode_one_hot(np.ones(3), index_to_char)
    with pytest.raises(TypeError, match=r"index_to_char must be a dict"):
        decode_one_hot(np.eye(3), "abc")


# ---- missing values


def test_mark_missing_replaces_nan_only():
    values = np.array([[[0.5], [np.nan], [0.2]]])
    marked = mark_missing(values, mask_value=-1.0)
    assert marked.dtype == np.float32 and marked.shape == (1, 3, 1)
    np.testing.assert_allclose(marked[0, :, 0], [0.5, -1.0, 0.2])
    assert np.isnan(values[0, 1, 0])  # the input is not changed


def test_masked_missing_step_does_not_change_the_output():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(None, 1)),
            keras.layers.Masking(mask_value=-1.0),
            keras.layers.LSTM(4),
        ]
    )
    with_gap = mark_missing([[[0.5], [np.nan], [0.2]]], mask_value=-1.0)
    without = np.array([[[0.5], [0.2]]], dtype="float32")
    np.testing.assert_allclose(model(with_gap), model(without), atol=1e-6)


@pytest.mark.parametrize(
    ("values", "mask_value", "error", "message"),
    [
        ([0.5, -1.0, np.nan], -1.0, ValueError, r"mask_value -1.0 occurs"),
        ([0.5, np.nan], "x", TypeError, r"mask_value must be a number"),
        ([0.5, np.nan], np.inf, ValueError, r"mask_value must be finite"),
        ([0.5, np.inf], -1.0, ValueError, r"values contains NaN or infinite"),
        (np.zeros((1, 1, 1, 1)), -1.0, ValueError, r"values must have shape"),
    ],
)
def test_mark_missing_refuses_bad_input(values, mask_value, error, message):
    with pytest.raises(error, match=message):
        mark_missing(values, mask_value)


# ---- series to supervised


def test_series_to_supervised_lags_and_future_values():
    table = series_to_supervised(np.arange(6.0), n_in=2, n_out=2)
    assert list(table.columns) == [
        "var1(t-2)",
        "var1(t-1)",
        "var1(t)",
        "var1(t+1)",
    ]
    np.testing.assert_array_equal(
        table.to_numpy(), [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]
    )


def test_series_to_supervised_keeps_names_and_variables_together():
    frame = pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [10.0, 11, 12, 13]})
    table = series_to_supervised(frame, n_in=1)
    assert list(table.columns) == ["a(t-1)", "b(t-1)", "a(t)", "b(t)"]
    np.testing.assert_array_equal(table.iloc[0], [0, 10, 1, 11])
    full = series_to_supervised(frame, n_in=1, dropna=False)
    assert len(full) == 4 and full.iloc[0].isna().sum() == 2


def test_series_to_supervised_agrees_with_keras_windows():
    data = np.arange(20.0)
    table = series_to_supervised(data, n_in=4).to_numpy()
    windows = keras.utils.timeseries_dataset_from_array(
        data, targets=data[4:], sequence_length=4, batch_size=5
    )
    x, y = (np.concatenate(part) for part in zip(*windows))
    np.testing.assert_array_equal(table[:, :4], x)
    np.testing.assert_array_equal(table[:, 4], y)


@pytest.mark.parametrize(
    ("data", "n_in", "n_out", "error", "message"),
    [
        ([1.0, 2.0, 3.0], 2, 2, ValueError, r"n_in \+ n_out \(2 \+ 2\)"),
        ([1.0, 2.0, 3.0], 0, 1, ValueError, r"n_in must be an integer >= 1"),
        ([1.0, 2.0, 3.0], 1, 1.0, TypeError, r"n_out must be an integer"),
        (np.zeros((4, 2, 2)), 1, 1, ValueError, r"data must have shape"),
        ([1.0, np.nan, 3.0, 4.0], 1, 1, ValueError, r"data contains NaN"),
        (pd.Series(["a", "b", "c"]), 1, 1, TypeError, r"data must be an arr"),
    ],
)
def test_series_to_supervised_refuses_bad_input(
    data, n_in, n_out, error, message
):
    with pytest.raises(error, match=message):
        series_to_supervised(data, n_in, n_out)


# ---- reshape_for_lstm


def test_reshape_for_lstm_frames_time_steps_or_features():
    table = np.arange(12.0).reshape(2, 6)
    assert reshape_for_lstm(table).shape == (2, 6, 1)
    assert reshape_for_lstm(table, features=6).shape == (2, 1, 6)
    two = reshape_for_lstm(table, features=2)
    assert two.shape == (2, 3, 2) and two.dtype == np.float32
    np.testing.assert_array_equal(two[0, 1], [2, 3])  # (t-2): a, b together


@pytest.mark.parametrize(
    ("table", "features", "error", "message"),
    [
        (np.zeros((2, 6)), 4, ValueError, r"features \(4\) must divide the 6"),
        (np.zeros((2, 6)), 0, ValueError, r"features must be an integer"),
        (np.zeros(6), 1, ValueError, r"table must have shape \(samples, col"),
        (np.zeros((2, 3, 1)), 1, ValueError, r"table must have shape"),
    ],
)
def test_reshape_for_lstm_refuses_bad_input(table, features, error, message):
    with pytest.raises(error, match=message):
        reshape_for_lstm(table, features)


# ---- split_sequence


def test_split_sequence_cuts_back_to_back_pieces():
    pieces = split_sequence(np.arange(5000.0), 200)
    assert pieces.shape == (25, 200, 1) and pieces.dtype == np.float32
    assert pieces[1, 0, 0] == 200 and pieces[-1, -1, 0] == 4999
    two = split_sequence(np.arange(12.0).reshape(6, 2), 3)
    np.testing.assert_array_equal(two[1, 0], [6, 7])


@pytest.mark.parametrize(
    ("values", "length", "error", "message"),
    [
        (np.arange(10.0), 3, ValueError, r"drop the first 1 steps"),
        (np.arange(10.0), 0, ValueError, r"length must be an integer >= 1"),
        (np.arange(10.0), "5", TypeError, r"length must be an integer"),
        (np.zeros((2, 5, 1)), 5, ValueError, r"values must have shape"),
    ],
)
def test_split_sequence_refuses_bad_input(values, length, error, message):
    with pytest.raises(error, match=message):
        split_sequence(values, length)


# ---- pad_ragged


def test_pad_ragged_pads_and_truncates_both_ways():
    sequences = [[1.0, 2.0, 3.0], [4.0]]
    post = pad_ragged(sequences, value=-1.0)
    assert post.shape == (2, 3, 1) and post.dtype == np.float32
    np.testing.assert_array_equal(post[..., 0], [[1, 2, 3], [4, -1, -1]])
    pre = pad_ragged(sequences, padding="pre", value=-1.0)
    np.testing.assert_array_equal(pre[..., 0], [[1, 2, 3], [-1, -1, 4]])
    cut = pad_ragged(sequences, maxlen=2, value=-1.0)  # keeps the last steps
    np.testing.assert_array_equal(cut[..., 0], [[2, 3], [4, -1]])
    cut = pad_ragged(sequences, maxlen=2, truncating="post", value=-1.0)
    np.testing.assert_array_equal(cut[..., 0], [[1, 2], [4, -1]])


def test_pad_ragged_cuts_like_keras_and_pads_after():
    sequences = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0]]
    ours = pad_ragged(sequences, maxlen=3, value=-1.0)[..., 0]
    keras_default = keras.utils.pad_sequences(
        sequences, maxlen=3, dtype="float32", value=-1.0
    )
    np.testing.assert_array_equal(ours[0], keras_default[0])  # same cut
    np.testing.assert_array_equal(ours[1], [5, 6, -1])  # padded after


def test_pad_ragged_keeps_features():
    x = pad_ragged([np.ones((2, 3)), np.full((1, 3), 2.0)])
    assert x.shape == (2, 2, 3)
    np.testing.assert_array_equal(x[1], [[2, 2, 2], [0, 0, 0]])


@pytest.mark.parametrize(
    ("sequences", "options", "error", "message"),
    [
        ([[1.0, 0.0]], {}, ValueError, r"value 0.0 is a real time step"),
        ([], {}, ValueError, r"sequences must hold at least one"),
        (np.ones((2, 3)), {}, TypeError, r"sequences must be a list"),
        ("abc", {}, TypeError, r"sequences must be a list"),
        ([[1.0], [[1.0, 2.0]]], {}, ValueError, r"same number of features"),
        ([[1.0], []], {}, ValueError, r"sequences\[1\] must not be empty"),
        ([[1.0]], {"padding": "left"}, ValueError, r"padding must be 'pre'"),
        ([[1.0]], {"truncating": 1}, ValueError, r"truncating must be"),
        ([[1.0]], {"maxlen": 0}, ValueError, r"maxlen must be an integer"),
    ],
)
def test_pad_ragged_refuses_bad_input(sequences, options, error, message):
    with pytest.raises(error, match=message):
        pad_ragged(sequences, **options)
