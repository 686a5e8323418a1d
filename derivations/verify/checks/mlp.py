"""Two-layer MLP: every displayed result recomputed from the displayed X, W1, b1, W2, b2 and labels.

Forward by index definitions: ``z1_mn = sum_k x_mk w1_kn + b1_n``, ``h_mn = max(z1_mn, 0)``,
``z2_mk = sum_n h_mn w2_nk + b2_k`` (all exact), ``p_mk = e^{z2_mk} / sum_j e^{z2_mj}`` and
``L = (1/M) sum_m (ln sum_k e^{z2_mk} - z2_{m, y_m})`` at 50 digits. Backward, at 50 digits from those
``p_mk`` (never from the rounded values shown): ``dz2_mk = g (p_mk - [k = y_m]) / M``,
``dw2_nk = sum_m h_mn dz2_mk``, ``db2_k = sum_m dz2_mk``, ``dh_mn = sum_k dz2_mk w2_nk``,
``dz1_mn = dh_mn [z1_mn > 0]``, ``dw1_kn = sum_m x_mk dz1_mn``, ``db1_n = sum_m dz1_mn``,
``dx_mk = sum_n dz1_mn w1_kn``. ``g`` is the displayed ``G = dJ/dL`` when the page shows one, else 1.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from derivations.verify import Mismatch, Page
from derivations.verify.exact import PRECISION, Matrix, decimal, matmul, shape, transpose

PARTIAL = "(∂{})/(∂{})"


def _decimals(A: Matrix) -> list[list[Decimal]]:
    return [[decimal(v) for v in row] for row in A]


def check(p: Page) -> None:
    X = p.matrix("X", ["X"], "exact")
    W1 = p.matrix("W1", ["W_{1}"], "exact")
    b1 = p.matrix("b1", ["b_{1}"], "exact")
    W2 = p.matrix("W2", ["W_{2}"], "exact")
    b2 = p.matrix("b2", ["b_{2}"], "exact")
    (M, D), (D_W1, N), (N_W2, K) = shape(X), shape(W1), shape(W2)
    if (D_W1, N_W2) != (D, N) or shape(b1) != (1, N) or shape(b2) != (1, K):
        raise Mismatch(f"the inputs do not fit: X {shape(X)}, W1 {shape(W1)}, b1 {shape(b1)}, "
                       f"W2 {shape(W2)}, b2 {shape(b2)}")
    (b1_row,), (b2_row,) = b1, b2
    labels = p.matrix("labels", ["y"], "exact")
    if shape(labels) != (M, 1) or any(v not in range(1, K + 1) for (v,) in labels):
        raise Mismatch(f"labels: must be a {M}x1 column of class indices 1..{K}, shows {labels}")
    y = [int(v) - 1 for (v,) in labels]
    sizes = p.numbers("sizes", ["(M,D,N,K)"])
    if len(sizes) != 4:
        raise Mismatch(f"sizes: shows {len(sizes)} numbers, (M, D, N, K) are 4")
    for j, name in enumerate("MDNK"):
        p.expect("sizes", sizes[j], Fraction((M, D, N, K)[j]), f" {name}")
    g, d, scaled = Fraction(1), "L", ""
    if "G" in p.blocks:
        G = p.matrix("G", ["G", PARTIAL.format("J", "L")], "exact")
        try:
            ((g,),) = G
        except ValueError:
            raise Mismatch(f"G: must be 1x1 (dJ/dL of the scalar L), shows {shape(G)[0]}x{shape(G)[1]}"
                           ) from None
        d, scaled = "J", "G"
    one = f"1_{{{M}}}"

    Y = [[Fraction(0)] * K for _ in range(M)]
    for m in range(M):
        Y[m][y[m]] = Fraction(1)
    p.expect_matrix("Y", ["Y"], Y)
    Z1 = [[sum((X[m][k] * W1[k][n] for k in range(D)), b1_row[n]) for n in range(N)] for m in range(M)]
    H = [[max(z, Fraction(0)) for z in row] for row in Z1]
    mask = [[Fraction(int(z > 0)) for z in row] for row in Z1]
    Z2 = [[sum((H[m][n] * W2[n][k] for n in range(N)), b2_row[k]) for k in range(K)] for m in range(M)]
    p.expect_matrix("Z1", ["Z_{1}", f"XW_{{1}}+{one}b_{{1}}"], Z1)
    p.expect_matrix("H", ["H", "ReLU(Z_{1})"], H)
    p.expect_matrix("Z2", ["Z_{2}", f"HW_{{2}}+{one}b_{{2}}"], Z2)
    p.expect_matrix("mask", ["ReLU^{′}(Z_{1})"], mask)

    with localcontext() as ctx:
        ctx.prec = PRECISION
        E = [[decimal(z).exp() for z in row] for row in Z2]
        S = [sum(row, Decimal(0)) for row in E]
        P = [[e / S[m] for e in E[m]] for m in range(M)]
        L = sum((S[m].ln() - decimal(Z2[m][y[m]]) for m in range(M)), Decimal(0)) / M
        dZ2 = [[decimal(g) * (P[m][k] - decimal(Y[m][k])) / M for k in range(K)] for m in range(M)]
        ones = [[Decimal(1)] * M]
        dW2 = matmul(transpose(_decimals(H)), dZ2)
        db2 = matmul(ones, dZ2)
        dH = matmul(dZ2, transpose(_decimals(W2)))
        dZ1 = [[dH[m][n] * decimal(mask[m][n]) for n in range(N)] for m in range(M)]
        dW1 = matmul(transpose(_decimals(X)), dZ1)
        db1 = matmul(ones, dZ1)
        dX = matmul(dZ1, transpose(_decimals(W1)))

    p.expect_matrix("P", ["P", "softmax(Z_{2})"], P)
    p.expect_scalar("L", ["L", f"-(1)/({M})∑_{{m=1}}^{{{M}}}lnp_{{my_{{m}}}}"], L)

    def grad(name: str) -> str:
        return PARTIAL.format(d, name)

    expected: list[tuple[str, list[str], Matrix]] = [
        ("dZ2", [grad("Z_{2}"), f"{scaled}(1)/({M})(P-Y)"], dZ2),
        ("dW2", [grad("W_{2}"), f"H^{{T}}{grad('Z_{2}')}"], dW2),
        ("db2", [grad("b_{2}"), f"{one}^{{T}}{grad('Z_{2}')}"], db2),
        ("dH", [grad("H"), f"{grad('Z_{2}')}W_{{2}}^{{T}}"], dH),
        ("dZ1", [grad("Z_{1}"), f"{grad('H')}⊙ReLU^{{′}}(Z_{{1}})"], dZ1),
        ("dW1", [grad("W_{1}"), f"X^{{T}}{grad('Z_{1}')}"], dW1),
        ("db1", [grad("b_{1}"), f"{one}^{{T}}{grad('Z_{1}')}"], db1),
        ("dX", [grad("X"), f"{grad('Z_{1}')}W_{{1}}^{{T}}"], dX),
    ]
    for quantity, lhs, wanted in expected:
        p.expect_matrix(quantity, lhs, wanted)
