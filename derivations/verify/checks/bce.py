"""Binary cross-entropy from logits: every displayed result recomputed from the displayed z and y.

With ``a_m = e^{z_m}`` (each logit is displayed as ``ln a_m``): ``sigma(z_m) = a_m / (1 + a_m)``,
``max(z_m, 0) = ln max(a_m, 1)``, ``ln(1 + e^{-|z_m|}) = ln(1 + min(a_m, 1/a_m))``; each loss from the
definition ``l_m = -y_m ln sigma(z_m) - (1 - y_m) ln(1 - sigma(z_m))`` (not from the stable form the
page displays, so the two are compared), ``L = (1/M) sum_m l_m``, ``dL/dz_m = (sigma(z_m) - y_m) / M``.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from derivations.verify import Mismatch, Page, html
from derivations.verify.exact import PRECISION, ln, shape

DL = "(∂{})/(∂{})"
SIGMA = "\N{GREEK SMALL LETTER SIGMA}(z)"
SOFT = "ln(1+e^{-|z|})"


def check(p: Page) -> None:
    z = p.matrix("z", ["z"], "log")
    if shape(z)[1] != 1:
        raise Mismatch(f"z: must be a column, shows {shape(z)[0]}x{shape(z)[1]}")
    M = len(z)
    a = [v.power() for (v,) in z]
    Y = p.matrix("y", ["y"], "exact")
    if shape(Y) != (M, 1) or not all(0 <= v <= 1 for (v,) in Y):
        raise Mismatch(f"y: must be a {M}x1 column of targets in [0, 1], shows {Y}")
    y = [v for (v,) in Y]
    sigma = [v / (1 + v) for v in a]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ell = [-_times(y[m], sigma[m]) - _times(1 - y[m], 1 - sigma[m]) for m in range(M)]
        L = sum(ell, Decimal(0)) / M
    p.expect_matrix("sigma", [SIGMA], [[s] for s in sigma])
    p.expect_matrix("relu", ["max(z,0)"], [[html.Ln(max(v, Fraction(1)))] for v in a])
    p.expect_matrix("soft", [SOFT], [[html.Ln(1 + min(v, 1 / v))] for v in a])
    p.expect_matrix("ell", ["l", f"max(z,0)-z⊙y+{SOFT}"], [[v] for v in ell])
    p.expect_scalar("L", ["L", f"(1)/({M})∑_{{m=1}}^{{{M}}}l_{{m}}"], L)
    p.expect_matrix("dz", [DL.format("L", "z"), f"(1)/({M})({SIGMA}-y)"],
                    [[(sigma[m] - y[m]) / M] for m in range(M)])


def _times(w: Fraction, q: Fraction) -> Decimal:
    """``w ln q``, with ``0 ln q = 0`` (a hard target drops one of the two terms)."""
    return ln(q) * w.numerator / w.denominator if w else Decimal(0)
