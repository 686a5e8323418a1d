"""derivations.topics.bce against finite differences, F.binary_cross_entropy_with_logits and exact values."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_grads, check_topic
from derivations.topics import bce
from derivations.values import PRECISION, Ln

from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1), (1, 1)), ((3, 1), (3, 1)), ((6, 1), (6, 1))]
# Targets strictly inside [0, 1] so that a central difference in y stays in the domain.
DOMAINS = [(-4.0, 4.0), (0.01, 0.99)]


def test_gradients_against_finite_differences() -> None:
    assert check_topic(bce, SHAPES, DOMAINS) > 20


def torch_forward(z, y):
    torch = require_torch()
    return torch.nn.functional.binary_cross_entropy_with_logits(z, y).reshape(1, 1)


def test_gradients_against_torch() -> None:
    """Both gradients, the target's included: PyTorch differentiates the targets too."""
    def inputs(rng: np.random.Generator, shapes) -> list:
        return [rng.uniform(-4, 4, shapes[0]), rng.uniform(0, 1, shapes[1])]

    assert check_against_torch(bce, torch_forward, SHAPES, inputs=inputs) == 20


def exact(z: list[Decimal], y: list[Decimal]) -> tuple[Decimal, list[Decimal], list[Decimal]]:
    """L and both gradients at 50 digits from the definition -y ln s - (1 - y) ln(1 - s), s = 1/(1 + e^-z)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        M = len(z)
        s = [1 / (1 + (-v).exp()) for v in z]
        one_minus = [(-v).exp() / (1 + (-v).exp()) for v in z]  # 1 - s without cancellation
        ell = [-(t * p.ln() + (1 - t) * q.ln()) for t, p, q in zip(y, s, one_minus, strict=True)]
        return sum(ell) / M, [(p - t) / M for p, t in zip(s, y, strict=True)], [-v / M for v in z]


@pytest.mark.parametrize("scale", [1.0, 1000.0, -1000.0, 1e6])
def test_logits_of_any_size_stay_finite_and_right(scale: float) -> None:
    """The logit form: no overflow, loss and gradients agree with 50-digit values, PyTorch and differences."""
    z = np.array([[1.0], [-1.0], [0.5], [-0.25]]) * scale
    y = np.array([[0.25], [0.875], [0.125], [0.75]])
    L, (dz, dy) = bce.forward(z, y), bce.backward(z, y, [[1.0]])
    assert np.isfinite(L).all() and np.isfinite(dz).all() and np.isfinite(dy).all()
    exact_L, exact_dz, exact_dy = exact([Decimal(v) for v in z.ravel()], [Decimal(v) for v in y.ravel()])
    assert abs(L[0, 0] - float(exact_L)) <= 1e-14 * max(1.0, abs(float(exact_L)))
    assert np.allclose(dz.ravel(), [float(v) for v in exact_dz], rtol=0, atol=1e-15)
    assert np.array_equal(dy.ravel(), [float(v) for v in exact_dy])
    if abs(scale) <= 1000:  # beyond, L ~ |z| leaves too few digits for a difference quotient of 1/M
        check_grads(lambda a, b: float(bce.forward(a, b)[0, 0]), (dz, dy), z, y, names=("z", "y"),
                    step=1e-5 / np.abs(z).max())
    check_against_torch(bce, torch_forward, [((4, 1), (4, 1))], inputs=lambda rng, shapes: [z, y])


def test_hard_targets_at_large_logits() -> None:
    """y = 0 and 1 with confident logits of both signs: the losses that overflow the naive formula."""
    z, y = np.array([[800.0], [-800.0], [800.0], [-800.0]]), np.array([[1.0], [1.0], [0.0], [0.0]])
    exact_L, exact_dz, _ = exact([Decimal(v) for v in z.ravel()], [Decimal(v) for v in y.ravel()])
    assert bce.forward(z, y)[0, 0] == float(exact_L) == 400.0
    dz = bce.backward(z, y, [[1.0]])[0].ravel()
    assert np.allclose(dz, [float(v) for v in exact_dz], rtol=0, atol=1e-15)
    check_against_torch(bce, torch_forward, [((4, 1), (4, 1))], inputs=lambda rng, shapes: [z, y])


def test_sigma_of_ln_a_is_exact() -> None:
    """sigma(ln a) = a / (1 + a); the gradient (sigma(z) - y)/M exact; the losses from the definition."""
    ex = bce.worked_example(z=[[Ln(Fraction(3))], [Ln(Fraction(1, 7))]], y=[[Fraction(1, 2)], [0]])
    q = ex.quantities
    assert q["sigma"].value.ravel().tolist() == [Fraction(3, 4), Fraction(1, 8)]
    assert q["dz"].value.ravel().tolist() == [Fraction(1, 8), Fraction(1, 16)]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ell = [-(Decimal(3) / 4).ln() / 2 - (Decimal(1) / 4).ln() / 2, -(Decimal(7) / 8).ln()]
    shown = [v.value for v in q["ell"].value.ravel()]
    assert all(abs(a - b) < Decimal(10) ** -40 for a, b in zip(shown, ell, strict=True))
    floats = bce.backward([[np.log(3.0)], [np.log(1 / 7)]], [[0.5], [0.0]], [[1.0]])[0]
    assert np.allclose(floats.ravel(), [1 / 8, 1 / 16], rtol=0, atol=1e-15)


def test_the_worked_example() -> None:
    q = bce.worked_example().quantities
    assert [str(v.shown()) for v in q["ell"].value.ravel()] == ["0.2877", "0.5788", "1.6094"]
    assert str(q["L"].value.shown()) == "0.8253"
    assert all(v != 0 for v in q["dz"].value.flat)


@pytest.mark.parametrize("z, y, error, message", [
    ([[0.0]], [[1.5]], ValueError, "y[0, 0] = 1.5 is outside [0, 1]"),
    ([[0.0], [1.0]], [[0.5], [-0.25]], ValueError, "y[1, 0] = -0.25 is outside [0, 1]"),
    ([[0.0]], [[Fraction(5, 4)]], ValueError, "y[0, 0] = 5/4 is outside [0, 1]"),
    ([[0.0]], [[True]], TypeError, "y[0, 0] is the boolean True"),
    ([[0.0]], [[np.nan]], ValueError, "y must be finite"),
    ([[0.0, 1.0]], [[0.0, 1.0]], ValueError, "z has shape (1, 2) but must be an M x 1 column"),
    ([[0.0], [1.0]], [[1.0]], ValueError, "y has shape (1, 1) but z has shape (2, 1)"),
    ([[0.0]], [[1.0], [0.0]], ValueError, "y has shape (2, 1) but z has shape (1, 1)"),
    ([[np.inf]], [[1.0]], ValueError, "z must be finite"),
])
def test_bad_inputs_are_named(z, y, error: type, message: str) -> None:
    for call in (lambda: bce.forward(z, y), lambda: bce.backward(z, y, [[1.0]])):
        with pytest.raises(error) as info:
            call()
        assert message in str(info.value)


def test_worked_examples_need_logarithms_and_valid_targets() -> None:
    with pytest.raises(TypeError, match=r"z\[1, 0\] is 1, not a logarithm"):
        bce.worked_example(z=[[Ln(Fraction(2))], [1]], y=[[1], [0]])
    with pytest.raises(ValueError, match=r"y\[0, 0\] = 2 is outside \[0, 1\]"):
        bce.worked_example(z=[[Ln(Fraction(2))]], y=[[2]])
    with pytest.raises(TypeError, match="worked examples show exact numbers: y holds floats"):
        bce.worked_example(z=[[Ln(Fraction(2))]], y=[[0.5]])


def test_the_page_describes_the_default_example() -> None:
    """The prose: three samples, targets 1, a soft 1/4 and 0, logits of both signs."""
    q = bce.worked_example().quantities
    assert q["y"].value.ravel().tolist() == [1, Fraction(1, 4), 0]
    assert sorted(z.arg > 1 for z in q["z"].value.ravel()) == [False, True, True]


def test_exercises_take_new_logits_and_stay_exact() -> None:
    """Each exercise's logits ``ln a`` are new, on both sides of 0 and never opposite; targets hard and
    soft; ``σ`` and the gradient are exact and no gradient entry is 0; the losses are shown to 4 places."""
    page = bce.worked_example().quantities["z"].value
    drawn = [exercises.example("bce", n).quantities for n in (1, 2)]
    for q in drawn:
        a = [z.arg for z in q["z"].value.flat]
        y = list(q["y"].value.flat)
        assert not np.array_equal(q["z"].value, page)
        assert min(a) < 1 < max(a) and len({min(v, 1 / v) for v in a}) == len(a)
        assert {0, 1} & set(y) and set(y) - {0, 1}
        assert list(q["sigma"].value.flat) == [v / (1 + v) for v in a]
        assert all(isinstance(g, Fraction) and g != 0 for g in q["dz"].value.flat)
        assert q["L"].value.places == 4 and all(v.places == 4 for v in q["ell"].value.flat)
    assert not np.array_equal(drawn[0]["z"].value, drawn[1]["z"].value)


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: the docstring's sizes and conditions hold, and
    every size, every logit ``ln a`` and every target of the pools is drawn, and neither hard target is
    required (the pools: a in 2, 3, 4, 5, 1/2, 1/3, 1/4, 1/5, 3/2, 2/3; y in 0, 1, 1/4, 1/3, 1/2, 2/3,
    3/4)."""
    seen = {"M": set(), "a": set(), "y": set(), "hard": set()}
    for seed in range(300):
        ex = bce.exercise(np.random.default_rng(seed))
        a = [z.arg for (z,) in ex["z"]]
        y = [t for (t,) in ex["y"]]
        assert min(a) < 1 < max(a) and len({min(v, 1 / v) for v in a}) == len(a), seed
        assert {0, 1} & set(y) and set(y) - {0, 1}, seed
        assert all(v / (1 + v) != t for v, t in zip(a, y, strict=True)) and ex["G"] == [[1]], seed
        seen["M"].add(len(a))
        seen["a"].update(a)
        seen["y"].update(y)
        seen["hard"].add(frozenset({0, 1} & set(y)))
    F = Fraction
    assert seen == {"M": {3, 4}, "a": {2, 3, 4, 5, F(1, 2), F(1, 3), F(1, 4), F(1, 5), F(3, 2), F(2, 3)},
                    "y": {0, 1, F(1, 4), F(1, 3), F(1, 2), F(2, 3), F(3, 4)},
                    "hard": {frozenset({0}), frozenset({1}), frozenset({0, 1})}}
