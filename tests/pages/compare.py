"""Compare what a block printed with the output block a page shows.

Text is compared word by word (whitespace ignored), numbers by value. ``...``
in the expected text matches any run of tokens. Floats may be loosened by
``rtol``/``atol`` (or freed by ``numbers="any"``, for timings); integers, such
as weight or sample counts, are always compared exactly unless every number is
freed.
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


def _same(expected, actual, rtol, atol, numbers):
    if isinstance(expected, Number) and isinstance(actual, Number):
        e, a = expected.value, actual.value
        if numbers == "any" or (math.isnan(e) and math.isnan(a)):
            return True
        if expected.integer:
            return actual.integer and e == a
        return abs(a - e) <= atol + rtol * abs(e)
    return expected == actual


def outputs_match(expected, actual, *, rtol=0.0, atol=0.0, numbers="exact"):
    """True if ``actual`` printed text matches ``expected``.

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
