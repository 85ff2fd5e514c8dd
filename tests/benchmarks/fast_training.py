"""Benchmark: the same optimizer steps as many Keras epochs vs a few long ones.

Run with ``nox -s bench`` (or ``python -m tests.benchmarks.fast_training``).
Prints a table; it does not fail on speed. The life-cycle chapter explains the idea.
"""

import argparse
import time

import keras
import numpy as np

from lstm_recipes.lifecycle import build_lstm, next_value_data
from lstm_recipes.training import fit_fast


def run(label, train, epochs, seed=7):
    keras.utils.set_random_seed(seed)
    model = build_lstm(time_steps=1, features=1)
    x, y = next_value_data()
    start = time.perf_counter()
    train(model, x, y, epochs)
    seconds = time.perf_counter() - start
    return label, seconds, model.evaluate(x, y, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    epochs = parser.parse_args().epochs

    def per_epoch(model, x, y, n):
        model.fit(x, y, epochs=n, batch_size=len(x), shuffle=False, verbose=0)

    def one_long_epoch(model, x, y, n):
        fit_fast(model, x, y, epochs=n)

    def logged_every_50(model, x, y, n):
        fit_fast(model, x, y, epochs=n, log_every=50)

    def plus_steps_per_execution(model, x, y, n):
        model.compile(
            optimizer=model.optimizer, loss=model.loss, steps_per_execution=10
        )
        fit_fast(model, x, y, epochs=n)

    rows = [
        run("model.fit, one Keras epoch per pass", per_epoch, epochs),
        run("fit_fast, one Keras epoch in all", one_long_epoch, epochs),
        run(
            "fit_fast, a history entry every 50 passes", logged_every_50, epochs
        ),
        run(
            "fit_fast + steps_per_execution=10",
            plus_steps_per_execution,
            epochs,
        ),
    ]
    base = rows[0][1]
    print(f"\n{epochs} full-batch passes over the 0.0...0.9 data, LSTM(10):\n")
    print(f"{'method':44} {'seconds':>8} {'speed-up':>9} {'MSE':>10}")
    for label, seconds, mse in rows:
        print(f"{label:44} {seconds:8.2f} {base / seconds:8.1f}x {mse:10.3e}")
    same = np.allclose([r[2] for r in rows], rows[0][2], rtol=1e-4)
    print(f"\nsame final MSE for all methods (rtol 1e-4): {same}")


if __name__ == "__main__":
    main()
