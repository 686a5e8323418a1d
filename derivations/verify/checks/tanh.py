"""A = tanh(Z): every displayed result recomputed exactly from the displayed logarithms in Z and from G.

Each ``z = ±ln a`` has ``e^z = a^(±1)`` exactly, so ``tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z))`` is a
fraction. The derivative is recomputed as ``sech^2(z) = (2 / (e^z + e^(-z)))^2``, not from the page's
``1 - tanh^2``, and ``dL/dz_mn = g_mn tanh'(z_mn)``.
"""

from __future__ import annotations

from derivations.verify import Page
from derivations.verify.checks.sigmoid import exps
from derivations.verify.elementwise import expect_chain, inputs


def check(p: Page) -> None:
    Z, G = inputs(p, "log")
    E = exps(Z)
    A = [[(e - 1 / e) / (e + 1 / e) for e in row] for row in E]
    D = [[(2 / (e + 1 / e)) ** 2 for e in row] for row in E]
    p.expect_matrix("A", ["A", "tanh(Z)"], A)
    p.expect_matrix("dA", ["tanh^{′}(Z)", "1-A⊙A"], D)
    expect_chain(p, "tanh", G, D)
