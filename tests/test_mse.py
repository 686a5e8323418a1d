"""derivations.topics.mse against finite differences, PyTorch's F.mse_loss and exact index sums."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_topic
from derivations.topics import mse

from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1), (1, 1)), ((3, 4), (3, 4)), ((5, 2), (5, 2)), ((2, 7), (2, 7))]


def test_gradients_against_finite_differences() -> None:
    assert check_topic(mse, SHAPES) > 50


def test_gradients_against_torch() -> None:
    torch = require_torch()
    assert check_against_torch(mse, lambda Yhat, Y: torch.nn.functional.mse_loss(Yhat, Y).reshape(1, 1),
                               SHAPES) > 50


def test_the_mean_is_over_every_entry_exactly() -> None:
    """L and both gradients from the index definition in Fractions, for a 2 x 3 case: 1/MN = 1/6."""
    Yhat = [[1, Fraction(1, 2), -2], [0, 3, Fraction(5, 3)]]
    Y = [[Fraction(1, 4), 1, 0], [2, -1, 1]]
    E = [[Yhat[m][n] - Y[m][n] for n in range(3)] for m in range(2)]
    assert mse.forward(Yhat, Y)[0, 0] == sum(e * e for row in E for e in row) / 6
    dYhat, dY = mse.backward(Yhat, Y, [[Fraction(3, 2)]])
    assert dYhat.tolist() == [[Fraction(3, 2) * 2 * e / 6 for e in row] for row in E]
    assert dY.tolist() == [[-v for v in row] for row in dYhat.tolist()]


def test_the_worked_example_per_batch_mean_is_N_times_larger() -> None:
    q = mse.worked_example().quantities
    N = q["Yhat"].value.shape[1]
    assert q["L_batch"].value == N * q["L"].value
    assert (q["dYhat_batch"].value == N * q["dYhat"].value).all()
    assert all(v != 0 for v in q["dYhat"].value.flat)


def test_floats_give_the_exact_values() -> None:
    """The float path (the one PyTorch is compared with) on the same halves as the exact path."""
    Yhat = [[1, Fraction(1, 2), -2], [0, 3, Fraction(5, 2)]]
    Y = [[Fraction(1, 4), 1, 0], [2, -1, 1]]
    as_float = [np.array(A, dtype=float) for A in (Yhat, Y)]
    assert mse.forward(*as_float)[0, 0] == pytest.approx(float(mse.forward(Yhat, Y)[0, 0]), rel=1e-15)
    exact = mse.backward(Yhat, Y, [[Fraction(1, 2)]])
    for got, want in zip(mse.backward(*as_float, [[0.5]]), exact, strict=True):
        np.testing.assert_allclose(got, want.astype(float), rtol=1e-15)


@pytest.mark.parametrize("args, error, message", [
    (([[1.0, 2.0]], [[1.0], [2.0]]), ValueError, "Y has shape (2, 1) but Yhat has shape (1, 2)"),
    (([[1.0], [2.0]], [[1.0, 2.0]]), ValueError, "Y has shape (1, 2) but Yhat has shape (2, 1)"),
    (([[1.0, 2.0]], [[1.0, np.nan]]), ValueError, "Y must be finite"),
    (([1.0, 2.0], [1.0, 2.0]), ValueError, "Yhat must be 2-D"),
    (([[1.0]], [[True]]), TypeError, "Y[0, 0] is the boolean True"),
    (([[Fraction(1, 3)]], [[0.5]]), TypeError, "Yhat holds the fraction 1/3 but Y holds floats"),
])
def test_bad_inputs_are_named(args, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        mse.forward(*args)
    assert message in str(info.value)


@pytest.mark.parametrize("G, message", [
    ([[1, 1]], "G has shape (1, 2) but the loss L is 1 x 1"),
    ([[1], [1]], "G has shape (2, 1) but the loss L is 1 x 1"),
    ([[np.inf]], "G must be finite"),
])
def test_a_bad_upstream_gradient_is_named(G, message: str) -> None:
    with pytest.raises(ValueError) as info:
        mse.backward([[1.0]], [[2.0]], G)
    assert message in str(info.value)


def test_the_page_describes_the_default_sizes() -> None:
    """The page's prose explains why M = 3 and N = 4; the defaults must still be those sizes."""
    assert mse.worked_example().quantities["Yhat"].value.shape == (3, 4)


def test_exercises_take_new_exact_numbers_with_distinct_factors() -> None:
    """Each exercise has other numbers than the page, ``M != N``, both at least 3 (so ``2/MN``, ``2/M``,
    ``1/M`` and ``1/MN`` differ), no entry of ``E`` 0, and exact results."""
    page = mse.worked_example().quantities["Yhat"].value
    drawn = [exercises.example("mse", n).quantities for n in (1, 2)]
    for q in drawn:
        E = q["E"].value
        M, N = E.shape
        assert not np.array_equal(q["Yhat"].value, page)
        assert min(M, N) >= 3 and M != N and (E != 0).all() and "G" not in q
        assert q["L"].value == sum(e * e for e in E.flat) / Fraction(M * N)
        assert all(isinstance(v, (int, np.integer, Fraction)) for v in q["dYhat"].value.flat)
    assert not np.array_equal(drawn[0]["Yhat"].value, drawn[1]["Yhat"].value)


def test_no_exercise_has_an_error_of_0() -> None:
    """Over many seeds, not only the two the page uses: no entry of E is 0, and both orientations of
    3 x 4 occur."""
    shapes = set()
    for seed in range(200):
        a = mse.exercise(np.random.default_rng(seed))
        E = np.array(a["Yhat"], dtype=object) - np.array(a["Y"], dtype=object)
        assert (E != 0).all(), seed
        shapes.add(E.shape)
    assert shapes == {(3, 4), (4, 3)}
