"""Symbolic checks of every displayed derivation step of the sigmoid page, ``A = sigma(Z)``.

The ground truth is built here from ``a_mn = 1 / (1 + exp(-z_mn))`` with plain symbols: SymPy's own
derivative of that expression, and an undefined ``L`` of all ``a_mn`` whose derivatives are renamed
``g_mn``. The exact-value step ``sigma(ln r) = r / (1 + r)`` is checked for a positive symbol ``r``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Loss, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite, rename_loss_derivatives

Sizes = tuple[int, int]
R = sp.Symbol("r", positive=True)


def sigma(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"),),
    forward=(Output("A", "a", lambda Z: Z.applyfunc(sigma)),),
    variables=("Z",),
    loss=Loss("L", of="A", gradient=Matrix("G", "g", "M", "N")),
    functions={"sigma": sigma},
    constants={"r": R},
)
SECTIONS = {"zh": ("## 求 σ′", "## 精确的数值例子"), "en": ("## Finding σ′", "## An exact worked example")}
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 2))


@dataclass(frozen=True)
class Truth:
    da_dz: dict[tuple[int, int], sp.Expr]
    complement: dict[tuple[int, int], sp.Expr]
    dL_dz: dict[tuple[int, int], sp.Expr]
    dL_dZ: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, N = sizes
    cells = [(m, n) for m in range(1, M + 1) for n in range(1, N + 1)]
    z = {c: sp.Symbol(f"z_{c[0]}_{c[1]}") for c in cells}
    g = {c: sp.Symbol(f"g_{c[0]}_{c[1]}") for c in cells}
    a = {c: 1 / (1 + sp.exp(-z[c])) for c in cells}
    loss = sp.Function("L")(*a.values())
    dL_dz = {c: rename_loss_derivatives(sp.diff(loss, z[c]), a, g) for c in cells}
    return Truth(
        da_dz={c: sp.diff(a[c], z[c]) for c in cells},
        complement={c: 1 - a[c] for c in cells},
        dL_dz=dL_dz,
        dL_dZ=sp.ImmutableMatrix(M, N, lambda i, j: dL_dz[i + 1, j + 1]),
    )


IJ = (("i", full("M")), ("j", full("N")))
CHECKS: dict[str, Check] = {
    "sigmoid.chain": Check(IJ, lambda t, e: t.dL_dz[e["i"], e["j"]]),
    "sigmoid.quotient": Check(IJ, lambda t, e: t.da_dz[e["i"], e["j"]]),
    "sigmoid.split": Check(IJ, lambda t, e: t.da_dz[e["i"], e["j"]]),
    "sigmoid.complement": Check(IJ, lambda t, e: t.complement[e["i"], e["j"]]),
    "sigmoid.result": Check(IJ, lambda t, e: t.da_dz[e["i"], e["j"]]),
    "sigmoid.matrix_form": Check((), lambda t, e: t.dL_dZ),
    "sigmoid.log": Check((), lambda t, e: R / (1 + R)),
}

MUTATIONS = (
    Mutation("sigmoid.chain", ((r"= g_{ij}", r"= g_{ji}"),)),
    Mutation("sigmoid.chain", ((r"= g_{ij}\, \frac", r"= \frac"),)),
    Mutation("sigmoid.quotient", ((r"^{2}", r"^{3}"),)),
    Mutation("sigmoid.quotient", ((r"\frac{\exp(-z_{ij})}", r"\frac{\exp(z_{ij})}"),)),
    Mutation("sigmoid.split", ((r"{1 + \exp(-z_{ij})} \cdot", r"{1 - \exp(-z_{ij})} \cdot"),)),
    Mutation("sigmoid.split", ((r"\cdot \frac{\exp(-z_{ij})}", r"\cdot \frac{\exp(z_{ij})}"),)),
    Mutation("sigmoid.complement", ((r"= 1 - \frac{1}", r"= 1 + \frac{1}"),)),
    Mutation("sigmoid.complement", ((r"{1 + \exp(-z_{ij}) - 1}", r"{1 + \exp(-z_{ij}) + 1}"),)),
    Mutation("sigmoid.result", ((r"= a_{ij}\,(1 - a_{ij})", r"= a_{ij}\,(1 + a_{ij})"),)),
    Mutation("sigmoid.result", ((r"(1 - \sigma(z_{ij}))", r"(1 - \sigma(z_{ji}))"),)),
    Mutation("sigmoid.matrix_form", ((r"A \odot (1 - A)", r"A \odot A"),)),
    Mutation("sigmoid.matrix_form", ((r"G \odot A", r"G \odot Z"),)),
    Mutation("sigmoid.log", ((r"= \frac{r}{1 + r}", r"= \frac{1}{1 + r}"),)),
    Mutation("sigmoid.log", ((r"\frac{1}{1 + \frac{1}{r}}", r"\frac{1}{1 + r}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("sigmoid.log", r"\ln(r)", r"\log(r)", r"\log"),
    SyntaxCase("sigmoid.quotient", r"^{2}", r"^{2.5}", "'.'"),
)

TOPIC = Topic("sigmoid", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestSigmoid(StepSuite):
    topic = TOPIC
