"""Symbolic checks of every displayed derivation step of the GELU page: the exact form
``A = Z ⊙ Phi(Z)`` and the tanh approximation ``H = Z ⊙ (1 + tanh(U)) / 2``, ``U = s (Z + c Z^3)``.

The ground truth is built here from the definitions with plain symbols: ``Phi`` through ``erf``, the
normal density written out, SymPy's own derivatives, and an undefined ``L`` of all ``a_mn`` whose
derivatives are renamed ``g_mn``. The constants ``s = sqrt(2/pi)`` and ``c = 0.044715`` are kept as
positive symbols, so the steps of the approximation are checked for any values of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Loss, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite, rename_loss_derivatives

Sizes = tuple[int, int]
S, C = sp.Symbol("s", positive=True), sp.Symbol("c", positive=True)


def Phi(x: sp.Expr) -> sp.Expr:
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def varphi(x: sp.Expr) -> sp.Expr:
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"),),
    forward=(
        Output("A", "a", lambda Z: Z.multiply_elementwise(Z.applyfunc(Phi))),
        Output("U", "u", lambda Z: Z.applyfunc(lambda x: S * (x + C * x**3))),
        Output("T", "t", lambda U: U.applyfunc(sp.tanh)),
        Output("H", "h", lambda Z, T: Z.multiply_elementwise(T.applyfunc(lambda x: (1 + x) / 2))),
    ),
    variables=("Z",),
    loss=Loss("L", of="A", gradient=Matrix("G", "g", "M", "N")),
    functions={"Phi": Phi, "varphi": varphi},
    constants={"s": S, "c": C},
)
SECTIONS = {"zh": ("## 精确形式的导数", "## 数值例子"),
            "en": ("## The derivative of the exact form", "## Worked example")}
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 2))


@dataclass(frozen=True)
class Truth:
    z: dict[tuple[int, int], sp.Symbol]
    da_dz: dict[tuple[int, int], sp.Expr]
    dL_dz: dict[tuple[int, int], sp.Expr]
    dL_dZ: sp.ImmutableMatrix
    h: dict[tuple[int, int], sp.Expr]
    u: dict[tuple[int, int], sp.Expr]
    dh_dz: dict[tuple[int, int], sp.Expr]


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, N = sizes
    cells = [(m, n) for m in range(1, M + 1) for n in range(1, N + 1)]
    z = {c: sp.Symbol(f"z_{c[0]}_{c[1]}") for c in cells}
    g = {c: sp.Symbol(f"g_{c[0]}_{c[1]}") for c in cells}
    a = {c: z[c] * (1 + sp.erf(z[c] / sp.sqrt(2))) / 2 for c in cells}
    u = {c: S * (z[c] + C * z[c] ** 3) for c in cells}
    h = {c: z[c] * (1 + sp.tanh(u[c])) / 2 for c in cells}
    loss = sp.Function("L")(*a.values())
    dL_dz = {c: rename_loss_derivatives(sp.diff(loss, z[c]), a, g) for c in cells}
    return Truth(
        z=z,
        da_dz={c: sp.diff(a[c], z[c]) for c in cells},
        dL_dz=dL_dz,
        dL_dZ=sp.ImmutableMatrix(M, N, lambda i, j: dL_dz[i + 1, j + 1]),
        h=h,
        u=u,
        dh_dz={c: sp.diff(h[c], z[c]) for c in cells},
    )


def _at(e: dict[str, int]) -> tuple[int, int]:
    return e["i"], e["j"]


IJ = (("i", full("M")), ("j", full("N")))
CHECKS: dict[str, Check] = {
    "gelu.chain": Check(IJ, lambda t, e: t.dL_dz[_at(e)]),
    "gelu.product": Check(IJ, lambda t, e: t.da_dz[_at(e)]),
    # The derivative of the distribution function (1 + erf(z / sqrt 2)) / 2 at z_ij.
    "gelu.density": Check(IJ, lambda t, e: sp.diff((1 + sp.erf(t.z[_at(e)] / sp.sqrt(2))) / 2, t.z[_at(e)])),
    "gelu.result": Check(IJ, lambda t, e: t.da_dz[_at(e)]),
    "gelu.matrix_form": Check((), lambda t, e: t.dL_dZ),
    "gelu.tanh_def": Check(IJ, lambda t, e: t.h[_at(e)]),
    "gelu.tanh_u": Check(IJ, lambda t, e: t.u[_at(e)]),
    "gelu.tanh_product": Check(IJ, lambda t, e: t.dh_dz[_at(e)]),
    "gelu.tanh_inner": Check(IJ, lambda t, e: sp.diff(sp.tanh(t.u[_at(e)]), t.z[_at(e)])),
    "gelu.tanh_result": Check(IJ, lambda t, e: t.dh_dz[_at(e)]),
}

MUTATIONS = (
    Mutation("gelu.chain", ((r"= g_{ij}", r"= g_{ji}"),)),
    Mutation("gelu.chain", ((r"\partial a_{ij}", r"\partial z_{ij}"),)),
    Mutation("gelu.product", ((r"z_{ij}\, \Phi'(z_{ij})", r"\Phi'(z_{ij})"),)),
    Mutation("gelu.product", ((r"= \Phi(z_{ij}) +", r"= z_{ij} +"),)),
    Mutation("gelu.density", ((r"= \varphi(z_{ij})", r"= \Phi(z_{ij})"),)),
    Mutation("gelu.density", ((r"= \varphi(z_{ij})", r"= z_{ij}\, \varphi(z_{ij})"),)),
    Mutation("gelu.result", ((r"z_{ij}\, \varphi(z_{ij})", r"\varphi(z_{ij})"),)),
    Mutation("gelu.result", ((r"= \Phi(z_{ij}) +", r"= \varphi(z_{ij}) +"),)),
    Mutation("gelu.matrix_form", ((r"Z \odot \varphi(Z)", r"\varphi(Z)"),)),
    Mutation("gelu.matrix_form", ((r"G \odot (", r"Z \odot ("),)),
    Mutation("gelu.tanh_def", ((r"(1 + \tanh(u_{ij}))", r"(1 - \tanh(u_{ij}))"),)),
    Mutation("gelu.tanh_def", ((r"= \frac{1}{2}\, z_{ij}", r"= z_{ij}"),)),
    Mutation("gelu.tanh_u", ((r"c\, z_{ij}^{3}", r"c\, z_{ij}^{2}"),)),
    Mutation("gelu.tanh_u", ((r"= s\, (", r"= ("),)),
    Mutation("gelu.tanh_product", ((r"+ \frac{1}{2}\, z_{ij}\, \frac", r"+ \frac{1}{2}\, \frac"),)),
    Mutation("gelu.tanh_product", ((r"= \frac{1}{2}\, (1 + \tanh(u_{ij}))", r"= (1 + \tanh(u_{ij}))"),)),
    Mutation("gelu.tanh_inner", ((r"(1 + 3c\, z_{ij}^{2})", r"(1 + c\, z_{ij}^{2})"),)),
    Mutation("gelu.tanh_inner", ((r"(1 - \tanh(u_{ij})^{2})", r"(1 - \tanh(u_{ij}))"),)),
    Mutation("gelu.tanh_result", ((r"(1 - t_{ij}^{2})", r"(1 - t_{ij})"),)),
    Mutation("gelu.tanh_result", ((r"\frac{1}{2}\, s\, z_{ij}", r"\frac{1}{2}\, z_{ij}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("gelu.density", r"\varphi(z_{ij})", r"\phi(z_{ij})", r"\phi"),
    SyntaxCase("gelu.tanh_u", r"= s\, (", r"= \sqrt{2/\pi}\, (", r"\sqrt"),
)

TOPIC = Topic("gelu", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestGELU(StepSuite):
    topic = TOPIC
