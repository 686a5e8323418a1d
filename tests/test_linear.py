"""derivations.linear against oracles that share none of its code.

- exact rational recomputation from the index definitions, with the chain rule as sums;
- ``check_topic``: central finite differences and the dot-product test on random float64 inputs;
- the unit step L(X + E_ij) - L(X), exact for the integer example because L is linear in X.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from derivations.gradcheck import check_topic
from derivations.topics import linear

from torch_oracle import check_against_torch, require_torch

SHAPES = [(1, 1, 1), (2, 3, 4), (4, 3, 2), (5, 1, 3), (3, 7, 6)]

Rat = list[list[Fraction]]


def rational(A) -> Rat:
    return [[Fraction(int(v)) for v in row] for row in np.asarray(A).tolist()]


def y_entry(X: Rat, W: Rat, m: int, n: int) -> Fraction:
    """y_mn = sum_k x_mk w_kn."""
    return sum((X[m][k] * W[k][n] for k in range(len(W))), Fraction(0))


def loss(X: Rat, W: Rat, G: Rat) -> Fraction:
    """L = sum_mn g_mn y_mn, so that dL/dy_mn = g_mn."""
    return sum((G[m][n] * y_entry(X, W, m, n) for m in range(len(X)) for n in range(len(W[0]))),
               Fraction(0))


def bumped(A: Rat, i: int, j: int) -> Rat:
    out = [row[:] for row in A]
    out[i][j] += 1
    return out


def chain_rule_dX(X: Rat, W: Rat, G: Rat) -> Rat:
    """dL/dx_ij = sum_mn g_mn dy_mn/dx_ij, with dy_mn/dx_ij read off as an exact difference."""
    M, D, N = len(X), len(W), len(W[0])
    return [[sum((G[m][n] * (y_entry(bumped(X, i, j), W, m, n) - y_entry(X, W, m, n))
                  for m in range(M) for n in range(N)), Fraction(0)) for j in range(D)] for i in range(M)]


def chain_rule_dW(X: Rat, W: Rat, G: Rat) -> Rat:
    M, D, N = len(X), len(W), len(W[0])
    return [[sum((G[m][n] * (y_entry(X, bumped(W, i, j), m, n) - y_entry(X, W, m, n))
                  for m in range(M) for n in range(N)), Fraction(0)) for j in range(N)] for i in range(D)]


@pytest.fixture(scope="module")
def example():
    q = linear.worked_example().quantities
    return {name: shown.value for name, shown in q.items()}


def test_worked_example_is_a_good_example(example) -> None:
    (M, D), N = example["X"].shape, example["W"].shape[1]
    assert len({M, D, N}) == 3, "equal sizes would let a wrong transpose pass"
    assert example["G"].shape == (M, N)
    for name in ("X", "W", "G", "Y", "dX", "dW"):
        assert np.all(example[name] != 0), f"{name} has a zero entry"
        assert example[name].dtype.kind == "i", f"{name} is not exact integers"
    assert example["L"] != 0


def test_forward_matches_the_index_definition(example) -> None:
    X, W = rational(example["X"]), rational(example["W"])
    Y = [[y_entry(X, W, m, n) for n in range(len(W[0]))] for m in range(len(X))]
    assert rational(example["Y"]) == Y


def test_loss_is_sum_of_g_times_y(example) -> None:
    X, W, G = (rational(example[k]) for k in "XWG")
    assert example["L"] == loss(X, W, G)


def test_gradients_match_the_chain_rule_exactly(example) -> None:
    X, W, G = (rational(example[k]) for k in "XWG")
    assert rational(example["dX"]) == chain_rule_dX(X, W, G)
    assert rational(example["dW"]) == chain_rule_dW(X, W, G)


def test_unit_step_equals_the_gradient_entry(example) -> None:
    X, W, G = (rational(example[k]) for k in "XWG")
    L0 = loss(X, W, G)
    for (i, j), v in np.ndenumerate(example["dX"]):
        assert loss(bumped(X, i, j), W, G) - L0 == v, f"dL/dx_{i + 1}{j + 1}"
    for (i, j), v in np.ndenumerate(example["dW"]):
        assert loss(X, bumped(W, i, j), G) - L0 == v, f"dL/dw_{i + 1}{j + 1}"


def test_expanded_entries_are_the_displayed_terms(example) -> None:
    q = linear.worked_example().quantities
    X, W, G = example["X"], example["W"], example["G"]
    for name, left, right, grad in (("dX", G, W, "dX"), ("dW", X.T, G.T, "dW")):
        (i, j) = q[f"{name}_entry"].entry
        expansion, rowcol = example[f"{name}_entry"], example[f"{name}_rowcol"]
        assert expansion.terms == tuple(zip(left[i - 1].tolist(), right[j - 1].tolist(), strict=False))
        assert (rowcol.row, rowcol.col) == (tuple(left[i - 1].tolist()), tuple(right[j - 1].tolist()))
        expected = sum(Fraction(a) * b for a, b in expansion.terms)
        assert expansion.total == rowcol.total == expected == example[grad][i - 1, j - 1]


def test_backward_passes_the_gradient_check() -> None:
    check_topic(linear, shapes=[((M, D), (D, N)) for M, D, N in SHAPES], domain=(-2.0, 2.0))


@pytest.mark.parametrize("M, D, N", SHAPES)
def test_forward_matches_the_index_definition_on_random_floats(M: int, D: int, N: int) -> None:
    rng = np.random.default_rng(1000 * M + 100 * D + N)
    X, W = rng.standard_normal((M, D)), rng.standard_normal((D, N))
    np.testing.assert_allclose(linear.forward(X, W), [[sum(X[m, k] * W[k, n] for k in range(D))
                                                       for n in range(N)] for m in range(M)])


@pytest.mark.parametrize(
    "args, error, message",
    [
        (([1, 2, 3], [[1]]), ValueError, "X must be 2-D, got 1-D with shape (3,)"),
        (([[1, 2]], np.ones((2, 1, 1))), ValueError, "W must be 2-D, got 3-D with shape (2, 1, 1)"),
        (([[1, 2]], [[1, 2]]), ValueError, "X has shape (1, 2) and W has shape (1, 2)"),
        (([[1]], [[1], [2]]), ValueError, "X has shape (1, 1) and W has shape (2, 1): X's 1 columns"),
        (([[1.0, np.nan]], [[1], [2]]), ValueError, "X must be finite, got X[0, 1] = nan"),
        (([[1]], [[np.inf]]), ValueError, "W must be finite, got W[0, 0] = inf"),
        (([["a", "b"]], [[1], [2]]), TypeError, "X[0, 0] is 'a' of type str; X must hold real numbers"),
        ((np.array([["a", "b"]]), [[1], [2]]), TypeError, "X must hold real numbers, got dtype <U1"),
        (([[True]], [[1]]), TypeError, "X[0, 0] is the boolean True"),
        ((np.array([[True]]), [[1]]), TypeError, "X must hold real numbers, got dtype bool"),
        (([[1 + 2j]], [[1]]), TypeError, "X[0, 0] is the complex number (1+2j)"),
        (([[Decimal("0.5")]], [[1]]), TypeError, "X[0, 0] is decimal.Decimal('0.5'); write it as a Fraction"),
        (([[Fraction(1, 2)]], [[0.5]]), TypeError, "X holds the fraction 1/2 but W holds floats"),
        (([[2**60]], [[0.5]]), ValueError, "X[0, 0] = 1152921504606846976 is too large to combine"),
        (([[1, 2], [3]], [[1]]), ValueError, "X is not a rectangular array"),
        ((np.ones((0, 2)), [[1], [2]]), ValueError, "X must not be empty, got shape (0, 2)"),
    ],
)
def test_forward_rejects_bad_input(args, error, message) -> None:
    with pytest.raises(error) as info:
        linear.forward(*args)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "G, message",
    [
        (np.ones((2, 4)), "G has shape (2, 4) but Y = X W has shape (2, 3)"),
        (np.ones((3, 2)), "G has shape (3, 2) but Y = X W has shape (2, 3)"),
        (np.ones((2, 2)), "G has shape (2, 2) but Y = X W has shape (2, 3)"),
        (np.ones(6), "G must be 2-D, got 1-D with shape (6,)"),
        (np.full((2, 3), np.nan), "G must be finite, got G[0, 0] = nan"),
    ],
)
def test_backward_rejects_a_gradient_of_the_wrong_shape(G, message) -> None:
    with pytest.raises(ValueError) as info:
        linear.backward(np.ones((2, 4)), np.ones((4, 3)), G)
    assert message in str(info.value)


@pytest.mark.parametrize("X, W, Y", [
    ([[2**62]], [[4]], [[2**64]]),
    (np.array([[100]], dtype=np.int8), np.array([[100]], dtype=np.int8), [[10_000]]),
    (np.array([[2**31 - 1]], dtype=np.int32), np.array([[2]], dtype=np.int32), [[2**32 - 2]]),
    (np.array([[2**64 - 1]], dtype=np.uint64), np.array([[2]], dtype=np.uint64), [[2**65 - 2]]),
    ([[Fraction(1, 2), 3]], [[Fraction(1, 3)], [1]], [[Fraction(19, 6)]]),
])
def test_integers_and_fractions_are_exact_never_wrapped(X, W, Y) -> None:
    """Integer inputs of any dtype and size, and Fractions, give the exact product, never a wrapped one."""
    out = linear.forward(X, W)
    assert out.tolist() == Y
    dX, dW = linear.backward(X, W, [[1]])
    assert dX.tolist() == np.array(W, dtype=object).T.tolist()
    assert dW.tolist() == np.array(X, dtype=object).T.tolist()


def test_small_integer_results_stay_int64() -> None:
    assert linear.forward([[1, 2]], [[3], [4]]).dtype == np.int64
    assert linear.forward([[2**62]], [[4]]).dtype == object


def test_against_torch_autograd() -> None:
    assert check_against_torch(linear, lambda X, W: X @ W, [((1, 1), (1, 1)), ((2, 3), (3, 4)),
                                                           ((5, 1), (1, 7)), ((16, 32), (32, 8))]) > 500


@pytest.mark.parametrize("M, D, N", [(1, 1, 1), (2, 3, 2), (3, 2, 3), (2, 3, 4), (1, 2, 5)])
def test_the_expanded_entries_are_the_last_x_and_a_middle_w(M: int, D: int, N: int) -> None:
    """dL/dx_{MD} (last row, last column) and dL/dw_{D,c} with c = ceil(N/2)."""
    X, W, G = (np.arange(1, r * c + 1).reshape(r, c) for r, c in ((M, D), (D, N), (M, N)))
    q = linear.worked_example(X, W, G).quantities
    assert q["dX_entry"].entry == q["dX_rowcol"].entry == (M, D)
    assert q["dW_entry"].entry == q["dW_rowcol"].entry == (D, -(-N // 2))


@pytest.mark.parametrize("M, D, labels", [
    (2, 3, [r"\frac{\partial L}{\partial x_{23}} = \sum_{k=1}^{4} g_{2k}\, w_{3k}",
            r"\frac{\partial L}{\partial x_{23}} = G_{2,:}\,(W^{\mathsf T})_{:,3}",
            r"\frac{\partial L}{\partial w_{32}} = \sum_{k=1}^{2} x_{k3}\, g_{k2}",
            r"\frac{\partial L}{\partial w_{32}} = (X^{\mathsf T})_{3,:}\,G_{:,2}"]),
    (10, 12, [r"\frac{\partial L}{\partial x_{10,12}} = \sum_{k=1}^{4} g_{10,k}\, w_{12,k}",
              r"\frac{\partial L}{\partial x_{10,12}} = G_{10,:}\,(W^{\mathsf T})_{:,12}",
              r"\frac{\partial L}{\partial w_{12,2}} = \sum_{k=1}^{10} x_{k,12}\, g_{k2}",
              r"\frac{\partial L}{\partial w_{12,2}} = (X^{\mathsf T})_{12,:}\,G_{:,2}"]),
])
def test_entry_labels_run_indices_together_only_while_both_are_one_digit(M: int, D: int, labels) -> None:
    X, W, G = (np.ones((r, c), dtype=int) for r, c in ((M, D), (D, 4), (M, 4)))
    q = linear.worked_example(X, W, G).quantities
    assert [q[name].lhs for name in ("dX_entry", "dX_rowcol", "dW_entry", "dW_rowcol")] == labels


def test_fractions_stay_fractions_in_every_quantity() -> None:
    half, third = Fraction(1, 2), Fraction(1, 3)
    q = linear.worked_example([[half, 1]], [[1], [third]], [[Fraction(3, 2)]]).quantities
    assert q["L"].value == Fraction(5, 4)
    assert q["dX_entry"].value.terms == ((Fraction(3, 2), third),) and q["dX_entry"].value.total == half
    assert q["dW_entry"].value.terms == ((1, Fraction(3, 2)),) and q["dW_entry"].value.total == Fraction(3, 2)
    assert q["dW_rowcol"].value.row == (1,) and type(q["dW_rowcol"].value.row[0]) is int
    assert q["Y"].value.tolist() == [[Fraction(5, 6)]]


def test_sizes_beyond_small_integers_work() -> None:
    """An inner size of 300 (sizes are compared by value, not identity)."""
    assert linear.forward(np.ones((1, 300)), np.ones((300, 1))).tolist() == [[300.0]]


def test_the_batch_and_bridge_quantities_restate_the_gradients(example) -> None:
    """Outer products per sample add up to dL/dW; row 1 of dL/dX needs row 1 of G only; PyTorch's weight
    and gradient are transposes; the column-vector quantities are the transposes of sample 1's."""
    X, W, G, dX, dW = (example[k] for k in ("X", "W", "G", "dX", "dW"))
    outers = [example[f"outer_{m}"] for m in range(1, X.shape[0] + 1)]
    assert f"outer_{X.shape[0] + 1}" not in example and "outer_0" not in example
    for m, outer in enumerate(outers):
        assert [f.tolist() for f in outer.factors] == [X[m][:, None].tolist(), G[m][None, :].tolist()]
        assert np.linalg.matrix_rank(outer.value.astype(float)) == 1
    assert (sum(o.value for o in outers) == dW).all()
    assert example["dX_row"].value.tolist() == [dX[0].tolist()]
    assert example["W_pt"].tolist() == W.T.tolist() and example["dW_pt"].tolist() == dW.T.tolist()
    assert example["col_dW"].value.tolist() == outers[0].value.T.tolist()
    assert example["col_dx"].value.tolist() == example["dX_row"].value.T.tolist()


def test_the_realistic_layer_figures() -> None:
    """The Jacobian of Y by X for the stated sizes, counted independently: one row per y_mn, one column per
    x_ij, D possibly non-zero entries per row; 4 bytes per float32."""
    q = linear.worked_example().quantities
    assert q["layer"].value.items == linear.LAYER
    M, D, N = linear.LAYER
    assert D == N != M, "the layer should have D = N, as in the shape section"
    rows, cols = len([(m, n) for m in range(M) for n in range(N)]), M * D
    assert q["jacobian_entries"].value.terms == ((rows, cols),)
    assert q["jacobian_entries"].value.total == rows * cols
    assert q["jacobian_gib"].value == Fraction(4 * rows * cols, 1024**3)
    assert q["jacobian_nonzero"].value == Fraction(1, M)
    assert (q["stored_sample"].value, q["stored_X"].value, q["stored_W"].value) == (
        Fraction(4 * D, 1024), Fraction(4 * M * D, 1024**2), Fraction(4 * D * N, 1024**2))


# Other inputs with D = N, for what the page's own could pass by coincidence.
OTHER_SQUARE = {"X": ((-1, -2, -2), (3, -2, -2)), "W": ((-1, -1, 3), (-1, -2, -1), (2, 1, -1)),
                "G": ((-2, -2, 1), (-2, 1, 2))}


@pytest.mark.parametrize("square", [None, OTHER_SQUARE])
def test_the_square_example_defeats_shape_matching(square: dict | None) -> None:
    """D = N != M: G W has the shape of G W^T and differs in every entry; G^T X has the shape of X^T G and
    differs off the diagonal only; the unit step of L reproduces the right entry, not the wrong one."""
    shown = linear.worked_example().quantities if square is None else linear._square(**square)
    q = {k: v.value for k, v in shown.items()}
    X, W, G = q["sq_X"], q["sq_W"], q["sq_G"]
    (M, D), N = X.shape, W.shape[1]
    assert D == N != M
    right, wrong = q["sq_dX"], q["sq_GW"]
    assert right.shape == wrong.shape == X.shape and (right != wrong).all()
    assert q["sq_dW"].shape == q["sq_GtX"].shape == W.shape
    assert (np.diag(q["sq_dW"]) == np.diag(q["sq_GtX"])).all()
    assert (q["sq_dW"] != q["sq_GtX"]).sum() == D * D - D
    for name in ("sq_dX", "sq_GW", "sq_dW", "sq_GtX"):
        assert (q[name] != 0).all(), name
    i, j = shown["sq_probe"].entry
    Xr, Wr, Gr = (rational(A) for A in (X, W, G))
    assert q["sq_probe"] == loss(bumped(Xr, i - 1, j - 1), Wr, Gr) - loss(Xr, Wr, Gr)
    assert q["sq_probe"] == right[i - 1, j - 1] != wrong[i - 1, j - 1]


@pytest.mark.parametrize("M, D, N", [(3, 2, 4), (4, 5, 3), (2, 3, 3)])
def test_jacobian_times_upstream_gradient_is_g_w_transposed(M: int, D: int, N: int) -> None:
    """The (MN) x (MD) Jacobian of vec(Y) by vec(X), built column by column from exact unit steps (Y is
    linear in X), is block diagonal with blocks W^T; vec(G) J folded to M x D is backward's dX."""
    rng = np.random.default_rng(100 * M + 10 * D + N)
    X, W, G = (rng.integers(-4, 5, size=s) for s in ((M, D), (D, N), (M, N)))
    Y = linear.forward(X, W)
    J = np.zeros((M * N, M * D), dtype=np.int64)
    for i in range(M):
        for j in range(D):
            E = np.zeros_like(X)
            E[i, j] = 1
            J[:, i * D + j] = (linear.forward(X + E, W) - Y).reshape(-1)
    np.testing.assert_array_equal(J, np.kron(np.eye(M, dtype=np.int64), W.T))
    assert np.count_nonzero(J) <= M * N * D
    dX, _ = linear.backward(X, W, G)
    assert (G.reshape(-1) @ J).reshape(M, D).tolist() == dX.tolist()


def test_pytorch_weight_gradient_is_g_transposed_x() -> None:
    """nn.Linear stores W^T (out x in); autograd's gradient of its weight on the page's inputs is the
    displayed G^T X, and on random float64 inputs the transpose of backward's dW."""
    torch = require_torch()
    q = linear.worked_example().quantities
    cases = [tuple(np.asarray(q[k].value, dtype=np.float64) for k in ("X", "W", "G"))]
    rng = np.random.default_rng(7)
    cases.append((rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 4))))
    for k, (X, W, G) in enumerate(cases):
        D, N = W.shape
        layer = torch.nn.Linear(D, N, bias=False, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(W.T))
        x = torch.tensor(X, requires_grad=True)
        (layer(x) * torch.tensor(G)).sum().backward()
        dX, dW = linear.backward(X, W, G)
        np.testing.assert_allclose(layer.weight.grad.numpy(), dW.T, rtol=1e-12, atol=0)
        np.testing.assert_allclose(x.grad.numpy(), dX, rtol=1e-12, atol=0)
        if k == 0:
            assert layer.weight.grad.numpy().tolist() == np.asarray(q["dW_pt"].value, dtype=float).tolist()
            assert layer.weight.detach().numpy().tolist() == np.asarray(q["W_pt"].value, dtype=float).tolist()
