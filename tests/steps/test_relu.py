"""Symbolic checks of every displayed derivation step of the ReLU page, which derives the gradient of any
element-wise function ``A = f(Z)`` and then ReLU's derivative.

The generic steps are checked for an *undefined* ``f`` (``sp.Function("f")``): SymPy keeps ``f'`` symbolic,
so a step that passes holds for every differentiable ``f``. The ground truth is built here from the index
definition ``a_mn = f(z_mn)`` with plain symbols, and an undefined ``L`` of all ``a_mn`` whose derivatives
are renamed ``g_mn``. ReLU's derivative is ``Piecewise((1, z > 0), (0, True))``, written here directly:
it is PyTorch's convention, 0 at the corner ``z = 0`` where ReLU has no derivative.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Loss, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite

Sizes = tuple[int, int]
F = sp.Function("f")


def relu(x: sp.Expr) -> sp.Expr:
    return sp.Piecewise((x, x > 0), (0, True))


SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"),),
    forward=(Output("A", "a", lambda Z: Z.applyfunc(F)),),
    variables=("Z",),
    loss=Loss("L", of="A", gradient=Matrix("G", "g", "M", "N")),
    functions={"f": F, "ReLU": relu},
)
SECTIONS = {
    "zh": ("## 逐元素函数的雅可比矩阵是对角的 {#diagonal-jacobian}",
           "## 为什么实际实现从不构造雅可比矩阵 {#no-jacobian}"),
    "en": ("## The Jacobian of an element-wise function is diagonal {#diagonal-jacobian}",
           "## Why no implementation builds the Jacobian {#no-jacobian}"),
}
# M != N, so that a swapped pair of indices reaches out of range or another entry.
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 2))


@dataclass(frozen=True)
class Truth:
    da_dz: dict[tuple[int, int, int, int], sp.Expr]
    dL_dz: dict[tuple[int, int], sp.Expr]
    dL_dZ: sp.ImmutableMatrix
    relu_prime: dict[tuple[int, int], sp.Expr]


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, N = sizes
    cells = [(m, n) for m in range(1, M + 1) for n in range(1, N + 1)]
    z = {c: sp.Symbol(f"z_{c[0]}_{c[1]}") for c in cells}
    g = {c: sp.Symbol(f"g_{c[0]}_{c[1]}") for c in cells}
    a = {c: F(z[c]) for c in cells}
    L = sp.Function("L")
    loss = L(*a.values())

    def named(expr: sp.Expr) -> sp.Expr:
        """dL/d f(z_mn), as SymPy writes it, is g_mn."""
        position = {a[c]: c for c in cells}
        return expr.replace(lambda e: isinstance(e, sp.Derivative) and e.expr.func == L,
                            lambda e: g[position[e.variables[0]]])

    dL_dz = {c: named(sp.diff(loss, z[c])) for c in cells}
    return Truth(
        da_dz={(*p, *q): sp.diff(a[p], z[q]) for p in cells for q in cells},
        dL_dz=dL_dz,
        dL_dZ=sp.ImmutableMatrix(M, N, lambda i, j: dL_dz[i + 1, j + 1]),
        relu_prime={c: sp.Piecewise((1, z[c] > 0), (0, True)) for c in cells},
    )


IJ = (("i", full("M")), ("j", full("N")))
CHECKS: dict[str, Check] = {
    "elementwise.depends": Check((("m", full("M")), ("n", full("N")), *IJ),
                                 lambda t, e: t.da_dz[e["m"], e["n"], e["i"], e["j"]]),
    "elementwise.chain": Check(IJ, lambda t, e: t.dL_dz[e["i"], e["j"]]),
    "elementwise.collapse": Check(IJ, lambda t, e: t.dL_dz[e["i"], e["j"]]),
    "elementwise.matrix_form": Check((), lambda t, e: t.dL_dZ),
    "relu.derivative": Check(IJ, lambda t, e: t.relu_prime[e["i"], e["j"]]),
}

MUTATIONS = (
    Mutation("elementwise.depends", ((r"\delta_{mi}\, \delta_{nj}\, f'", r"\delta_{mi}\, f'"),)),
    Mutation("elementwise.depends", ((r"\delta_{mi}\, \delta_{nj}", r"\delta_{mj}\, \delta_{ni}"),)),
    Mutation("elementwise.chain", ((r"\sum_{n=1}^{N}", r"\sum_{n=1}^{M}"),)),
    Mutation("elementwise.chain", ((r"g_{mn}", r"a_{mn}"),)),
    Mutation("elementwise.collapse", ((r"= g_{ij}\, f'(z_{ij})", r"= f'(z_{ij})"),)),
    Mutation("elementwise.collapse", ((r"= g_{ij}\, \frac", r"= z_{ij}\, \frac"),)),
    Mutation("elementwise.matrix_form", ((r"G \odot f'(Z)", r"G \odot Z"),)),
    Mutation("elementwise.matrix_form", ((r"G \odot f'(Z)", r"G^{\mathsf T} f'(Z)"),)),
    # The value at the corner: [z >= 0] takes 1 at z = 0, where the site (and PyTorch) take 0.
    Mutation("relu.derivative", ((r"> 0", r"\ge 0"),)),
    Mutation("relu.derivative", ((r"> 0", r"< 0"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("relu.derivative", r"> 0", r"\gt 0", r"\gt"),
    SyntaxCase("elementwise.depends", r"f'(z_{mn})", r"f^{\prime}(z_{mn})", r"\prime"),
)

TOPIC = Topic("relu", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestReLU(StepSuite):
    topic = TOPIC
