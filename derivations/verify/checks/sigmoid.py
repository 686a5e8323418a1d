"""A = σ(Z): every displayed result recomputed exactly from the displayed logarithms in Z and from G.

Each ``z = ±ln a`` has ``e^z = a^(±1)`` exactly, so ``σ(z) = 1 / (1 + e^(-z))`` is a fraction. The
derivative is recomputed from the quotient rule, ``σ'(z) = e^(-z) / (1 + e^(-z))^2``, not from the
page's ``σ (1 - σ)``, and ``dL/dz_mn = g_mn σ'(z_mn)``.
"""

from __future__ import annotations

from fractions import Fraction

from derivations.verify import Page
from derivations.verify.elementwise import expect_chain, inputs
from derivations.verify.exact import exp


def exps(Z: list[list[object]]) -> list[list[Fraction]]:
    """``e^z`` of every displayed ``z = ±ln a``, exactly."""
    return [[exp(z) for z in row] for row in Z]


def check(p: Page) -> None:
    Z, G = inputs(p, "log")
    E = [[1 / e for e in row] for row in exps(Z)]  # e^(-z)
    A = [[1 / (1 + e) for e in row] for row in E]
    D = [[e / (1 + e) ** 2 for e in row] for row in E]
    p.expect_matrix("A", ["A", "σ(Z)"], A)
    p.expect_matrix("dA", ["σ^{′}(Z)", "A⊙(1-A)"], D)
    expect_chain(p, "σ", G, D)
