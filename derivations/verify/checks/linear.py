"""Y = XW: every displayed result recomputed from the displayed X, W and G by its index definition.

``y_mn = sum_k x_mk w_kn``, ``L = sum_mn g_mn y_mn``, ``dL/dx_ij = sum_n g_in w_jn`` and
``dL/dw_ij = sum_m x_mi g_mj``, written out here as sums rather than as the page's matrix
products, so a wrong transpose on the page cannot be repeated here.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Page
from derivations.verify.exact import shape

DL = "(∂L)/(∂{})"


def _sub(i: int | str, j: int | str) -> str:
    i, j = str(i), str(j)
    return f"{i}{j}" if len(i) == len(j) == 1 else f"{i},{j}"


def check(p: Page) -> None:
    X = p.matrix("X", ["X"])
    W = p.matrix("W", ["W"])
    G = p.matrix("G", ["G", DL.format("Y")])
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
