"""A = tanh(Z): every displayed result recomputed exactly from the displayed logarithms in Z and from G.

Each ``z = ±ln a`` has ``e^z = a^(±1)`` exactly, so ``tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z))`` is a
fraction. The derivative is recomputed as ``sech^2(z) = (2 / (e^z + e^(-z)))^2``, not from the page's
``1 - tanh^2``, and ``dL/dz_mn = g_mn tanh'(z_mn)``.
"""

from __future__ import annotations

from derivations.verify import Mismatch, Page
from derivations.verify.checks.sigmoid import _sub, exps
from derivations.verify.exact import shape

DL = "(∂L)/(∂{})"


def check(p: Page) -> None:
    Z = p.matrix("Z", ["Z"])
    G = p.matrix("G", ["G", DL.format("A")])
    M, N = shape(Z)
    if shape(G) != (M, N):
        raise Mismatch(f"G is {shape(G)[0]}x{shape(G)[1]} but Z is {M}x{N}; they must have one shape")
    E = exps(Z)
    A = [[(e - 1 / e) / (e + 1 / e) for e in row] for row in E]
    D = [[(2 / (e + 1 / e)) ** 2 for e in row] for row in E]
    dZ = [[G[m][n] * D[m][n] for n in range(N)] for m in range(M)]
    p.expect_matrix("A", ["A", "tanh(Z)"], A)
    p.expect_matrix("dA", ["tanh^{′}(Z)", "1-A⊙A"], D)
    p.expect_matrix("dZ", [DL.format("Z"), "G⊙tanh^{′}(Z)"], dZ)
    i, j = p.entry("dZ_entry", (M, N))
    s = _sub(i, j)
    total = p.expect_terms("dZ_entry", [DL.format(f"z_{{{s}}}"), f"g_{{{s}}}tanh^{{′}}(z_{{{s}}})"],
                           [(G[i - 1][j - 1], D[i - 1][j - 1])], f"[{i},{j}]")
    p.expect("dZ_entry", total, dZ[i - 1][j - 1], f"[{i},{j}] total against dL/dZ")
