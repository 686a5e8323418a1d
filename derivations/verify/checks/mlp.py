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
from derivations.verify.exact import PRECISION, Matrix, shape

PARTIAL = "(∂{})/(∂{})"


def _decimal(v: Fraction | Decimal) -> Decimal:
    if isinstance(v, Decimal):
        return v
    return Decimal(v.numerator) / Decimal(v.denominator)


def _product(A: list[list], B: list[list]) -> list[list]:
    """``A B`` by ``sum_k a_ik b_kj``; Fractions stay exact, anything with a Decimal is a Decimal."""
    decimal = any(isinstance(v, Decimal) for row in (*A, *B) for v in row)
    zero = Decimal(0) if decimal else Fraction(0)
    conv = _decimal if decimal else (lambda v: v)
    return [[sum((conv(A[i][k]) * conv(B[k][j]) for k in range(len(B))), zero) for j in range(len(B[0]))]
            for i in range(len(A))]


def _t(A: list[list]) -> list[list]:
    return [list(c) for c in zip(*A, strict=True)]


def _column_sums(A: list[list]) -> list[list]:
    return [[sum((_decimal(row[j]) for row in A), Decimal(0)) for j in range(len(A[0]))]]


def check(p: Page) -> None:
    X = p.matrix("X", ["X"], "exact")
    W1 = p.matrix("W1", ["W_{1}"], "exact")
    b1 = p.matrix("b1", ["b_{1}"], "exact")
    W2 = p.matrix("W2", ["W_{2}"], "exact")
    b2 = p.matrix("b2", ["b_{2}"], "exact")
    (M, D), (_, N), (_, K) = shape(X), shape(W1), shape(W2)
    if shape(W1)[0] != D or shape(b1) != (1, N) or shape(W2)[0] != N or shape(b2) != (1, K):
        raise Mismatch(f"the inputs do not fit: X {shape(X)}, W1 {shape(W1)}, b1 {shape(b1)}, "
                       f"W2 {shape(W2)}, b2 {shape(b2)}")
    labels = p.matrix("labels", ["y"], "exact")
    if shape(labels) != (M, 1) or any(v.denominator != 1 or not 1 <= v <= K for (v,) in labels):
        raise Mismatch(f"labels: must be a {M}x1 column of class indices 1..{K}, shows {labels}")
    y = [int(v) - 1 for (v,) in labels]
    sizes = p.numbers("sizes", ["(M,D,N,K)"])
    if len(sizes) != 4:
        raise Mismatch(f"sizes: shows {len(sizes)} numbers, (M, D, N, K) are 4")
    for name, shown, wanted in zip("MDNK", sizes, (M, D, N, K), strict=True):
        p.expect("sizes", shown, Fraction(wanted), f" {name}")
    g, d = Fraction(1), "L"
    if "G" in p.blocks:
        G = p.matrix("G", ["G", PARTIAL.format("J", "L")], "exact")
        if shape(G) != (1, 1):
            raise Mismatch(f"G: must be 1x1 (dJ/dL of the scalar L), shows {shape(G)[0]}x{shape(G)[1]}")
        g, d = G[0][0], "J"
    one = f"1_{{{M}}}"

    onehot = [[Fraction(int(k == y[m])) for k in range(K)] for m in range(M)]
    p.expect_matrix("Y", ["Y"], onehot)
    Z1 = [[sum((X[m][k] * W1[k][n] for k in range(D)), b1[0][n]) for n in range(N)] for m in range(M)]
    H = [[max(z, Fraction(0)) for z in row] for row in Z1]
    mask = [[Fraction(int(z > 0)) for z in row] for row in Z1]
    Z2 = [[sum((H[m][n] * W2[n][k] for n in range(N)), b2[0][k]) for k in range(K)] for m in range(M)]
    p.expect_matrix("Z1", ["Z_{1}", f"XW_{{1}}+{one}b_{{1}}"], Z1)
    p.expect_matrix("H", ["H", "ReLU(Z_{1})"], H)
    p.expect_matrix("Z2", ["Z_{2}", f"HW_{{2}}+{one}b_{{2}}"], Z2)
    p.expect_matrix("mask", ["ReLU^{′}(Z_{1})"], mask)

    with localcontext() as ctx:
        ctx.prec = PRECISION + 10
        E = [[_decimal(z).exp() for z in row] for row in Z2]
        S = [sum(row, Decimal(0)) for row in E]
        P = [[e / S[m] for e in E[m]] for m in range(M)]
        L = sum((S[m].ln() - _decimal(Z2[m][y[m]]) for m in range(M)), Decimal(0)) / M
        dZ2 = [[_decimal(g) * (P[m][k] - _decimal(onehot[m][k])) / M for k in range(K)] for m in range(M)]
        dW2 = _product(_t(H), dZ2)
        db2 = _column_sums(dZ2)
        dH = _product(dZ2, _t(W2))
        dZ1 = [[dH[m][n] * _decimal(mask[m][n]) for n in range(N)] for m in range(M)]
        dW1 = _product(_t(X), dZ1)
        db1 = _column_sums(dZ1)
        dX = _product(dZ1, _t(W1))

    p.expect_matrix("P", ["P", "softmax(Z_{2})"], P)
    p.expect_scalar("L", ["L", f"-(1)/({M})∑_{{m=1}}^{{{M}}}lnp_{{my_{{m}}}}"], L)

    def grad(name: str) -> str:
        return PARTIAL.format(d, name)

    scaled = "" if d == "L" else "G"
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
