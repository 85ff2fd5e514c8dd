"""Benchmark: N seeds as a loop of ``model.fit`` vs ``fit_seeds``, per family.

Run with ``nox -s bench -- seeds`` (or ``python -m tests.benchmarks.seeds``).
Prints a table of seconds (wall clock, tracing included); it never fails.
The loop is the book's fastest: one compiled model, reset for each seed
(``reset_weights``), so its training step is traced once.
"""

import argparse
import time

import keras
import numpy as np

from lstm_recipes.bidirectional import build_sequence_labeller
from lstm_recipes.encoder_decoder import (
    build_repeat_vector,
    build_teacher_forcing,
    reset_weights,
)
from lstm_recipes.generative import build_char_lstm
from lstm_recipes.seeds import fit_seeds
from lstm_recipes.stacked import build_stacked_lstm

RNG = np.random.default_rng(0)


def stacked():  # chapter 6: 20 steps of a sine -> the next 5
    x = RNG.random((512, 20, 1), dtype="float32")
    return build_stacked_lstm(20, 1, 5, units=(20, 20)), x, x[:, -5:, 0]


def bidirectional():  # chapter 9: cumulative-sum threshold per step
    x = RNG.random((512, 10, 1), dtype="float32")
    y = (np.cumsum(x, axis=1) > 2.5).astype("float32")
    return build_sequence_labeller(10), x, y


def repeat_vector():  # chapter 8: "12+7" -> "19", one-hot
    x = keras.utils.to_categorical(RNG.integers(0, 13, (1536, 4)), 13)
    y = RNG.integers(0, 13, (1536, 3))
    model = build_repeat_vector(
        4, 13, 3, 13, units=32, output_activation="softmax",
        loss="sparse_categorical_crossentropy", unroll=True,
    )  # fmt: skip
    return model, x, y


def teacher_forcing():  # chapter 8's second design
    x = keras.utils.to_categorical(RNG.integers(0, 13, (1536, 4)), 13)
    y = RNG.integers(0, 13, (1536, 3))
    shifted = keras.utils.to_categorical(np.c_[np.zeros(1536), y[:, :-1]], 13)
    model, _, _ = build_teacher_forcing(4, 3, 13, units=32, unroll=True)
    return model, [x, shifted], y


def char_lstm():  # chapter 11: 32 characters -> the next ones
    ids = RNG.integers(0, 60, (1024, 32))
    model = build_char_lstm(60, embedding_dim=16, units=96)
    return model, ids, np.roll(ids, -1, axis=1)


FAMILIES = {
    "stacked": (stacked, 64, 10),
    "bidirectional": (bidirectional, 32, 10),
    "RepeatVector": (repeat_vector, 64, 10),
    "teacher forcing": (teacher_forcing, 64, 10),
    "char LSTM": (char_lstm, 64, 3),
}


def loop_of_fit(build, seeds, batch_size, epochs):
    model, x, y = build()
    for seed in range(seeds):
        reset_weights(model, seed)
        model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)


def side_by_side(build, seeds, batch_size, epochs, jit_compile=None):
    model, x, y = build()
    fit_seeds(
        model, x, y, seeds=range(seeds), epochs=epochs,
        batch_size=batch_size, jit_compile=jit_compile,
    )  # fmt: skip


def seconds(train, *args):
    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    train(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--only", choices=list(FAMILIES), nargs="+")
    parser.add_argument(
        "--jit", action="store_true", help="fit_seeds with XLA"
    )
    args = parser.parse_args()
    print(
        f"{'family':<16}{'seeds':>6}{'fit loop s':>12}{'fit_seeds s':>13}"
        f"{'loop / fit_seeds':>18}{'fit_seeds / one fit':>21}"
    )
    for name in args.only or FAMILIES:
        build, batch_size, epochs = FAMILIES[name]
        one = None
        for n in args.seeds:
            loop = seconds(loop_of_fit, build, n, batch_size, epochs)
            together = seconds(
                side_by_side, build, n, batch_size, epochs, args.jit or None
            )
            one = loop if one is None and n == 1 else one
            versus_one = f"{together / one:>21.2f}" if one else ""
            print(
                f"{name:<16}{n:>6}{loop:>12.1f}{together:>13.1f}"
                f"{loop / together:>18.2f}{versus_one}",
                flush=True,
            )


if __name__ == "__main__":
    main()
