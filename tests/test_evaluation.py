"""Diagnose and tune: summaries of repeated runs, learning curves, the grid."""

import keras
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lstm_recipes.evaluation import (
    Diagnosis,
    Summary,
    diagnose,
    hand_grid,
    paired_differences,
    repeats_needed,
    restart,
    running_summary,
    summarize,
)


def history(loss, val_loss=None):
    """A real keras History with the given curves."""
    logged = keras.callbacks.History()
    logged.history = {"loss": list(loss)}
    if val_loss is not None:
        logged.history["val_loss"] = list(val_loss)
    return logged


# restart -------------------------------------------------------------------


def small_model(learning_rate=0.05):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.Adam(learning_rate), "mse")
    return model


def test_a_restarted_model_trains_to_the_same_weights_again():
    keras.utils.set_random_seed(0)
    model = small_model()
    start = model.get_weights()
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    first = model.get_weights()
    assert int(model.optimizer.iterations) == 8
    assert restart(model, start) is model
    assert int(model.optimizer.iterations) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    for now, then in zip(model.get_weights(), start):
        np.testing.assert_array_equal(now, then)
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for now, then in zip(model.get_weights(), first):
        np.testing.assert_array_equal(now, then)


def test_restart_before_any_training_only_sets_the_weights():
    model = small_model()
    zeros = [np.zeros_like(w) for w in model.get_weights()]
    restart(model, zeros)
    assert all(not w.any() for w in model.get_weights())


@pytest.mark.parametrize(
    ("model", "weights", "error", "message"),
    [
        ("model", [], TypeError, r"model must be a compiled keras.Model"),
        (None, np.zeros(3), TypeError, r"weights must be the list"),
        (None, [np.zeros((2, 1))], ValueError, r"weights have shapes"),
    ],
)
def test_restart_refuses_bad_input(model, weights, error, message):
    if model is None:
        model = small_model()
    with pytest.raises(error, match=message):
        restart(model, weights)


def test_restart_refuses_an_uncompiled_model():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    with pytest.raises(TypeError, match="compiled"):
        restart(model, model.get_weights())


# summarize ---------------------------------------------------------------


def test_summary_is_the_mean_the_sample_std_and_a_t_interval():
    found = summarize([1.0, 2.0, 3.0, 4.0])
    assert isinstance(found, Summary)
    assert found.n == 4
    assert found.mean == 2.5
    assert found.std == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    half = 3.182446305284263 * found.std / 2  # t(0.975, 3 dof) * s / sqrt(4)
    assert found.low == pytest.approx(2.5 - half)
    assert found.high == pytest.approx(2.5 + half)


def test_a_higher_confidence_gives_a_wider_interval():
    scores = np.random.default_rng(0).normal(1.0, 0.1, size=12)
    narrow, wide = summarize(scores, 0.8), summarize(scores, 0.99)
    assert wide.low < narrow.low < narrow.mean < narrow.high < wide.high


def test_identical_scores_give_an_interval_of_zero_width():
    found = summarize([0.5, 0.5, 0.5])
    assert found.std == 0 and found.low == found.high == 0.5


@pytest.mark.parametrize(
    ("scores", "error", "message"),
    [
        ([1.0], ValueError, r"scores must hold at least 2 scores, got 1"),
        ([[1.0, 2.0]], ValueError, r"scores must be a 1-D sequence"),
        ([1.0, np.nan], ValueError, r"scores contains NaN or infinite"),
        ("0.7 0.8", TypeError, r"scores must be an array of numbers"),
    ],
)
def test_bad_scores_are_refused(scores, error, message):
    with pytest.raises(error, match=message):
        summarize(scores)


@pytest.mark.parametrize(
    ("confidence", "error"),
    [(1.5, ValueError), (0, ValueError), ("95%", TypeError), (True, TypeError)],
)
def test_bad_confidence_is_refused(confidence, error):
    with pytest.raises(error, match="confidence must be"):
        summarize([1.0, 2.0], confidence)


# running_summary and repeats_needed ---------------------------------------


def test_running_summary_has_one_row_per_number_of_runs():
    scores = [0.8, 0.7, 0.75, 0.78, 0.74]
    table = running_summary(scores)
    assert list(table.index) == [2, 3, 4, 5]
    assert list(table.columns) == ["mean", "std", "low", "high"]
    assert tuple(table.loc[5]) == pytest.approx(summarize(scores)[1:])
    assert tuple(table.loc[2]) == pytest.approx(summarize(scores[:2])[1:])


def test_running_summary_refuses_a_single_run():
    with pytest.raises(ValueError, match="at least 2 scores"):
        running_summary([0.7])


def test_repeats_needed_is_the_smallest_n_that_reaches_the_precision():
    n = repeats_needed(1.0, 1.0)
    t = stats.t.ppf(0.975, [n - 1, n - 2])
    assert t[0] / np.sqrt(n) <= 1.0 < t[1] / np.sqrt(n - 1)
    assert n == 7


def test_more_precision_or_more_spread_needs_more_runs():
    assert repeats_needed(0.017, 0.02) < repeats_needed(0.017, 0.01)
    assert repeats_needed(0.01, 0.01) < repeats_needed(0.02, 0.01)
    assert repeats_needed(0.0, 0.01) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"std": -1.0}, ValueError, r"std must be >= 0 and finite, got -1"),
        ({"std": np.inf}, ValueError, r"std must be >= 0 and finite"),
        ({"half_width": 0.0}, ValueError, r"half_width must be > 0"),
        ({"half_width": "0.01"}, TypeError, r"half_width must be a number"),
        ({"std": None}, TypeError, r"std must be a number"),
        ({"confidence": 1.0}, ValueError, r"confidence must be between"),
    ],
)
def test_repeats_needed_refuses_bad_input(kwargs, error, message):
    arguments = {"std": 0.02, "half_width": 0.01} | kwargs
    with pytest.raises(error, match=message):
        repeats_needed(**arguments)


# diagnose -----------------------------------------------------------------

EPOCHS = np.arange(40)


def test_a_validation_loss_that_turns_up_is_overfitting():
    train = 1.0 * np.exp(-EPOCHS / 8) + 0.05  # keeps falling
    val = 0.6 + 0.002 * (EPOCHS - 10) ** 2  # lowest at epoch 11
    found = diagnose(history(train, val))
    assert isinstance(found, Diagnosis)
    assert found.verdict == "overfitting"
    assert found.best_epoch == 11
    assert found.val_rise > 0.5


def test_curves_still_falling_are_underfitting():
    train = 1.2 - 0.01 * EPOCHS  # a straight line down
    val = 0.9 - 0.008 * EPOCHS
    found = diagnose(history(train, val))
    assert found.verdict == "underfitting"
    assert found.best_epoch == 40
    assert found.late_fall == pytest.approx(0.25, abs=0.03)


def test_curves_that_level_off_are_a_good_fit():
    train = 0.5 + 0.7 * np.exp(-EPOCHS / 4)
    val = 0.45 + 0.5 * np.exp(-EPOCHS / 4)
    found = diagnose(history(train, val))
    assert found.verdict == "good fit"
    assert found.val_rise < 0.01 and found.late_fall < 0.01


def test_a_training_loss_that_never_fell_is_underfitting():
    found = diagnose(history([1.0, 1.0, 1.1, 1.2], [0.9, 0.9, 0.9, 0.9]))
    assert found.verdict == "underfitting"


def test_noise_on_a_flat_validation_loss_is_not_overfitting():
    rng = np.random.default_rng(0)
    train = 0.5 + 0.7 * np.exp(-EPOCHS / 4)
    val = 0.45 + 0.5 * np.exp(-EPOCHS / 4) + rng.uniform(0, 0.04, 40)
    assert diagnose(history(train, val)).verdict == "good fit"


@pytest.mark.parametrize(
    ("logged", "kwargs", "error", "message"),
    [
        ({"loss": [1.0] * 5}, {}, TypeError, r"history must be a keras"),
        (history([1.0] * 5), {}, ValueError, r"history has no val_loss"),
        (history([1, 0.9, 0.8], [1, 0.9, 0.8]), {}, ValueError, r"at least 4"),
        (history([1.0] * 5, [1.0] * 5), {"tail": 1.5}, ValueError, r"tail"),
        (history([1.0] * 5, [1.0] * 5), {"rise": True}, TypeError, r"rise"),
        (
            history([1.0, np.nan, 1.0, 1.0], [1.0] * 4),
            {},
            ValueError,
            r"NaN or infinite",
        ),
    ],
)
def test_diagnose_refuses_bad_input(logged, kwargs, error, message):
    with pytest.raises(error, match=message):
        diagnose(logged, **kwargs)


# hand_grid ----------------------------------------------------------------


def test_every_value_is_run_with_every_seed_in_order():
    calls = []

    def run(value, seed):
        calls.append((value, seed))
        return value * 10 + seed

    table = hand_grid(run, [0.1, 0.2], range(3))
    assert calls == [(0.1, 0), (0.1, 1), (0.1, 2), (0.2, 0), (0.2, 1), (0.2, 2)]
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["value", "seed", "score"]
    assert table["score"].tolist() == pytest.approx([1, 2, 3, 2, 3, 4])


def test_named_scores_become_columns():
    def run(value, seed):
        return {"validation": value + seed, "test": value - seed}

    table = hand_grid(run, [1, 2], np.array([7, 8]))
    assert list(table.columns) == ["value", "seed", "validation", "test"]
    assert table["seed"].tolist() == [7, 8, 7, 8]
    assert table["test"].tolist() == [-6, -7, -5, -6]
    means = table.groupby("value")["validation"].mean()
    assert means.idxmin() == 1


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((None, [1], [0]), TypeError, r"run must be a function"),
        ((min, [], [0]), ValueError, r"values must not be empty"),
        ((min, [1], []), ValueError, r"seeds must not be empty"),
        ((min, [1], [0.5]), TypeError, r"seeds must be integers, got 0.5"),
    ],
)
def test_hand_grid_refuses_bad_input(arguments, error, message):
    with pytest.raises(error, match=message):
        hand_grid(*arguments)


# paired_differences --------------------------------------------------------


def grid_of(scores):
    """A hand_grid table from {value: [score of seed 0, 1, ...]}."""
    return hand_grid(lambda value, seed: scores[value][seed], scores, range(4))


def test_paired_differences_are_the_paired_t_of_the_seed_differences():
    scores = {1: [1.0, 2.0, 3.0, 4.0], 2: [1.5, 2.4, 3.6, 4.4]}
    table = paired_differences(grid_of(scores), 1)
    assert table.index.tolist() == [2]
    row = table.loc[2]
    difference = np.subtract(scores[2], scores[1])
    assert row["n"] == 4
    assert row["mean"] == pytest.approx(difference.mean())
    assert row["std"] == pytest.approx(difference.std(ddof=1))
    assert row["se"] == pytest.approx(difference.std(ddof=1) / 2)
    half = stats.t.ppf(0.975, 3) * row["se"]
    assert (row["low"], row["high"]) == pytest.approx(
        (row["mean"] - half, row["mean"] + half)
    )
    assert row["p"] == pytest.approx(
        stats.ttest_rel(scores[2], scores[1]).pvalue
    )


def test_pairing_removes_what_the_seed_did_to_both():
    # seeds differ a lot, the values differ by 0.1 in every seed: the
    # paired interval excludes 0 where the unpaired spread would not
    seeds = [0.0, 5.0, -3.0, 8.0]
    scores = {
        "a": seeds,
        "b": [x + 0.1 + 0.01 * k for k, x in enumerate(seeds)],
    }
    row = paired_differences(grid_of(scores), "a").loc["b"]
    assert row["low"] > 0 and row["p"] < 0.001
    assert np.std(scores["b"], ddof=1) > 10 * row["mean"]


def test_a_lower_confidence_gives_a_narrower_interval():
    scores = {1: [1.0, 2.0, 3.0, 4.0], 2: [1.5, 2.4, 3.6, 4.1]}
    wide = paired_differences(grid_of(scores), 1).loc[2]
    narrow = paired_differences(grid_of(scores), 1, confidence=0.8).loc[2]
    assert narrow["high"] - narrow["low"] < wide["high"] - wide["low"]


def test_named_scores_are_compared_by_column():
    def run(value, seed):
        return {"validation": value + seed, "test": 2 * value + seed}

    grid = hand_grid(run, [1, 3], range(3))
    assert paired_differences(grid, 1, score="test").loc[3, "mean"] == 4
    assert paired_differences(grid, 1, score="validation").loc[3, "std"] == 0


@pytest.mark.parametrize(
    ("grid", "kwargs", "error", "message"),
    [
        ("a table", {}, TypeError, r"grid must be the DataFrame"),
        (None, {"reference": 5}, ValueError, r"reference must be one of"),
        (None, {"score": "test"}, ValueError, r"missing \['test'\]"),
        (None, {"confidence": 1.5}, ValueError, r"confidence must be between"),
        ("uneven", {}, ValueError, r"the same seeds"),
    ],
)
def test_paired_differences_refuses_bad_input(grid, kwargs, error, message):
    table = grid_of({1: [1.0, 2.0, 3.0, 4.0], 2: [1.5, 2.4, 3.6, 4.1]})
    if grid == "uneven":
        grid = table.drop(index=7)  # value 2 without seed 2
    elif grid is None:
        grid = table
    arguments = {"reference": 1} | kwargs
    with pytest.raises(error, match=message):
        paired_differences(grid, **arguments)


def test_backup_and_restore_resumes_a_killed_run(tmp_path):
    """The diagnose page: BackupAndRestore backs up after every epoch and a
    new fit continues from there; a damaged latest backup falls back."""

    class Kill(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("killed")

    def model():
        keras.utils.set_random_seed(0)
        net = keras.Sequential(
            [keras.Input((3, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)]
        )
        net.compile(optimizer="adam", loss="mse")
        return net

    x = np.linspace(0, 1, 24, dtype="float32").reshape(8, 3, 1)
    y = x.sum(axis=1)
    backup = keras.callbacks.BackupAndRestore(
        str(tmp_path / "backup"), double_checkpoint=True
    )
    with pytest.raises(RuntimeError, match="killed"):
        model().fit(x, y, epochs=5, callbacks=[backup, Kill()], verbose=0)
    latest = tmp_path / "backup" / "latest.weights.h5"
    assert latest.exists() and latest.with_suffix(".h5.bkp").exists()
    resumed = model()
    history = resumed.fit(x, y, epochs=5, callbacks=[backup, Kill()], verbose=0)
    assert history.epoch == [2, 3, 4]  # epochs 0 and 1 were not repeated
    with pytest.raises(RuntimeError, match="killed"):  # killed again, then
        model().fit(x, y, epochs=5, callbacks=[backup, Kill()], verbose=0)
    latest.write_bytes(b"")  # the latest backup damaged mid-save
    history = model().fit(x, y, epochs=5, callbacks=[backup], verbose=0)
    assert history.epoch == [1, 2, 3, 4]  # resumed from the one before
