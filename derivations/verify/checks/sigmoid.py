"""A = σ(Z): every displayed result recomputed exactly from the displayed logarithms in Z and from G.

Each ``z = ±ln a`` has ``e^z = a^(±1)`` exactly, so ``σ(z) = 1 / (1 + e^(-z))`` is a fraction. The
derivative is recomputed from the quotient rule, ``σ'(z) = e^(-z) / (1 + e^(-z))^2``, not from the
page's ``σ (1 - σ)``, and ``dL/dz_mn = g_mn σ'(z_mn)``.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Mismatch, Page
from derivations.verify.exact import exp, shape

DL = "(∂L)/(∂{})"


def _sub(i: int, j: int) -> str:
    return f"{i}{j}" if i < 10 and j < 10 else f"{i},{j}"


def exps(Z: list[list[object]]) -> list[list[Fraction]]:
    """``e^z`` of every displayed ``z = ±ln a``, exactly."""
    try:
        return [[exp(z) for z in row] for row in Z]
    except TypeError as err:
        raise Mismatch(f"Z: {err}") from None


def check(p: Page) -> None:
    Z = p.matrix("Z", ["Z"])
    G = p.matrix("G", ["G", DL.format("A")])
    M, N = shape(Z)
    if shape(G) != (M, N):
        raise Mismatch(f"G is {shape(G)[0]}x{shape(G)[1]} but Z is {M}x{N}; they must have one shape")
    E = [[1 / e for e in row] for row in exps(Z)]  # e^(-z)
    A = [[1 / (1 + e) for e in row] for row in E]
    D = [[e / (1 + e) ** 2 for e in row] for row in E]
    dZ = [[G[m][n] * D[m][n] for n in range(N)] for m in range(M)]
    p.expect_matrix("A", ["A", "σ(Z)"], A)
    p.expect_matrix("dA", ["σ^{′}(Z)", "A⊙(1-A)"], D)
    p.expect_matrix("dZ", [DL.format("Z"), "G⊙σ^{′}(Z)"], dZ)
    i, j = p.entry("dZ_entry", (M, N))
    s = _sub(i, j)
    total = p.expect_terms("dZ_entry", [DL.format(f"z_{{{s}}}"), f"g_{{{s}}}σ^{{′}}(z_{{{s}}})"],
                           [(G[i - 1][j - 1], D[i - 1][j - 1])], f"[{i},{j}]")
    p.expect("dZ_entry", total, dZ[i - 1][j - 1], f"[{i},{j}] total against dL/dZ")
