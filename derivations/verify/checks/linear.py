"""Y = XW: every displayed result recomputed from the displayed X, W and G by its index definition.

``y_mn = sum_k x_mk w_kn``, ``L = sum_mn g_mn y_mn``, ``dL/dx_ij = sum_n g_in w_jn`` and
``dL/dw_ij = sum_m x_mi g_mj``, written out here as sums rather than as the page's matrix
products, so a wrong transpose on the page cannot be repeated here.

The page's later sections are checked when it shows them: the per-sample outer products and row 1 of
``dL/dX`` (from the same X, W, G); the size of the Jacobian ``dY/dX`` and what the backward pass stores,
from the displayed sizes ``(M, D, N)`` and 4 bytes per float32; the example with ``D = N`` from its own
displayed inputs, including the exact change of ``L`` when one entry of ``X`` grows by 1; and the
bridges: PyTorch's weight ``W^T`` with gradient ``(dL/dw_ji)``, and the column-vector convention for
sample 1.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Mismatch, Page
from derivations.verify import subscript as _sub
from derivations.verify.exact import Matrix, shape, transpose

DL = "(∂L)/(∂{})"
FLOAT32_BYTES = 4


def check(p: Page) -> None:
    X = p.matrix("X", ["X"], "exact")
    W = p.matrix("W", ["W"], "exact")
    G = p.matrix("G", ["G", DL.format("Y")], "exact")
    (M, D), N = shape(X), shape(W)[1]
    if shape(W)[0] != D or shape(G) != (M, N):
        p.lhs("X", ["X"])
        p.expect("X", Fraction(D), Fraction(shape(W)[0]), " columns (W's rows)")
        return
    Y = [[sum((X[m][k] * W[k][n] for k in range(D)), Fraction(0)) for n in range(N)] for m in range(M)]
    dX = [[sum((G[i][n] * W[j][n] for n in range(N)), Fraction(0)) for j in range(D)] for i in range(M)]
    dW = [[sum((X[m][i] * G[m][j] for m in range(M)), Fraction(0)) for j in range(N)] for i in range(D)]
    p.expect_matrix("Y", ["Y", "XW"], Y)
    L = sum((G[m][n] * Y[m][n] for m in range(M) for n in range(N)), Fraction(0))
    p.expect_scalar("L", ["L", f"∑_{{m=1}}^{{{M}}}∑_{{n=1}}^{{{N}}}g_{{mn}}y_{{mn}}"], L)
    p.expect_matrix("dX", [DL.format("X"), "GW^{T}"], dX)
    p.expect_matrix("dW", [DL.format("W"), "X^{T}G"], dW)

    i, j = p.entry("dX_entry", (M, D))
    label = DL.format(f"x_{{{_sub(i, j)}}}")
    pairs = [(G[i - 1][n], W[j - 1][n]) for n in range(N)]
    total = p.expect_terms("dX_entry", [label, f"∑_{{k=1}}^{{{N}}}g_{{{_sub(i, 'k')}}}w_{{{_sub(j, 'k')}}}"],
                           pairs, f"[{i},{j}]")
    p.expect("dX_entry", total, dX[i - 1][j - 1], f"[{i},{j}] total against dL/dX")
    i, j = p.entry("dX_rowcol", (M, D))
    p.expect_rowcol("dX_rowcol", [DL.format(f"x_{{{_sub(i, j)}}}"), f"G_{{{i},:}}(W^{{T}})_{{:,{j}}}"],
                    [G[i - 1][n] for n in range(N)], [W[j - 1][n] for n in range(N)], f"[{i},{j}]")

    i, j = p.entry("dW_entry", (D, N))
    pairs = [(X[m][i - 1], G[m][j - 1]) for m in range(M)]
    total = p.expect_terms("dW_entry", [DL.format(f"w_{{{_sub(i, j)}}}"),
                                        f"∑_{{k=1}}^{{{M}}}x_{{{_sub('k', i)}}}g_{{{_sub('k', j)}}}"],
                           pairs, f"[{i},{j}]")
    p.expect("dW_entry", total, dW[i - 1][j - 1], f"[{i},{j}] total against dL/dW")
    i, j = p.entry("dW_rowcol", (D, N))
    p.expect_rowcol("dW_rowcol", [DL.format(f"w_{{{_sub(i, j)}}}"), f"(X^{{T}})_{{{i},:}}G_{{:,{j}}}"],
                    [X[m][i - 1] for m in range(M)], [G[m][j - 1] for m in range(M)], f"[{i},{j}]")

    if "outer_1" in p.blocks:
        for m in range(1, M + 1):
            p.expect_product(f"outer_{m}", [f"(X_{{{m},:}})^{{T}}G_{{{m},:}}"],
                             [_column(X[m - 1]), [G[m - 1]]])
        p.expect_product("dX_row", [DL.format("X_{1,:}"), "G_{1,:}W^{T}"], [[G[0]], transpose(W)])
    if "layer" in p.blocks:
        _layer(p)
    if "sq_X" in p.blocks:
        _square(p)
    if "W_pt" in p.blocks:
        p.expect_matrix("W_pt", ["W_{pt}", "W^{T}"], [[W[j][i] for j in range(D)] for i in range(N)])
        # PyTorch's weight holds w_ji at (i, j), so its gradient holds dL/dw_ji = sum_m x_mj g_mi there.
        p.expect_matrix("dW_pt", [DL.format("W_{pt}"), "G^{T}X"],
                        [[dW[j][i] for j in range(D)] for i in range(N)])
        p.expect_product("col_dW", ["δx^{T}", "(G_{1,:})^{T}X_{1,:}"], [_column(G[0]), [X[0]]])
        p.expect_product("col_dx", ["Wδ", "W(G_{1,:})^{T}"], [W, _column(G[0])])


def _column(row: list[Fraction]) -> Matrix:
    return [[v] for v in row]


def _layer(p: Page) -> None:
    """The Jacobian dY/dX has one row per y_mn and one column per x_ij; y_mn depends on x_ij only for
    i = m, so at most D entries of each row are not 0."""
    sizes = p.numbers("layer", ["(M,D,N)"])
    if len(sizes) != 3 or any(v.denominator != 1 or v < 1 for v in sizes):
        raise Mismatch(f"layer: (M, D, N) must be three positive integers, shows {sizes}")
    M, D, N = sizes
    rows, cols, B = M * N, M * D, FLOAT32_BYTES
    p.expect_terms("jacobian_entries", ["MN⋅MD"], [(rows, cols)], "")
    p.expect_scalar("jacobian_gib", [f"({B}⋅MN⋅MD)/(2^{{30}})"], rows * cols * B / Fraction(2**30))
    p.expect_scalar("jacobian_nonzero", ["(MN⋅D)/(MN⋅MD)"], rows * D / Fraction(rows * cols))
    p.expect_scalar("stored_sample", [f"({B}D)/(2^{{10}})"], B * D / Fraction(2**10))
    p.expect_scalar("stored_X", [f"({B}MD)/(2^{{20}})"], B * M * D / Fraction(2**20))
    p.expect_scalar("stored_W", [f"({B}DN)/(2^{{20}})"], B * D * N / Fraction(2**20))


def _square(p: Page) -> None:
    """Inputs with D = N: the right gradients, the wrong products of the same shapes, and the exact change
    of L = sum g_mn y_mn when one entry of X grows by 1."""
    X = p.matrix("sq_X", ["X"], "exact")
    W = p.matrix("sq_W", ["W"], "exact")
    G = p.matrix("sq_G", ["G", DL.format("Y")], "exact")
    (M, D), N = shape(X), shape(W)[1]
    if shape(W) != (D, D) or shape(G) != (M, N):
        raise Mismatch(f"sq_W: the example needs D = N: X {shape(X)}, W {shape(W)}, G {shape(G)}")

    def total(terms) -> Fraction:
        return sum(terms, Fraction(0))

    def loss(A: Matrix) -> Fraction:
        return total(G[m][n] * A[m][k] * W[k][n] for m in range(M) for n in range(N) for k in range(D))

    p.expect_matrix("sq_dX", [DL.format("X"), "GW^{T}"],
                    [[total(G[i][n] * W[j][n] for n in range(N)) for j in range(D)] for i in range(M)])
    p.expect_matrix("sq_GW", ["GW"],
                    [[total(G[i][k] * W[k][j] for k in range(N)) for j in range(N)] for i in range(M)])
    i, j = p.entry("sq_probe", (M, D))
    bumped = [[X[m][k] + (m == i - 1 and k == j - 1) for k in range(D)] for m in range(M)]
    p.expect_scalar("sq_probe", [f"L(X+E_{{{_sub(i, j)}}})-L(X)"], loss(bumped) - loss(X))
    p.expect_matrix("sq_dW", [DL.format("W"), "X^{T}G"],
                    [[total(X[m][i] * G[m][j] for m in range(M)) for j in range(N)] for i in range(D)])
    p.expect_matrix("sq_GtX", ["G^{T}X"],
                    [[total(G[m][i] * X[m][j] for m in range(M)) for j in range(D)] for i in range(N)])
