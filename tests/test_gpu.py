"""On a machine with a GPU, the book's models really run on it (`nox -s tests_gpu`).

Deselected from the CPU run (`-m "not gpu"`). Backend-neutral where it can be,
so that the same checks run under Keras' JAX backend on a GPU machine without
TensorFlow; the cuDNN check is TensorFlow's own.
"""

import keras
import numpy as np
import pytest

from lstm_recipes.lifecycle import build_lstm, next_value_data

pytestmark = pytest.mark.gpu


def _device(variable):
    value = variable.value
    if hasattr(value, "devices"):  # JAX
        return " ".join(str(d) for d in value.devices()).lower()
    return str(
        value.device
    ).lower()  # TensorFlow ("/job:.../device:GPU:0"), torch ("cuda:0")


def test_a_gpu_is_visible():
    gpus = keras.distribution.list_devices("gpu")
    assert gpus, (
        f"Keras ({keras.backend.backend()} backend) sees no GPU; check the "
        "NVIDIA driver (nvidia-smi) and that the GPU build of the backend is installed"
    )


def test_the_model_trains_on_the_gpu():
    keras.utils.set_random_seed(1)
    x, y = next_value_data()
    model = build_lstm(1, 1)
    assert all(
        ("gpu" in _device(w) or "cuda" in _device(w)) for w in model.weights
    ), [_device(w) for w in model.weights]
    model.fit(x, y, epochs=300, batch_size=len(x), verbose=0)
    assert model.evaluate(x, y, verbose=0) <= 1e-3


def test_tensorflow_lstm_uses_cudnn():
    """use_cudnn=True raises instead of falling back when cuDNN cannot run the layer."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip(
            f"cuDNN kernel is TensorFlow's; backend is {keras.backend.backend()}"
        )
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((8, 20, 3), dtype="float32")
    fast = keras.layers.LSTM(16, use_cudnn=True)
    slow = keras.layers.LSTM(16, use_cudnn=False)
    fast.build(x.shape)
    slow.build(x.shape)
    slow.set_weights(fast.get_weights())
    np.testing.assert_allclose(fast(x), slow(x), rtol=1e-4, atol=1e-5)
