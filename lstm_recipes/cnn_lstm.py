"""CNN-LSTM: a small CNN reads every frame, an LSTM reads the frames in order.

The CNN-LSTM chapter embeds the sections marked ``--8<--`` below.
"""

# --8<-- [start:imports]
import keras
import matplotlib.pyplot as plt
import numpy as np

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = ["build_cnn_lstm", "plot_video"]


# --8<-- [start:build_cnn_lstm]
def build_cnn_lstm(
    frames,
    height,
    width,
    channels=1,
    *,
    filters=8,
    kernel_size=3,
    units=16,
    learning_rate=0.01,
    steps_per_execution=1,
):
    """Define and compile a CNN-LSTM that classifies a video: yes or no.

    Inputs have shape ``(samples, frames, height, width, channels)``.

    Args:
        frames: frames (time steps) of one video.
        height: height of a frame in pixels.
        width: width of a frame in pixels.
        channels: colour channels of a frame (1 for grey).
        filters: number of convolution filters applied to every frame.
        kernel_size: size of the square convolution window.
        units: size of the LSTM's hidden and cell state.
        learning_rate: step size of the Adam optimizer.
        steps_per_execution: batches per call into the compiled graph.

    Returns:
        A compiled ``keras.Model`` mapping videos to the probability of
        "yes", shape ``(samples, 1)``.
    """
    frames = check_positive_int(frames, "frames")
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    channels = check_positive_int(channels, "channels")
    filters = check_positive_int(filters, "filters")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    units = check_positive_int(units, "units")
    for name, pixels in (("height", height), ("width", width)):
        if pixels < kernel_size + 1:  # a 2 x 2 pooling needs 2 pixels
            raise ValueError(
                f"{name} must be >= kernel_size + 1 = {kernel_size + 1}, "
                f"got {pixels}"
            )

    def every_frame(layer):  # apply one layer to each frame, same weights
        return keras.layers.TimeDistributed(layer)

    model = keras.Sequential(
        [
            keras.Input(shape=(frames, height, width, channels)),
            # CNN front end: (frames, height, width, channels) -> (frames, n)
            every_frame(
                keras.layers.Conv2D(filters, kernel_size, activation="relu")
            ),
            every_frame(keras.layers.MaxPooling2D(pool_size=2)),
            every_frame(keras.layers.Flatten()),
            # LSTM back end: reads the n features of each frame in order
            keras.layers.LSTM(units),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=check_positive_int(
            steps_per_execution, "steps_per_execution"
        ),
    )
    return model


# --8<-- [end:build_cnn_lstm]


# --8<-- [start:plot_video]
def plot_video(video, *, title=None):
    """Draw the frames of one video side by side, first frame on the left.

    Args:
        video: shape ``(frames, height, width)`` or
            ``(frames, height, width, 1)``.
        title: optional title above the row of frames.

    Returns:
        The matplotlib ``Figure``.
    """
    video = np.asarray(video, dtype="float32")
    if video.ndim == 4 and video.shape[-1] == 1:
        video = video[..., 0]
    if video.ndim != 3 or 0 in video.shape:
        raise ValueError(
            "video must have shape (frames, height, width) or "
            f"(frames, height, width, 1), got {np.shape(video)}"
        )
    frames = len(video)
    figure, axes = plt.subplots(
        1, frames, figsize=(1.1 * frames, 1.5), layout="constrained"
    )
    for t, (ax, frame) in enumerate(zip(np.atleast_1d(axes), video)):
        ax.imshow(frame, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"t={t}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


# --8<-- [end:plot_video]
