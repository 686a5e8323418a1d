"""Softmax cross-entropy: every displayed result recomputed from the displayed logits and labels.

With ``a_mk = e^{z_mk}`` (each logit is displayed as ``ln a_mk``): ``c_m = ln max_k a_mk``,
``s_m = sum_k a_mk / max_k a_mk``, ``lse_m = ln sum_k a_mk``, ``p_mk = a_mk / sum_k a_mk``,
``l_m = -ln p_{m, y_m}`` for one-based labels ``y_m``, ``L = (1/M) sum_m l_m``,
``dl_m/dz_mj = sum_k (dl_m/dp_mk)(dp_mk/dz_mj)`` with ``dl_m/dp_mk = -1/p_mk`` for ``k = y_m`` (else 0)
and ``dp_mk/dz_mj = p_mk ([k = j] - p_mj)``, and ``dL/dz_mk = (p_mk - [k = y_m]) / M``.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from derivations.verify import Mismatch, Page, html, subscript
from derivations.verify.exact import PRECISION, ln, shape

DL = "(∂{})/(∂{})"


def check(p: Page) -> None:
    Z = p.matrix("Z", ["Z"], "log")
    M, K = shape(Z)
    A = [[z.power() for z in row] for row in Z]
    labels = p.matrix("labels", ["y"], "exact")
    if shape(labels) != (M, 1) or any(v.denominator != 1 or not 1 <= v <= K for (v,) in labels):
        raise Mismatch(f"labels: must be a {M}x1 column of class indices 1..{K}, shows {labels}")
    y = [int(v) - 1 for (v,) in labels]
    one_hot = [[Fraction(int(k == y[m])) for k in range(K)] for m in range(M)]
    top = [max(row) for row in A]
    total = [sum(row, Fraction(0)) for row in A]
    P = [[a / total[m] for a in A[m]] for m in range(M)]
    one = f"1_{{{K}}}"
    p.expect_matrix("Y", ["Y"], one_hot)
    p.expect_matrix("c", ["c"], [[html.Ln(t)] for t in top])
    p.expect_matrix("Z_shifted", [f"Z-c{one}^{{T}}"], [[html.Ln(a / top[m]) for a in A[m]] for m in range(M)])
    p.expect_matrix("s", ["s", f"exp(Z-c{one}^{{T}}){one}"], [[t / top[m]] for m, t in enumerate(total)])
    p.expect_matrix("lse", ["lse(Z)", "c+lns"], [[html.Ln(t)] for t in total])
    p.expect_matrix("log_P", ["lnP", f"Z-lse(Z){one}^{{T}}"], [[html.Ln(v) for v in row] for row in P])
    p.expect_matrix("P", ["P", "softmax(Z)"], P)
    p.expect_matrix("ell", ["l", f"-(Y⊙lnP){one}"], [[html.Ln(1 / P[m][y[m]])] for m in range(M)])
    with localcontext() as ctx:
        ctx.prec = PRECISION
        L = -sum((ln(P[m][y[m]]) for m in range(M)), Decimal(0)) / M
    p.expect_scalar("L", ["L", f"(1)/({M})∑_{{m=1}}^{{{M}}}l_{{m}}"], L)
    _, j = p.entry("dl_entry", (1, K))
    sub = subscript(1, j)
    pairs = [(-1 / P[0][k] if k == y[0] else Fraction(0), P[0][k] * (int(k == j - 1) - P[0][j - 1]))
             for k in range(K)]
    total_shown = p.expect_terms("dl_entry", [DL.format("l_{1}", f"z_{{{sub}}}"),
                                              f"∑_{{k=1}}^{{{K}}}(∂l_{{1}})/(∂p_{{1k}})(∂p_{{1k}})/(∂z_{{{sub}}})"],
                                 pairs, f"[1,{j}]")
    p.expect("dl_entry", total_shown, P[0][j - 1] - one_hot[0][j - 1], f"[1,{j}] total against p - y")
    p.expect_matrix("dZ", [DL.format("L", "Z"), f"(1)/({M})(P-Y)"],
                    [[(P[m][k] - one_hot[m][k]) / M for k in range(K)] for m in range(M)])
