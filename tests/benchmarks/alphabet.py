"""Benchmark: the seed's six alphabet framings, ported literally vs the book's.

Run with ``nox -s bench`` (or ``python -m tests.benchmarks.alphabet``).
The "seed" column trains as the Keras-2 tutorial did (``model.fit`` with its
epochs and batch sizes, a Python loop of ``fit(epochs=1)`` + reset for the
stateful model); the "book" column trains as the stateful-LSTM chapter does (``fit_fast``,
``fit_stateful``, one-hot input for framing 6). Prints time and accuracy for
each, and the speed-up. It does not fail on speed. ``--scale 0.1`` runs a
tenth of the seed's epochs on both sides, for a quick look.
"""

import argparse
import time

import keras
import numpy as np

from lstm_recipes.alphabet import variable_length_data, window_data
from lstm_recipes.lifecycle import build_lstm
from lstm_recipes.stateful import (
    build_stateful_lstm,
    fit_stateful,
    reset_lstm_states,
)
from lstm_recipes.training import fit_fast


def classifier(x, units, learning_rate=0.001, steps_per_execution=1):
    model = build_lstm(
        x.shape[1],
        x.shape[2],
        units=units,
        outputs=26,
        problem="multiclass",
        learning_rate=learning_rate,
    )
    model.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def accuracy(model, x, y, batch_size=None):
    if batch_size is not None:
        reset_lstm_states(model)
    p = model.predict(x, batch_size=batch_size, verbose=0)
    return float(np.mean(p.argmax(1) == y.argmax(1)))


def timed(train, seed=7):
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    acc = train()
    return time.perf_counter() - start, acc


def framings(scale):
    def n(epochs):
        return max(1, round(epochs * scale))

    def windows(window, framing):
        x, y = window_data(window, framing=framing)

        def seed():
            model = classifier(x, 32)
            model.fit(x, y, epochs=n(500), batch_size=1, verbose=0)
            return accuracy(model, x, y)

        def book():
            model = classifier(x, 32, steps_per_execution=25)
            fit_fast(model, x, y, epochs=n(500), batch_size=1, shuffle=True)
            return accuracy(model, x, y)

        return seed, book

    x1, y1 = window_data(1)

    def one_batch_seed():
        model = classifier(x1, 16)
        model.fit(
            x1, y1, epochs=n(5000), batch_size=25, shuffle=False, verbose=0
        )
        return accuracy(model, x1, y1)

    def one_batch_book():
        model = classifier(x1, 16, steps_per_execution=25)
        fit_fast(model, x1, y1, epochs=n(5000))
        return accuracy(model, x1, y1)

    def stateful_seed():
        model = build_stateful_lstm(50)
        for _ in range(n(300)):
            model.fit(x1, y1, epochs=1, batch_size=1, shuffle=False, verbose=0)
            reset_lstm_states(model)
        return accuracy(model, x1, y1, batch_size=1)

    def stateful_book():
        model = build_stateful_lstm(50, steps_per_execution=25)
        fit_stateful(model, x1, y1, epochs=n(300))
        return accuracy(model, x1, y1, batch_size=1)

    def variable_seed():
        x, y, _ = variable_length_data(1000, seed=7)
        model = classifier(x, 32)
        model.fit(x, y, epochs=n(500), batch_size=1, verbose=0)
        return accuracy(model, x, y)

    def variable_book():
        x, y, _ = variable_length_data(1000, seed=7, one_hot=True)
        model = classifier(x, 32, learning_rate=0.01, steps_per_execution=8)
        fit_fast(model, x, y, epochs=30, batch_size=32, shuffle=True, seed=7)
        return accuracy(model, x, y)

    return [
        ("1. one letter", 0.84, *windows(1, "time_steps")),
        ("2. window as features", 0.8696, *windows(3, "features")),
        ("3. window as time steps", 1.0, *windows(3, "time_steps")),
        ("4. one batch", 1.0, one_batch_seed, one_batch_book),
        ("5. stateful", 1.0, stateful_seed, stateful_book),
        ("6. variable length", 0.989, variable_seed, variable_book),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", type=int, nargs="*", default=None)
    args = parser.parse_args()
    header = (
        f"{'framing':24} {'published':>9} {'seed s':>8} {'seed acc':>8} "
        f"{'book s':>7} {'book acc':>8} {'speed-up':>8}"
    )
    print(f"seed's epochs x {args.scale}\n\n{header}", flush=True)
    for i, (name, published, seed, book) in enumerate(framings(args.scale)):
        if args.only and i + 1 not in args.only:
            continue
        seed_s, seed_acc = timed(seed)
        book_s, book_acc = timed(book)
        print(
            f"{name:24} {published:9.2%} {seed_s:8.1f} {seed_acc:8.2%} "
            f"{book_s:7.1f} {book_acc:8.2%} {seed_s / book_s:7.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
