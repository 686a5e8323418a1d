"""derivations.topics.tanh against finite differences, PyTorch autograd, and exact values at logarithms."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_topic
from derivations.topics import sigmoid, tanh
from derivations.values import Ln

from at_logarithms import check_floats_against_exact, one_by_one
from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1),), ((2, 3),), ((4, 1),), ((5, 7),)]
ARGS = [Fraction(2), Fraction(1, 3), Fraction(3, 2), Fraction(1, 5), Fraction(4), Fraction(1, 7), Fraction(1)]


def test_gradients_against_finite_differences() -> None:
    assert check_topic(tanh, SHAPES, (-4.0, 4.0)) > 40


def test_gradients_against_torch_autograd() -> None:
    torch = require_torch()

    assert check_against_torch(tanh, torch.tanh, SHAPES, (-4.0, 4.0)) > 40


def test_logarithms_give_exact_fractions() -> None:
    """tanh(ln a) = (a - 1/a) / (a + 1/a) and tanh'(ln a) = (2 / (a + 1/a))^2, from the definition."""
    Z = [[Ln(a) for a in ARGS]]
    G = [[Fraction(k - 3, 2) for k in range(len(ARGS))]]
    A = tanh.forward(Z)
    (dZ,) = tanh.backward(Z, G)
    assert A.tolist() == [[(a - 1 / a) / (a + 1 / a) for a in ARGS]]
    assert dZ.tolist() == [[g * (2 / (a + 1 / a)) ** 2 for a, g in zip(ARGS, G[0], strict=True)]]
    assert A[0, 0] == Fraction(3, 5) and A[0, -1] == 0


def test_rationals_give_fifty_digits() -> None:
    Z = [[1, Fraction(-1, 2)]]
    A = tanh.forward(Z)
    (dZ,) = tanh.backward(Z, [[3, -2]])
    with localcontext() as ctx:
        ctx.prec = 80
        for k, z in enumerate((Decimal(1), Decimal(-1) / 2)):
            e, f = z.exp(), (-z).exp()
            assert abs(A[0, k] - (e - f) / (e + f)) <= Decimal(10) ** -50
            assert abs(dZ[0, k] - [3, -2][k] * (2 / (e + f)) ** 2) <= Decimal(10) ** -49


def test_tanh_is_a_stretched_sigmoid() -> None:
    """The page's tanh(z) = 2 sigma(2z) - 1 and tanh'(z) = 4 sigma'(2z), at logarithms (2 ln a = ln a^2)."""
    for a in ARGS:
        t, s = tanh.forward([[Ln(a)]])[0, 0], sigmoid.forward([[Ln(a * a)]])[0, 0]
        assert t == 2 * s - 1
        assert tanh.backward([[Ln(a)]], [[1]])[0][0, 0] == 4 * sigmoid.backward([[Ln(a * a)]], [[1]])[0][0, 0]


def test_torch_keeps_the_output_for_the_backward_pass() -> None:
    torch = require_torch()
    Z = torch.tensor([[0.5, -1.0]], dtype=torch.float64, requires_grad=True)
    A = torch.tanh(Z)
    assert torch.equal(A.grad_fn._saved_result, A)


def test_worked_example_has_distinct_nonzero_values() -> None:
    ex = tanh.worked_example()
    A, D = ex.quantities["A"].value, ex.quantities["dA"].value
    assert len({abs(v) for v in A.flat}) == A.size and len(set(D.flat)) == D.size
    assert all(v != 0 for q in ("A", "dA", "dZ") for v in ex.quantities[q].value.flat)
    G = ex.quantities["G"].value
    assert len(set(G.flat)) == G.size


def test_large_float_inputs() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert tanh.forward([[-800.0, 800.0]]).tolist() == [[-1.0, 1.0]]
        assert tanh.backward([[-800.0, 800.0]], [[1.0, 1.0]])[0].tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("args, error, message", [
    (([[Ln(Fraction(3)), 1]], [[1, 2]]), TypeError, "Z mixes logarithms (Ln(3) at [0, 0]) with other"),
    (([[Ln(Fraction(3))]], [[0.5]]), TypeError, "G holds floats but Z holds logarithms"),
    (([[1, 2, 3]], [[1], [2], [3]]), ValueError, "G has shape (3, 1) but Z has shape (1, 3)"),
    (([[]], [[]]), ValueError, "Z must not be empty"),
])
def test_bad_inputs_are_named(args: tuple, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        tanh.backward(*args)
    assert message in str(info.value)


def test_exercises_take_new_logarithms_and_stay_exact() -> None:
    """Each exercise's ``z = ln r`` are new, none is ``ln 1`` and no two are reciprocals, so
    ``tanh = (r^2 - 1) / (r^2 + 1)`` is exact, never 0, and no two entries share ``|tanh|``."""
    page = [z.arg for z in tanh.worked_example().quantities["Z"].value.flat]
    drawn = [exercises.example("tanh", n).quantities for n in (1, 2)]
    for q in drawn:
        r = [z.arg for z in q["Z"].value.flat]
        assert r != page and 1 not in r
        t = list(q["A"].value.flat)
        assert t == [(a * a - 1) / (a * a + 1) for a in r] and len({abs(v) for v in t}) == len(t)
        assert list(q["dA"].value.flat) == [1 - v * v for v in t]
        assert all(isinstance(v, Fraction) and v != 0 for v in q["dZ"].value.flat)
    assert [z.arg for z in drawn[0]["Z"].value.flat] != [z.arg for z in drawn[1]["Z"].value.flat]


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: distinct arguments, none 1, no two reciprocal,
    both shapes, every value of the pool drawn in both directions, and G of distinct non-zero integers."""
    shapes, args = set(), set()
    for seed in range(200):
        ex = tanh.exercise(np.random.default_rng(seed))
        r = [z.arg for row in ex["Z"] for z in row]
        G = np.array(ex["G"])
        assert len({min(a, 1 / a) for a in r}) == len(r) and 1 not in r, seed
        assert G.shape == (len(ex["Z"]), len(ex["Z"][0])) and 0 not in G and len(set(G.flat)) == G.size, seed
        assert np.abs(G).max() <= 6, seed
        shapes.add(G.shape)
        args.update(r)
    above = {2, 3, 4, 5, Fraction(3, 2), Fraction(5, 2), Fraction(4, 3), Fraction(5, 3)}
    assert shapes == {(2, 3), (3, 2)} and args == above | {1 / Fraction(a) for a in above}


def test_floats_give_the_exact_values_at_logarithms() -> None:
    check_floats_against_exact(tanh, ARGS)


def test_a_1x1_worked_example() -> None:
    a = Fraction(3)
    assert one_by_one(tanh, a) == (a * a - 1) / (a * a + 1)
