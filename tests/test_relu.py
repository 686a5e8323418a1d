"""derivations.topics.relu against finite differences away from the corner, PyTorch autograd and exact
rules; PyTorch's value at the corner, 0, is this site's."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from derivations import exercises
from derivations.gradcheck import check_topic
from derivations.topics import relu
from derivations.values import Ln

from torch_oracle import check_against_torch, require_torch

SHAPES = [((1, 1),), ((2, 3),), ((4, 1),), ((5, 7),)]
ROOT = Path(__file__).resolve().parent.parent


def away_from_the_corner(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Both signs, |z| >= 0.1: a difference quotient of step ~1e-6 never straddles z = 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


def test_gradients_against_finite_differences() -> None:
    assert check_topic(relu, SHAPES, away_from_the_corner) > 40


def test_gradients_against_torch_autograd() -> None:
    torch = require_torch()

    assert check_against_torch(relu, torch.relu, SHAPES,
                               inputs=lambda rng, shape: [away_from_the_corner(rng, s) for s in shape]) > 40


def test_the_derivative_at_zero_is_zero() -> None:
    """In floats and in exact numbers (PyTorch's choice, checked against torch below)."""
    dZ = relu.backward([[0.0, -0.0, 1.5, -1.5]], [[5.0, 7.0, 2.0, 3.0]])[0]
    assert dZ.tolist() == [[0.0, 0.0, 2.0, 0.0]]
    assert relu.backward([[0, Fraction(-1, 3), Fraction(1, 3)]], [[5, 7, 2]])[0].tolist() == [[0, 0, 2]]


def test_the_derivative_at_zero_is_zero_as_in_torch() -> None:
    torch = require_torch()
    Z = torch.tensor([[0.0, -0.0, 1.5, -1.5]], dtype=torch.float64, requires_grad=True)
    G = [[5.0, 7.0, 2.0, 3.0]]
    torch.relu(Z).backward(torch.tensor(G, dtype=torch.float64))
    assert Z.grad.tolist() == [[0.0, 0.0, 2.0, 0.0]]
    assert relu.backward(Z.detach().numpy(), G)[0].tolist() == Z.grad.tolist()


def test_exact_inputs_give_exact_results() -> None:
    Z = [[Fraction(1, 3), -2, 0], [5, Fraction(-7, 2), 10**30]]
    G = [[2, 3, Fraction(1, 4)], [-1, 6, 10**25]]
    A = relu.forward(Z)
    (dZ,) = relu.backward(Z, G)
    assert A.tolist() == [[z if z > 0 else 0 for z in row] for row in Z]
    assert dZ.tolist() == [[g if z > 0 else 0 for z, g in zip(zr, gr, strict=True)]
                           for zr, gr in zip(Z, G, strict=True)]
    assert dZ[1, 2] == 10**25 and isinstance(dZ[1, 2], int)


def test_worked_example_shows_the_corner() -> None:
    ex = relu.worked_example()
    Z = ex.quantities["Z"].value
    assert Z.shape == (2, 3) and (Z == 0).sum() == 1 and (Z > 0).any() and (Z < 0).any()
    i, j = ex.quantities["dZ_entry"].entry
    assert Z[i - 1, j - 1] == 0 and ex.quantities["dZ_entry"].value.terms[0][0] != 0
    assert ex.quantities["dZ_entry"].value.total == 0
    G = ex.quantities["G"].value
    assert len(set(G.flat)) == G.size and set(G.flat) != {1}
    J = ex.quantities["J"].value
    assert J.shape == (6, 6) and (np.diag(np.diag(J)) == J).all()
    # The sum written out is for an entry that stacking columns would number differently.
    i, j = ex.quantities["dZ_sum"].entry
    M, N = Z.shape
    assert Z[i - 1, j - 1] > 0 and (i - 1) * N + j != (j - 1) * M + i
    assert ex.quantities["dZ_sum"].value.col[(i - 1) * N + j - 1] == 1


def test_the_pages_jacobian_sizes() -> None:
    """The sizes quoted for a batch of 64 x 4096: MN, (MN)^2 and its bytes in float32."""
    MN = 64 * 4096
    assert MN == 262_144 and f"{MN**2:.1e}" == "6.9e+10" and round(MN**2 * 4 / 1e9) == 275
    for page in ("relu.md", "relu.en.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert "64" in text and "4096" in text and r"262\,144" in text
        assert r"6.9 \times 10^{10}" in text and "275 GB" in text


@pytest.mark.parametrize("args, error, message", [
    (([[1, 2]], [[1, 2, 3]]), ValueError, "G has shape (1, 3) but Z has shape (1, 2)"),
    (([1, 2], [[1, 2]]), ValueError, "Z must be 2-D, got 1-D"),
    (([[1.0, np.nan]], [[1.0, 1.0]]), ValueError, "Z must be finite, got Z[0, 1] = nan"),
    (([[1, 2]], [[1.0, np.inf]]), ValueError, "G must be finite"),
    (([[True, 2]], [[1, 2]]), TypeError, "Z[0, 0] is the boolean True"),
    (([[Ln(Fraction(2)), 1]], [[1, 2]]), TypeError, "Z[0, 0] is Ln(2) of type Ln; Z must hold real numbers"),
    (([[Fraction(1, 2), 1]], [[0.5, 2.0]]), TypeError, "Z holds the fraction 1/2 but G holds floats"),
    (([[1, 2], [3]], [[1, 2]]), ValueError, "Z is not a rectangular array"),
])
def test_bad_inputs_are_named(args: tuple, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        relu.backward(*args)
    assert message in str(info.value)


def test_the_worked_example_refuses_floats_and_logarithms() -> None:
    with pytest.raises(TypeError, match="worked examples show exact numbers: Z holds floats"):
        relu.worked_example([[0.5]], [[1]])
    with pytest.raises(TypeError, match=r"Z\[0, 0\] is Ln\(2\) of type Ln; Z must hold real numbers"):
        relu.worked_example([[Ln(Fraction(2))]], [[1]])


def test_exercises_take_new_exact_numbers_with_a_corner() -> None:
    """Each exercise has other numbers than the page and the other exercise; its ``Z`` has one 0 and a
    negative entry, and a positive last entry, so the chain-rule sum shown for it is not 0."""
    page = relu.worked_example().quantities["Z"].value
    drawn = [exercises.example("relu", n).quantities for n in (1, 2)]
    assert not np.array_equal(drawn[0]["Z"].value, drawn[1]["Z"].value)
    for q in drawn:
        Z = q["Z"].value
        assert not np.array_equal(Z, page)
        assert (Z == 0).sum() == 1 and (Z < 0).any() and Z[-1, -1] > 0
        assert q["dZ_sum"].value.total != 0 and q["dZ_entry"].value.total == 0
        assert all(isinstance(v, (int, np.integer, Fraction)) for v in q["dZ"].value.flat)


@pytest.mark.parametrize("M, N", [(2, 3), (3, 2), (3, 4), (2, 2), (3, 3), (3, 5)])
def test_the_entries_written_out_are_the_ones_the_docstring_names(M: int, N: int) -> None:
    """The chain-rule sum is shown for the first positive entry (row by row) whose number in ``vec`` taken
    row by row differs from its number taken column by column, else for the last entry; the single
    entry expanded is the first 0, else the last entry. Random signs and zeros, and for square Z the
    diagonal alone positive (its numbers agree in both orders, so the last entry is chosen)."""
    by_rows, by_cols = np.arange(M * N).reshape(M, N), np.arange(M * N).reshape(N, M).T
    rng = np.random.default_rng(M * 10 + N)
    cases = [rng.choice([-2, -1, 0, 1, 3], size=(M, N)) for _ in range(40)]
    if M == N:
        cases.append(np.where(np.eye(M, dtype=bool), 2, -1))
    for Z in cases:
        q = relu.worked_example(Z=Z.tolist(), G=rng.integers(1, 5, size=(M, N)).tolist()).quantities
        fit = [(r + 1, c + 1) for r in range(M) for c in range(N)
               if Z[r, c] > 0 and by_rows[r, c] != by_cols[r, c]]
        zeros = [(r + 1, c + 1) for r in range(M) for c in range(N) if Z[r, c] == 0]
        assert q["dZ_sum"].entry == (fit[0] if fit else (M, N)), Z
        assert q["dZ_entry"].entry == (zeros[0] if zeros else (M, N)), Z


def test_every_exercise_keeps_its_promises() -> None:
    """Over many seeds, not only the two the pages use: one 0, a negative entry, the last entry positive,
    both shapes, every value of the pool drawn, and G of distinct non-zero integers."""
    shapes, values = set(), set()
    for seed in range(200):
        ex = relu.exercise(np.random.default_rng(seed))
        Z, G = np.array(ex["Z"], dtype=object), np.array(ex["G"])
        assert (Z == 0).sum() == 1 and (Z < 0).any() and Z[-1, -1] > 0, seed
        assert G.shape == Z.shape and 0 not in G and len(set(G.flat)) == G.size and np.abs(G).max() <= 6, seed
        shapes.add(Z.shape)
        values.update(Z.flat)
    assert shapes == {(2, 3), (3, 2)}
    assert values == {0, -3, -2, -1, Fraction(-1, 2), Fraction(1, 2), 1, 2, 3}


def test_a_diagonal_entry_past_256_in_vec_order_is_still_on_the_diagonal() -> None:
    """In a 17 x 17 Z, entry (16, 16) is number 270 (counted from 0) in vec order by rows and by columns,
    past 256, where two equal ints are no longer one object in CPython. With the diagonal alone positive,
    the last entry is chosen."""
    Z = np.where(np.eye(17, dtype=bool), 2, -1)
    q = relu.worked_example(Z=Z.tolist(), G=np.ones((17, 17), dtype=int).tolist()).quantities
    assert q["dZ_sum"].entry == (17, 17)
