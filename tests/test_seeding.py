"""seed_initializers: the weights of set_random_seed, TensorFlow left alone."""

import keras
import numpy as np
import pytest

from lstm_recipes.seeding import seed_initializers


def test_seed_initializers_gives_the_weights_of_set_random_seed():
    def build():
        return keras.Sequential(
            [keras.Input((5, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)]
        )

    keras.utils.set_random_seed(3)
    expected = build().get_weights()
    keras.utils.set_random_seed(99)  # TensorFlow's seed differs: no matter
    seed_initializers(3)
    for ours, theirs in zip(build().get_weights(), expected):
        np.testing.assert_array_equal(ours, theirs)
    seed_initializers(4)
    assert not np.array_equal(build().get_weights()[0], expected[0])


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (1.5, TypeError, "seed must be an integer, got 1.5"),
        (True, TypeError, "seed must be an integer, got True"),
        (-1, ValueError, "seed must be >= 0, got -1"),
    ],
)
def test_seed_initializers_refuses_bad_seeds(seed, error, message):
    with pytest.raises(error, match=message):
        seed_initializers(seed)
