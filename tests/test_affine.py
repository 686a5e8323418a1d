"""derivations.topics.affine against finite differences, PyTorch autograd and exact index sums."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from derivations.gradcheck import check_topic
from derivations.topics import affine

from torch_oracle import check_against_torch

SHAPES = [((1, 1), (1, 1), (1, 1)), ((3, 2), (2, 4), (1, 4)), ((5, 3), (3, 1), (1, 1)),
          ((2, 7), (7, 6), (1, 6))]


def test_gradients_against_finite_differences() -> None:
    assert check_topic(affine, SHAPES) > 100


def test_gradients_against_torch_autograd() -> None:
    assert check_against_torch(affine, lambda X, W, b: X @ W + b, SHAPES) > 100


def test_bias_gradient_is_the_batch_sum_exactly() -> None:
    X = [[Fraction(1, 2), 2], [3, -1], [0, 1]]
    W = [[1, -1], [2, Fraction(1, 3)]]
    b = [[5, -7]]
    G = [[1, 2], [3, -4], [Fraction(1, 5), 6]]
    dX, dW, db = affine.backward(X, W, b, G)
    assert dX.tolist() == [[sum(G[m][n] * W[j][n] for n in range(2)) for j in range(2)] for m in range(3)]
    assert db.tolist() == [[Fraction(21, 5), 4]]
    Y = affine.forward(X, W, b)
    assert Y[2, 1] == 0 * -1 + 1 * Fraction(1, 3) + -7
    assert dW.tolist() == [[sum(X[m][i] * G[m][j] for m in range(3)) for j in range(2)] for i in range(2)]


@pytest.mark.parametrize("b, message", [
    ([[1, 2, 3]], "b has shape (1, 3) but must be (1, 2)"),
    ([[1]], "b has shape (1, 1) but must be (1, 2)"),
    ([[1], [2]], "b has shape (2, 1) but must be (1, 2)"),
    ([[1, 2], [3, 4]], "b has shape (2, 2) but must be (1, 2)"),
    ([1, 2], "b must be 2-D, got 1-D with shape (2,)"),
])
def test_a_bias_of_another_shape_is_never_broadcast(b, message: str) -> None:
    with pytest.raises(ValueError) as info:
        affine.forward(np.ones((3, 2)), np.ones((2, 2)), b)
    assert message in str(info.value)


def test_backward_names_a_wrong_G() -> None:
    with pytest.raises(ValueError, match=r"G has shape \(2, 2\) but Y = X W \+ b has shape \(3, 4\)"):
        affine.backward(np.ones((3, 2)), np.ones((2, 4)), np.ones((1, 4)), np.ones((2, 2)))


@pytest.mark.parametrize("N", [1, 2, 3, 4, 5])
def test_the_bias_entry_written_out_is_the_middle_column(N: int) -> None:
    """The page expands column (N + 1) // 2 of the batch sum: the middle one, the right of two."""
    ex = affine.worked_example([[1], [2]], [list(range(1, N + 1))], [[1] * N], [[1] * N, [2] * N])
    assert ex.quantities["db_entry"].entry == (1, (N + 1) // 2)


def test_exercises_have_distinct_sizes_and_no_zero_result() -> None:
    """As its docstring says: sizes 2, 3 and 4 in some order, and no 0 in Y, dX, dW or db, which could
    hide a wrong product; over many seeds."""
    for seed in range(40):
        a = {k: np.array(v) for k, v in affine.exercise(np.random.default_rng(seed)).items()}
        (M, D), N = a["X"].shape, a["W"].shape[1]
        assert sorted((M, D, N)) == [2, 3, 4] and a["b"].shape == (1, N) and a["G"].shape == (M, N)
        for result in (a["X"] @ a["W"] + a["b"], a["G"] @ a["W"].T, a["X"].T @ a["G"], a["G"].sum(axis=0)):
            assert (result != 0).all(), seed
