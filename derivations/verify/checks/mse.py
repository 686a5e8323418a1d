"""Mean squared error: every displayed result recomputed from the displayed prediction and target.

``e_mn = yhat_mn - y_mn``; ``L = (1/MN) sum_mn e_mn^2`` (the mean over all M N entries, PyTorch's
``reduction='mean'``); ``dL/dyhat_mn = 2 e_mn / MN`` and ``dL/dy_mn = -2 e_mn / MN``; the per-batch
mean ``(1/M) sum_mn e_mn^2`` and its gradient ``2 e_mn / M`` for comparison.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Mismatch, Page
from derivations.verify.exact import shape

DL = "(∂{})/(∂{})"
HAT = "Y^{^}"


def check(p: Page) -> None:
    Yhat = p.matrix("Yhat", [HAT], "exact")
    Y = p.matrix("Y", ["Y"], "exact")
    if shape(Y) != shape(Yhat):
        raise Mismatch(f"the inputs do not fit: Yhat {shape(Yhat)}, Y {shape(Y)}")
    M, N = shape(Y)
    E = [[Yhat[m][n] - Y[m][n] for n in range(N)] for m in range(M)]
    squares = sum((e * e for row in E for e in row), Fraction(0))
    sums = f"∑_{{m=1}}^{{{M}}}∑_{{n=1}}^{{{N}}}e_{{mn}}^{{2}}"
    p.expect_matrix("E", ["E", f"{HAT}-Y"], E)
    p.expect_scalar("L", ["L", f"(1)/({M}⋅{N}){sums}"], squares / (M * N))
    p.expect_matrix("dYhat", [DL.format("L", HAT), f"(2)/({M}⋅{N})E"],
                    [[2 * e / (M * N) for e in row] for row in E])
    p.expect_matrix("dY", [DL.format("L", "Y"), "-" + DL.format("L", HAT)],
                    [[-2 * e / (M * N) for e in row] for row in E])
    p.expect_scalar("L_batch", ["L_{batch}", f"(1)/({M}){sums}"], squares / M)
    p.expect_matrix("dYhat_batch", [DL.format("L_{batch}", HAT), f"(2)/({M})E"],
                    [[2 * e / M for e in row] for row in E])
