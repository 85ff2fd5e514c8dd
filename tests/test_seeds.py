"""fit_seeds: N seeds trained side by side match N ordinary model.fit runs."""

import keras
import numpy as np
import pytest
from keras import layers

from lstm_recipes.encoder_decoder import (
    build_repeat_vector,
    build_teacher_forcing,
)
from lstm_recipes.generative import build_char_lstm
from lstm_recipes.seeding import seed_initializers
from lstm_recipes.seeds import _shuffles, fit_seeds, put_weights, vectorise
from lstm_recipes.stacked import build_stacked_lstm

RNG = np.random.default_rng(0)


def stacked():
    model = build_stacked_lstm(6, 2, 1, units=(12, 8), steps_per_execution=1)
    x = RNG.random((64, 6, 2), dtype="float32")
    return model, x, x.sum(axis=(1, 2))[:, None] / 6


def bidirectional():
    inputs = keras.Input((6, 1))
    hidden = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(inputs)
    outputs = layers.TimeDistributed(layers.Dense(1, activation="sigmoid"))(
        hidden
    )
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy"
    )
    x = RNG.random((64, 6, 1), dtype="float32")
    return model, x, (np.cumsum(x, axis=1) > 1.5).astype("float32")


def repeat_vector():
    model = build_repeat_vector(
        5, 3, 4, 1, units=10, bidirectional=True, steps_per_execution=1
    )
    x = RNG.random((64, 5, 3), dtype="float32")
    return model, x, x[:, :4, :1][:, ::-1].copy()


def teacher_forcing():
    model, _, _ = build_teacher_forcing(
        4, 3, 7, units=10, steps_per_execution=1
    )
    x = keras.utils.to_categorical(RNG.integers(0, 7, (64, 4)), 7)
    y = RNG.integers(0, 7, (64, 3))
    shifted = keras.utils.to_categorical(np.c_[np.zeros((64, 1)), y[:, :-1]], 7)
    return model, [x, shifted], y


def char_lstm():
    model = build_char_lstm(9, embedding_dim=4, units=12)
    ids = RNG.integers(0, 9, (64, 8))
    return model, ids, np.roll(ids, -1, axis=1)


FAMILIES = [stacked, bidirectional, repeat_vector, teacher_forcing, char_lstm]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_vectorised_model_computes_each_copy(family):
    model, x, _ = family()
    vectorised, variables = vectorise(model, 3)
    per_seed = [
        [RNG.normal(0, 0.3, w.shape).astype("float32") for w in model.weights]
        for _ in range(3)
    ]
    put_weights(variables, per_seed)
    parts = x if isinstance(x, list) else [x]
    tiled = [np.repeat(p[:, None], 3, axis=1) for p in parts]
    out = np.asarray(vectorised(tiled if len(tiled) > 1 else tiled[0]))
    for k in range(3):
        model.set_weights(per_seed[k])
        expected = np.asarray(model(x))
        np.testing.assert_allclose(out[:, k], expected, rtol=1e-4, atol=1e-5)


def train_alone(build, x, y, seed, order, batch_size):
    """The reference: model.fit from seed's initial weights in seed's order."""
    seed_initializers(seed)
    model = keras.models.clone_model(build)
    model.compile(
        optimizer=build.optimizer.from_config(build.optimizer.get_config()),
        loss=build.loss,
    )
    parts = x if isinstance(x, list) else [x]
    losses = []
    for p in range(order.shape[0]):
        index = order[p]
        inputs = [part[index] for part in parts]
        history = model.fit(
            inputs if len(inputs) > 1 else inputs[0],
            y[index],
            batch_size=batch_size,
            shuffle=False,
            verbose=0,
        )
        losses.append(history.history["loss"][0])
    return model.get_weights(), losses


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_each_seed_trains_as_model_fit_would(family):
    model, x, y = family()
    seeds, epochs = [3, 11], 4  # 4 passes of 4 batches: 16 Adam steps
    runs = fit_seeds(model, x, y, seeds=seeds, epochs=epochs, batch_size=16)
    order = _shuffles(seeds, len(y), epochs, True)
    for k, seed in enumerate(seeds):
        weights, losses = train_alone(model, x, y, seed, order[:, k], 16)
        np.testing.assert_allclose(
            runs.history[k]["loss"], losses, rtol=1e-4, atol=1e-6
        )
        for got, expected in zip(runs.weights[k], weights):
            np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4)
    assert not np.allclose(runs.weights[0][0], runs.weights[1][0])


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: keras.optimizers.SGD(0.1, momentum=0.9),
        lambda: keras.optimizers.RMSprop(0.01),
        lambda: keras.optimizers.AdamW(0.01, weight_decay=0.01),
    ],
    ids=["SGD", "RMSprop", "AdamW"],
)
def test_other_optimizers_train_each_seed_as_alone(optimizer):
    model, x, y = stacked()
    model.compile(optimizer=optimizer(), loss="mse")
    runs = fit_seeds(model, x, y, seeds=[0, 1], epochs=3, batch_size=16)
    order = _shuffles([0, 1], len(y), 3, True)
    for k in range(2):
        weights, losses = train_alone(model, x, y, k, order[:, k], 16)
        np.testing.assert_allclose(runs.history[k]["loss"], losses, rtol=1e-4)
        for got, expected in zip(runs.weights[k], weights):
            np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4)


def test_each_seed_shuffles_with_its_own_generator():
    order = _shuffles([11, 3], 64, 2, True)
    for k, seed in enumerate([11, 3]):
        rng = np.random.default_rng(seed)
        for p in range(2):
            assert (order[p, k] == rng.permutation(64)).all()
    assert (_shuffles([5], 8, 1, False)[0, 0] == np.arange(8)).all()


def test_a_dropout_layer_runs_each_copy_with_its_own_noise():
    model = keras.Sequential(
        [keras.Input((6, 2)), layers.LSTM(8), layers.Dropout(0.5),
         layers.Dense(1)]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="mse")
    x = RNG.random((64, 6, 2), dtype="float32")
    y = x.sum(axis=(1, 2))[:, None]
    runs = fit_seeds(model, x, y, seeds=[0, 1], epochs=2, batch_size=16)
    order = _shuffles([0, 1], 64, 2, True)
    weights, _ = train_alone(model, x, y, 0, order[:, 0], 16)
    differences = [
        np.abs(a - b).max() for a, b in zip(weights, runs.weights[0])
    ]
    assert max(differences) > 1e-4  # other dropout masks: another run
    assert np.isfinite(runs.history[0]["loss"]).all()


def test_early_stopping_per_seed_matches_keras():
    model, x, y = stacked()
    x_val, y_val = x[:16] + 0.05, y[:16]
    seeds, epochs = [0, 1, 2], 12
    runs = fit_seeds(
        model, x, y, seeds=seeds, epochs=epochs, batch_size=32,
        validation_data=(x_val, y_val), patience=1,
    )  # fmt: skip
    order = _shuffles(seeds, len(y), epochs, True)
    stops = []
    for k, seed in enumerate(seeds):
        seed_initializers(seed)
        alone = keras.models.clone_model(model)
        alone.compile(
            optimizer=model.optimizer.from_config(model.optimizer.get_config()),
            loss=model.loss,
        )
        stop = keras.callbacks.EarlyStopping(
            patience=1, restore_best_weights=True
        )
        stop.set_model(alone)
        stop.on_train_begin()
        for epoch in range(epochs):
            index = order[epoch, k]
            alone.fit(
                x[index], y[index], batch_size=32, shuffle=False, verbose=0
            )
            val_loss = alone.evaluate(x_val, y_val, verbose=0)
            stop.on_epoch_end(epoch, {"val_loss": val_loss})
            if alone.stop_training:
                break
        stop.on_train_end()
        stops.append(len(runs.history[k]["val_loss"]))
        assert stops[-1] == epoch + 1
        for got, expected in zip(runs.weights[k], alone.get_weights()):
            np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4)
    assert min(stops) < epochs and len(set(stops)) > 1, stops  # on its own


def test_load_and_predict_give_each_seeds_model():
    model, x, y = repeat_vector()
    runs = fit_seeds(model, x, y, seeds=range(3), epochs=2, batch_size=32)
    together = runs.predict(x[:5])
    assert together.shape == (3, 5, 4, 1)
    for k in range(3):
        alone = np.asarray(runs.load(model, k)(x[:5]))
        np.testing.assert_allclose(together[k], alone, rtol=1e-4, atol=1e-5)


def test_metrics_are_logged_per_seed():
    model, x, y = char_lstm()
    runs = fit_seeds(
        model, x, y, seeds=[0, 1], epochs=2, batch_size=32,
        validation_data=(x[:8], y[:8]),
        metrics=["sparse_categorical_accuracy"],
    )  # fmt: skip
    assert set(runs.history[0]) == {
        "loss", "val_loss", "sparse_categorical_accuracy",
        "val_sparse_categorical_accuracy",
    }  # fmt: skip
    assert all(len(v) == 2 for v in runs.history[1].values())


def test_bad_input_is_refused_with_a_clear_error():
    model, x, y = stacked()
    with pytest.raises(ValueError, match="one or more distinct"):
        fit_seeds(model, x, y, seeds=[], epochs=1)
    with pytest.raises(ValueError, match="distinct"):
        fit_seeds(model, x, y, seeds=[1, 1], epochs=1)
    with pytest.raises(TypeError, match="seeds must be integers"):
        fit_seeds(model, x, y, seeds=[0.5], epochs=1)
    with pytest.raises(ValueError, match="samples"):
        fit_seeds(model, x, y[:10], seeds=[0], epochs=1)
    with pytest.raises(ValueError, match=r"shape \(samples, 6, 2\)"):
        fit_seeds(model, x[:, :4], y, seeds=[0], epochs=1)
    with pytest.raises(ValueError, match="patience needs validation_data"):
        fit_seeds(model, x, y, seeds=[0], epochs=1, patience=2)
    with pytest.raises(ValueError, match="name the accuracy"):
        fit_seeds(model, x, y, seeds=[0], epochs=1, metrics=["accuracy"])
    with pytest.raises(ValueError, match="patience must be"):
        fit_seeds(
            model, x, y, seeds=[0], epochs=1, patience=0,
            validation_data=(x, y),
        )  # fmt: skip
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        fit_seeds(model, x, y, seeds=[0], epochs=1, validation_data=x)
    with pytest.raises(TypeError, match="compiled keras.Model"):
        fit_seeds(model.layers[0], x, y, seeds=[0], epochs=1)


def test_layers_and_optimizers_it_cannot_vectorise_are_named():
    conv = keras.Sequential(
        [keras.Input((6, 2)), layers.Conv1D(4, 3, name="conv"), layers.LSTM(3)]
    )
    conv.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match=r"layer 'conv' \(Conv1D\)"):
        vectorise(conv, 2)
    dropout = keras.Sequential(
        [keras.Input((6, 2)), layers.LSTM(3, dropout=0.2, name="lstm")]
    )
    with pytest.raises(ValueError, match="'lstm'.*keras.layers.Dropout"):
        vectorise(dropout, 2)
    model, x, y = stacked()
    model.compile(
        optimizer=keras.optimizers.Adam(global_clipnorm=1.0), loss="mse"
    )
    with pytest.raises(ValueError, match="global_clipnorm"):
        fit_seeds(model, x, y, seeds=[0, 1], epochs=1)
    model.compile(optimizer=keras.optimizers.Lamb(), loss="mse")
    with pytest.raises(ValueError, match="Lamb"):
        fit_seeds(model, x, y, seeds=[0, 1], epochs=1)
    regularized = keras.Sequential(
        [keras.Input((6, 2)), layers.LSTM(3),
         layers.Dense(1, bias_regularizer="l2", name="head")]
    )  # fmt: skip
    with pytest.raises(ValueError, match="'head'.*bias_regularizer"):
        vectorise(regularized, 2)


def test_a_masked_output_is_refused():
    ids = keras.Input((None,), dtype="int32")
    vectors = layers.Embedding(9, 4, mask_zero=True)(ids)
    hidden = layers.LSTM(5, return_sequences=True)(vectors)
    model = keras.Model(ids, layers.Dense(9, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = RNG.integers(1, 9, (32, 6))
    with pytest.raises(ValueError, match="carries a mask"):
        fit_seeds(model, x, x, seeds=[0, 1], epochs=1)


def test_an_open_time_axis_and_attention_vectorise():
    ids = keras.Input((None,), dtype="int32")
    vectors = layers.Embedding(10, 4, mask_zero=True)(ids)
    hidden = layers.LSTM(5, return_sequences=True)(vectors)
    context = layers.Attention()([hidden, hidden])
    joined = layers.Concatenate()([hidden, context])
    model = keras.Model(
        ids, layers.Dense(3)(layers.GlobalAveragePooling1D()(joined))
    )
    vectorised, variables = vectorise(model, 2)
    assert vectorised.output_shape == (None, 2, 3)
    per_seed = [
        [RNG.normal(0, 0.3, w.shape).astype("float32") for w in model.weights]
        for _ in range(2)
    ]
    put_weights(variables, per_seed)
    tokens = RNG.integers(1, 10, (4, 7))
    tokens[0, 3:] = 0
    out = np.asarray(vectorised(np.repeat(tokens[:, None], 2, axis=1)))
    for k in range(2):
        model.set_weights(per_seed[k])
        np.testing.assert_allclose(
            out[:, k], np.asarray(model(tokens)), rtol=1e-4, atol=1e-5
        )
