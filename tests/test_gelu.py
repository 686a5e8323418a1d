"""derivations.topics.gelu, both forms, against finite differences, PyTorch autograd and mpmath; and the
page's claims about the shape of GELU and about how close the tanh approximation comes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_topic
from derivations.topics import gelu
from derivations.values import Ln, places

from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1),), ((2, 3),), ((4, 1),), ((5, 7),)]
DOMAIN = (-4.0, 4.0)
TANH = SimpleNamespace(__name__="gelu_tanh", forward=gelu.forward_tanh, backward=gelu.backward_tanh)


def test_gradients_against_finite_differences() -> None:
    assert check_topic(gelu, SHAPES, DOMAIN) > 40


def test_tanh_form_gradients_against_finite_differences() -> None:
    assert check_topic(TANH, SHAPES, DOMAIN) > 40


def test_gradients_against_torch_autograd() -> None:
    F = require_torch().nn.functional

    assert check_against_torch(gelu, F.gelu, SHAPES, DOMAIN) > 40


def test_tanh_form_gradients_against_torch_autograd() -> None:
    F = require_torch().nn.functional

    assert check_against_torch(TANH, lambda Z: F.gelu(Z, approximate="tanh"), SHAPES, DOMAIN) > 40


def _mp(z: Fraction) -> mpmath.mpf:
    return mpmath.mpf(z.numerator) / z.denominator


@pytest.mark.parametrize("z", [Fraction(-2), Fraction(-1, 4), Fraction(3, 2), Fraction(7)])
def test_rationals_give_fifty_digits(z: Fraction) -> None:
    """Against mpmath: the erf form of Phi, and derivatives by numerical differentiation at 80 digits."""
    with mpmath.workdps(80):
        x = _mp(z)
        exact = lambda t: t * (1 + mpmath.erf(t / mpmath.sqrt(2))) / 2  # noqa: E731
        c = mpmath.mpf(44715) / 10**6

        def approx(t: mpmath.mpf) -> mpmath.mpf:
            return t * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (t + c * t**3))) / 2

        wanted = [exact(x), mpmath.diff(exact, x), approx(x), mpmath.diff(approx, x)]
        got = [gelu.forward([[z]])[0, 0], gelu.backward([[z]], [[1]])[0][0, 0],
               gelu.forward_tanh([[z]])[0, 0], gelu.backward_tanh([[z]], [[1]])[0][0, 0]]
        for g, w in zip(got, wanted, strict=True):
            assert isinstance(g, Decimal)
            assert abs(mpmath.mpf(str(g)) - w) <= mpmath.mpf(10) ** -48 * max(1, abs(w))


def test_the_shape_of_gelu_the_page_describes() -> None:
    """Negative slope below about -0.75, minimum about -0.17, slope above 1 from about 0.75, largest at sqrt 2
    (about 1.13), and GELU'(z) + GELU'(-z) = 1."""
    slope = lambda z: gelu.backward(np.array([[z]]), np.array([[1.0]]))[0][0, 0]  # noqa: E731
    root = mpmath.findroot(lambda t: slope(float(t)), -0.75)
    assert -0.76 < root < -0.74 and round(float(gelu.forward(np.array([[float(root)]]))[0, 0]), 2) == -0.17
    z = np.linspace(-6, 6, 12001).reshape(1, -1)
    D = gelu.backward(z, np.ones_like(z))[0]
    assert (D[z < root] < 0).all() and (D[(z > float(-root) + 1e-3)] > 1).all()
    assert abs(z[0, D.argmax()] - np.sqrt(2)) < 2e-3 and round(D.max(), 2) == 1.13
    assert np.allclose(D + D[:, ::-1], 1, atol=1e-14)


def test_the_tanh_form_stays_close() -> None:
    """The page: at every z the two forms differ by less than 5e-4 in value and 1e-3 in slope (on a grid
    of step 1e-4 over [-10, 10])."""
    z = np.linspace(-10, 10, 200001).reshape(1, -1)
    ones = np.ones_like(z)
    assert np.abs(gelu.forward(z) - gelu.forward_tanh(z)).max() < 5e-4
    assert np.abs(gelu.backward(z, ones)[0] - gelu.backward_tanh(z, ones)[0]).max() < 1e-3


def test_torch_keeps_the_input_for_the_backward_pass() -> None:
    torch = require_torch()
    Z = torch.tensor([[0.5, -1.0]], dtype=torch.float64, requires_grad=True)
    for approximate in ("none", "tanh"):
        A = torch.nn.functional.gelu(Z, approximate=approximate)
        assert torch.equal(A.grad_fn._saved_self, Z)


def test_the_worked_example_as_the_page_describes_it() -> None:
    ex = gelu.worked_example()
    q = ex.quantities
    Z = q["Z"].value
    assert not any(a == -b for a in Z.flat for b in Z.flat)
    D = q["dA"].value
    assert all((d.shown() < 0) == (z < -0.75) for z, d in zip(Z.flat, D.flat, strict=True))
    first, second = q["dA_entry"].value.terms
    assert first.shown() > 0 > second.shown() and -second.shown() > first.shown()
    for exact, approx in (("A", "A_tanh"), ("dA", "dA_tanh")):
        pairs = list(zip(q[exact].value.flat, q[approx].value.flat, strict=True))
        differ = sum(a.shown() != b.shown() for a, b in pairs)
        assert Z.size > differ > Z.size / 2
        assert all(abs(a.value - b.value) < Decimal("1e-3") for a, b in pairs)
    assert {places(q[name].value) for name in q if name not in ("Z", "G")} == {4}


@pytest.mark.parametrize("args, error, message", [
    (([[Ln(Fraction(2))]], [[1]]), TypeError, "Z[0, 0] is Ln(2) of type Ln; Z must hold real numbers"),
    (([[1, 2]], [[1, 2], [3, 4]]), ValueError, "G has shape (2, 2) but Z has shape (1, 2)"),
    (([[1.0, float("inf")]], [[1.0, 1.0]]), ValueError, "Z must be finite, got Z[0, 1] = inf"),
    (([[Fraction(1, 3)]], [[0.5]]), TypeError, "Z holds the fraction 1/3 but G holds floats"),
])
@pytest.mark.parametrize("backward", [gelu.backward, gelu.backward_tanh])
def test_bad_inputs_are_named(backward, args: tuple, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        backward(*args)
    assert message in str(info.value)


def test_the_worked_example_refuses_floats_and_logarithms() -> None:
    """GELU of ln a has no exact form to show, unlike sigmoid's and tanh's."""
    with pytest.raises(TypeError, match="worked examples show exact numbers: G holds floats"):
        gelu.worked_example([[1]], [[0.5]])
    with pytest.raises(TypeError, match=r"Z\[0, 0\] is Ln\(2\) of type Ln; Z must hold real numbers"):
        gelu.worked_example([[Ln(Fraction(2))]], [[1]])


def test_the_entry_written_out_is_where_GELU_prime_is_least() -> None:
    """Here in row 2, column 2, at z = -1: Phi(-1) = 0.1587 and -phi(-1) = -0.2420 to 4 places."""
    q = gelu.worked_example(Z=((3, 2, Fraction(1, 2)), (1, -1, 2))).quantities["dA_entry"]
    assert q.entry == (2, 2)
    assert [str(v.shown()) for v in (*q.value.terms, q.value.total)] == ["0.1587", "-0.2420", "-0.0833"]


def test_exercises_take_new_rationals_shown_to_four_places() -> None:
    """Each exercise's ``Z`` is new, has no 0 and no two opposite entries, has an entry where GELU falls
    (below the zero of GELU', about -0.7518) and a positive one; every value is shown to 4 places and
    no derivative or gradient entry rounds to 0."""
    page = gelu.worked_example().quantities["Z"].value
    drawn = [exercises.example("gelu", n).quantities for n in (1, 2)]
    assert not np.array_equal(drawn[0]["Z"].value, drawn[1]["Z"].value)
    for q in drawn:
        Z = list(q["Z"].value.flat)
        assert not np.array_equal(q["Z"].value, page)
        assert len({abs(z) for z in Z}) == len(Z) and 0 not in Z
        assert min(Z) < Fraction(-7518, 10_000) and max(Z) > 0
        assert all(places(q[k].value) == 4 for k in ("Phi", "A", "dA", "dZ", "A_tanh", "dA_tanh", "dZ_tanh"))
        assert all(v.shown() != 0 for k in ("dA", "dZ", "dA_tanh", "dZ_tanh") for v in q[k].value.flat)


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: the docstring's conditions, both shapes, every
    magnitude with both signs, fair signs, a smallest entry of exactly -1 and a largest of at most 1
    allowed (the filter is no stricter than it says), and G of distinct non-zero integers."""
    shapes, values, smallest, largest, signs = set(), set(), set(), set(), []
    for seed in range(300):
        ex = gelu.exercise(np.random.default_rng(seed))
        Z, G = np.array(ex["Z"], dtype=object), np.array(ex["G"])
        z = list(Z.flat)
        assert min(z) <= -1 < 0 < max(z) and len({abs(v) for v in z}) == len(z), seed
        assert G.shape == Z.shape and 0 not in G and len(set(G.flat)) == G.size and np.abs(G).max() <= 6, seed
        shapes.add(Z.shape)
        values.update(z)
        smallest.add(min(z))
        largest.add(max(z))
        signs += [v > 0 for v in z]
    sizes = {Fraction(1, 4), Fraction(1, 2), 1, Fraction(3, 2), 2, Fraction(5, 2), 3}
    assert shapes == {(2, 3), (3, 2)} and values == sizes | {-v for v in sizes}
    assert -1 in smallest and min(largest) <= 1
    assert 0.4 < sum(signs) / len(signs) < 0.6
