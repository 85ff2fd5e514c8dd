"""The CNN-LSTM recipe: shapes, layers, bad input, a quick learning check."""

import keras
import matplotlib
import numpy as np
import pytest

from lstm_recipes.cnn_lstm import build_cnn_lstm, plot_video
from lstm_recipes.problems import moving_shape_videos


def test_build_cnn_lstm_shapes_and_layers():
    model = build_cnn_lstm(5, 10, 12, filters=4, units=6)
    assert model.input_shape == (None, 5, 10, 12, 1)
    assert model.output_shape == (None, 1)
    *front, lstm, dense = model.layers
    assert all(
        isinstance(layer, keras.layers.TimeDistributed) for layer in front
    )
    assert [type(layer.layer) for layer in front] == [
        keras.layers.Conv2D,
        keras.layers.MaxPooling2D,
        keras.layers.Flatten,
    ]
    assert isinstance(lstm, keras.layers.LSTM) and lstm.units == 6
    assert dense.activation.__name__ == "sigmoid"
    assert model.loss == "binary_crossentropy"
    # the front end gives one feature vector per frame: 4 maps of 4 x 5
    assert front[-1].output.shape == (None, 5, 4 * 4 * 5)


def test_lstm_keeps_cudnn_compatible_defaults():
    lstm = build_cnn_lstm(3, 8, 8).layers[-2]
    assert lstm.activation.__name__ == "tanh"
    assert lstm.recurrent_activation.__name__ == "sigmoid"
    assert lstm.recurrent_dropout == 0 and not lstm.unroll and lstm.use_bias


def test_predictions_are_probabilities_per_video():
    x, _ = moving_shape_videos(6, frames=4, height=8, width=8, seed=0)
    p = build_cnn_lstm(4, 8, 8).predict(x, verbose=0)
    assert p.shape == (6, 1)
    assert ((p >= 0) & (p <= 1)).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"frames": 0}, ValueError, r"frames must be an integer >= 1, got 0"),
        ({"height": 2.5}, TypeError, r"height must be an integer >= 1"),
        ({"width": 3}, ValueError, r"width must be >= kernel_size \+ 1 = 4"),
        ({"units": -1}, ValueError, r"units must be an integer >= 1"),
        (
            {"steps_per_execution": 0},
            ValueError,
            r"steps_per_execution must be an integer >= 1",
        ),
    ],
)
def test_build_cnn_lstm_refuses_bad_arguments(kwargs, error, message):
    arguments = {"frames": 4, "height": 8, "width": 8, **kwargs}
    with pytest.raises(error, match=message):
        build_cnn_lstm(**arguments)


def test_cnn_lstm_learns_the_direction_of_motion():
    keras.utils.set_random_seed(0)
    shape = {"frames": 6, "height": 8, "width": 8}
    x, y = moving_shape_videos(400, **shape, side=2, seed=0)
    x_test, y_test = moving_shape_videos(200, **shape, side=2, seed=1)
    model = build_cnn_lstm(*shape.values(), steps_per_execution=10)
    model.fit(x, y, epochs=8, batch_size=40, verbose=0)
    p = model.predict(x_test, verbose=0)
    assert np.mean((p > 0.5) == y_test) >= 0.9


def test_plot_video_draws_one_panel_per_frame():
    x, _ = moving_shape_videos(1, frames=5, height=6, width=8, seed=0)
    figure = plot_video(x[0], title="right")
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes) == 5
    np.testing.assert_array_equal(
        figure.axes[2].images[0].get_array(), x[0, 2, :, :, 0]
    )
    matplotlib.pyplot.close(figure)


@pytest.mark.parametrize("video", [np.zeros((4, 5)), np.zeros((3, 4, 4, 2))])
def test_plot_video_refuses_bad_shapes(video):
    with pytest.raises(ValueError, match=r"video must have shape \(frames"):
        plot_video(video)
