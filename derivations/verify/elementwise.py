"""What the checks of the element-wise activations share: their inputs Z and G = dL/dA, and the chain
``dL/dZ = G ⊙ f'(Z)`` with one entry written out. Each topic's check computes ``f`` and ``f'`` itself."""

from __future__ import annotations

from derivations.verify import Mismatch, Page
from derivations.verify import subscript as sub
from derivations.verify.exact import Matrix, shape

DL = "(∂L)/(∂{})"


def inputs(p: Page, kind: str = "exact") -> tuple[Matrix, Matrix]:
    """The displayed ``Z`` (of ``kind``, exact or logarithms) and the exact ``G``, of one shape."""
    Z = p.matrix("Z", ["Z"], kind)
    G = p.matrix("G", ["G", DL.format("A")], "exact")
    (M, N) = shape(Z)
    if shape(G) != (M, N):
        raise Mismatch(f"G is {shape(G)[0]}x{shape(G)[1]} but Z is {M}x{N}; they must have one shape")
    return Z, G


def expect_chain(p: Page, f: str, G: Matrix, D: Matrix) -> None:
    """``dL/dZ = G ⊙ f'(Z)`` from the recomputed slopes ``D``, and its one expanded entry."""
    M, N = shape(G)
    dZ = [[G[m][n] * D[m][n] for n in range(N)] for m in range(M)]
    p.expect_matrix("dZ", [DL.format("Z"), f"G⊙{f}^{{′}}(Z)"], dZ)
    i, j = p.entry("dZ_entry", (M, N))
    s = sub(i, j)
    total = p.expect_terms("dZ_entry", [DL.format(f"z_{{{s}}}"), f"g_{{{s}}}{f}^{{′}}(z_{{{s}}})"],
                           [(G[i - 1][j - 1], D[i - 1][j - 1])], f"[{i},{j}]")
    p.expect("dZ_entry", total, dZ[i - 1][j - 1], f"[{i},{j}] total against dL/dZ")
