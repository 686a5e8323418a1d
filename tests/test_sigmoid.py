"""derivations.topics.sigmoid against finite differences, PyTorch autograd, and exact values at logarithms."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_topic
from derivations.topics import sigmoid
from derivations.values import Ln

from at_logarithms import check_floats_against_exact, one_by_one
from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1),), ((2, 3),), ((4, 1),), ((5, 7),)]
ARGS = [Fraction(3), Fraction(1, 2), Fraction(1), Fraction(1, 5), Fraction(4), Fraction(3, 2),
        Fraction(10**20)]


def test_gradients_against_finite_differences() -> None:
    assert check_topic(sigmoid, SHAPES, (-6.0, 6.0)) > 40


def test_gradients_against_torch_autograd() -> None:
    torch = require_torch()

    assert check_against_torch(sigmoid, torch.sigmoid, SHAPES, (-6.0, 6.0)) > 40


def test_float_inputs_never_overflow() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A = sigmoid.forward([[-800.0, -40.0, 0.0, 40.0, 800.0]])
        (dZ,) = sigmoid.backward([[-800.0, 800.0]], [[1.0, 1.0]])
    assert A[0, 0] == 0.0 and A[0, 2] == 0.5 and A[0, 4] == 1.0 and 0 < A[0, 1] < 1e-17
    assert dZ.tolist() == [[0.0, 0.0]]


def test_logarithms_give_exact_fractions() -> None:
    """sigma(ln a) = 1 / (1 + 1/a) and sigma'(ln a) = (1/a) / (1 + 1/a)^2, from the definition."""
    Z = [[Ln(a) for a in ARGS]]
    G = [[Fraction(k + 1, 3) for k in range(len(ARGS))]]
    A = sigmoid.forward(Z)
    (dZ,) = sigmoid.backward(Z, G)
    assert A.tolist() == [[1 / (1 + 1 / a) for a in ARGS]]
    assert dZ.tolist() == [[g * (1 / a) / (1 + 1 / a) ** 2 for a, g in zip(ARGS, G[0], strict=True)]]
    assert A[0, 0] == Fraction(3, 4)


def test_rationals_give_fifty_digits() -> None:
    """sigma(z) for rational z to 50 significant digits, against Decimal's own exp."""
    Z = [[1, Fraction(-2, 3), 0, 7]]
    A = sigmoid.forward(Z)
    (dZ,) = sigmoid.backward(Z, [[2, 1, 1, -1]])
    with localcontext() as ctx:
        ctx.prec = 80
        for k, z in enumerate(Z[0]):
            e = (-Decimal(z.numerator if isinstance(z, Fraction) else z)
                 / Decimal(z.denominator if isinstance(z, Fraction) else 1)).exp()
            s = 1 / (1 + e)
            assert abs(A[0, k] - s) <= Decimal(10) ** -50 * s
            g = [2, 1, 1, -1][k]
            assert abs(dZ[0, k] - g * e / (1 + e) ** 2) <= Decimal(10) ** -50
    assert A[0, 2] == Decimal("0.5")


def test_torch_keeps_the_output_for_the_backward_pass() -> None:
    """What the page says: sigma' = A (1 - A) needs only the output, and that is what torch saves."""
    torch = require_torch()
    Z = torch.tensor([[0.5, -1.0]], dtype=torch.float64, requires_grad=True)
    A = torch.sigmoid(Z)
    assert torch.equal(A.grad_fn._saved_result, A)


def test_worked_example_has_distinct_derivatives() -> None:
    ex = sigmoid.worked_example()
    D = ex.quantities["dA"].value
    assert len(set(D.flat)) == D.size and max(D.flat) == Fraction(1, 4)
    G = ex.quantities["G"].value
    assert len(set(G.flat)) == G.size and not (G == 1).all()
    assert all(v != 0 for q in ("A", "dA", "dZ") for v in ex.quantities[q].value.flat)


@pytest.mark.parametrize("args, error, message", [
    (([[Ln(Fraction(3)), 0]], [[1, 2]]), TypeError,
     "Z mixes logarithms (Ln(3) at [0, 0]) with other numbers (0 at [0, 1])"),
    (([[Ln(Fraction(3))]], [[1.5]]), TypeError, "G holds floats but Z holds logarithms"),
    (([[Ln(Fraction(3)), Ln(Fraction(2))]], [[1]]), ValueError, "G has shape (1, 1) but Z has shape (1, 2)"),
    (([[[Ln(Fraction(3))]]], [[1]]), ValueError, "Z must be 2-D, got 3-D"),
    (([[1.0, "a"]], [[1.0, 2.0]]), TypeError, "Z[0, 1] is 'a' of type str"),
    (([[1.0, 2.0]], [[1.0, 2.0j]]), TypeError, "G[0, 1] is the complex number 2j"),
])
def test_bad_inputs_are_named(args: tuple, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        sigmoid.backward(*args)
    assert message in str(info.value)


def test_a_logarithm_needs_a_positive_argument() -> None:
    with pytest.raises(ValueError, match="ln needs a positive rational argument, got Fraction"):
        Ln(Fraction(0))


def test_the_worked_example_refuses_floats() -> None:
    with pytest.raises(TypeError, match="Z holds floats; use integers or fractions such as 1/2, or log"):
        sigmoid.worked_example([[0.5]], [[1]])


def test_exercises_take_new_logarithms_and_stay_exact() -> None:
    """Each exercise's ``z = ln r`` are new, distinct and pairwise not reciprocal, so ``σ = r / (1 + r)``
    and ``σ' = r / (1 + r)^2`` are exact and no two slopes are equal; no gradient entry is 0."""
    page = [z.arg for z in sigmoid.worked_example().quantities["Z"].value.flat]
    drawn = [exercises.example("sigmoid", n).quantities for n in (1, 2)]
    for q in drawn:
        r = [z.arg for z in q["Z"].value.flat]
        assert r != page and len({min(a, 1 / a) for a in r}) == len(r)
        assert list(q["A"].value.flat) == [a / (1 + a) for a in r]
        assert list(q["dA"].value.flat) == [a / (1 + a) ** 2 for a in r]
        assert all(isinstance(v, Fraction) and v != 0 for v in q["dZ"].value.flat)
    assert [z.arg for z in drawn[0]["Z"].value.flat] != [z.arg for z in drawn[1]["Z"].value.flat]


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: distinct arguments, no two reciprocal, both
    shapes, every value of the pool drawn in both directions, and G of distinct non-zero integers."""
    shapes, args = set(), set()
    for seed in range(200):
        ex = sigmoid.exercise(np.random.default_rng(seed))
        r = [z.arg for row in ex["Z"] for z in row]
        G = np.array(ex["G"])
        assert len({min(a, 1 / a) for a in r}) == len(r), seed
        assert G.shape == (len(ex["Z"]), len(ex["Z"][0])) and 0 not in G and len(set(G.flat)) == G.size, seed
        assert np.abs(G).max() <= 6, seed
        shapes.add(G.shape)
        args.update(r)
    above = {1, 2, 3, 4, 5, Fraction(3, 2), Fraction(5, 2), Fraction(4, 3)}
    assert shapes == {(2, 3), (3, 2)} and args == above | {1 / Fraction(a) for a in above}


def test_floats_give_the_exact_values_at_logarithms() -> None:
    check_floats_against_exact(sigmoid, ARGS)


def test_a_1x1_worked_example() -> None:
    a = Fraction(3)
    assert one_by_one(sigmoid, a) == 1 / (1 + 1 / a)
