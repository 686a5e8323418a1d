"""derivations.topics.mlp against finite differences, PyTorch autograd and exact recomputation.

The network is ``X -> affine (W1, b1) -> ReLU -> affine (W2, b2) -> softmax cross-entropy``. Random
inputs are drawn away from ReLU's corner (no entry of ``Z1`` within ``KINK`` of 0), where neither a
difference quotient nor autograd has a derivative to agree on. Labels are one-based here and 0-based in
PyTorch: the oracle subtracts 1.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from derivations.gradcheck import check_grads, check_topic
from derivations.topics import mlp

from torch_oracle import check_against_torch, require_torch

# (M, D, N, K): one sample and two classes at the small end; all sizes different in the others.
SIZES = [(1, 2, 3, 2), (2, 3, 4, 5), (5, 2, 3, 4), (3, 6, 2, 7), (4, 5, 7, 3)]
SHAPES = [((M, D), (D, N), (1, N), (N, K), (1, K), (M, 1)) for M, D, N, K in SIZES]
CLASSES = {M: K for M, _, _, K in SIZES}
WRT = (0, 1, 2, 3, 4)
NAMES = ("X", "W1", "b1", "W2", "b2")
# No entry of Z1 = X W1 + b1 closer than this to ReLU's corner; far beyond any difference step.
KINK = 1e-3
# The stricter finite-difference tolerance this file asks for, relative to each gradient's scale, and the
# step (relative to max|A|) that leaves room for it: rounding about eps / STEP = 2e-11 of f, truncation
# about STEP**2 = 1e-10 of the gradient.
RTOL = 1e-8
STEP = 1e-5


def labels(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """One-based labels for an M x 1 column; the class count comes from the case with that M."""
    return rng.integers(1, CLASSES[shape[0]] + 1, size=shape)


def random_inputs(rng: np.random.Generator, shapes) -> list:
    """Uniform inputs in [-2, 2) and labels, drawn again while an entry of Z1 is near ReLU's corner."""
    while True:
        args = [rng.uniform(-2.0, 2.0, size=s) for s in shapes[:5]]
        if np.abs(args[0] @ args[1] + args[2]).min() > KINK:
            return [*args, labels(rng, shapes[5])]


def test_gradients_against_finite_differences() -> None:
    """The one-line check every topic has (check_topic's own tolerance, 1e-7 of the gradient's scale)."""
    assert check_topic(mlp, SHAPES, [(-2.0, 2.0)] * 5 + [labels], wrt=WRT) > 300


def test_gradients_against_finite_differences_to_1e_8() -> None:
    """Every entry of every gradient, and three random directions each, at 1e-8 of the gradient's scale."""
    rng = np.random.default_rng(1)
    compared = 0
    for shapes in SHAPES:
        *args, y = random_inputs(rng, shapes)
        g = rng.standard_normal((1, 1))
        grads = mlp.backward(*args, y, g)[:5]

        def L(*varied: np.ndarray, y: np.ndarray = y, g: np.ndarray = g) -> float:
            return float((g * mlp.forward(*varied, y))[0, 0])

        check_grads(L, grads, *args, names=NAMES, rng=rng, rtol=RTOL, step=STEP)
        compared += sum(np.size(d) for d in grads)
    assert compared == sum(M * D + D * N + N + N * K + K for M, D, N, K in SIZES)


def torch_forward(X, W1, b1, W2, b2, y):
    torch = require_torch()
    Z2 = torch.relu(X @ W1 + b1) @ W2 + b2
    return torch.nn.functional.cross_entropy(Z2, y.long().reshape(-1) - 1).reshape(1, 1)


def test_gradients_against_torch() -> None:
    """dX, dW1, db1, dW2 and db2 against autograd in float64, to 1e-12 of each gradient's scale."""
    entries = sum(M * D + D * N + N + N * K + K for M, D, N, K in SIZES)
    assert check_against_torch(mlp, torch_forward, SHAPES, wrt=WRT, inputs=random_inputs) == entries


def test_labels_have_no_gradient() -> None:
    assert mlp.backward([[1.0]], [[1.0]], [[0.0]], [[1.0, -1.0]], [[0.0, 0.0]], [[1]], [[1.0]])[5] is None


def test_the_forward_pass_is_the_layers_in_order() -> None:
    """Z1, H, Z2 of the worked example from the index definitions, in Fractions."""
    q = mlp.worked_example().quantities
    X, W1, b1, W2, b2 = (np.array(q[k].value, dtype=object) for k in NAMES)
    M, D = X.shape
    N, K = W2.shape
    Z1 = [[sum(Fraction(X[m, k]) * W1[k, n] for k in range(D)) + b1[0, n] for n in range(N)]
          for m in range(M)]
    H = [[max(z, 0) for z in row] for row in Z1]
    Z2 = [[sum(H[m][n] * W2[n, k] for n in range(N)) + b2[0, k] for k in range(K)] for m in range(M)]
    assert q["Z1"].value.tolist() == Z1 and q["H"].value.tolist() == H and q["Z2"].value.tolist() == Z2


def test_the_page_example_has_units_on_and_off_and_no_corner() -> None:
    """Hidden unit 1 is on for both samples, 2 only for sample 1, 3 only for sample 2; no z1 is 0."""
    q = mlp.worked_example().quantities
    assert q["mask"].value.tolist() == [[1, 1, 0], [1, 0, 1]]
    assert 0 not in q["Z1"].value
    assert q["X"].value.shape == (2, 2) and q["W2"].value.shape == (3, 3)
    assert q["labels"].value.ravel().tolist() == [2, 3]


@pytest.mark.parametrize("X", [None, [[Fraction(-1, 3), 1], [2, Fraction(5, 4)]]])
def test_the_rounded_gradients_agree_with_the_float_path(X) -> None:
    """Each value shown rounded to 4 digits is within half a unit of the float64 backward pass: for the
    page's integers, and for fractions, whose logits have other denominators than 1."""
    q = (mlp.worked_example() if X is None else mlp.worked_example(X=X)).quantities
    args = [np.array(q[k].value, dtype=float) for k in NAMES]
    grads = mlp.backward(*args, q["labels"].value, [[1.0]])
    for name, grad in zip(("dX", "dW1", "db1", "dW2", "db2"), grads, strict=False):
        shown = np.vectorize(lambda r: float(r.shown()))(q[name].value)
        assert np.abs(shown - grad).max() <= 0.5e-4 + 1e-12, name
    L = float(mlp.forward(*args, q["labels"].value)[0, 0])
    assert abs(float(q["L"].value.shown()) - L) <= 0.5e-4


def test_an_upstream_G_scales_every_gradient_and_renames_the_objective() -> None:
    half = mlp.worked_example(G=[[Fraction(1, 2)]]).quantities
    full = mlp.worked_example().quantities
    assert "G" in half and "G" not in full
    assert half["dW1"].lhs.startswith(r"\frac{\partial J}{\partial W_{1}}")
    for name in ("dZ2", "dW2", "dX"):
        ratio = [h.value / f.value for h, f in zip(half[name].value.flat, full[name].value.flat, strict=True)]
        assert all(abs(r - Decimal("0.5")) < Decimal("1e-40") for r in ratio), name


GOOD = [[[1.0, 2.0]], [[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]], [[0.1, 0.2, 0.3]],
        [[1.0, -1.0], [0.5, 0.5], [-1.0, 1.0]], [[0.0, 0.0]], [[2]]]


@pytest.mark.parametrize("position, bad, error, message", [
    (0, [[1.0, 2.0, 3.0]], ValueError, "X has shape (1, 3) and W1 has shape (2, 3)"),
    (2, [[0.1, 0.2]], ValueError, "b1 has shape (1, 2) but must be (1, 3)"),
    (2, [[0.1], [0.2], [0.3]], ValueError, "b1 has shape (3, 1) but must be (1, 3)"),
    (3, [[1.0, -1.0], [0.5, 0.5]], ValueError, "W2 has shape (2, 2) but W1 has shape (2, 3)"),
    (3, [[1.0, -1.0]] * 4, ValueError, "W2 has shape (4, 2) but W1 has shape (2, 3): W2 needs one row per "
                                       "hidden unit, 3"),
    (4, [[0.0, 0.0, 0.0]], ValueError, "b2 has shape (1, 3) but must be (1, 2)"),
    (4, [[0.0]], ValueError, "b2 has shape (1, 1) but must be (1, 2)"),
    (5, [[3]], ValueError, "labels[0, 0] = 3 is outside 1..2"),
    (5, [[0]], ValueError, "labels[0, 0] = 0 is outside 1..2"),
    (5, [[1.0]], TypeError, "labels[0, 0] is the float 1.0"),
    (5, [[1], [2]], ValueError, "labels has shape (2, 1) but must be (1, 1)"),
    (0, [[np.nan, 1.0]], ValueError, "X must be finite"),
    (1, [[1, 2, 3], [4, 5, 6.5]], None, None),
    (3, [[Fraction(1, 2), 1], [1, 1], [1, 1]], TypeError, "W2 holds the fraction 1/2 but"),
    (0, [1.0, 2.0], ValueError, "X must be 2-D"),
])
def test_bad_inputs_are_named(position: int, bad, error: type | None, message: str | None) -> None:
    args = list(GOOD)
    args[position] = bad
    if error is None:  # integers join floats exactly
        assert mlp.forward(*args).shape == (1, 1)
        return
    for call in (lambda: mlp.forward(*args), lambda: mlp.backward(*args, [[1.0]])):
        with pytest.raises(error) as info:
            call()
        assert message in str(info.value)


def test_backward_names_a_wrong_G() -> None:
    with pytest.raises(ValueError, match=r"G has shape \(1, 2\) but the loss L is 1 x 1"):
        mlp.backward(*GOOD, [[1.0, 1.0]])


def test_worked_examples_take_exact_numbers_and_two_classes() -> None:
    with pytest.raises(TypeError, match="worked examples show exact numbers: X holds floats"):
        mlp.worked_example(X=[[0.5, 1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match=r"W2 has shape \(3, 1\): a classifier needs at least 2 classes"):
        mlp.worked_example(W2=[[1], [2], [3]], b2=[[0]], labels=[[1], [1]])


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the page uses: sizes 2 and 3 in both orders, no ReLU corner,
    a mask with both values and every unit on somewhere, and no gradient entry that would show as
    0.0000 unless it is exactly 0."""
    sizes = set()
    for seed in [*range(150), 370]:  # 370 draws first a gradient entry within a factor 2 below 1e-3
        ex = mlp.exercise(np.random.default_rng(seed))
        args = [np.array(ex[k], dtype=float) for k in NAMES]
        Z1 = args[0] @ args[1] + args[2]
        assert (Z1 != 0).all() and not (Z1 > 0).all() and (Z1 > 0).any(axis=0).all(), seed
        assert np.ptp(np.maximum(Z1, 0) @ args[3] + args[4], axis=1).max() <= 5, seed
        dX, dW1, db1, dW2, db2, _ = mlp.backward(*args, ex["labels"], [[1.0]])
        assert all((np.abs(v) >= 1e-3).all() for v in (dX, dW2, db2)), seed
        assert all(((np.abs(v) >= 1e-3) | (v == 0)).all() for v in (dW1, db1)), seed
        sizes.add((len(Z1), args[0].shape[1], Z1.shape[1], args[3].shape[1]))
    assert {(M, D) for M, D, _, _ in sizes} == {(2, 3), (3, 2)} == {(N, K) for _, _, N, K in sizes}


@pytest.mark.parametrize("at, value, legible", [
    (None, None, True),
    (0, 1e-3, True), (0, -1e-3, True), (0, 9.9e-4, False), (0, -9.9e-4, False), (0, 0.0, False),
    (3, 9.9e-4, False), (3, 0.0, False), (4, -9.9e-4, False), (4, 0.0, False),
    (1, 9.9e-4, False), (1, -9.9e-4, False), (1, 0.0, True), (1, 1e-3, True), (2, 9.9e-4, False),
    (2, 0.0, True), (2, -1e-3, True),
])
def test_an_exercise_is_drawn_again_for_a_gradient_that_would_show_as_0(at, value, legible: bool) -> None:
    """dX, dW1, db1, dW2, db2 of 0.5 everywhere, with one entry changed: below 1e-3 it would show as
    0.0000 (or -0.0000); an exact 0 is shown as 0, and allowed where ReLU's mask makes one (dW1, db1)."""
    grads = [np.full((2, 2), 0.5) for _ in range(5)]
    if at is not None:
        grads[at][1, 0] = value
    assert mlp._legible(*grads) is legible


def test_a_hidden_layer_of_300_units() -> None:
    """Past 256, where two equal ints are no longer one object in CPython. Both logits are the sum of
    the hidden units, so p = 1/2 and L = ln 2."""
    N = 300
    L = mlp.forward([[1.0]], np.ones((1, N)), np.zeros((1, N)), np.ones((N, 2)), [[0.0, 0.0]], [[1]])
    assert L[0, 0] == pytest.approx(np.log(2))
