"""Seed a series of training runs without making TensorFlow start over.

``keras.utils.set_random_seed`` seeds Python, NumPy and TensorFlow. Setting
TensorFlow's seed clears its kernel caches, so the next ``fit`` prepares its
compiled graph again. The initial weights need only Python's seed.
"""

# --8<-- [start:imports]
import random

import numpy as np

# --8<-- [end:imports]

__all__ = ["seed_initializers"]


# --8<-- [start:seed_initializers]
def seed_initializers(seed):
    """Seed the initial weights of the models built next, and nothing else.

    A Keras initializer without a seed of its own draws one from Python's
    ``random`` module when it is created, so after ``seed_initializers(s)``
    a new model (or a clone) gets exactly the weights it would get after
    ``keras.utils.set_random_seed(s)``. Unlike ``set_random_seed``, this
    leaves TensorFlow's seed alone: setting that clears TensorFlow's kernel
    caches, and the next ``fit``, even of a model that has trained before,
    then prepares its compiled graph again: on the performance appendix's
    small model, that makes a run on TensorFlow more than three times
    slower.

    It also seeds NumPy. On TensorFlow, TensorFlow's seed still decides the
    order in which ``fit`` shuffles NumPy arrays: set it once, with
    ``keras.utils.set_random_seed``, before a series of runs. On JAX, ``fit``
    shuffles with NumPy, so there the order follows ``seed``.

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(int(seed))  # what Keras initializers draw their seeds from
    np.random.seed(int(seed))


# --8<-- [end:seed_initializers]
