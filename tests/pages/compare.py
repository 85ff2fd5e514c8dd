"""Compare what a block printed with the output block a page shows.

Text is compared word by word (whitespace ignored), numbers by value. ``...``
in the expected text matches any run of tokens. Floats may be loosened by
``rtol``/``atol`` (or freed by ``numbers="any"``, for timings, on every
backend); integers, such as weight or sample counts, are always compared
exactly unless every number is freed.

The printed outputs on the pages are TensorFlow's (``REFERENCE_BACKEND``).
On another Keras backend the random streams differ, so trained figures
cannot match. There ``numbers="floats"`` applies: words and integers exact,
every float free (it must still be a number, in its place). An output block
whose integers or words come from training says so with
``other_backends=numbers`` (every number free) or ``other_backends=any``
(not compared: text a model wrote); see ``rule_for_backend``.
"""

from __future__ import annotations

import dataclasses
import math
import re

NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])"
    r"|\bnan\b|\binf\b"
)
ELLIPSIS = "..."
REFERENCE_BACKEND = "tensorflow"  # the backend whose outputs the pages print


@dataclasses.dataclass(frozen=True)
class Number:
    value: float
    integer: bool  # written without a point or exponent, e.g. 1865


def output_tokens(text):
    """Words and numbers of a printed text, whitespace ignored."""
    tokens, position = [], 0
    for match in NUMBER.finditer(text):
        tokens.extend(text[position : match.start()].split())
        literal = match.group()
        tokens.append(
            Number(
                float(literal), re.fullmatch(r"[-+]?\d+", literal) is not None
            )
        )
        position = match.end()
    tokens.extend(text[position:].split())
    return tokens


def rule_for_backend(options, backend):
    """The keyword arguments of ``outputs_match`` for an output block with
    ``options`` on Keras backend ``backend``; ``None``: not compared."""
    options = dict(options)
    other = options.pop("other_backends", None)
    if backend == REFERENCE_BACKEND:
        return options
    if other == "any":
        return None
    if other == "numbers" or options.get("numbers") == "any":  # timings too
        return {"numbers": "any"}
    return {"numbers": "floats"}


def _same(expected, actual, rtol, atol, numbers):
    if isinstance(expected, Number) and isinstance(actual, Number):
        e, a = expected.value, actual.value
        if numbers == "any" or (math.isnan(e) and math.isnan(a)):
            return True
        if expected.integer:
            return actual.integer and e == a
        if numbers == "floats":
            return not actual.integer
        return abs(a - e) <= atol + rtol * abs(e)
    return expected == actual


def outputs_match(expected, actual, *, rtol=0.0, atol=0.0, numbers="exact"):
    """True if ``actual`` printed text matches ``expected``.

    ``numbers``: ``"exact"`` (floats within ``rtol``/``atol``), ``"floats"``
    (integers exact, any float matches a float) or ``"any"``.

    Wildcard matching without recursion: on a mismatch, go back to the last
    ``...`` and let it swallow one more token.
    """
    want, got = output_tokens(expected), output_tokens(actual)
    i = j = 0
    star = resume = None
    while j < len(got):
        if i < len(want) and want[i] == ELLIPSIS:
            star, resume = i, j
            i += 1
        elif i < len(want) and _same(want[i], got[j], rtol, atol, numbers):
            i += 1
            j += 1
        elif star is not None:
            resume += 1
            i, j = star + 1, resume
        else:
            return False
    while i < len(want) and want[i] == ELLIPSIS:
        i += 1
    return i == len(want)
