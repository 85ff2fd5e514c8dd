"""The alphabet as a sequence problem: given letters, predict the next one.

The stateful-LSTM chapter and the data-preparation chapter (time steps vs
features) embed the sections marked ``--8<--`` below. A letter is encoded as
its index divided by 26 (``A`` -> 0.0, ``Z`` -> 25/26); a target is a one-hot
row of 26 classes.
"""

# --8<-- [start:imports]
import keras
import numpy as np

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = [
    "ALPHABET",
    "FRAMINGS",
    "decode",
    "encode",
    "pad_queries",
    "variable_length_data",
    "window_data",
]

# --8<-- [start:encoding]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FRAMINGS = ("time_steps", "features")


def encode(letters):
    """Encode a string of capital letters as floats, shape ``(len(letters),)``.

    ``A`` -> 0/26, ``B`` -> 1/26, ..., ``Z`` -> 25/26.
    """
    if not isinstance(letters, str):
        raise TypeError(
            f"letters must be a string such as 'ABC', got {type(letters)}"
        )
    unknown = sorted(set(letters) - set(ALPHABET))
    if unknown:
        raise ValueError(
            f"letters must be capital letters A-Z, got {letters!r} "
            f"(not allowed: {''.join(unknown)!r})"
        )
    indices = [ALPHABET.index(letter) for letter in letters]
    return np.array(indices, dtype="float32") / len(ALPHABET)


def decode(probabilities):
    """Turn model outputs ``(samples, 26)`` into a string of letters.

    Each row's most probable class (its ``argmax``) becomes one letter.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != len(ALPHABET):
        raise ValueError(
            "probabilities must have shape (samples, 26), got shape "
            f"{probabilities.shape}"
        )
    return "".join(ALPHABET[i] for i in probabilities.argmax(axis=1))


# --8<-- [end:encoding]


# --8<-- [start:window_data]
def window_data(window=3, *, framing="time_steps"):
    """Every ``window`` consecutive letters and the letter that follows.

    ``window=3`` gives ABC -> D, BCD -> E, ..., WXY -> Z.

    Args:
        window: letters per input, 1 to 25.
        framing: ``"time_steps"``: the letters are read one after another,
            ``x`` has shape ``(26 - window, window, 1)``; ``"features"``: they
            are seen together at one time step, shape ``(26 - window, 1,
            window)``.

    Returns:
        ``x`` (float32, encoded letters) and ``y``, one-hot
        ``(26 - window, 26)``.
    """
    window = check_positive_int(window, "window")
    if window > len(ALPHABET) - 1:
        raise ValueError(
            f"window must be between 1 and 25 letters, got {window}"
        )
    if framing not in FRAMINGS:
        raise ValueError(f"framing must be one of {FRAMINGS}, got {framing!r}")
    codes = encode(ALPHABET)
    samples = len(ALPHABET) - window
    x = np.stack([codes[i : i + window] for i in range(samples)])
    if framing == "time_steps":
        x = x.reshape(samples, window, 1)  # (samples, time_steps, features)
    else:
        x = x.reshape(samples, 1, window)
    next_letters = np.arange(window, len(ALPHABET))
    y = keras.utils.to_categorical(next_letters, num_classes=len(ALPHABET))
    return x, y


# --8<-- [end:window_data]


# --8<-- [start:variable_length_data]
def pad_queries(queries, max_len=5, *, one_hot=False):
    """Left-pad strings of letters with zeros to ``(samples, max_len, 1)``.

    Args:
        queries: a list of strings, each 1 to ``max_len`` capital letters.
        max_len: time steps of every padded sequence.
        one_hot: encode each letter as a one-hot row of 26 features instead
            of one number; shape ``(samples, max_len, 26)``, and a padding
            step is a row of zeros, unlike any letter.
    """
    max_len = check_positive_int(max_len, "max_len")
    if not isinstance(one_hot, bool):
        raise TypeError(f"one_hot must be True or False, got {one_hot!r}")
    if isinstance(queries, str) or not len(queries):
        raise TypeError(
            "queries must be a non-empty list of strings such as ['AB', 'Q']"
        )
    for query in queries:
        if not isinstance(query, str) or not 1 <= len(query) <= max_len:
            raise ValueError(
                f"each query must be 1 to {max_len} letters, got {query!r}"
            )
    encoded = [encode(query) for query in queries]
    if one_hot:  # back to indices 0..25; padding becomes -1, then zeros
        encoded = [np.rint(codes * len(ALPHABET)) for codes in encoded]
    # Pad in front ("pre"), so that the last letter is the last time step.
    x = keras.utils.pad_sequences(
        encoded,
        maxlen=max_len,
        dtype="float32",
        padding="pre",
        value=-1.0 if one_hot else 0.0,
    )
    if one_hot:
        return (x[..., None] == np.arange(len(ALPHABET))).astype("float32")
    return x.reshape(len(queries), max_len, 1)


def variable_length_data(samples=1000, *, max_len=5, seed=0, one_hot=False):
    """Random runs of 1 to ``max_len`` letters and the letter that follows.

    ``one_hot`` is passed to ``pad_queries``.

    Returns:
        ``x`` of shape ``(samples, max_len, 1)`` (``(samples, max_len, 26)``
        if ``one_hot``), zero-padded in front;
        ``y`` one-hot ``(samples, 26)``; and the runs as strings.
    """
    samples = check_positive_int(samples, "samples")
    max_len = check_positive_int(max_len, "max_len")
    if max_len > len(ALPHABET) - 1:
        raise ValueError(f"max_len must be between 1 and 25, got {max_len}")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_len + 1, size=samples)
    # The last letter of a run is at most Y, so that a next letter exists.
    starts = rng.integers(0, len(ALPHABET) - lengths)
    queries = [ALPHABET[s : s + n] for s, n in zip(starts, lengths)]
    x = pad_queries(queries, max_len, one_hot=one_hot)
    y = keras.utils.to_categorical(starts + lengths, num_classes=len(ALPHABET))
    return x, y, queries


# --8<-- [end:variable_length_data]
