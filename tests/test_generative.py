"""The generative-LSTM recipes: corpora, vocabulary, windows, n-grams (add-k
and Kneser–Ney), the model, temperature, top-k and top-p sampling, and the
two generators, bad input included."""

import math
import re
from collections import Counter
from importlib import resources

import keras
import numpy as np
import pytest

from lstm_recipes.generative import (
    CORPORA,
    CharNGram,
    KneserNeyNGram,
    SampleText,
    Vocabulary,
    WittenBellNGram,
    apply_temperature,
    build_char_lstm,
    build_step_model,
    generate_refeeding,
    generate_with_state,
    known_share,
    line_lengths,
    load_poems,
    lstm_log_likelihoods,
    sample_next,
    split_poems,
    text_windows,
    top_k,
    top_p,
    words,
)

# ----------------------------------------------------------------- corpora


def test_the_corpora_ship_with_the_package():
    folder = resources.files("lstm_recipes") / "data"
    for file in CORPORA.values():
        assert (folder / file).is_file()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "public domain" in readme.lower()
    for file in CORPORA.values():
        assert file in readme


def test_the_sonnets_are_fourteen_lines_each():
    poems = load_poems("sonnets")
    assert len(poems) == 146
    assert all(len(p.split("\n")) == 14 for p in poems)
    assert poems[17].startswith("Shall I compare thee to a summer's day?\n")
    text = "\n".join(poems)
    assert text.isascii() and "\t" not in text


def test_the_tang_poems_keep_their_form():
    """Every clause of a poem has 5 (or 7) characters; ， and 。 alternate."""
    poems = load_poems("tang")
    assert len(poems) == 281
    assert poems[0] == "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
    for poem in poems:
        clauses = re.findall(r"([^，。]+)([，。])", poem)
        assert "".join(a + b for a, b in clauses) == poem
        assert {len(a) for a, _ in clauses} in ({5}, {7}), poem
        assert "".join(b for _, b in clauses) == "，。" * (len(clauses) // 2)


def test_load_poems_refuses_an_unknown_corpus():
    with pytest.raises(
        ValueError, match=r"name must be one of .*'shakespeare'"
    ):
        load_poems("shakespeare")


def test_split_poems_keeps_whole_poems_and_is_seeded():
    poems = [f"poem {i}\nline" for i in range(20)]
    train, validation, test = split_poems(poems, validation=0.1, test=0.2)
    parts = [t.split("\n\n")[:-1] for t in (train, validation, test)]
    assert [len(p) for p in parts] == [14, 2, 4]
    assert sorted(sum(parts, [])) == sorted(poems)
    assert split_poems(poems, seed=3) == split_poems(poems, seed=3)
    assert split_poems(poems, seed=3) != split_poems(poems, seed=4)


@pytest.mark.parametrize(
    ("poems", "kwargs", "message"),
    [
        ([], {}, r"poems must hold more than 2 poems .* got 0"),
        (["a", "b"], {}, r"poems must hold more than 2 poems .* got 2"),
        ("some text", {}, r"poems must be a list of non-empty strings"),
        (["a", "", "c", "d"], {}, r"poems must be a list of non-empty"),
        (["a", "b", "c", "d"], {"test": 0}, r"test must lie between 0 and 1"),
        (["a"] * 5, {"validation": 1.5}, r"validation must lie .* got 1.5"),
    ],
)
def test_split_poems_refuses_bad_input(poems, kwargs, message):
    with pytest.raises(ValueError, match=message):
        split_poems(poems, **kwargs)


# ----------------------------------------------------------- vocabulary


def test_vocabulary_round_trip():
    vocabulary = Vocabulary("hello world\n")
    assert vocabulary.characters == "\n dehlorw"
    assert len(vocabulary) == 9
    ids = vocabulary.encode("hold")
    assert ids.dtype == np.int32 and ids.tolist() == [4, 6, 5, 2]
    assert vocabulary.decode(ids) == "hold"
    assert vocabulary.decode(np.array([[4, 6]])) == "ho"


def test_vocabulary_refuses_an_empty_text_and_unknown_characters():
    with pytest.raises(ValueError, match=r"text must be a non-empty string"):
        Vocabulary("")
    with pytest.raises(ValueError, match=r"text must be a non-empty string"):
        Vocabulary(None)
    vocabulary = Vocabulary("abc")
    with pytest.raises(
        ValueError,
        match=r"seed_text holds characters outside the vocabulary: 'XZ'",
    ):
        vocabulary.encode("aZbX", name="seed_text")
    with pytest.raises(TypeError, match=r"text must be a string"):
        vocabulary.encode([1, 2])


# -------------------------------------------------------------- windows


def test_text_windows_targets_are_the_next_characters():
    ids = np.arange(10)
    x, y = text_windows(ids, 3)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert y.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    x, y = text_windows(ids, 4, stride=2)
    assert x.shape == y.shape == (3, 4) and x.dtype == np.int32
    assert x[-1].tolist() == [4, 5, 6, 7] and y[-1].tolist() == [5, 6, 7, 8]


@pytest.mark.parametrize(
    ("ids", "kwargs", "error", "message"),
    [
        ([], {}, ValueError, r"at least time_steps \+ 1 = 4 .* shape \(0,\)"),
        ([1, 2, 3], {}, ValueError, r"time_steps \+ 1 = 4 .* shape \(3,\)"),
        ([[1, 2], [3, 4]], {}, ValueError, r"must be a 1-D sequence"),
        (range(9), {"stride": 0}, ValueError, r"stride must be an integer"),
    ],
)
def test_text_windows_refuses_a_too_short_text(ids, kwargs, error, message):
    with pytest.raises(error, match=message):
        text_windows(ids, 3, **kwargs)


def test_text_windows_refuses_zero_time_steps():
    with pytest.raises(ValueError, match=r"time_steps must be an integer >= 1"):
        text_windows(range(10), 0)


# --------------------------------------------------------------- n-grams


def brute_force(train, test, order, k, size, start):
    """The add-k formula, counted the slow way."""
    out = []
    for j in range(start, len(test)):
        context = tuple(test[j - order + 1 : j]) if order > 1 else ()
        gram = (*context, test[j])
        n = len(gram)
        grams = [tuple(train[i : i + n]) for i in range(len(train) - n + 1)]
        contexts = [
            tuple(train[i : i + n - 1]) for i in range(len(train) - n + 1)
        ]
        seen = len(train) if order == 1 else contexts.count(context)
        out.append(np.log((grams.count(gram) + k) / (seen + k * size)))
    return np.array(out)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_matches_the_formula(order):
    rng = np.random.default_rng(order)
    train, test = rng.integers(0, 4, 60), rng.integers(0, 4, 25)
    model = CharNGram(order, 4, k=0.5).fit(train)
    np.testing.assert_allclose(
        model.log_likelihoods(test, 5),
        brute_force(list(train), list(test), order, 0.5, 4, 5),
        rtol=1e-12,
    )


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_probabilities_sum_to_one_and_agree(order):
    ids = np.array([0, 1, 2, 0, 1, 1, 2, 0, 0, 1])
    model = CharNGram(order, 3, k=0.1).fit(ids)
    context = np.array([2, 0, 1])
    probabilities = model.probabilities(context)
    assert probabilities.shape == (3,)
    assert probabilities.sum() == pytest.approx(1.0)
    for c in range(3):
        scored = model.log_likelihoods(np.append(context, c), 3)
        assert np.exp(scored[0]) == pytest.approx(probabilities[c])


def test_a_trigram_learns_a_repeated_word():
    ids = np.tile([0, 1, 2, 3], 50)  # "abcd" over and over
    model = CharNGram(3, 4, k=0.01).fit(ids)
    assert -model.log_likelihoods(ids[:40], 2).mean() < 0.05
    assert model.probabilities([0, 1]).argmax() == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"order": 0}, ValueError, r"order must be an integer >= 1"),
        ({"k": 0}, ValueError, r"k must be > 0, got 0"),
        ({"k": -1}, ValueError, r"k must be > 0, got -1"),
        ({"vocabulary_size": 2.5}, TypeError, r"vocabulary_size must be an"),
    ],
)
def test_ngram_refuses_bad_arguments(kwargs, error, message):
    arguments = {"order": 2, "vocabulary_size": 4} | kwargs
    with pytest.raises(error, match=message):
        CharNGram(**arguments)


def test_ngram_refuses_bad_data():
    with pytest.raises(ValueError, match=r"at least order = 3 .* shape \(2,\)"):
        CharNGram(3, 4).fit([1, 2])
    model = CharNGram(3, 4).fit([0, 1, 2, 3, 0, 1])
    with pytest.raises(ValueError, match=r"start must lie between order - 1"):
        model.log_likelihoods([0, 1, 2, 3], 1)
    with pytest.raises(ValueError, match=r"context must hold at least order"):
        model.probabilities([1])


def test_ngram_refuses_an_empty_text():
    with pytest.raises(ValueError, match=r"at least order = 1 .* \(0,\)"):
        CharNGram(1, 4).fit([])


@pytest.mark.parametrize(
    ("order", "size"), [(6, 1826), (11, 59), (64, 2), (2, 2**32 + 1)]
)
def test_ngram_refuses_an_order_whose_keys_overflow(order, size):
    """1826 ** 6 > 2 ** 63: the int64 keys would wrap and count wrong
    n-grams."""
    with pytest.raises(
        ValueError,
        match=rf"order = {order} is too large for vocabulary_size = {size}"
        r": .* must fit in int64",
    ):
        CharNGram(order, size)


def test_ngram_keys_are_exact_up_to_the_limit():
    """Order 5 with 1,826 characters (the Tang alphabet) still fits: the
    counts match the slow formula on ids spread over the whole alphabet."""
    CharNGram(10, 59), CharNGram(63, 2)  # the largest that fit
    rng = np.random.default_rng(0)
    alphabet = np.array([0, 1, 917, 1824, 1825])
    train, test = alphabet[rng.integers(0, 5, 300)], alphabet[[4, 3, 4, 3, 0]]
    train[100:105] = test  # the test 5-gram occurs in the training text
    model = CharNGram(5, 1826, k=0.5).fit(train)
    expected = brute_force(list(train), list(test), 5, 0.5, 1826, 4)
    np.testing.assert_allclose(model.log_likelihoods(test, 4), expected)
    after = model.probabilities(test[:4])
    assert after[0] == pytest.approx(np.exp(expected[0]))
    assert after[0] == pytest.approx(3 * after[1])  # (1 + k) / (0 + k)
    assert after.sum() == pytest.approx(1)


# ------------------------------------------------------- Kneser–Ney n-gram

ABRACADABRA = [0, 1, 4, 0, 2, 0, 3, 0, 1, 4, 0]  # a b r a c a d a b r a
A, B, C, D, R = range(5)  # ids in the sorted alphabet "abcdr"


def test_abracadabra_ids():
    vocabulary = Vocabulary("abracadabra")
    assert vocabulary.characters == "abcdr"
    assert vocabulary.encode("abracadabra").tolist() == ABRACADABRA


def test_kneser_ney_bigram_by_hand():
    """Discount D = 3/4 on "abracadabra" (V = 5).

    Bigrams: ab 2, br 2, ra 2, ac 1, ca 1, ad 1, da 1 (10 in all).
    Continuation counts of the unigrams, the distinct characters seen
    before each: a 3 (r, c, d), b 1, c 1, d 1, r 1; 7 in all, 5 types:
        P1(a) = (3 - 3/4) / 7 + (3/4) * 5 / 7 * 1/5 = 3/7
        P1(b) = P1(c) = P1(d) = P1(r) = (1/4 + 3/4) / 7 = 1/7.
    After "a" (4 bigrams, 3 types, so 3/4 * 3/4 = 9/16 left over):
        P2(b | a) = (2 - 3/4) / 4 + 9/16 * 1/7 = 5/16 + 9/112 = 44/112
        P2(c | a) = P2(d | a) = 1/16 + 9/112 = 16/112
        P2(a | a) = 9/16 * 3/7 = 27/112, P2(r | a) = 9/16 * 1/7 = 9/112.
    After "b" (2 bigrams, 1 type: 3/4 * 1/2 = 3/8 left over):
        P2(r | b) = (2 - 3/4) / 2 + 3/8 * 1/7 = 5/8 + 3/56 = 38/56
        P2(a | b) = 3/8 * 3/7 = 9/56, the others 3/8 * 1/7 = 3/56.
    """
    model = KneserNeyNGram(2, 5, discount=0.75).fit(ABRACADABRA)
    after_a = model.probabilities([A])
    np.testing.assert_allclose(after_a, np.array([27, 44, 16, 16, 9]) / 112)
    np.testing.assert_allclose(
        model.probabilities([D, C, B]), np.array([9, 3, 3, 3, 38]) / 56
    )
    # P2(a | r) = (2 - 3/4) / 2 + 3/8 * 3/7 = 5/8 + 9/56 = 11/14
    scored = model.log_likelihoods([A, B, R, A])  # from position 1
    np.testing.assert_allclose(
        scored, np.log([44 / 112, 38 / 56, 11 / 14]), rtol=1e-12
    )
    assert model.log_likelihood([A, B, R, A]) == pytest.approx(scored.sum())
    assert model.cross_entropy([A, B, R, A]) == pytest.approx(
        -(math.log(44 / 112) + math.log(38 / 56) + math.log(11 / 14)) / 3
    )


def test_kneser_ney_unigram_and_trigram_by_hand():
    """Order 1 uses the counts themselves: a 5, b 2, r 2, c 1, d 1 of 11,
    5 types; P(a) = (5 - 3/4) / 11 + (3/4) * 5 / 11 * 1/5 = 5/11, ...

    Order 3 after "br" (trigram "bra" twice, 1 type) backs off to the
    continuation bigram after "r": "ra" is preceded by b only, so
        P2(a | r) = (1 - 3/4) / 1 + 3/4 * 1 * P1(a) = 1/4 + 9/28 = 4/7
        P2(x | r) = 3/4 * 1/7 = 3/28 for x in b, c, d, r
        P3(a | br) = (2 - 3/4) / 2 + 3/8 * 4/7 = 5/8 + 3/14 = 188/224
        P3(x | br) = 3/8 * 3/28 = 9/224.
    """
    unigram = KneserNeyNGram(1, 5).fit(ABRACADABRA)
    np.testing.assert_allclose(
        unigram.probabilities([]), np.array([5, 2, 1, 1, 2]) / 11
    )
    trigram = KneserNeyNGram(3, 5).fit(ABRACADABRA)
    np.testing.assert_allclose(
        trigram.probabilities([A, B, R]), np.array([188, 9, 9, 9, 9]) / 224
    )


def test_kneser_ney_backs_off_from_unseen_contexts_and_characters():
    """With a sixth character, "e" (id 5), never seen: the uniform 1/6
    below the unigram gives it (3/4) * 5 / 7 * 1/6 = 5/56, the others
        P1(a) = 9/28 + 5/56 = 23/56, P1(b) = 1/28 + 5/56 = 7/56 ...
    and after "e", a context never seen, the bigram is the unigram."""
    model = KneserNeyNGram(2, 6).fit(ABRACADABRA)
    expected = np.array([23, 7, 7, 7, 7, 5]) / 56
    np.testing.assert_allclose(model.probabilities([5]), expected)
    # "ar", "rr" never seen: P2(r | a) = 9/16 * P1(r)
    assert model.probabilities([A])[R] == pytest.approx(9 / 16 * 7 / 56)
    assert np.exp(model.log_likelihoods([5, 5])[0]) == pytest.approx(5 / 56)


def kneser_ney_by_formula(train, order, size, discount, context, character):
    """The interpolated Kneser–Ney formula, counted the slow way on tuples."""
    grams = {
        n: Counter(tuple(train[i : i + n]) for i in range(len(train) - n + 1))
        for n in range(1, order + 1)
    }
    seen = sorted(set(train))

    def continuation(gram):  # distinct characters seen just before gram
        return len({g[0] for g in grams[len(gram) + 1] if g[1:] == gram})

    def probability(n, history, c):
        if n == 0:
            return 1 / size
        lower = probability(n - 1, history[1:], c)
        count = grams[n].get if n == order else continuation
        counts = {x: count((*history, x)) or 0 for x in seen}
        total = sum(counts.values())
        if total == 0:
            return lower
        types = sum(v > 0 for v in counts.values())
        own = max(counts.get(c, 0) - discount, 0)
        return (own + discount * types * lower) / total

    history = tuple(context[len(context) - order + 1 :]) if order > 1 else ()
    return probability(order, history, character)


@pytest.mark.parametrize(("order", "discount"), [(1, 0.5), (2, 0.75), (4, 1.0)])
def test_kneser_ney_matches_the_formula(order, discount):
    rng = np.random.default_rng(order)
    train, test = rng.integers(0, 4, 80), rng.integers(0, 5, 30)  # 4 unseen
    model = KneserNeyNGram(order, 5, discount=discount).fit(train)
    expected = [
        kneser_ney_by_formula(
            list(train), order, 5, discount, list(test[:j]), test[j]
        )
        for j in range(6, 30)
    ]
    np.testing.assert_allclose(
        np.exp(model.log_likelihoods(test, 6)), expected, rtol=1e-12
    )


def test_kneser_ney_keys_do_not_overflow():
    """Order 6 over the 1,826 characters of the Tang poems: 1826 ** 6 > 2 **
    63, which wraps the add-k model's keys; the Kneser–Ney counts are right
    with ids spread over the whole alphabet."""
    rng = np.random.default_rng(1)
    alphabet = np.array([0, 3, 1000, 1824, 1825])
    train = alphabet[rng.integers(0, 5, 120)]
    train[50:56] = [1825, 1824, 1825, 1824, 1825, 0]
    model = KneserNeyNGram(6, 1826).fit(train)
    test = np.array([1825, 1824, 1825, 1824, 1825, 0, 3])
    expected = [
        kneser_ney_by_formula(list(train), 6, 1826, 0.75, list(test[:j]), c)
        for j, c in ((5, 0), (6, 3))
    ]
    np.testing.assert_allclose(
        np.exp(model.log_likelihoods(test, 5)), expected, rtol=1e-12
    )
    assert model.probabilities(test[:5]).sum() == pytest.approx(1)
    assert model.probabilities(test[:5]).argmax() == 0


SMOOTHED = {
    "kn 0.1": lambda order, size: KneserNeyNGram(order, size, discount=0.1),
    "kn 0.75": lambda order, size: KneserNeyNGram(order, size),
    "kn 1": lambda order, size: KneserNeyNGram(order, size, discount=1),
    "wb": WittenBellNGram,
}


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("smoothing", SMOOTHED)
def test_interpolated_distributions_sum_to_one(order, smoothing):
    rng = np.random.default_rng(order)
    train = rng.integers(0, 5, 200) * (rng.random(200) < 0.7)  # 0 is common
    model = SMOOTHED[smoothing](order, 6).fit(train)
    contexts = [train[:7], train[-4:], [5, 5, 5, 5], [0, 1, 2, 3, 4, 5]]
    for context in contexts:
        probabilities = model.probabilities(np.asarray(context))
        assert probabilities.shape == (6,)
        assert probabilities.min() > 0
        assert probabilities.sum() == pytest.approx(1, abs=1e-12)
        scored = np.exp(
            model.log_likelihoods(np.append(context, range(6)), len(context))
        )
        assert scored[0] == pytest.approx(probabilities[0])


@pytest.mark.parametrize("smoothing", [KneserNeyNGram, WittenBellNGram])
def test_lower_orders_are_the_lower_order_models(smoothing):
    rng = np.random.default_rng(3)
    train, test = rng.integers(0, 4, 300), rng.integers(0, 4, 50)
    model = smoothing(4, 4).fit(train)
    for order in (1, 2, 3, 4):
        alone = smoothing(order, 4).fit(train)
        np.testing.assert_allclose(
            model.log_likelihoods(test, 3, order=order),
            alone.log_likelihoods(test, 3),
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            model.probabilities(test[:10], order=order),
            alone.probabilities(test[:10]),
            rtol=1e-12,
        )
    assert model.cross_entropy(test, 3, order=2) == pytest.approx(
        smoothing(2, 4).fit(train).cross_entropy(test, 3)
    )


def test_witten_bell_by_hand():
    """ "abracadabra", V = 5. Unigram: a 5, b 2, r 2, c 1, d 1 of 11, T = 5
        P1(a) = (5 + 5 * 1/5) / (11 + 5) = 6/16, P1(b) = P1(r) = 3/16,
        P1(c) = P1(d) = 2/16.
    After "a" (4 bigrams: ab 2, ac 1, ad 1; T = 3), over 4 + 3 = 7:
        P2(b | a) = (2 + 3 * 3/16) / 7 = 41/112
        P2(c | a) = P2(d | a) = (1 + 3 * 2/16) / 7 = 22/112
        P2(a | a) = 3 * 6/16 / 7 = 18/112, P2(r | a) = 3 * 3/16 / 7 = 9/112.
    With a sixth, unseen character (V = 6), after it the unigram:
        P1(a) = (5 + 5/6) / 16 = 35/96, P1(e) = (5/6) / 16 = 5/96.
    """
    model = WittenBellNGram(2, 5).fit(ABRACADABRA)
    np.testing.assert_allclose(
        model.probabilities([A]), np.array([18, 41, 22, 22, 9]) / 112
    )
    np.testing.assert_allclose(
        model.probabilities([], order=1), np.array([6, 3, 2, 2, 3]) / 16
    )
    wider = WittenBellNGram(2, 6).fit(ABRACADABRA)
    np.testing.assert_allclose(
        wider.probabilities([5]), np.array([35, 17, 11, 11, 17, 5]) / 96
    )
    assert model.cross_entropy([A, B]) == pytest.approx(-math.log(41 / 112))


def test_witten_bell_by_formula_at_order_6_of_1826():
    """The slow formula on tuples; ids spread over the Tang alphabet."""
    rng = np.random.default_rng(2)
    alphabet = np.array([0, 7, 900, 1824, 1825])
    train = alphabet[rng.integers(0, 5, 150)]
    train[20:26] = [1825, 1824, 1825, 1824, 1825, 7]
    test = np.concatenate([train[20:26], alphabet[rng.integers(0, 5, 20)]])
    counts = {
        n: Counter(tuple(train[i : i + n]) for i in range(len(train) - n + 1))
        for n in range(1, 7)
    }

    def probability(n, history, c):
        if n == 0:
            return 1 / 1826
        lower = probability(n - 1, history[1:], c)
        after = {g[-1]: v for g, v in counts[n].items() if g[:-1] == history}
        if not after:
            return lower
        total, types = sum(after.values()), len(after)
        return (after.get(c, 0) + types * lower) / (total + types)

    model = WittenBellNGram(6, 1826).fit(train)
    expected = [
        probability(6, tuple(test[j - 5 : j]), test[j])
        for j in range(5, len(test))
    ]
    np.testing.assert_allclose(
        np.exp(model.log_likelihoods(test)), expected, rtol=1e-12
    )
    assert model.probabilities(test[:5]).argmax() == 7


def markov_text(length, seed, *, memory):
    """Ids over 4 characters: each repeats the one ``memory`` places back,
    nine times in ten, else is drawn at random (``memory=0``: all random)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 4, length)
    if memory:
        for j in range(memory, length):
            if rng.random() < 0.9:
                ids[j] = ids[j - memory]
    return ids


def test_choose_order_finds_the_context_that_helps():
    """A character that depends on the one two places back: the trigram
    sees it, the bigram does not; higher orders add nothing but sparsity."""
    train = markov_text(3000, 0, memory=2)
    validation = markov_text(1000, 1, memory=2)
    model = KneserNeyNGram(6, 4).fit(train)
    assert model.choose_order(validation) == 3
    scores = [model.cross_entropy(validation, 5, order=n) for n in range(1, 7)]
    assert scores[2] == min(scores) < scores[1] - 0.5
    # on random text a longer context is noise: orders 3 and 4 lose
    noise = KneserNeyNGram(4, 4).fit(markov_text(3000, 2, memory=0))
    validation = markov_text(1000, 3, memory=0)
    scores = [noise.cross_entropy(validation, 3, order=n) for n in range(1, 5)]
    assert noise.choose_order(validation) == np.argmin(scores) + 1 <= 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"order": 0}, ValueError, r"order must be an integer >= 1"),
        ({"vocabulary_size": 2.5}, TypeError, r"vocabulary_size must be an"),
        ({"discount": 0}, ValueError, r"discount must be a number with 0 <"),
        ({"discount": 1.5}, ValueError, r"0 < discount <= 1, got 1.5"),
        ({"discount": True}, ValueError, r"discount must be a number"),
        ({"discount": "0.5"}, ValueError, r"discount must be a number"),
    ],
)
def test_kneser_ney_refuses_bad_arguments(kwargs, error, message):
    arguments = {"order": 2, "vocabulary_size": 4} | kwargs
    with pytest.raises(error, match=message):
        KneserNeyNGram(**arguments)


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        ([], ValueError, r"ids must be a 1-D sequence of at least 3 .* empty"),
        ([1, 2], ValueError, r"at least 3 character ids, got shape \(2,\)"),
        ([[1, 2, 3]], ValueError, r"ids must be a 1-D sequence"),
        ([0.0, 1.0, 2.0], TypeError, r"ids must hold integers, got dtype"),
        ([0, 1, 4], ValueError, r"ids from 0 to vocabulary_size - 1 = 3"),
        ([0, -1, 2], ValueError, r"got ids from -1 to 2"),
        ("abc", TypeError, r"ids must be an array of character ids"),
    ],
)
def test_kneser_ney_refuses_bad_text(ids, error, message):
    with pytest.raises(error, match=message):
        KneserNeyNGram(3, 4).fit(ids)


def test_kneser_ney_refuses_bad_scoring():
    with pytest.raises(ValueError, match=r"call fit before scoring"):
        KneserNeyNGram(2, 4).probabilities([1])
    model = KneserNeyNGram(3, 4).fit([0, 1, 2, 3, 0, 1])
    with pytest.raises(ValueError, match=r"start must lie between order - 1"):
        model.log_likelihoods([0, 1, 2, 3], 1)
    with pytest.raises(ValueError, match=r"got 4"):
        model.log_likelihoods([0, 1, 2, 3], 4)
    with pytest.raises(TypeError, match=r"start must be an integer"):
        model.cross_entropy([0, 1, 2, 3], 2.0)
    with pytest.raises(ValueError, match=r"context must hold at least order"):
        model.probabilities([1])
    with pytest.raises(ValueError, match=r"order must lie between 1 and .* 3"):
        model.probabilities([1, 2, 3], order=4)
    with pytest.raises(ValueError, match=r"order must be an integer >= 1"):
        model.log_likelihood([0, 1, 2], order=0)
    with pytest.raises(ValueError, match=r"ids must hold ids from 0"):
        model.choose_order([0, 1, 7, 2])
    with pytest.raises(ValueError, match=r"context must hold ids from 0"):
        model.probabilities([0, 9])
    assert model.probabilities([], order=1).sum() == pytest.approx(1)


# ----------------------------------------------------------------- model


def tiny_model(size=5, seed=0):
    keras.utils.set_random_seed(seed)
    return build_char_lstm(size, embedding_dim=3, units=4)


def test_build_char_lstm_shapes_and_loss():
    model = tiny_model(7)
    assert model.input_shape == (None, None)
    assert model.output_shape == (None, None, 7)
    assert model.loss == "sparse_categorical_crossentropy"
    lstm = model.get_layer("lstm")
    assert lstm.return_sequences and lstm.return_state
    probabilities = model.predict(np.zeros((2, 6), "int32"), verbose=0)
    assert probabilities.shape == (2, 6, 7)
    np.testing.assert_allclose(probabilities.sum(-1), 1, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"vocabulary_size": 0}, ValueError, r"vocabulary_size must be"),
        ({"units": 0}, ValueError, r"units must be an integer >= 1"),
        ({"embedding_dim": "8"}, TypeError, r"embedding_dim must be an"),
        ({"dropout": 1}, ValueError, r"dropout must be a number with 0 <="),
        ({"dropout": -0.1}, ValueError, r"dropout must be a number"),
        ({"dropout": "0.2"}, ValueError, r"dropout must be a number"),
        ({"dropout": True}, ValueError, r"dropout must be a number"),
    ],
)
def test_build_char_lstm_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        build_char_lstm(**({"vocabulary_size": 5} | kwargs))


def test_dropout_acts_in_training_only_and_the_step_model_skips_it():
    keras.utils.set_random_seed(0)
    model = build_char_lstm(6, embedding_dim=3, units=8, dropout=0.5)
    assert "dropout" in [layer.name for layer in model.layers]
    assert "dropout" not in [
        layer.name for layer in tiny_model(6).layers
    ]  # the default, 0: no Dropout layer
    x = np.array([[1, 2, 3, 4, 5]], "int32")
    inference = model(x, training=False)
    np.testing.assert_allclose(model(x, training=False), inference)
    assert not np.allclose(model(x, training=True), inference)
    step_model = build_step_model(model)
    h = c = np.zeros((1, 8), "float32")
    p, _, _ = step_model.predict_on_batch([x, h, c])
    np.testing.assert_allclose(p[0], np.asarray(inference)[0, -1], rtol=1e-5)


def test_the_model_learns_a_repeated_word_in_seconds():
    vocabulary = Vocabulary("abcd")
    ids = vocabulary.encode("abcd" * 100)
    x, y = text_windows(ids, 8)
    keras.utils.set_random_seed(0)
    model = build_char_lstm(4, embedding_dim=4, units=8, learning_rate=0.05)
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    scores = lstm_log_likelihoods(model, ids[:50], 8)
    assert scores.shape == (50 - 4,)
    assert -scores.mean() < 0.1
    step_model = build_step_model(model)
    assert generate_with_state(step_model, vocabulary, "ab", 6) == "cdabcd"


def test_lstm_log_likelihoods_reads_overlapping_windows():
    """Each character gets between time_steps // 2 and time_steps - 1
    characters of context: the same score as the model run on exactly that
    context."""
    model = tiny_model(5)
    ids = np.random.default_rng(0).integers(0, 5, 23).astype("int32")
    scores = lstm_log_likelihoods(model, ids, 6)
    assert scores.shape == (20,)
    for j, start in ((3, 0), (5, 0), (6, 3), (8, 3), (9, 6), (22, 18)):
        window = ids[start:j][None]
        p = model.predict(window, verbose=0)[0, -1, ids[j]]
        assert scores[j - 3] == pytest.approx(np.log(p), rel=1e-5)


def test_lstm_log_likelihoods_refuses_a_too_short_text():
    model = tiny_model(5)
    with pytest.raises(ValueError, match=r"longer than time_steps // 2 = 3"):
        lstm_log_likelihoods(model, [1, 2, 3], 6)
    with pytest.raises(ValueError, match=r"time_steps >= 2"):
        lstm_log_likelihoods(model, [1, 2, 3], 1)


# ------------------------------------------------------------ temperature


def test_temperature_sharpens_and_flattens():
    p = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(apply_temperature(p, 1), p)
    cold, hot = apply_temperature(p, 0.2), apply_temperature(p, 5.0)
    assert cold[0] > 0.9 and cold.sum() == pytest.approx(1)
    assert np.ptp(hot) < np.ptp(p) and hot.sum() == pytest.approx(1)
    np.testing.assert_allclose(apply_temperature(p, 0.5), p**2 / (p**2).sum())
    assert apply_temperature([0.0, 1.0], 0.3).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("temperature", [0, -1, 0.0, "1", None, True])
def test_temperature_must_be_positive(temperature):
    with pytest.raises(ValueError, match=r"temperature must be a number > 0"):
        apply_temperature([0.5, 0.5], temperature)


def test_sample_next_is_greedy_or_seeded():
    p = np.array([0.1, 0.6, 0.3])
    assert sample_next(p, None, None) == 1
    draws = [sample_next(p, 1.0, np.random.default_rng(s)) for s in range(2000)]
    assert np.bincount(draws, minlength=3) / 2000 == pytest.approx(p, abs=0.04)
    same = [sample_next(p, 1.0, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(same)) == 1
    cold = [sample_next(p, 0.05, np.random.default_rng(s)) for s in range(50)]
    assert set(cold) == {1}
    with pytest.raises(ValueError, match=r"temperature must be a number > 0"):
        sample_next(p, 0, np.random.default_rng(0))


@pytest.mark.parametrize(
    ("probabilities", "error", "message"),
    [
        (
            [0.5, -0.1, 0.6],
            ValueError,
            r"probabilities must be finite and >= 0",
        ),
        ([0.5, np.nan, 0.5], ValueError, r"must be finite and >= 0"),
        ([0.5, np.inf], ValueError, r"must be finite and >= 0"),
        ([2.0, 1.0, 3.0], ValueError, r"must sum to 1 \(within 1e-3\), got"),
        ([0.2, 0.2], ValueError, r"probabilities must sum to 1 .* 0.4"),
        ([], ValueError, r"must have shape \(classes,\) .* shape \(0,\)"),
        ([[0.5, 0.5]], ValueError, r"must have shape \(classes,\)"),
        ("0.5", TypeError, r"probabilities must be an array of numbers"),
        (None, TypeError, r"probabilities must be an array of numbers"),
        ([0.5, "a"], TypeError, r"probabilities must be an array of numbers"),
    ],
)
def test_sampling_refuses_what_is_not_a_distribution(
    probabilities, error, message
):
    """Logits, negative or NaN values and weights that do not sum to one
    are refused, not turned into NaN."""
    with pytest.raises(error, match=message):
        apply_temperature(probabilities, 0.5)
    with pytest.raises(error, match=message):
        sample_next(probabilities, None, None)
    with pytest.raises(error, match=message):
        top_k(probabilities, 1)
    with pytest.raises(error, match=message):
        top_p(probabilities, 0.5)


def test_sampling_accepts_a_float32_softmax():
    logits = np.random.default_rng(0).normal(0, 3, 1826)
    p = keras.ops.convert_to_numpy(keras.ops.softmax(logits.astype("float32")))
    assert p.dtype == np.float32
    assert apply_temperature(p, 1.0).sum() == pytest.approx(1)
    assert apply_temperature([0.3, 0.7005], 1.0).sum() == pytest.approx(1)


def test_top_k_keeps_the_k_most_probable():
    p = np.array([0.1, 0.5, 0.15, 0.25])
    np.testing.assert_allclose(top_k(p, 1), [0, 1, 0, 0])  # greedy
    np.testing.assert_allclose(top_k(p, 2), [0, 2 / 3, 0, 1 / 3])
    np.testing.assert_allclose(top_k(p, 3), [0, 0.5, 0.15, 0.25] / p[1:].sum())
    np.testing.assert_allclose(top_k(p, 4), p)  # all classes: unchanged
    assert top_k(p, 2).dtype == np.float64


def test_top_k_breaks_ties_by_the_lower_id():
    p = np.array([0.2, 0.3, 0.2, 0.3])
    np.testing.assert_allclose(top_k(p, 1), [0, 1, 0, 0])
    np.testing.assert_allclose(
        top_k(p, 3), [0.2, 0.3, 0, 0.3] / np.float64(0.8)
    )


def test_top_p_keeps_the_smallest_set_that_reaches_p():
    p = np.array([0.1, 0.6, 0.3])
    np.testing.assert_allclose(top_p(p, 1), p)  # unchanged
    np.testing.assert_allclose(top_p(p, 0.5), [0, 1, 0])
    np.testing.assert_allclose(top_p(p, 0.6), [0, 1, 0])  # reached exactly
    np.testing.assert_allclose(top_p(p, 0.61), [0, 2 / 3, 1 / 3])
    np.testing.assert_allclose(top_p(p, 0.9), [0, 2 / 3, 1 / 3])
    np.testing.assert_allclose(top_p(p, 0.95), p)
    np.testing.assert_allclose(top_p(p, 1e-9), [0, 1, 0])  # greedy
    with_zeros = np.array([0.0, 0.7, 0.0, 0.3])
    np.testing.assert_allclose(top_p(with_zeros, 1), with_zeros)
    # ties at the edge: the lower id is kept
    np.testing.assert_allclose(top_p([0.35, 0.3, 0.35], 0.3), [1, 0, 0])
    np.testing.assert_allclose(top_p([0.3, 0.35, 0.35], 0.5), [0, 0.5, 0.5])


def test_top_p_is_the_smallest_set_on_random_distributions():
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.dirichlet(np.full(12, 0.5))
        mass = rng.uniform(0.05, 0.99)
        kept = np.flatnonzero(top_p(p, mass))
        assert p[kept].sum() >= mass - 1e-12
        # the kept ones are the most probable, and one fewer is not enough
        assert p[kept].min() >= np.delete(p, kept).max(initial=0)
        assert p[kept].sum() - p[kept].min() < mass
        np.testing.assert_allclose(
            top_p(p, mass)[kept], p[kept] / p[kept].sum()
        )


@pytest.mark.parametrize(
    ("k", "error", "message"),
    [
        (0, ValueError, r"k must be an integer >= 1, got 0"),
        (4, ValueError, r"k must lie between 1 and classes = 3, got 4"),
        (1.5, TypeError, r"k must be an integer >= 1, got 1.5"),
        (True, TypeError, r"k must be an integer >= 1"),
        (None, TypeError, r"k must be an integer >= 1"),
    ],
)
def test_top_k_refuses_bad_k(k, error, message):
    with pytest.raises(error, match=message):
        top_k([0.2, 0.3, 0.5], k)


@pytest.mark.parametrize("p", [0, -0.5, 1.5, np.nan, "0.5", None, True])
def test_top_p_refuses_bad_p(p):
    with pytest.raises(ValueError, match=r"p must be a number with 0 < p <= 1"):
        top_p([0.2, 0.3, 0.5], p)


def test_sample_next_with_top_k_and_top_p():
    p = np.array([0.1, 0.5, 0.15, 0.25])
    rngs = [np.random.default_rng(s) for s in range(2000)]
    greedy = {sample_next(p, 1.0, rng, k=1) for rng in rngs[:50]}
    assert greedy == {1}
    draws = [sample_next(p, 1.0, rng, k=2) for rng in rngs]
    frequencies = np.bincount(draws, minlength=4) / 2000
    assert frequencies == pytest.approx([0, 2 / 3, 0, 1 / 3], abs=0.04)
    draws = [
        sample_next(p, 1.0, np.random.default_rng(s), p=0.7)
        for s in range(2000)
    ]
    frequencies = np.bincount(draws, minlength=4) / 2000
    assert frequencies == pytest.approx([0, 2 / 3, 0, 1 / 3], abs=0.04)
    # without k and p: the same draws as before they existed
    for s in range(20):
        rng = np.random.default_rng(s)
        cumulative = np.cumsum(apply_temperature(p, 0.7))
        draw = rng.random() * cumulative[-1]
        expected = np.searchsorted(cumulative, draw, side="right")
        assert sample_next(p, 0.7, np.random.default_rng(s)) == expected
    # the temperature comes first: at 0.2, class 1 alone holds 0.9 or more
    assert apply_temperature(p, 0.2)[1] > 0.9
    cold = {
        sample_next(p, 0.2, np.random.default_rng(s), p=0.9) for s in range(50)
    }
    assert cold == {1}
    assert sample_next(p, None, None, k=3, p=0.2) == 1  # greedy
    with pytest.raises(ValueError, match=r"k must lie between 1 and classes"):
        sample_next(p, 1.0, np.random.default_rng(0), k=5)
    with pytest.raises(ValueError, match=r"p must be a number with 0 < p"):
        sample_next(p, 1.0, np.random.default_rng(0), p=0)
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Gen"):
        sample_next(p, 1.0, 0)


# ------------------------------------------------------------- generators


@pytest.fixture(scope="module")
def tiny():
    vocabulary = Vocabulary("abcde \n")
    keras.utils.set_random_seed(1)
    model = build_char_lstm(len(vocabulary), embedding_dim=3, units=6)
    return vocabulary, model, build_step_model(model)


def test_the_step_model_shares_the_weights(tiny):
    vocabulary, model, step_model = tiny
    assert [i.shape for i in step_model.inputs] == [
        (None, None),
        (None, 6),
        (None, 6),
    ]
    shared = {id(w) for w in model.weights}
    assert {id(w) for w in step_model.weights} == shared
    ids = vocabulary.encode("abc de")[None]
    zeros = np.zeros((1, 6), "float32")
    probabilities, h, c = step_model.predict_on_batch([ids, zeros, zeros])
    whole = model.predict_on_batch(ids)[:, -1]
    np.testing.assert_allclose(probabilities, whole, rtol=1e-5)
    # carrying the state: the same as reading the text in one go
    first, h, c = step_model.predict_on_batch([ids[:, :4], zeros, zeros])
    rest, _, _ = step_model.predict_on_batch([ids[:, 4:], h, c])
    np.testing.assert_allclose(rest, whole, rtol=1e-5)


@pytest.mark.parametrize("temperature", [None, 0.5, 1.0])
def test_both_generators_write_the_same_text(tiny, temperature):
    vocabulary, model, step_model = tiny
    kwargs = {"temperature": temperature, "seed": 3}
    carried = generate_with_state(step_model, vocabulary, "ab", 25, **kwargs)
    refed = generate_refeeding(model, vocabulary, "ab", 25, **kwargs)
    assert carried == refed and len(carried) == 25
    assert set(carried) <= set(vocabulary.characters)


@pytest.mark.parametrize(("k", "p"), [(2, None), (None, 0.6), (3, 0.8)])
def test_both_generators_cut_the_same_way(tiny, k, p):
    vocabulary, model, step_model = tiny
    kwargs = {"temperature": 1.0, "seed": 5, "k": k, "p": p}
    carried = generate_with_state(step_model, vocabulary, "ab", 20, **kwargs)
    refed = generate_refeeding(model, vocabulary, "ab", 20, **kwargs)
    assert carried == refed and len(carried) == 20
    loose = generate_with_state(
        step_model, vocabulary, "ab", 20, temperature=1.0, seed=5
    )
    assert carried != loose


def test_top_1_sampling_is_greedy(tiny):
    vocabulary, _, step_model = tiny
    greedy = generate_with_state(step_model, vocabulary, "ab", 15)
    for seed in (0, 1):
        top_1 = generate_with_state(
            step_model, vocabulary, "ab", 15, temperature=2.0, k=1, seed=seed
        )
        assert top_1 == greedy


def test_a_short_window_forgets(tiny):
    vocabulary, model, _ = tiny
    text = generate_refeeding(model, vocabulary, "abcde", 10, window=1)
    assert len(text) == 10


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("aXb", 5), {}, ValueError, r"seed_text holds characters outside"),
        (("", 5), {}, ValueError, r"seed_text must hold at least one char"),
        (("ab", 0), {}, ValueError, r"length must be an integer >= 1, got 0"),
        (("ab", 2.0), {}, TypeError, r"length must be an integer >= 1"),
        (("ab", 5), {"temperature": 0}, ValueError, r"temperature must be"),
        (("ab", 5), {"temperature": -0.5}, ValueError, r"got -0.5"),
        (("ab", 5), {"k": 0}, ValueError, r"k must be an integer >= 1"),
        (("ab", 5), {"k": 8}, ValueError, r"k must lie between 1 and .* 7"),
        (("ab", 5), {"p": 0}, ValueError, r"p must be a number with 0 < p"),
        (("ab", 5), {"p": 1.1}, ValueError, r"p <= 1, got 1.1"),
    ],
)
def test_generators_refuse_bad_input(tiny, args, kwargs, error, message):
    vocabulary, model, step_model = tiny
    with pytest.raises(error, match=message):
        generate_with_state(step_model, vocabulary, *args, **kwargs)
    with pytest.raises(error, match=message):
        generate_refeeding(model, vocabulary, *args, **kwargs)


def test_generators_refuse_the_wrong_model_or_vocabulary(tiny):
    vocabulary, model, step_model = tiny
    with pytest.raises(ValueError, match=r"step_model must come from"):
        generate_with_state(model, vocabulary, "ab", 3)
    with pytest.raises(TypeError, match=r"vocabulary must be a Vocabulary"):
        generate_with_state(step_model, "abcde", "ab", 3)
    with pytest.raises(ValueError, match=r"window must be an integer >= 1"):
        generate_refeeding(model, vocabulary, "ab", 3, window=0)
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"model must come from build_char"):
        build_step_model(plain)


def test_sample_text_prints_samples_while_training(tiny, capsys):
    vocabulary, _, _ = tiny
    keras.utils.set_random_seed(2)
    model = build_char_lstm(len(vocabulary), embedding_dim=3, units=6)
    x, y = text_windows(vocabulary.encode("abcde \n" * 10), 6)
    callback = SampleText(vocabulary, "ab", length=12, every=2)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[callback])
    assert sorted(callback.samples) == [2, 4]
    assert all(len(s) == 12 for s in callback.samples.values())
    printed = capsys.readouterr().out
    assert "--- epoch 2, loss" in printed and "--- epoch 4, loss" in printed
    model.fit(
        x,
        y,
        epochs=1,
        verbose=0,
        validation_data=(x, y),
        callbacks=[SampleText(vocabulary, "ab", length=3)],
    )
    assert "--- epoch 1, validation loss" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"seed_text holds characters"):
        SampleText(vocabulary, "XY")
    with pytest.raises(ValueError, match=r"every must be an integer >= 1"):
        SampleText(vocabulary, "ab", every=0)


def test_sample_text_at_chosen_epochs_quietly_and_side_by_side(tiny, capsys):
    vocabulary, _, _ = tiny
    keras.utils.set_random_seed(2)
    model = build_char_lstm(len(vocabulary), embedding_dim=3, units=6)
    x, y = text_windows(vocabulary.encode("abcde \n" * 10), 6)
    callback = SampleText(
        vocabulary, "ab", length=5, at=(1, 3), samples=2, quiet=True
    )
    model.fit(x, y, epochs=4, verbose=0, callbacks=[callback])
    assert sorted(callback.samples) == [1, 3]
    assert all(
        isinstance(texts, list) and [len(t) for t in texts] == [5, 5]
        for texts in callback.samples.values()
    )
    assert capsys.readouterr().out == ""
    with pytest.raises(TypeError, match=r"at must be a collection"):
        SampleText(vocabulary, "ab", at=3)
    with pytest.raises(ValueError, match=r"each epoch in at must be"):
        SampleText(vocabulary, "ab", at=[0, 2])
    with pytest.raises(ValueError, match=r"samples must be an integer"):
        SampleText(vocabulary, "ab", samples=0)


# ---------------------------------------------------------------- measures


def test_words_drops_a_word_cut_off_at_the_end():
    assert words("Thou art more lov") == ["thou", "art", "more"]
    assert words("Thou art more lov", complete=False)[-1] == "lov"
    assert words("Thy eye's day,\nO") == ["thy", "eye", "s", "day"]
    assert words("So long.") == ["so", "long"]
    assert words("") == []


def test_known_share_counts_complete_words():
    known = {"thou", "art", "more"}
    assert known_share("thou art mroe lovely", known) == 2 / 3
    assert known_share("Thou ART more!", known) == 1.0
    assert math.isnan(known_share("thou", known))  # cut off: no word


def test_line_lengths_counts_complete_lines():
    text = "Shall I\n\ncompare thee\nto a"
    np.testing.assert_array_equal(line_lengths(text), [7, 12])
    assert line_lengths("no line break").size == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: words(3), r"text must be a string"),
        (lambda: known_share("a b", ["a"]), r"known_words must be a non-e"),
        (lambda: known_share("a b", set()), r"known_words must be a non-e"),
        (lambda: line_lengths(None), r"text must be a string"),
    ],
)
def test_measures_refuse_bad_input(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_generate_with_state_writes_samples_side_by_side():
    vocabulary = Vocabulary("abcde")
    model = tiny_model(5)
    step_model = build_step_model(model)
    greedy = generate_with_state(step_model, vocabulary, "ab", 7)
    assert (
        generate_with_state(step_model, vocabulary, "ab", 7, samples=3)
        == [greedy] * 3
    )
    texts = generate_with_state(
        step_model, vocabulary, "ab", 40, temperature=1.0, seed=3, samples=4
    )
    assert len(texts) == 4 and {len(t) for t in texts} == {40}
    assert len(set(texts)) == 4  # one draw per row: the rows differ
    one = generate_with_state(
        step_model, vocabulary, "ab", 40, temperature=1.0, seed=3, samples=1
    )
    assert one == [
        generate_with_state(
            step_model, vocabulary, "ab", 40, temperature=1.0, seed=3
        )
    ]
    with pytest.raises(ValueError, match=r"samples must be an integer >= 1"):
        generate_with_state(step_model, vocabulary, "ab", 4, samples=0)
