"""derivations.topics.softmax_ce against finite differences, PyTorch's F.cross_entropy and exact values.

Labels are one-based here and 0-based in PyTorch: the oracle subtracts 1.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_grads, check_topic
from derivations.topics import softmax_ce
from derivations.values import PRECISION, Ln

from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1), (1, 1)), ((2, 3), (2, 1)), ((5, 4), (5, 1)), ((3, 7), (3, 1))]


def labels(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """One-based labels for an M x 1 column; the class count comes from the matching logits case."""
    return rng.integers(1, CLASSES[shape[0]] + 1, size=shape)


CLASSES = {M: K for (M, K), _ in SHAPES}


def test_gradients_against_finite_differences() -> None:
    assert check_topic(softmax_ce, SHAPES, [(-3.0, 3.0), labels], wrt=(0,)) > 40


def torch_forward(Z, y):
    torch = require_torch()
    return torch.nn.functional.cross_entropy(Z, y.long().reshape(-1) - 1).reshape(1, 1)


def random_inputs(rng: np.random.Generator, shapes) -> list:
    (M, K), _ = shapes
    return [rng.uniform(-3, 3, size=(M, K)), rng.integers(1, K + 1, size=(M, 1))]


def test_gradients_against_torch() -> None:
    assert check_against_torch(softmax_ce, torch_forward, SHAPES, wrt=(0,), inputs=random_inputs) > 40


def exact_loss_and_gradient(Z: list[list[Decimal]], y: list[int]) -> tuple[Decimal, list[list[Decimal]]]:
    """L and (P - Y)/M at 50 digits from the definition, shifted by nothing: Decimal exp does not overflow."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        M = len(Z)
        P = [[v.exp() / sum(w.exp() for w in row) for v in row] for row in Z]
        L = -sum(P[m][y[m] - 1].ln() for m in range(M)) / M
        return L, [[(p - (k + 1 == y[m])) / M for k, p in enumerate(P[m])] for m in range(M)]


@pytest.mark.parametrize("shift", [0.0, 1000.0, -1000.0, 5e5])
def test_logits_near_1000_stay_finite_and_right(shift: float) -> None:
    """Log-sum-exp: a naive exp would overflow (or underflow to 0/0); the loss and the gradient agree with
    50-digit values, with PyTorch and with finite differences."""
    base = np.array([[0.0, 1.0, 2.0], [3.5, -1.0, 0.5]])
    Z, y = base + shift, np.array([[3], [2]])
    L, dZ = softmax_ce.forward(Z, y), softmax_ce.backward(Z, y, [[1.0]])[0]
    assert np.isfinite(L).all() and np.isfinite(dZ).all()
    exact_L, exact_dZ = exact_loss_and_gradient([[Decimal(v) for v in row] for row in Z.tolist()], [3, 2])
    assert abs(L[0, 0] - float(exact_L)) <= 1e-12 * abs(float(exact_L)) * max(1, abs(shift) / 10)
    assert np.allclose(dZ, np.array(exact_dZ, dtype=float), rtol=0, atol=1e-12)
    # The difference step is relative to max|Z|: keep it near 1e-5 absolute, where the loss is smooth.
    check_grads(lambda A: float(softmax_ce.forward(A, y)[0, 0]), (dZ,), Z, names=("Z",),
                step=1e-5 / np.abs(Z).max())
    check_against_torch(softmax_ce, torch_forward, [((2, 3), (2, 1))], wrt=(0,),
                        inputs=lambda rng, shapes: [Z, y])


def test_the_gradient_is_P_minus_Y_over_M_exactly() -> None:
    """ln 1, ln 2, ln 3 give 1/6, 2/6, 3/6; the gradient (P - Y)/M is exact, every row sums to 0."""
    ex = softmax_ce.worked_example(Z=[[Ln(Fraction(1)), Ln(Fraction(2)), Ln(Fraction(3))]] * 3,
                                   labels=[[1], [2], [3]])
    P, dZ = ex.quantities["P"].value, ex.quantities["dZ"].value
    assert P.tolist() == [[Fraction(1, 6), Fraction(1, 3), Fraction(1, 2)]] * 3
    assert dZ.tolist() == [[(P[m, k] - (k == m)) / 3 for k in range(3)] for m in range(3)]
    assert all(sum(row) == 0 for row in dZ.tolist())
    floats = softmax_ce.backward(np.log([[1.0, 2.0, 3.0]] * 3), [[1], [2], [3]], [[1.0]])[0]
    assert np.allclose(floats, dZ.astype(float), rtol=0, atol=1e-15)


def test_the_worked_example_loss_is_rounded_from_50_digits() -> None:
    q = softmax_ce.worked_example().quantities
    with localcontext() as ctx:
        ctx.prec = PRECISION
        true = (Decimal(2).ln() + Decimal(14).ln()) / 2
    assert q["L"].value.value - true < Decimal(10) ** -40 and str(q["L"].value.shown()) == "1.6661"
    assert q["dl_entry"].value.total == 2 * q["dZ"].value[0, q["dl_entry"].entry[1] - 1]


def test_labels_have_no_gradient() -> None:
    assert softmax_ce.backward([[0.0, 1.0]], [[2]], [[1.0]])[1] is None


@pytest.mark.parametrize("bad, error, message", [
    ([[0], [1]], ValueError, "labels[0, 0] = 0 is outside 1..3"),
    ([[1], [4]], ValueError, "labels[1, 0] = 4 is outside 1..3"),
    ([[1], [-1]], ValueError, "labels[1, 0] = -1 is outside 1..3"),
    ([[1.0], [2.0]], TypeError, "labels[0, 0] is the float 1.0; labels must hold integer class indices"),
    (np.array([[1.0], [2.0]]), TypeError, "labels[0, 0] is the float 1.0"),
    ([[True], [1]], TypeError, "labels[0, 0] is the boolean True"),
    ([[Fraction(3, 2)], [1]], TypeError, "labels[0, 0] is 3/2, not an integer"),
    ([["2"], [1]], TypeError, "labels[0, 0] is 2 of type str"),
    ([[1, 2]], ValueError, "labels has shape (1, 2) but must be (2, 1)"),
    ([[1], [2], [3]], ValueError, "labels has shape (3, 1) but must be (2, 1)"),
    ([1, 2], ValueError, "labels must be 2-D"),
])
def test_bad_labels_are_named(bad, error: type, message: str) -> None:
    Z = np.zeros((2, 3))
    for call in (lambda: softmax_ce.forward(Z, bad), lambda: softmax_ce.backward(Z, bad, [[1.0]])):
        with pytest.raises(error) as info:
            call()
        assert message in str(info.value)


def test_an_integral_fraction_is_a_label() -> None:
    assert softmax_ce.forward([[0.0, 0.0]], [[Fraction(4, 2)]]).shape == (1, 1)


@pytest.mark.parametrize("Z, error, message", [
    ([[0.0, np.nan]], ValueError, "Z must be finite"),
    ([[0.0, 1.0]], None, None),
    ([[Ln(Fraction(2)), 0.0]], TypeError, "Z[0, 0] is Ln(2) of type Ln"),
])
def test_logits_are_checked(Z, error, message) -> None:
    if error is None:
        assert softmax_ce.forward(Z, [[1]]).shape == (1, 1)
        return
    with pytest.raises(error) as info:
        softmax_ce.forward(Z, [[1]])
    assert message in str(info.value)


def test_worked_examples_need_logarithms_and_a_1x1_G() -> None:
    with pytest.raises(TypeError, match=r"Z\[0, 1\] is 2, not a logarithm"):
        softmax_ce.worked_example(Z=[[Ln(Fraction(1)), 2]], labels=[[1]])
    with pytest.raises(ValueError, match=r"Z has shape \(1, 1\): a worked example needs at least 2 classes"):
        softmax_ce.worked_example(Z=[[Ln(Fraction(2))]], labels=[[1]])
    with pytest.raises(ValueError, match=r"G has shape \(1, 2\)"):
        softmax_ce.worked_example(G=[[1, 1]])
    q = softmax_ce.worked_example(G=[[Fraction(1, 2)]]).quantities
    assert "G" in q and (q["dZ"].value * 2 == softmax_ce.worked_example().quantities["dZ"].value).all()


def test_the_page_describes_the_default_example() -> None:
    """The prose says M = 2, K = 3, row 1 is ln 1, ln 2, ln 3, labelled with its most likely class (3)."""
    q = softmax_ce.worked_example().quantities
    assert q["Z"].value.shape == (2, 3) and [z.arg for z in q["Z"].value[0]] == [1, 2, 3]
    assert q["labels"].value.ravel().tolist() == [3, 2] and q["dl_entry"].entry == (1, 1)


def test_exercises_take_new_logits_and_stay_exact() -> None:
    """Each exercise's logits ``ln a`` (integers ``a``) are new and differ within a row, the rows have
    different sums, ``M != K``; ``P`` and the gradient are exact, no gradient entry is 0, every row
    of it sums to 0, and ``L`` is shown to 4 places."""
    page = softmax_ce.worked_example().quantities["Z"].value
    drawn = [exercises.example("softmax_ce", n).quantities for n in (1, 2)]
    for q in drawn:
        A = np.vectorize(lambda z: z.arg, otypes=[object])(q["Z"].value)
        M, K = A.shape
        assert not np.array_equal(q["Z"].value, page) and M != K
        assert all(a.denominator == 1 for a in A.flat) and all(len(set(row)) == K for row in A)
        assert len(set(A.sum(axis=1))) == M and len(set(q["labels"].value.flat)) > 1
        assert all(isinstance(p, Fraction) for p in q["P"].value.flat)
        dZ = q["dZ"].value
        assert (dZ != 0).all() and all(sum(row) == 0 for row in dZ)
        assert q["L"].value.places == 4


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: both sizes, integers 1 to 6 (all drawn), distinct
    in a row, a sum of its own for every row, labels in range and not all one class (both allowed to
    repeat), and G of 1."""
    sizes, values, repeated = set(), set(), False
    for seed in range(200):
        ex = softmax_ce.exercise(np.random.default_rng(seed))
        A = [[z.arg for z in row] for row in ex["Z"]]
        labels = [y for (y,) in ex["labels"]]
        M, K = len(A), len(A[0])
        assert all(len(set(row)) == K for row in A) and len({sum(row) for row in A}) == M, seed
        assert all(1 <= y <= K for y in labels) and len(set(labels)) > 1 and ex["G"] == [[1]], seed
        sizes.add((M, K))
        values.update(a for row in A for a in row)
        repeated |= len(set(labels)) < M
    assert sizes == {(3, 2), (2, 4)} and values == set(range(1, 7)) and repeated


@pytest.mark.parametrize("labels, j", [(((3,), (2,)), 1), (((1,), (2,)), 2), (((2,), (1,)), 1)])
def test_the_entry_written_out_is_the_first_class_other_than_the_label(labels, j: int) -> None:
    """dl_1/dz_1j for the first class j that is not sample 1's label, its terms summing to its total
    p_1j - y_1j: whatever the other sample's label."""
    q = softmax_ce.worked_example(labels=labels).quantities
    entry, P = q["dl_entry"], q["P"].value
    assert entry.entry == (1, j)
    assert sum(a * b for a, b in entry.value.terms) == entry.value.total == P[0, j - 1]


def test_two_classes_are_enough_for_a_worked_example() -> None:
    q = softmax_ce.worked_example(Z=[[Ln(Fraction(1)), Ln(Fraction(3))]], labels=[[2]]).quantities
    assert q["P"].value.tolist() == [[Fraction(1, 4), Fraction(3, 4)]] and q["dl_entry"].entry == (1, 1)
