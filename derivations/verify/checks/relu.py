"""A = ReLU(Z): every displayed result recomputed from the displayed Z and G by its definition.

``a_mn = max(z_mn, 0)``. Its derivative is 1 for ``z > 0`` and 0 for ``z < 0``; at ``z = 0``, where
ReLU has no derivative, the site (like PyTorch) uses 0. The Jacobian is built here from what each
``a_mn`` depends on (only ``z_mn``), with entries of ``A`` and ``Z`` numbered row by row, and the
chain rule ``dL/dz_ij = sum_mn g_mn da_mn/dz_ij`` is ``vec(G)^T`` times column ``ij`` of it.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Page
from derivations.verify.elementwise import DL, expect_chain, inputs, sub
from derivations.verify.exact import shape


def _slope(z: Fraction) -> Fraction:
    return Fraction(1) if z > 0 else Fraction(0)


def check(p: Page) -> None:
    Z, G = inputs(p)
    M, N = shape(Z)
    cells = [(m, n) for m in range(M) for n in range(N)]  # row by row: the numbering of vec
    J = [[_slope(Z[m][n]) if (m, n) == (i, j) else Fraction(0) for (i, j) in cells] for (m, n) in cells]
    D = [[_slope(z) for z in row] for row in Z]

    p.expect_matrix("A", ["A", "ReLU(Z)"], [[max(z, Fraction(0)) for z in row] for row in Z])
    p.expect_matrix("J", ["J", "(∂vecA)/(∂vecZ)"], J)
    i, j = p.entry("dZ_sum", (M, N))
    q = cells.index((i - 1, j - 1))
    p.expect_rowcol("dZ_sum", [DL.format(f"z_{{{sub(i, j)}}}"), f"(vecG)^{{T}}J_{{:,{q + 1}}}"],
                    [G[m][n] for (m, n) in cells], [J[k][q] for k in range(len(cells))], f"[{i},{j}]")
    p.expect_matrix("dA", ["ReLU^{′}(Z)"], D)
    expect_chain(p, "ReLU", G, D)
