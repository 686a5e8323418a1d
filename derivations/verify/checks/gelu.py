"""A = GELU(Z): every displayed value recomputed at 50 digits from the displayed rationals in Z and from G.

The exact form is ``GELU(z) = z Φ(z)`` with ``Φ(z) = (1 + erf(z / √2)) / 2``; the tanh approximation
is ``z (1 + tanh(√(2/π) (z + 0.044715 z^3))) / 2``. Both derivatives are recomputed by mpmath's
numerical differentiation of these definitions at high precision, not from the page's formulas;
only the two terms of the derivative written out, ``Φ(z)`` and ``z φ(z)``, are computed as named.
Every shown value must be within half a unit of its last digit of the value recomputed here.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import mpmath

from derivations.verify import Page
from derivations.verify.elementwise import inputs
from derivations.verify.elementwise import sub as _sub
from derivations.verify.exact import shape

DL = "(∂L)/(∂{})"
mp = mpmath.MPContext()
mp.dps = 70
CUBIC = mp.mpf(44715) / 1_000_000


def Phi(z: object) -> object:
    return (1 + mp.erf(z / mp.sqrt(2))) / 2


def phi(z: object) -> object:
    return mp.exp(-z**2 / 2) / mp.sqrt(2 * mp.pi)


def gelu(z: object) -> object:
    return z * Phi(z)


def gelu_tanh(z: object) -> object:
    return z * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (z + CUBIC * z**3))) / 2


def _decimal(v: object) -> Decimal:
    return Decimal(mp.nstr(v, 60))


def _mpf(z: Fraction) -> object:
    return mp.mpf(z.numerator) / z.denominator


def check(p: Page) -> None:
    Zq, G = inputs(p)
    M, N = shape(Zq)
    Z = [[_mpf(z) for z in row] for row in Zq]

    def each(f) -> list[list[object]]:
        return [[f(z) for z in row] for row in Z]

    def shown(A: list[list[object]]) -> list[list[Decimal]]:
        return [[_decimal(v) for v in row] for row in A]

    D = each(lambda z: mp.diff(gelu, z))
    Dt = each(lambda z: mp.diff(gelu_tanh, z))
    g = [[_mpf(v) for v in row] for row in G]
    p.expect_matrix("Phi", ["Φ(Z)"], shown(each(Phi)))
    p.expect_matrix("A", ["A", "Z⊙Φ(Z)"], shown(each(gelu)))
    p.expect_matrix("dA", ["GELU^{′}(Z)"], shown(D))
    i, j = p.entry("dA_entry", (M, N))
    s, z = _sub(i, j), Z[i - 1][j - 1]
    total = p.expect_sum("dA_entry", [f"GELU^{{′}}(z_{{{s}}})", f"Φ(z_{{{s}}})+z_{{{s}}}φ(z_{{{s}}})"],
                         [_decimal(Phi(z)), _decimal(z * phi(z))], f"[{i},{j}]")
    p.expect("dA_entry", total, _decimal(D[i - 1][j - 1]), f"[{i},{j}] total against GELU'(Z)")
    p.expect_matrix("dZ", [DL.format("Z"), "G⊙GELU^{′}(Z)"],
                    shown([[g[m][n] * D[m][n] for n in range(N)] for m in range(M)]))
    p.expect_matrix("A_tanh", ["GELU_{tanh}(Z)"], shown(each(gelu_tanh)))
    p.expect_matrix("dA_tanh", ["GELU_{tanh}^{′}(Z)"], shown(Dt))
    p.expect_matrix("dZ_tanh", ["G⊙GELU_{tanh}^{′}(Z)"],
                    shown([[g[m][n] * Dt[m][n] for n in range(N)] for m in range(M)]))
