"""Symbolic checks of every displayed derivation step of the tanh page, ``A = tanh(Z)``.

The ground truth is built here from ``a_mn = (e^z - e^-z) / (e^z + e^-z)`` at ``z = z_mn`` with plain
symbols, and an undefined ``L`` of all ``a_mn`` whose derivatives are renamed ``g_mn``. The exact-value
step ``tanh(ln r) = (r^2 - 1) / (r^2 + 1)`` is checked for a positive symbol ``r``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Loss, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite, rename_loss_derivatives

Sizes = tuple[int, int]
R = sp.Symbol("r", positive=True)

SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"),),
    forward=(Output("A", "a", lambda Z: Z.applyfunc(sp.tanh)),),
    variables=("Z",),
    loss=Loss("L", of="A", gradient=Matrix("G", "g", "M", "N")),
    constants={"r": R},
)
SECTIONS = {"zh": ("## 求 tanh′", "## 精确的数值例子"),
            "en": ("## Finding tanh′", "## An exact worked example")}
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 2))


@dataclass(frozen=True)
class Truth:
    da_dz: dict[tuple[int, int], sp.Expr]
    dL_dz: dict[tuple[int, int], sp.Expr]
    dL_dZ: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, N = sizes
    cells = [(m, n) for m in range(1, M + 1) for n in range(1, N + 1)]
    z = {c: sp.Symbol(f"z_{c[0]}_{c[1]}") for c in cells}
    g = {c: sp.Symbol(f"g_{c[0]}_{c[1]}") for c in cells}
    a = {c: (sp.exp(z[c]) - sp.exp(-z[c])) / (sp.exp(z[c]) + sp.exp(-z[c])) for c in cells}
    loss = sp.Function("L")(*a.values())
    dL_dz = {c: rename_loss_derivatives(sp.diff(loss, z[c]), a, g) for c in cells}
    return Truth(
        da_dz={c: sp.diff(a[c], z[c]) for c in cells},
        dL_dz=dL_dz,
        dL_dZ=sp.ImmutableMatrix(M, N, lambda i, j: dL_dz[i + 1, j + 1]),
    )


IJ = (("i", full("M")), ("j", full("N")))
CHECKS: dict[str, Check] = {
    "tanh.chain": Check(IJ, lambda t, e: t.dL_dz[e["i"], e["j"]]),
    "tanh.quotient": Check(IJ, lambda t, e: t.da_dz[e["i"], e["j"]]),
    "tanh.result": Check(IJ, lambda t, e: t.da_dz[e["i"], e["j"]]),
    "tanh.matrix_form": Check((), lambda t, e: t.dL_dZ),
    "tanh.log": Check((), lambda t, e: (R**2 - 1) / (R**2 + 1)),
}

DENOMINATOR = r"{(\exp(z_{ij}) + \exp(-z_{ij}))^{2}}"  # the denominator of tanh.quotient, once
MUTATIONS = (
    Mutation("tanh.chain", ((r"= g_{ij}", r"= g_{ji}"),)),
    Mutation("tanh.chain", ((r"\partial a_{ij}", r"\partial a_{ji}"),)),
    Mutation("tanh.quotient", ((r"^{2} - (", r"^{2} + ("),)),
    Mutation("tanh.quotient", ((DENOMINATOR, DENOMINATOR.replace("^{2}", "")),)),
    Mutation("tanh.result", ((r"= 1 - a_{ij}^{2}", r"= 1 - a_{ij}"),)),
    Mutation("tanh.result", ((r"1 - \tanh(z_{ij})^{2}", r"1 + \tanh(z_{ij})^{2}"),)),
    Mutation("tanh.matrix_form", ((r"(1 - A \odot A)", r"(1 - A)"),)),
    Mutation("tanh.matrix_form", ((r"(1 - A \odot A)", r"(1 - Z \odot Z)"),)),
    Mutation("tanh.log", ((r"\frac{r^{2} - 1}{r^{2} + 1}", r"\frac{r^{2} + 1}{r^{2} - 1}"),)),
    Mutation("tanh.log", ((r"{r + \frac{1}{r}}", r"{r - \frac{1}{r}}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("tanh.result", r"\tanh(z_{ij})^{2}", r"\tanh^{2}(z_{ij})", "tanh"),
    SyntaxCase("tanh.log", r"\ln(r)", r"\ln r", "ln"),
)

TOPIC = Topic("tanh", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestTanh(StepSuite):
    topic = TOPIC
