"""fit_fast trains exactly like model.fit, only with fewer Keras epochs."""

import keras
import numpy as np
import pytest

from lstm_recipes.evaluation import restart
from lstm_recipes.lifecycle import build_lstm, next_value_data
from lstm_recipes.problems import sequence_mean_data
from lstm_recipes.training import fit_fast, repeated_dataset


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return build_lstm(4, 1, units=5)


@pytest.fixture(scope="module")
def one_model():
    """One model and its initial weights, restarted by each test (one trace)."""
    model = _model()
    return model, model.get_weights()


@pytest.mark.parametrize(
    "batch_size", [None, 8, 7]
)  # 7 leaves a short last batch
def test_same_weights_as_model_fit_without_shuffle(one_model, batch_size):
    model, start = one_model
    x, y = sequence_mean_data(30, 4, seed=1)
    restart(model, start)
    model.fit(
        x,
        y,
        epochs=6,
        batch_size=batch_size or len(x),
        shuffle=False,
        verbose=0,
    )
    slow = model.get_weights()
    restart(model, start)
    fit_fast(model, x, y, epochs=6, batch_size=batch_size)
    for wa, wb in zip(slow, model.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    # and training did move the weights
    assert not np.allclose(start[0], model.get_weights()[0])


def test_history_counts_passes_and_averages_the_loss(one_model):
    model, start = one_model
    x, y = sequence_mean_data(20, 4)
    restart(model, start)
    history = fit_fast(
        model, x, y, epochs=30, log_every=10, validation_data=(x, y)
    )
    assert history.epoch == [10, 20, 30]
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_default_logs_once(one_model):
    model, start = one_model
    x, y = sequence_mean_data(20, 4)
    history = fit_fast(restart(model, start), x, y, epochs=5)
    assert history.epoch == [5]


def test_shuffle_is_seeded(one_model):
    model, start = one_model
    x, y = sequence_mean_data(24, 4)

    def trained(**options):
        restart(model, start)
        fit_fast(model, x, y, epochs=3, batch_size=6, **options)
        return model.get_weights()

    a = trained(shuffle=True, seed=5)
    b = trained(shuffle=True, seed=5)
    c = trained(shuffle=False)
    for wa, wb in zip(a, b):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[0], c[0])


def test_repeated_dataset_streams_passes_back_to_back():
    x, y = sequence_mean_data(5, 4)
    batches = list(repeated_dataset(x, y, batch_size=2).take(6))
    assert [len(bx) for bx, _ in batches] == [2, 2, 1, 2, 2, 1]
    np.testing.assert_array_equal(batches[3][0].numpy(), x[:2])
    whole = next(iter(repeated_dataset(x, y)))
    assert whole[0].shape == (5, 4, 1) and whole[1].shape == (5, 1)


def test_next_value_problem_is_learned():
    """The chapter's experiment: 1000 passes reach MSE <= 1e-4 (the seed reports 4.5e-05)."""
    keras.utils.set_random_seed(1)
    x, y = next_value_data()
    model = build_lstm(1, 1)
    fit_fast(model, x, y, epochs=1000)
    assert model.evaluate(x, y, verbose=0) <= 1e-4


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, r"epochs must be an integer >= 1, got 0"),
        (
            {"epochs": 10, "log_every": 3},
            ValueError,
            r"log_every \(3\) must divide epochs \(10\)",
        ),
        (
            {"epochs": 2, "batch_size": 0},
            ValueError,
            r"batch_size must be an integer >= 1, got 0",
        ),
        (
            {"epochs": 2, "batch_size": 2.0},
            TypeError,
            r"batch_size must be an integer",
        ),
        (
            {"epochs": 2, "validation_data": (np.zeros((3, 4)), np.zeros(3))},
            ValueError,
            r"validation_data\[0\] must have shape \(samples, time_steps, features\)",
        ),
        (
            {
                "epochs": 2,
                "validation_data": (np.zeros((3, 4, 1)), np.zeros(2)),
            },
            ValueError,
            r"validation_data\[1\] must have shape \(3, outputs\)",
        ),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    x, y = sequence_mean_data(10, 4)
    with pytest.raises(error, match=message):
        fit_fast(_model(), x, y, **kwargs)


def test_bad_data_and_model_are_refused():
    x, y = sequence_mean_data(10, 4)
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(samples, time_steps, features\), got shape \(10, 4\)",
    ):
        fit_fast(_model(), x[:, :, 0], y, epochs=1)
    with pytest.raises(
        ValueError,
        match=r"y must have shape \(10, outputs\) to match x, got shape \(9, 1\)",
    ):
        fit_fast(_model(), x, y[:9], epochs=1)
    with pytest.raises(
        TypeError, match=r"model must be a compiled keras.Model, got function"
    ):
        fit_fast(build_lstm, x, y, epochs=1)
