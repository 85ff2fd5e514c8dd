"""A generative LSTM: a character-level language model of a small corpus.

The generative-LSTM chapter embeds the sections marked ``--8<--`` below: the
corpora that ship with the package, a vocabulary of characters, windows of
characters for training, character n-gram baselines (add-k, and the
interpolated Kneser–Ney and Witten–Bell n-grams whose order is chosen on
validation text), the model, sampling with a temperature, top-k and
nucleus (top-p) sampling, two ways to generate text, re-feeding the window
for every character or carrying the LSTM state from step to step, and
measures of generated text (known words, line lengths).
"""

# --8<-- [start:imports]
import numbers
from importlib import resources

import keras
import numpy as np

from lstm_recipes.checks import check_positive_int

# --8<-- [end:imports]

__all__ = [
    "CORPORA",
    "CharNGram",
    "KneserNeyNGram",
    "SampleText",
    "Vocabulary",
    "WittenBellNGram",
    "apply_temperature",
    "build_char_lstm",
    "build_step_model",
    "generate_refeeding",
    "generate_with_state",
    "known_share",
    "line_lengths",
    "load_poems",
    "lstm_log_likelihoods",
    "sample_next",
    "split_poems",
    "text_windows",
    "top_k",
    "top_p",
    "words",
]


# --8<-- [start:load_poems]
CORPORA = {  # name -> file in lstm_recipes/data (see the README there)
    "sonnets": "sonnets.txt",  # Shakespeare, 146 sonnets, public domain
    "tang": "tang_poems.txt",  # 281 Tang poems, public domain
}


def load_poems(name="sonnets"):
    """The poems of a corpus that ships with ``lstm_recipes``.

    Each poem in the file starts with a heading line (``Sonnet 18``,
    ``静夜思｜李白``), followed by its lines; a blank line ends it. The
    heading is dropped.

    Args:
        name: ``"sonnets"`` (English) or ``"tang"`` (classical Chinese).

    Returns:
        A list of poems, each a string whose lines are joined by ``"\\n"``
        (a Tang poem: its couplets joined into one line).
    """
    if name not in CORPORA:
        raise ValueError(f"name must be one of {sorted(CORPORA)}, got {name!r}")
    data = resources.files("lstm_recipes") / "data" / CORPORA[name]
    blocks = data.read_text(encoding="utf-8").strip().split("\n\n")
    joint = "" if name == "tang" else "\n"
    return [joint.join(block.split("\n")[1:]) for block in blocks]


# --8<-- [end:load_poems]


# --8<-- [start:split_poems]
def split_poems(poems, *, validation=0.1, test=0.1, seed=0):
    """Shuffle whole poems into training, validation and test texts.

    Poems, not characters, are split, so that no poem is half in the
    training text and half in a held-out one. Each poem is followed by a
    blank line, ``"\\n\\n"``.

    Args:
        poems: a list of at least 3 non-empty strings.
        validation: fraction of the poems for the validation text.
        test: fraction of the poems for the test text.
        seed: seed of the shuffle.

    Returns:
        ``(train, validation, test)``, three strings.
    """
    if isinstance(poems, str) or not all(
        isinstance(p, str) and p for p in poems
    ):
        raise ValueError(
            "poems must be a list of non-empty strings, got "
            f"{type(poems).__name__}"
        )
    poems = list(poems)
    for name, value in (("validation", validation), ("test", test)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must lie between 0 and 1, got {value}")
    held_out = [max(1, round(f * len(poems))) for f in (validation, test)]
    if sum(held_out) >= len(poems):
        raise ValueError(
            f"poems must hold more than {sum(held_out)} poems to leave some "
            f"for training, got {len(poems)}"
        )
    order = np.random.default_rng(seed).permutation(len(poems))
    parts = np.split(order, np.cumsum(held_out))
    validation_part, test_part, train_part = parts

    def text(indices):
        return "".join(poems[i] + "\n\n" for i in indices)

    return text(train_part), text(validation_part), text(test_part)


# --8<-- [end:split_poems]


# --8<-- [start:vocabulary]
class Vocabulary:
    """The characters of a text, each with an integer id.

    Args:
        text: the text whose distinct characters make the vocabulary; ids
            follow the sorted order of the characters.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise ValueError(
                f"text must be a non-empty string, got {text!r:.40}"
            )
        self.characters = "".join(sorted(set(text)))
        self._ids = {c: i for i, c in enumerate(self.characters)}

    def __len__(self):
        return len(self.characters)

    def encode(self, text, name="text"):
        """The ids of the characters of ``text``, an int32 array ``(len,)``.

        Raises a ValueError, naming the argument ``name``, for characters
        outside the vocabulary.
        """
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a string, got {type(text)}")
        unknown = sorted(set(text) - set(self._ids))
        if unknown:
            raise ValueError(
                f"{name} holds characters outside the vocabulary: "
                f"{''.join(unknown)!r}"
            )
        return np.array([self._ids[c] for c in text], dtype="int32")

    def decode(self, ids):
        """The text of a sequence of ids."""
        return "".join(self.characters[i] for i in np.asarray(ids).ravel())


# --8<-- [end:vocabulary]


# --8<-- [start:text_windows]
def text_windows(ids, time_steps, *, stride=None):
    """Cut a sequence of character ids into windows and next characters.

    Window ``i`` holds ``ids[s : s + time_steps]`` and its target the same
    window shifted by one character, ``ids[s + 1 : s + time_steps + 1]``:
    at every time step the target is the character that comes next.

    Args:
        ids: character ids, shape ``(characters,)``.
        time_steps: characters per window.
        stride: characters between the starts of two windows; default
            ``time_steps`` (windows side by side).

    Returns:
        ``(x, y)``, two int32 arrays of shape ``(windows, time_steps)``.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    stride = time_steps if stride is None else stride
    stride = check_positive_int(stride, "stride")
    ids = np.asarray(ids, dtype="int32")
    if ids.ndim != 1 or len(ids) < time_steps + 1:
        raise ValueError(
            f"ids must be a 1-D sequence of at least time_steps + 1 = "
            f"{time_steps + 1} characters, got shape {ids.shape}"
        )
    starts = np.arange(0, len(ids) - time_steps, stride)
    offsets = np.arange(time_steps)
    x = ids[starts[:, None] + offsets]
    y = ids[starts[:, None] + offsets + 1]
    return x, y


# --8<-- [end:text_windows]


# --8<-- [start:ngram]
class CharNGram:
    """A character n-gram model with add-k smoothing.

    The probability of character ``c`` after the ``order - 1`` characters
    ``h`` is ``(count(h c) + k) / (count(h) + k * vocabulary_size)``; a
    unigram (``order=1``) ignores the context.

    Args:
        order: 1 (unigram), 2 (bigram), 3 (trigram), ...
        vocabulary_size: number of distinct characters.
        k: the count added to every n-gram, > 0.

    Each n-gram is counted as one int64 key, its ids read in base V, so
    ``vocabulary_size ** order`` must not exceed ``2 ** 63`` (a ValueError
    says so): 59 characters allow order 10, 1,826 order 5.
    """

    def __init__(self, order, vocabulary_size, *, k=1.0):
        self.order = check_positive_int(order, "order")
        self.size = check_positive_int(vocabulary_size, "vocabulary_size")
        if not k > 0:
            raise ValueError(f"k must be > 0, got {k}")
        self.k = float(k)
        if self.size**self.order > 2**63:  # the keys below would wrap
            raise ValueError(
                f"order = {self.order} is too large for vocabulary_size = "
                f"{self.size}: an n-gram key, a number below vocabulary_size "
                f"** order = {self.size**self.order:.3g}, must fit in int64 "
                "(2 ** 63); lower the order"
            )

    def _keys(self, ids, n):
        """One int64 key per run of ``n`` ids: the run read in base V."""
        keys = np.zeros(len(ids) - n + 1, dtype="int64")
        for j in range(n):
            keys = keys * self.size + ids[j : len(ids) - n + 1 + j]
        return keys

    def fit(self, ids):
        """Count the n-grams and their contexts in ``ids``, ``(chars,)``."""
        ids = np.asarray(ids, dtype="int64")
        if ids.ndim != 1 or len(ids) < self.order:
            raise ValueError(
                f"ids must be a 1-D sequence of at least order = "
                f"{self.order} characters, got shape {ids.shape}"
            )
        n = self.order
        self.grams = np.unique(self._keys(ids, n), return_counts=True)
        self.contexts = np.unique(
            self._keys(ids[:-1], n - 1), return_counts=True
        )
        if n == 1:  # the empty context, seen once per character
            self.contexts = (np.zeros(1, "int64"), np.array([len(ids)]))
        return self

    @staticmethod
    def _count(table, keys):
        known, counts = table
        where = np.minimum(np.searchsorted(known, keys), len(known) - 1)
        return np.where(known[where] == keys, counts[where], 0)

    def log_likelihoods(self, ids, start):
        """``log P(ids[j] | the order - 1 ids before it)`` for ``j >= start``.

        Args:
            ids: character ids, shape ``(characters,)``.
            start: first position to score, at least ``order - 1``.

        Returns:
            A float array of shape ``(characters - start,)``, in nats.
        """
        ids = np.asarray(ids, dtype="int64")
        if not self.order - 1 <= start < len(ids):
            raise ValueError(
                f"start must lie between order - 1 = {self.order - 1} and "
                f"len(ids) - 1 = {len(ids) - 1}, got {start}"
            )
        n = self.order
        grams = self._keys(ids, n)[start - n + 1 :]
        contexts = self._keys(ids[:-1], n - 1)[start - n + 1 :]
        if n == 1:
            contexts = np.zeros_like(grams)
        numerator = self._count(self.grams, grams) + self.k
        denominator = self._count(self.contexts, contexts) + self.k * self.size
        return np.log(numerator / denominator)

    def probabilities(self, context):
        """The distribution of the next character, shape ``(size,)``.

        Args:
            context: the ids before it, ``(characters,)``; only the last
                ``order - 1`` count.
        """
        context = np.asarray(context, dtype="int64")
        n = self.order
        if context.ndim != 1 or len(context) < n - 1:
            raise ValueError(
                f"context must hold at least order - 1 = {n - 1} ids, "
                f"got shape {context.shape}"
            )
        key = 0  # the context read in base V, as in _keys
        for i in context[len(context) - (n - 1) :]:
            key = key * self.size + int(i)
        grams = key * self.size + np.arange(self.size)
        seen = self._count(self.contexts, np.array([key if n > 1 else 0]))
        counts = self._count(self.grams, grams) + self.k
        return counts / (seen + self.k * self.size)


# --8<-- [end:ngram]


# --8<-- [start:kneser_ney]
def _check_ids(ids, name, size, *, at_least=1):
    """``ids`` as int64 ``(characters,)``, each in ``[0, size)``."""
    if isinstance(ids, (str, bytes)) or ids is None:
        raise TypeError(
            f"{name} must be an array of character ids, got "
            f"{type(ids).__name__}"
        )
    array = np.asarray(ids)
    if array.ndim != 1 or len(array) < at_least:
        empty = " (an empty text has no n-grams)" if array.size == 0 else ""
        raise ValueError(
            f"{name} must be a 1-D sequence of at least {at_least} "
            f"character ids{empty}, got shape {array.shape}"
        )
    if len(array) == 0:  # at_least = 0: an empty context
        return np.zeros(0, dtype="int64")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if array.min() < 0 or array.max() >= size:
        raise ValueError(
            f"{name} must hold ids from 0 to vocabulary_size - 1 = "
            f"{size - 1}, got ids from {array.min()} to {array.max()}"
        )
    return array.astype("int64")


class _InterpolatedNGram:
    """What the interpolated n-grams share: counting every order up to
    ``order`` with numbers that cannot overflow, and scoring text.

    Each n-gram is numbered by its context's number and its last character
    (a number below ``characters * vocabulary_size``), so any order and
    alphabet size are safe. One fit at order ``N`` holds every lower order
    too: ``order=m`` in the methods gives exactly what the same class of
    order ``m``, fitted on the same text, would give.
    """

    def __init__(self, order, vocabulary_size):
        self.order = check_positive_int(order, "order")
        self.size = check_positive_int(vocabulary_size, "vocabulary_size")
        self._levels = None

    def fit(self, ids):
        """Count the n-grams of every order up to ``order`` in ``ids``.

        Args:
            ids: character ids, shape ``(characters,)``, at least ``order``
                of them, each in ``[0, vocabulary_size)``.

        Returns:
            ``self``.
        """
        ids = _check_ids(ids, "ids", self.size, at_least=self.order)
        size = self.size
        index = np.zeros(len(ids) + 1, dtype="int64")  # the empty context
        levels = []
        for n in range(1, self.order + 1):
            # the n-gram at i: the (n - 1)-gram at i, then ids[i + n - 1]
            codes = index[: len(ids) - n + 1] * size + ids[n - 1 :]
            grams, first, index, counts = np.unique(
                codes,
                return_index=True,
                return_inverse=True,
                return_counts=True,
            )
            levels.append(
                {
                    "grams": grams,
                    "first": first,
                    "index": index,
                    "counts": counts,
                }
            )
        for n, level in enumerate(levels, start=1):
            contexts = level["grams"] // size  # numbers of level n - 1
            before = 1 if n == 1 else len(levels[n - 2]["grams"])
            if n < self.order:  # distinct characters seen before each gram
                above = levels[n]["first"] + 1  # where the suffix starts
                continuation = np.bincount(
                    level["index"][above], minlength=len(level["grams"])
                )
            else:
                continuation = np.zeros_like(level["counts"])
            for name, values in (
                ("count", level["counts"]),
                ("continuation", continuation),
            ):
                level[name] = values
                level[name + "_total"] = np.bincount(
                    contexts, weights=values, minlength=before
                )
                level[name + "_types"] = np.bincount(
                    contexts,
                    weights=(values > 0).astype(float),
                    minlength=before,
                )
        self._levels = levels
        return self

    def _check_order(self, order):
        if self._levels is None:
            raise ValueError("call fit before scoring: the model is empty")
        order = self.order if order is None else order
        order = check_positive_int(order, "order")
        if order > self.order:
            raise ValueError(
                f"order must lie between 1 and the fitted order "
                f"{self.order}, got {order}"
            )
        return order

    def _numbers(self, n, codes):
        """The number of each n-gram code at level n; -1 if never seen."""
        grams = self._levels[n - 1]["grams"]
        where = np.minimum(np.searchsorted(grams, codes), len(grams) - 1)
        return np.where((codes >= 0) & (grams[where] == codes), where, -1)

    def _sequence_numbers(self, ids, order):
        """For every level n, the number of the n-gram starting at each
        position of ``ids`` (``(characters - n + 1,)``, -1 if unseen)."""
        numbers_ = [np.zeros(len(ids) + 1, dtype="int64")]
        for n in range(1, order + 1):
            before = numbers_[-1][: len(ids) - n + 1]
            codes = np.where(before >= 0, before * self.size + ids[n - 1 :], -1)
            numbers_.append(self._numbers(n, codes))
        return numbers_

    def probabilities(self, context, *, order=None):
        """The distribution of the next character, ``(vocabulary_size,)``.

        Args:
            context: the ids before it, ``(characters,)``; only the last
                ``order - 1`` count, and at least that many are needed.
            order: the order to use, 1 to the fitted order (default).

        Returns:
            A float64 array that sums to one.
        """
        order = self._check_order(order)
        context = _check_ids(context, "context", self.size, at_least=0)
        if len(context) < order - 1:
            raise ValueError(
                f"context must hold at least order - 1 = {order - 1} ids, "
                f"got shape {context.shape}"
            )
        tail = context[len(context) - order + 1 :] if order > 1 else []
        numbers_ = self._sequence_numbers(tail, order - 1)
        characters = np.arange(self.size)
        contexts, grams = [], []
        for n in range(1, order + 1):
            number = numbers_[n - 1][order - n]  # the last n - 1 ids
            contexts.append(np.full(self.size, number))
            codes = np.where(number >= 0, number * self.size + characters, -1)
            grams.append(self._numbers(n, codes))
        return self._interpolate(order, contexts, grams)

    def log_likelihoods(self, ids, start=None, *, order=None):
        """``log P(ids[j] | the order - 1 ids before it)`` for ``j >= start``.

        The first ``order - 1`` characters, which lack a full context, are
        skipped: ``start`` must be at least ``order - 1`` (its default). To
        score several orders on the same characters, give them one
        ``start``, at least the highest order - 1.

        Args:
            ids: character ids, shape ``(characters,)``.
            start: first position to score, ``order - 1 <= start <
                characters``.
            order: the order to use, 1 to the fitted order (default).

        Returns:
            A float64 array of shape ``(characters - start,)``, in nats.
        """
        order = self._check_order(order)
        ids = _check_ids(ids, "ids", self.size)
        start = order - 1 if start is None else start
        if isinstance(start, bool) or not isinstance(start, numbers.Integral):
            raise TypeError(f"start must be an integer, got {start!r}")
        if not order - 1 <= start < len(ids):
            raise ValueError(
                f"start must lie between order - 1 = {order - 1} and "
                f"len(ids) - 1 = {len(ids) - 1}, got {start}"
            )
        numbers_ = self._sequence_numbers(ids, order)
        stop = len(ids)
        contexts = [
            numbers_[n - 1][start - n + 1 : stop - n + 1]
            for n in range(1, order + 1)
        ]
        grams = [
            numbers_[n][start - n + 1 : stop - n + 1]
            for n in range(1, order + 1)
        ]
        return np.log(self._interpolate(order, contexts, grams))

    def log_likelihood(self, ids, start=None, *, order=None):
        """The sum of ``log_likelihoods(ids, start, order=order)``, in nats
        (a float)."""
        return float(self.log_likelihoods(ids, start, order=order).sum())

    def cross_entropy(self, ids, start=None, *, order=None):
        """The mean of ``-log_likelihoods(ids, start, order=order)``: nats
        per character (a float; divide by ``log(2)`` for bits)."""
        return float(-self.log_likelihoods(ids, start, order=order).mean())

    def choose_order(self, validation_ids, start=None):
        """The order, 1 to the fitted order, with the lowest cross-entropy
        on ``validation_ids`` (an ``int``; of equal ones, the lowest).

        Every order is scored on the same characters, from ``start``
        (default and minimum: the fitted order - 1).

        Args:
            validation_ids: character ids, shape ``(characters,)``.
            start: first position to score.
        """
        self._check_order(None)
        start = self.order - 1 if start is None else start
        scores = [
            self.cross_entropy(validation_ids, start, order=order)
            for order in range(1, self.order + 1)
        ]
        return int(np.argmin(scores)) + 1


class KneserNeyNGram(_InterpolatedNGram):
    """A character n-gram with interpolated Kneser–Ney smoothing.

    Plain interpolated Kneser–Ney (Chen and Goodman, 1999) with one fixed
    discount ``D`` at every order (not the modified version's three). The
    probability of character ``c`` after the context ``h``, the ``n - 1``
    characters before it, is

        P_n(c | h) = max(N(h c) - D, 0) / N(h .)
                     + D * T(h) / N(h .) * P_{n-1}(c | h')

    where ``h'`` is ``h`` without its first character, ``N(h .)`` the sum of
    ``N(h c)`` over ``c`` and ``T(h)`` the number of characters ``c`` with
    ``N(h c) > 0``. At the model's order ``N`` is the count of ``h c`` in
    the training text; at every lower order it is the continuation count,
    the number of distinct characters seen just before ``h c``. Below the
    unigram lies the uniform distribution ``1 / vocabulary_size``, so every
    character of the alphabet, seen or not, gets a probability > 0, and the
    probabilities after any context sum to one. A context that the training
    text never continues (``N(h .) = 0``) leaves the order below as it is.

    One fit at order ``N`` holds every lower order too: ``order=m`` in the
    methods gives exactly what ``KneserNeyNGram(m, ...)`` fitted on the same
    text would give. The n-grams are counted without a key that could
    overflow, so any order and alphabet size are safe.

    Methods: ``fit(ids)``, ``probabilities(context, *, order=None)``,
    ``log_likelihoods(ids, start=None, *, order=None)``, ``log_likelihood``
    and ``cross_entropy`` (same arguments), ``choose_order(validation_ids,
    start=None)``.

    Args:
        order: 1 (unigram), 2 (bigram), 3 (trigram), ...
        vocabulary_size: number of distinct characters ``V``.
        discount: ``D``, a number with 0 < D <= 1.
    """

    def __init__(self, order, vocabulary_size, *, discount=0.75):
        super().__init__(order, vocabulary_size)
        if isinstance(discount, bool) or not (
            isinstance(discount, numbers.Real) and 0 < discount <= 1
        ):
            raise ValueError(
                f"discount must be a number with 0 < discount <= 1, got "
                f"{discount!r}"
            )
        self.discount = float(discount)

    def _interpolate(self, order, contexts, grams):
        """``P_order(c | h)`` from the numbers of the contexts and n-grams
        of every level ``n = 1 .. order`` (``contexts[n - 1]``,
        ``grams[n - 1]``: arrays of one shape, -1 if never seen)."""
        d = self.discount
        p = np.full(np.shape(grams[0]), 1 / self.size)
        for n in range(1, order + 1):
            level = self._levels[n - 1]
            name = "count" if n == order else "continuation"
            seen_context, seen = contexts[n - 1] >= 0, grams[n - 1] >= 0
            context = np.where(seen_context, contexts[n - 1], 0)
            total = np.where(seen_context, level[name + "_total"][context], 0)
            types = np.where(seen_context, level[name + "_types"][context], 0)
            count = np.where(seen, level[name][np.maximum(grams[n - 1], 0)], 0)
            mixed = (np.maximum(count - d, 0) + d * types * p) / np.maximum(
                total, 1
            )
            p = np.where(total > 0, mixed, p)
        return p


# --8<-- [end:kneser_ney]


# --8<-- [start:witten_bell]
class WittenBellNGram(_InterpolatedNGram):
    """A character n-gram with interpolated Witten–Bell smoothing.

    The probability of character ``c`` after the context ``h``, the ``n -
    1`` characters before it, is

        P_n(c | h) = (N(h c) + T(h) * P_{n-1}(c | h')) / (N(h .) + T(h))

    where ``N`` counts in the training text (at every order), ``h'`` is
    ``h`` without its first character, ``N(h .)`` the sum of ``N(h c)``
    over ``c`` and ``T(h)`` the number of characters ``c`` with ``N(h c) >
    0``: the more kinds of character follow a context, the more weight
    goes to the order below. Below the unigram lies the uniform
    distribution ``1 / vocabulary_size``; a context never continued in
    the training text leaves the order below as it is. The methods are
    those of ``KneserNeyNGram``.

    Args:
        order: 1 (unigram), 2 (bigram), 3 (trigram), ...
        vocabulary_size: number of distinct characters ``V``.
    """

    def _interpolate(self, order, contexts, grams):
        p = np.full(np.shape(grams[0]), 1 / self.size)
        for n in range(1, order + 1):
            level = self._levels[n - 1]
            seen_context, seen = contexts[n - 1] >= 0, grams[n - 1] >= 0
            context = np.where(seen_context, contexts[n - 1], 0)
            total = np.where(seen_context, level["count_total"][context], 0)
            types = np.where(seen_context, level["count_types"][context], 0)
            count = np.where(
                seen, level["count"][np.maximum(grams[n - 1], 0)], 0
            )
            mixed = (count + types * p) / np.maximum(total + types, 1)
            p = np.where(total > 0, mixed, p)
        return p


# --8<-- [end:witten_bell]


# --8<-- [start:build_char_lstm]
def build_char_lstm(
    vocabulary_size,
    *,
    embedding_dim=16,
    units=128,
    dropout=0.0,
    learning_rate=0.01,
):
    """Define and compile a character-level LSTM language model.

    Each character id becomes a learned vector (``Embedding``); the LSTM
    reads them in order and, at every time step, a softmax over the
    vocabulary gives the probabilities of the next character. The LSTM
    also returns its final hidden and cell states, which training ignores
    and generation carries from one call to the next
    (``build_step_model``).

    Args:
        vocabulary_size: number of distinct characters.
        embedding_dim: length of the vector of each character.
        units: units of the LSTM layer.
        dropout: the fraction of the LSTM's outputs that a ``Dropout``
            layer zeroes at random during training, ``0 <= dropout < 1``
            (0: no ``Dropout`` layer); at prediction it does nothing.
        learning_rate: step size of the Adam optimizer.

    Returns:
        A compiled ``keras.Model`` mapping character ids ``(samples,
        time_steps)`` to probabilities ``(samples, time_steps,
        vocabulary_size)``, trained with sparse categorical cross-entropy.
        Any number of time steps is accepted.
    """
    size = check_positive_int(vocabulary_size, "vocabulary_size")
    embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
    units = check_positive_int(units, "units")
    if isinstance(dropout, bool) or not (
        isinstance(dropout, numbers.Real) and 0 <= dropout < 1
    ):
        raise ValueError(
            f"dropout must be a number with 0 <= dropout < 1, got {dropout!r}"
        )

    characters = keras.Input(shape=(None,), dtype="int32", name="characters")
    vectors = keras.layers.Embedding(size, embedding_dim, name="embedding")(
        characters
    )
    lstm = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, name="lstm"
    )
    sequence, _, _ = lstm(vectors)  # hidden and cell state: not needed here
    if dropout > 0:  # active in training only
        sequence = keras.layers.Dropout(dropout, name="dropout")(sequence)
    probabilities = keras.layers.Dense(
        size, activation="softmax", name="next_character"
    )(sequence)
    model = keras.Model(characters, probabilities, name="char_lstm")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
    )
    return model


# --8<-- [end:build_char_lstm]


# --8<-- [start:lstm_log_likelihoods]
def lstm_log_likelihoods(model, ids, time_steps, *, batch_size=256):
    """``log P(ids[j] | the characters before it)``, ``j >= time_steps // 2``.

    The model reads windows of ``time_steps`` characters that overlap by
    half, as in training; each character is scored in the window where it
    has between ``time_steps // 2`` and ``time_steps - 1`` characters of
    context before it.

    Args:
        model: a model from ``build_char_lstm``.
        ids: character ids, shape ``(characters,)``.
        time_steps: characters per window, >= 2.
        batch_size: windows per batch of ``predict``.

    Returns:
        A float array of shape ``(characters - time_steps // 2,)``, in nats.
    """
    time_steps = check_positive_int(time_steps, "time_steps")
    half = time_steps // 2
    ids = np.asarray(ids, dtype="int32")
    if half < 1 or ids.ndim != 1 or len(ids) <= half:
        raise ValueError(
            f"ids must be a 1-D sequence longer than time_steps // 2 = "
            f"{half} (and time_steps >= 2), got shape {ids.shape}"
        )
    targets = ids[half:]
    windows = -(-len(targets) // half)  # ceil: half new targets per window
    padded = np.zeros((windows + 1) * half + time_steps, dtype="int32")
    padded[: len(ids)] = ids  # the padding comes after: never read as context
    starts = np.arange(windows) * half
    x = padded[starts[:, None] + np.arange(time_steps)]
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    scored = probabilities[:, half - 1 : 2 * half - 1].reshape(
        -1, probabilities.shape[-1]
    )
    scored = scored[: len(targets)]
    return np.log(scored[np.arange(len(targets)), targets])


# --8<-- [end:lstm_log_likelihoods]


# --8<-- [start:temperature]
def _check_distribution(probabilities, name="probabilities"):
    """``probabilities`` as float64 ``(classes,)``, once it is checked to be
    a distribution: finite, >= 0, summing to 1 within 1e-3."""
    if isinstance(probabilities, (str, bytes)) or probabilities is None:
        raise TypeError(
            f"{name} must be an array of numbers, got "
            f"{type(probabilities).__name__}"
        )
    try:
        p = np.asarray(probabilities, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers") from None
    if p.ndim != 1 or len(p) == 0:
        raise ValueError(
            f"{name} must have shape (classes,) with classes >= 1, got "
            f"shape {p.shape}"
        )
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError(
            f"{name} must be finite and >= 0 (a distribution, not logits), "
            f"got values from {np.min(p)} to {np.max(p)}"
        )
    if abs(p.sum() - 1) > 1e-3:
        raise ValueError(
            f"{name} must sum to 1 (within 1e-3), got a sum of {p.sum():.6g}"
        )
    return p


def apply_temperature(probabilities, temperature):
    """Sharpen (``temperature < 1``) or flatten (``> 1``) a distribution.

    Returns ``p ** (1 / temperature)``, normalised to sum to one: the
    softmax of the log-probabilities divided by the temperature.

    Args:
        probabilities: a distribution, shape ``(classes,)``: finite, >= 0
            and summing to 1 within 1e-3, else a ValueError.
        temperature: a number > 0; 1 leaves the distribution as it is.

    Returns:
        The new distribution, a float64 array ``(classes,)``.
    """
    if isinstance(temperature, bool) or not (
        isinstance(temperature, numbers.Real) and temperature > 0
    ):
        raise ValueError(
            f"temperature must be a number > 0, got {temperature!r}"
        )
    probabilities = _check_distribution(probabilities)
    with np.errstate(divide="ignore"):  # log(0) = -inf: stays impossible
        logits = np.log(probabilities)
    logits = logits / temperature
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def _most_probable_first(p):
    """The ids of ``p`` from the most to the least probable; ties: the
    lower id first, so that top-k and top-p keep the same set every time."""
    return np.argsort(-p, kind="stable")


def top_k(probabilities, k):
    """Keep the ``k`` most probable classes, renormalised (top-k sampling).

    Args:
        probabilities: a distribution, shape ``(classes,)``.
        k: an integer, 1 <= k <= classes; 1 is greedy decoding, ``classes``
            leaves the distribution as it is. Of tied classes at the edge,
            the lower ids are kept.

    Returns:
        The new distribution, a float64 array ``(classes,)``, zero outside
        the ``k`` kept classes.
    """
    p = _check_distribution(probabilities)
    k = check_positive_int(k, "k")
    if k > len(p):
        raise ValueError(
            f"k must lie between 1 and classes = {len(p)}, got {k}"
        )
    kept = _most_probable_first(p)[:k]
    q = np.zeros_like(p)
    q[kept] = p[kept]
    return q / q.sum()


def top_p(probabilities, p):
    """Keep the most probable classes that together hold at least ``p`` of
    the probability, renormalised (nucleus, or top-p, sampling).

    The kept set is the smallest whose mass reaches ``p``: the classes in
    order of probability, up to the first at which the running sum reaches
    ``p`` (of tied classes at the edge, the lower ids are kept).

    Args:
        probabilities: a distribution, shape ``(classes,)``.
        p: a number, 0 < p <= 1; 1 leaves the distribution as it is.

    Returns:
        The new distribution, a float64 array ``(classes,)``, zero outside
        the kept classes.
    """
    q = _check_distribution(probabilities)
    if isinstance(p, bool) or not (isinstance(p, numbers.Real) and 0 < p <= 1):
        raise ValueError(f"p must be a number with 0 < p <= 1, got {p!r}")
    q = q / q.sum()
    if p == 1:
        return q
    order = _most_probable_first(q)
    reached = np.cumsum(q[order]) >= p - 1e-12  # float sums: a tolerance
    kept = order[: int(np.argmax(reached)) + 1]
    out = np.zeros_like(q)
    out[kept] = q[kept]
    return out / out.sum()


def sample_next(probabilities, temperature, rng, *, k=None, p=None):
    """Draw the id of the next character.

    The distribution is reshaped by the temperature, then cut to its ``k``
    most probable classes (``top_k``), then to its nucleus of mass ``p``
    (``top_p``), and the id drawn from what is left.

    Args:
        probabilities: the model's distribution, shape ``(classes,)``.
        temperature: ``None`` for greedy decoding (the most probable id;
            ``k`` and ``p`` then change nothing), else a number > 0 (see
            ``apply_temperature``).
        rng: a ``numpy.random.Generator``; one uniform draw per call.
        k: ``None`` (no cut) or an integer, 1 <= k <= classes.
        p: ``None`` (no cut) or a number, 0 < p <= 1.

    Returns:
        An ``int``.
    """
    q = apply_temperature(
        probabilities, 1 if temperature is None else temperature
    )
    if k is not None:
        q = top_k(q, k)
    if p is not None:
        q = top_p(q, p)
    if temperature is None:
        return int(np.argmax(probabilities))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    cumulative = np.cumsum(q)
    draw = rng.random() * cumulative[-1]
    return int(
        min(
            np.searchsorted(cumulative, draw, side="right"), len(cumulative) - 1
        )
    )


# --8<-- [end:temperature]


# --8<-- [start:generate_refeeding]
def generate_refeeding(
    model,
    vocabulary,
    seed_text,
    length,
    *,
    temperature=None,
    window=None,
    seed=0,
    k=None,
    p=None,
):
    """Generate text by running the model over the whole window, again and
    again: one full pass over up to ``window`` characters per new one.

    Args:
        model: a model from ``build_char_lstm``.
        vocabulary: the ``Vocabulary`` the model was trained with.
        seed_text: the text to continue; its characters must be in the
            vocabulary.
        length: number of characters to generate, >= 1.
        temperature: ``None`` (greedy) or a number > 0.
        window: characters the model reads for each prediction (the last
            ones); ``None``: all of the text so far.
        seed: seed of the random draws.
        k: ``None`` or keep the ``k`` most probable characters (``top_k``).
        p: ``None`` or keep the nucleus of mass ``p`` (``top_p``).

    Returns:
        The ``length`` generated characters, a string.
    """
    ids = list(
        _check_generation(vocabulary, seed_text, length, temperature, k, p)
    )
    if window is not None:
        window = check_positive_int(window, "window")
    rng = np.random.default_rng(seed)
    for _ in range(length):
        context = ids if window is None else ids[-window:]
        context = np.array([context], dtype="int32")
        probabilities = model.predict_on_batch(context)[0, -1]
        ids.append(sample_next(probabilities, temperature, rng, k=k, p=p))
    return vocabulary.decode(ids[-length:])


# --8<-- [end:generate_refeeding]


# --8<-- [start:step_model]
def build_step_model(model):
    """A model that continues from a given LSTM state, sharing the weights.

    It reuses the layers of ``model`` (no copy: training ``model`` changes
    it too), takes the hidden and cell states to start from as inputs and
    returns the states it ends in, so that a caller can feed one character
    per call and carry the state in between.

    Args:
        model: a model from ``build_char_lstm``.

    Returns:
        A ``keras.Model``: ``[ids (batch, steps), h (batch, units), c (batch,
        units)]`` -> ``[probabilities of the next character (batch,
        vocabulary_size), h, c]``.
    """
    try:
        embedding = model.get_layer("embedding")
        lstm = model.get_layer("lstm")
        head = model.get_layer("next_character")
    except (AttributeError, ValueError):
        raise ValueError(
            "model must come from build_char_lstm (layers 'embedding', "
            f"'lstm', 'next_character'), got {model!r:.60}"
        ) from None
    characters = keras.Input(shape=(None,), dtype="int32")
    h_in = keras.Input(shape=(lstm.units,))
    c_in = keras.Input(shape=(lstm.units,))
    sequence, h, c = lstm(embedding(characters), initial_state=[h_in, c_in])
    probabilities = head(sequence[:, -1])  # after the last character only
    return keras.Model([characters, h_in, c_in], [probabilities, h, c])


# --8<-- [end:step_model]


# --8<-- [start:generate_with_state]
def _check_generation(vocabulary, seed_text, length, temperature, k, p):
    """The ids of ``seed_text``, once the generator's arguments are checked."""
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(
            f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}"
        )
    ids = vocabulary.encode(seed_text, name="seed_text")
    if len(ids) == 0:
        raise ValueError("seed_text must hold at least one character, got ''")
    check_positive_int(length, "length")
    uniform = np.full(len(vocabulary), 1 / len(vocabulary))
    if temperature is not None:
        apply_temperature(uniform, temperature)  # raises if not > 0
    if k is not None:
        top_k(uniform, k)  # raises unless 1 <= k <= len(vocabulary)
    if p is not None:
        top_p(uniform, p)  # raises unless 0 < p <= 1
    return ids


def generate_with_state(
    step_model,
    vocabulary,
    seed_text,
    length,
    *,
    temperature=None,
    seed=0,
    k=None,
    p=None,
    samples=None,
):
    """Generate text one character per call, carrying the LSTM state.

    The seed text is read once, from a zero state; then each call reads
    only the newest character and the state left by the call before.
    With ``samples``, that many texts are written side by side, one row of
    a batch each, for the price of about one.

    Args:
        step_model: a model from ``build_step_model``.
        vocabulary: the ``Vocabulary`` the model was trained with.
        seed_text: the text to continue; its characters must be in the
            vocabulary.
        length: number of characters to generate, >= 1.
        temperature: ``None`` (greedy) or a number > 0.
        seed: seed of the random draws.
        k: ``None`` or keep the ``k`` most probable characters (``top_k``).
        p: ``None`` or keep the nucleus of mass ``p`` (``top_p``).
        samples: ``None`` for one text, or the number of texts to write
            side by side (>= 1), each from the same seed text; their draws
            come one after the other from one generator.

    Returns:
        The ``length`` generated characters, a string; with ``samples``, a
        list of ``samples`` such strings.
    """
    ids = _check_generation(vocabulary, seed_text, length, temperature, k, p)
    rows = 1 if samples is None else check_positive_int(samples, "samples")
    if len(step_model.inputs) != 3:
        raise ValueError(
            "step_model must come from build_step_model (inputs: ids, h, c)"
        )
    units = step_model.inputs[1].shape[-1]
    h = c = np.zeros((rows, units), dtype="float32")
    rng = np.random.default_rng(seed)
    context, generated = np.repeat(ids[None, :], rows, axis=0), []
    for _ in range(length):
        probabilities, h, c = step_model.predict_on_batch([context, h, c])
        generated.append(
            [
                sample_next(row, temperature, rng, k=k, p=p)
                for row in np.asarray(probabilities)
            ]
        )
        context = np.array(generated[-1], dtype="int32")[:, None]
    texts = [vocabulary.decode(row) for row in np.array(generated).T]
    return texts[0] if samples is None else texts


# --8<-- [end:generate_with_state]


# --8<-- [start:measures]
def words(text, *, complete=True):
    """The words of ``text``: runs of letters, in lower case, in order.

    Args:
        text: a string.
        complete: drop the last word when the text ends inside it (a
            sample cut off at its length may end in half a word).

    Returns:
        A list of strings.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    letters = "".join(c if "a" <= c <= "z" else " " for c in text.lower())
    found = letters.split()
    if complete and found and text[-1:].isalpha():
        found = found[:-1]
    return found


def known_share(text, known_words):
    """The share of the complete words of ``text`` found in ``known_words``.

    Args:
        text: a string, e.g. a generated sample.
        known_words: a set of lower-case words, e.g. ``set(words(train))``.

    Returns:
        A float in [0, 1]; NaN if ``text`` holds no complete word.
    """
    if not isinstance(known_words, (set, frozenset)) or not known_words:
        raise TypeError("known_words must be a non-empty set of words")
    found = words(text)
    if not found:
        return float("nan")
    return float(np.mean([word in known_words for word in found]))


def line_lengths(text):
    """The length in characters of every complete, non-empty line of
    ``text``: the lines followed by a line break.

    Returns:
        An int array ``(lines,)``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    lines = text.split("\n")[:-1]  # the last one has no line break yet
    return np.array([len(line) for line in lines if line], dtype=int)


# --8<-- [end:measures]


class SampleText(keras.callbacks.Callback):
    """Generate a sample after some epochs of training, and print it.

    Args:
        vocabulary: the ``Vocabulary`` of the training text.
        seed_text: the text each sample continues.
        length: characters per sample.
        every: epochs between two samples.
        at: ``None``, or the epochs (1-based) after which to sample, e.g.
            ``(1, 2, 4, 8)``; then ``every`` is not used.
        temperature: ``None`` (greedy) or a number > 0.
        seed: seed of the random draws (the same for every sample, so that
            samples differ only by what the model learned).
        samples: ``None`` for one text per epoch, or the number of texts
            written side by side (see ``generate_with_state``); the first
            is printed.
        quiet: keep the samples without printing them.

    After training, ``self.samples`` maps each epoch sampled to its text
    (or list of texts).
    """

    def __init__(
        self,
        vocabulary,
        seed_text,
        *,
        length=120,
        every=1,
        at=None,
        temperature=0.5,
        seed=0,
        samples=None,
        quiet=False,
    ):
        super().__init__()
        _check_generation(
            vocabulary, seed_text, length, temperature, None, None
        )
        self.vocabulary, self.seed_text = vocabulary, seed_text
        self.length, self.temperature, self.seed = length, temperature, seed
        self.every = check_positive_int(every, "every")
        self.at = None
        if at is not None:
            if isinstance(at, (str, bytes)) or not hasattr(at, "__iter__"):
                raise TypeError(
                    f"at must be a collection of epochs, got {at!r}"
                )
            self.at = {check_positive_int(e, "each epoch in at") for e in at}
        self.rows = (
            None if samples is None else check_positive_int(samples, "samples")
        )
        self.quiet = bool(quiet)
        self.samples = {}  # epoch (1-based) -> text, or list of texts

    def on_train_begin(self, logs=None):
        self.step_model = build_step_model(self.model)

    def on_epoch_end(self, epoch, logs=None):
        wanted = (
            (epoch + 1) in self.at
            if self.at is not None
            else (epoch + 1) % self.every == 0
        )
        if not wanted:
            return
        text = generate_with_state(
            self.step_model,
            self.vocabulary,
            self.seed_text,
            self.length,
            temperature=self.temperature,
            seed=self.seed,
            samples=self.rows,
        )
        self.samples[epoch + 1] = text
        if self.quiet:
            return
        logs = logs or {}
        name = "validation loss" if "val_loss" in logs else "loss"
        loss = logs.get("val_loss", logs.get("loss", float("nan")))
        print(f"--- epoch {epoch + 1}, {name} {loss:.3f} ---")
        print(self.seed_text + (text if self.rows is None else text[0]))
