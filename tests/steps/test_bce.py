"""Symbolic checks of every displayed derivation step of the binary cross-entropy page.

The ground truth is written here from the definition ``L = -(1/M) sum_m (y_m ln s_m + (1 - y_m) ln(1 - s_m))``
with ``s_m = 1 / (1 + exp(-z_m))`` in real symbols ``z_i`` and ``y_i`` (the logit forms of the loss are
identities only for real logits), differentiated by SymPy. The generic tests come from :class:`StepSuite`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite

Sizes = tuple[int]


def sigma(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


def _loss(z: sp.ImmutableMatrix, y: sp.ImmutableMatrix, M: int) -> sp.Expr:
    terms = (t * sp.log(sigma(v)) + (1 - t) * sp.log(1 - sigma(v)) for v, t in zip(z, y, strict=True))
    return -sp.Add(*terms) / M


SETTING = Setting(
    sizes=("M",),
    symbols=(Matrix("z", "z", "M", "1", real=True), Matrix("y", "y", "M", "1", real=True)),
    forward=(Output("L", None, _loss),),
    variables=("z", "y"),
    functions={"sigma": sigma},
)
SECTIONS = {
    "zh": ("## 求对数几率的梯度", "## 数值稳定"),
    "en": ("## Gradient with respect to the logits", "## Numerical stability"),
}
SIZES: tuple[Sizes, ...] = ((2,), (3,))


@dataclass(frozen=True)
class Truth:
    L: sp.Expr
    ell: dict[int, sp.Expr]
    z: dict[int, sp.Symbol]
    dL_dz: sp.ImmutableMatrix
    dL_dy: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    (M,) = sizes
    z = {m: sp.Symbol(f"z_{m}", real=True) for m in range(1, M + 1)}
    y = {m: sp.Symbol(f"y_{m}", real=True) for m in range(1, M + 1)}
    s = {m: 1 / (1 + sp.exp(-z[m])) for m in z}
    ell = {m: -(y[m] * sp.log(s[m]) + (1 - y[m]) * sp.log(1 - s[m])) for m in z}
    L = sp.Add(*ell.values()) / M
    return Truth(L=L, ell=ell, z=z,
                 dL_dz=sp.ImmutableMatrix(M, 1, lambda i, _: sp.diff(L, z[i + 1])),
                 dL_dy=sp.ImmutableMatrix(M, 1, lambda i, _: sp.diff(L, y[i + 1])))


M_ = (("m", full("M")),)
I_ = (("i", full("M")),)
CHECKS: dict[str, Check] = {
    "loss.definition": Check((), lambda t, e: t.L),
    "sigma.derivative": Check(M_, lambda t, e: sp.diff(sigma(t.z[e["m"]]), t.z[e["m"]])),
    "log.positive": Check(M_, lambda t, e: sp.diff(sp.log(sigma(t.z[e["m"]])), t.z[e["m"]])),
    "log.negative": Check(M_, lambda t, e: sp.diff(sp.log(1 - sigma(t.z[e["m"]])), t.z[e["m"]])),
    "z.chain": Check(I_, lambda t, e: t.dL_dz[e["i"] - 1, 0]),
    "z.matrix_form": Check((), lambda t, e: t.dL_dz),
    "y.element": Check(I_, lambda t, e: t.dL_dy[e["i"] - 1, 0]),
    "stable.positive": Check(M_, lambda t, e: t.ell[e["m"]]),
    "stable.negative": Check(M_, lambda t, e: t.ell[e["m"]]),
}

MUTATIONS = (
    Mutation("loss.definition", ((r"-\frac{1}{M}", r"\frac{1}{M}"),)),
    Mutation("loss.definition", ((r"(1 - y_{m}) \ln", r"y_{m} \ln"),)),
    Mutation("sigma.derivative", ((r"(1 - \sigma(z_{m}))", r"(1 + \sigma(z_{m}))"),)),
    Mutation("sigma.derivative", ((r"= \sigma(z_{m}) (", r"= ("),)),
    Mutation("log.positive", ((r"= 1 - \sigma(z_{m})", r"= \sigma(z_{m})"),)),
    Mutation("log.positive", ((r"}{\sigma(z_{m})}", r"}{1 - \sigma(z_{m})}"),)),
    Mutation("log.negative", ((r"= -\sigma(z_{m})", r"= \sigma(z_{m})"),)),
    Mutation("log.negative", ((r"= -\frac", r"= \frac"),)),
    Mutation("z.chain", ((r"(\sigma(z_{i}) - y_{i})", r"(y_{i} - \sigma(z_{i}))"),)),
    Mutation("z.chain", ((r"- (1 - y_{i}) \sigma(z_{i})", r"+ (1 - y_{i}) \sigma(z_{i})"),)),
    Mutation("z.matrix_form", ((r"\frac{1}{M}", r"\frac{2}{M}"),)),
    Mutation("z.matrix_form", ((r"(\sigma(z) - y)", r"(\sigma(z) - z)"),)),
    Mutation("y.element", ((r"= -\frac{1}{M} z_{i}", r"= \frac{1}{M} z_{i}"),)),
    Mutation("y.element", ((r"- \ln(1 - \sigma(z_{i})))", r"+ \ln(1 - \sigma(z_{i})))"),)),
    Mutation("stable.positive", ((r"\exp(-z_{m})", r"\exp(z_{m})"),)),
    Mutation("stable.positive", ((r"= z_{m} - z_{m} y_{m}", r"= z_{m} + z_{m} y_{m}"),)),
    Mutation("stable.negative", ((r"\exp(z_{m})", r"\exp(-z_{m})"),)),
    Mutation("stable.negative", ((r"= -z_{m} y_{m}", r"= z_{m} y_{m}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("stable.positive", r"\ln(1 + \exp(-z_{m}))", r"\log(1 + \exp(-z_{m}))", r"\log"),
    SyntaxCase("sigma.derivative", r"{\partial \sigma(z_{m})}", r"{\nabla \sigma(z_{m})}", r"\nabla"),
)

TOPIC = Topic("bce", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestBce(StepSuite):
    topic = TOPIC
