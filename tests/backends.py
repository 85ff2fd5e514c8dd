"""Which Keras backend the tests run on, and tests that need TensorFlow's.

``nox -s tests`` runs on TensorFlow, the book's reference backend;
``nox -s tests_jax`` runs the same tests with ``KERAS_BACKEND=jax``. A test
of something only TensorFlow has (``tf.GradientTape``, a behaviour of its
trainer) is marked ``tensorflow_only(reason)`` and reported as skipped,
with the reason, on any other backend.
"""

import keras
import pytest

BACKEND = keras.backend.backend()


def tensorflow_only(reason):
    """Mark a test (or, as ``pytestmark``, a module) that needs TensorFlow."""
    return pytest.mark.skipif(
        BACKEND != "tensorflow", reason=f"TensorFlow only: {reason}"
    )
