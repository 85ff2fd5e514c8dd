"""Diagnose and tune: read learning curves, measure skill over repeats, grids.

The diagnose-and-tune chapter embeds the sections marked ``--8<--`` below.
A trained LSTM is a random result: its weights depend on the seed that drew
the initial weights and shuffled the batches. So a configuration is judged by
the scores of several runs, summarized as a mean, a sample standard deviation
and a confidence interval for the mean.
"""

# --8<-- [start:imports]
from numbers import Real
from typing import NamedTuple

import keras
import numpy as np
import pandas as pd
from scipy import stats

from lstm_recipes.checks import as_number_array

# --8<-- [end:imports]

__all__ = [
    "Diagnosis",
    "Summary",
    "diagnose",
    "hand_grid",
    "paired_differences",
    "repeats_needed",
    "restart",
    "running_summary",
    "summarize",
]


# --8<-- [start:checks]
def _scores(values, name, at_least=2):
    """A 1-D float array of finite scores, at least ``at_least`` of them."""
    array = as_number_array(values, name, dtype="float64")
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D sequence of scores, got shape {array.shape}"
        )
    if len(array) < at_least:
        raise ValueError(
            f"{name} must hold at least {at_least} scores, got {len(array)}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _confidence(confidence):
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise TypeError(f"confidence must be a number, got {confidence!r}")
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}"
        )
    return float(confidence)


# --8<-- [end:checks]


# --8<-- [start:restart]
def restart(model, weights):
    """Put ``weights`` back into a compiled model and give it a new optimizer.

    The optimizer's state (step count, moment estimates) goes back to zero;
    its learning rate stays. A model restarted from the same weights and
    fed the same batches trains to the same weights again. Unlike
    ``reset_weights``, which clones the model to draw new weights from a
    seed, ``restart`` draws nothing and touches no seed (setting
    TensorFlow's seed clears its caches, so that the next ``fit`` prepares
    its graph again, which makes a run of the performance appendix's small
    model more than three times slower): draw the starting weights of all
    seeds first, then restart from them run after run.

    Args:
        model: a compiled ``keras.Model``.
        weights: the list of arrays ``model.get_weights()`` returned, e.g.
            right after ``reset_weights(model, seed)``.

    Returns:
        The same ``model``, restarted in place.
    """
    compiled = getattr(model, "optimizer", None) is not None
    if not isinstance(model, keras.Model) or not compiled:
        raise TypeError(
            f"model must be a compiled keras.Model, got {type(model).__name__}"
        )
    if not isinstance(weights, (list, tuple)):
        raise TypeError(
            "weights must be the list model.get_weights() returns, got "
            f"{type(weights).__name__}"
        )
    expected = [tuple(w.shape) for w in model.weights]
    found = [tuple(np.shape(w)) for w in weights]
    if found != expected:
        raise ValueError(
            f"weights have shapes {found}, the model's are {expected}"
        )
    model.set_weights(weights)
    optimizer = model.optimizer
    if optimizer.built:
        learning_rate = float(optimizer.learning_rate)
        for variable in optimizer.variables:  # step count, moments
            variable.assign(np.zeros(variable.shape, variable.dtype))
        optimizer.learning_rate = learning_rate
    return model


# --8<-- [end:restart]


# --8<-- [start:summarize]
class Summary(NamedTuple):
    """The skill of a configuration over ``n`` runs."""

    n: int
    mean: float
    std: float  # sample standard deviation (ddof=1)
    low: float  # confidence interval for the mean
    high: float


def summarize(scores, confidence=0.95):
    """Mean, sample standard deviation and a confidence interval of scores.

    The interval is Student's t interval for the mean,
    ``mean ± t * std / sqrt(n)`` with ``t`` the ``(1 + confidence) / 2``
    quantile of the t distribution with ``n - 1`` degrees of freedom. It
    assumes the runs are independent (one seed each); it says where the
    mean of many more runs would lie, not where a single run will land.

    Args:
        scores: one score per run, shape ``(n,)``, ``n >= 2``.
        confidence: coverage of the interval, e.g. 0.95.

    Returns:
        A ``Summary(n, mean, std, low, high)``.
    """
    scores = _scores(scores, "scores")
    confidence = _confidence(confidence)
    n = len(scores)
    mean, std = scores.mean(), scores.std(ddof=1)
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * std / np.sqrt(n)
    return Summary(n, float(mean), float(std), mean - half, mean + half)


# --8<-- [end:summarize]


# --8<-- [start:repeats]
def running_summary(scores, confidence=0.95):
    """The summary after 2, 3, ..., n runs: how the estimate settles.

    Args:
        scores: one score per run, in the order the runs were made,
            shape ``(n,)``, ``n >= 2``.
        confidence: coverage of the intervals.

    Returns:
        A ``DataFrame`` indexed by the number of runs ``2 ... n`` with the
        columns of ``Summary``: ``mean``, ``std``, ``low``, ``high``.
    """
    scores = _scores(scores, "scores")
    confidence = _confidence(confidence)
    rows = [
        summarize(scores[:k], confidence) for k in range(2, len(scores) + 1)
    ]
    return pd.DataFrame(rows, columns=Summary._fields).set_index("n")


def repeats_needed(std, half_width, confidence=0.95):
    """How many runs make the confidence interval ``± half_width`` wide.

    The smallest ``n >= 2`` with ``t(n - 1) * std / sqrt(n) <= half_width``,
    for a standard deviation ``std`` measured on a pilot set of runs.

    Args:
        std: sample standard deviation of the scores of single runs.
        half_width: the precision wanted for the mean, in score units.
        confidence: coverage of the interval.

    Returns:
        The number of runs, an ``int``.
    """
    for name, value in (("std", std), ("half_width", half_width)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a number, got {value!r}")
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be >= 0 and finite, got {value}")
    if half_width == 0:
        raise ValueError("half_width must be > 0: no n gives an exact mean")
    confidence = _confidence(confidence)
    n = 2
    while stats.t.ppf((1 + confidence) / 2, n - 1) * std / np.sqrt(n) > (
        half_width
    ):
        n += 1
    return n


# --8<-- [end:repeats]


# --8<-- [start:diagnose]
class Diagnosis(NamedTuple):
    """What a pair of learning curves says, and the numbers behind it."""

    verdict: str  # "underfitting", "good fit" or "overfitting"
    best_epoch: int  # 1-based epoch of the lowest validation loss
    val_rise: float  # validation loss at the end / its lowest value - 1
    late_fall: float  # share of the training loss's fall made at the end


def diagnose(history, *, tail=0.25, rise=0.15, still_falling=0.1):
    """Read the training and validation loss curves of a ``fit``.

    "The end" is the last ``tail`` of the epochs; the validation loss at
    the end is its mean there, which smooths out the epoch-to-epoch noise.

    - **overfitting**: the validation loss at the end lies more than
      ``rise`` above its lowest value, while the training loss went on
      falling after that epoch;
    - **underfitting**: the training loss still falls at the end (more
      than ``still_falling`` of its whole fall came in the last epochs),
      and the validation loss with it: more training would pay. Also when
      the training loss never fell at all;
    - **good fit**: neither; both curves have levelled off.

    These are rules of thumb that put numbers on what the plot shows; look
    at the curves too.

    Args:
        history: the ``keras.callbacks.History`` returned by ``fit`` with
            validation data, at least 4 epochs.
        tail: the fraction of the epochs that counts as the end.
        rise: the relative rise of the validation loss that counts as
            overfitting.
        still_falling: the share of the training loss's fall, made at the
            end, that counts as still learning.

    Returns:
        A ``Diagnosis(verdict, best_epoch, val_rise, late_fall)``.
    """
    logs = getattr(history, "history", None)
    if not isinstance(logs, dict):
        raise TypeError(
            f"history must be a keras History, got {type(history).__name__}"
        )
    if "val_loss" not in logs:
        raise ValueError(
            "history has no val_loss: fit with validation_data, got keys "
            f"{sorted(logs)}"
        )
    train = _scores(logs["loss"], "history.history['loss']", at_least=4)
    val = _scores(logs["val_loss"], "history.history['val_loss']", 4)
    for name, value in (
        ("tail", tail),
        ("rise", rise),
        ("still_falling", still_falling),
    ):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a number, got {value!r}")
        if not 0 < value < 1:
            raise ValueError(f"{name} must be between 0 and 1, got {value}")
    last = max(2, round(tail * len(train)))  # epochs that make "the end"
    best = int(np.argmin(val))
    val_rise = float(val[-last:].mean() / val[best] - 1)
    fall = train[0] - train[-1]  # over the whole run
    late_fall = float((train[-last] - train[-1]) / fall) if fall > 0 else 1.0
    if val_rise > rise and train[-1] < train[best]:
        verdict = "overfitting"
    elif fall <= 0 or (late_fall > still_falling and val[-1] < val[-last]):
        verdict = "underfitting"  # still learning, or never learned
    else:
        verdict = "good fit"
    return Diagnosis(verdict, best + 1, val_rise, late_fall)


# --8<-- [end:diagnose]


# --8<-- [start:hand_grid]
def hand_grid(run, values, seeds):
    """Try every value of one hyperparameter with every seed.

    Args:
        run: a function ``run(value, seed)`` that trains one model and
            returns its score, or a dict of named scores such as
            ``{"validation": ..., "test": ...}``.
        values: the values to try, e.g. ``[0.003, 0.01, 0.03]``.
        seeds: the seeds of the repeats, e.g. ``range(5)``; every value
            gets the same seeds.

    Returns:
        A ``DataFrame`` with one row per run: columns ``value``, ``seed``
        and the score (``score``) or the named scores.
    """
    if not callable(run):
        raise TypeError(f"run must be a function, got {type(run).__name__}")
    values, seeds = list(values), list(seeds)
    for name, items in (("values", values), ("seeds", seeds)):
        if not items:
            raise ValueError(f"{name} must not be empty")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seeds must be integers, got {seed!r}")
    rows = []
    for value in values:
        for seed in seeds:
            scores = run(value, int(seed))
            if not isinstance(scores, dict):
                scores = {"score": scores}
            rows.append({"value": value, "seed": int(seed), **scores})
    return pd.DataFrame(rows)


# --8<-- [end:hand_grid]


# --8<-- [start:paired]
def paired_differences(grid, reference, score="score", confidence=0.95):
    """How much worse each value scored than ``reference``, seed by seed.

    In a hand grid every value runs with the same seeds, so the runs of two
    values with one seed start from the same weights and see the batches in
    the same order. Their difference removes what the seed did to both:
    the comparison is a paired one, and the interval and the test are
    those of the mean of the per-seed differences (Student's paired t,
    ``scipy.stats.ttest_rel``), not of each value's runs on their own.

    Args:
        grid: the ``DataFrame`` of ``hand_grid``: columns ``value``,
            ``seed`` and ``score``, one row per run; every value has the
            same seeds, at least 2.
        reference: the value the others are compared with, e.g. the
            chosen one.
        score: the column to compare, e.g. ``"validation"``.
        confidence: coverage of the intervals.

    Returns:
        A ``DataFrame`` indexed by the other values, one row each, with
        columns ``n`` (seeds), ``mean`` (mean of ``score - score of
        reference`` over the seeds), ``std`` (sample std of those
        differences), ``se`` (``std / sqrt(n)``), ``low``, ``high`` (the
        confidence interval of ``mean``) and ``p`` (two-sided p-value of
        "no difference").
    """
    if not isinstance(grid, pd.DataFrame):
        raise TypeError(
            f"grid must be the DataFrame hand_grid returns, got "
            f"{type(grid).__name__}"
        )
    missing = {"value", "seed", score} - set(grid.columns)
    if missing:
        raise ValueError(
            f"grid must have columns value, seed and {score!r}; missing "
            f"{sorted(missing)}"
        )
    confidence = _confidence(confidence)
    table = grid.pivot(index="seed", columns="value", values=score)
    if reference not in table.columns:
        raise ValueError(
            f"reference must be one of the grid's values "
            f"{list(table.columns)}, got {reference!r}"
        )
    if table.isna().any().any():
        raise ValueError(
            "every value of the grid must be run with the same seeds"
        )
    base = _scores(table[reference], f"grid[{score!r}]")
    rows = {}
    for value in table.columns:
        if value == reference:
            continue
        other = _scores(table[value], f"grid[{score!r}]")
        difference = other - base
        test = stats.ttest_rel(other, base)
        low, high = test.confidence_interval(confidence)
        n = len(difference)
        std = float(difference.std(ddof=1))
        rows[value] = {
            "n": n,
            "mean": float(difference.mean()),
            "std": std,
            "se": std / np.sqrt(n),
            "low": float(low),
            "high": float(high),
            "p": float(test.pvalue),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "value"
    return frame


# --8<-- [end:paired]
