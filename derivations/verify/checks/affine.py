"""Y = XW + b: every displayed result recomputed from the displayed X, W, b and G by index definitions.

``y_mn = sum_k x_mk w_kn + b_n``, ``dL/db_n = sum_m g_mn``, ``dL/dx_ij = sum_n g_in w_jn``,
``dL/dw_ij = sum_m x_mi g_mj``, and PyTorch's weight ``W_pt = W^T`` has gradient ``(dL/dW)^T``.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Mismatch, Page, subscript
from derivations.verify.exact import shape, transpose

DL = "(∂L)/(∂{})"


def check(p: Page) -> None:
    X = p.matrix("X", ["X"], "exact")
    W = p.matrix("W", ["W"], "exact")
    b = p.matrix("b", ["b"], "exact")
    G = p.matrix("G", ["G", DL.format("Y")], "exact")
    (M, D), N = shape(X), shape(W)[1]
    if shape(W)[0] != D or shape(b) != (1, N) or shape(G) != (M, N):
        raise Mismatch(f"the inputs do not fit: X {shape(X)}, W {shape(W)}, b {shape(b)}, G {shape(G)}")
    Y = [[sum((X[m][k] * W[k][n] for k in range(D)), b[0][n]) for n in range(N)] for m in range(M)]
    dX = [[sum((G[i][n] * W[j][n] for n in range(N)), Fraction(0)) for j in range(D)] for i in range(M)]
    dW = [[sum((X[m][i] * G[m][j] for m in range(M)), Fraction(0)) for j in range(N)] for i in range(D)]
    db = [[sum((G[m][n] for m in range(M)), Fraction(0)) for n in range(N)]]
    p.expect_matrix("Y", ["Y", f"XW+1_{{{M}}}b"], Y)
    L = sum((G[m][n] * Y[m][n] for m in range(M) for n in range(N)), Fraction(0))
    p.expect_scalar("L", ["L", f"∑_{{m=1}}^{{{M}}}∑_{{n=1}}^{{{N}}}g_{{mn}}y_{{mn}}"], L)
    p.expect_matrix("dX", [DL.format("X"), "GW^{T}"], dX)
    p.expect_matrix("dW", [DL.format("W"), "X^{T}G"], dW)
    p.expect_matrix("db", [DL.format("b"), f"1_{{{M}}}^{{T}}G"], db)
    _, j = p.entry("db_entry", (1, N))
    sub = subscript("m", j)
    total = p.expect_sum("db_entry", [DL.format(f"b_{{{j}}}"), f"∑_{{m=1}}^{{{M}}}g_{{{sub}}}"],
                         [G[m][j - 1] for m in range(M)], f"[1,{j}]")
    p.expect("db_entry", total, db[0][j - 1], f"[1,{j}] total against dL/db")
    p.expect_matrix("dW_torch", [DL.format("W_{pt}"), "G^{T}X"], transpose(dW))
