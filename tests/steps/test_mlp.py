"""Symbolic checks of every displayed derivation step of the two-layer MLP page.

The network is ``Z_1 = X W_1 + 1_M b_1``, ``H = ReLU(Z_1)``, ``Z_2 = H W_2 + 1_M b_2``,
``P = softmax(Z_2)``, ``L = -(1/M) sum_m ln p_{m, y_m}``. ReLU is an *undefined* function here
(``sp.Function("ReLU")``), as ``f`` is on the ReLU page: SymPy keeps ``ReLU'`` symbolic, so a step that
passes holds for every differentiable activation, ReLU included wherever it has a derivative; that
``ReLU'(z) = [z > 0]`` is the ReLU page's step, not repeated here.

The ground truth is built here from index definitions with plain symbols and concrete one-based labels:
``dL/dW_2`` and the other parameter gradients are SymPy's derivatives of the whole loss, and a gradient by
an intermediate value (``dL/dZ_2``, ``dL/dH``, ``dL/dZ_1``) is the derivative of the loss written as a
function of fresh symbols in that value's place, evaluated back at the value. The generic tests come from
:class:`StepSuite`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Labels, Matrix, Mutation, Output, Setting, SyntaxCase, Topic

from .suite import StepSuite

Sizes = tuple[int, int, int, int]
RELU = sp.Function("ReLU")


def _labels(size: Mapping[str, int]) -> tuple[int, ...]:
    """One-based labels that vary from sample to sample and reach the last class."""
    return tuple((2 * m) % size["K"] + 1 for m in range(size["M"]))


def _softmax(Z_2: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(Z_2.rows, Z_2.cols, lambda m, k: sp.exp(Z_2[m, k]) / sp.Add(
        *(sp.exp(Z_2[m, j]) for j in range(Z_2.cols))))


SETTING = Setting(
    sizes=("M", "D", "N", "K"),
    symbols=(Matrix("X", "x", "M", "D"), Matrix("W_1", "u", "D", "N"), Matrix("b_1", "a", "1", "N"),
             Matrix("W_2", "v", "N", "K"), Matrix("b_2", "c", "1", "K")),
    forward=(
        Output("Z_1", None, lambda X, W_1, b_1, M: X * W_1 + sp.ones(M, 1) * b_1),
        Output("H", None, lambda Z_1: Z_1.applyfunc(RELU)),
        Output("Z_2", None, lambda H, W_2, b_2, M: H * W_2 + sp.ones(M, 1) * b_2),
        Output("P", "p", _softmax),
        Output("Y", None, lambda y, M, K: sp.ImmutableMatrix(M, K, lambda m, k: int(y[m] == k + 1))),
        Output("L", None, lambda P, y, M: -sp.Add(*(sp.log(P[m, y[m] - 1]) for m in range(M))) / M),
    ),
    variables=("X", "W_1", "b_1", "W_2", "b_2"),
    labels=(Labels("y", "M", "K", _labels),),
    functions={"ReLU": RELU},
)
SECTIONS = {
    "zh": ("## 前向传播", "## 数值例子"),
    "en": ("## The forward pass", "## Worked example"),
}
# All four sizes distinct, so that every wrong transpose or wrong axis of a sum changes a shape.
SIZES: tuple[Sizes, ...] = ((2, 1, 3, 4), (3, 2, 1, 4))


@dataclass(frozen=True)
class Truth:
    Z1: sp.ImmutableMatrix
    H: sp.ImmutableMatrix
    Z2: sp.ImmutableMatrix
    L: sp.Expr
    grads: dict[str, sp.ImmutableMatrix]


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, D, N, K = sizes
    x = sp.ImmutableMatrix(M, D, lambda i, j: sp.Symbol(f"x_{i + 1}_{j + 1}"))
    u = sp.ImmutableMatrix(D, N, lambda i, j: sp.Symbol(f"u_{i + 1}_{j + 1}"))
    a = sp.ImmutableMatrix(1, N, lambda _, j: sp.Symbol(f"a_{j + 1}"))
    v = sp.ImmutableMatrix(N, K, lambda i, j: sp.Symbol(f"v_{i + 1}_{j + 1}"))
    c = sp.ImmutableMatrix(1, K, lambda _, j: sp.Symbol(f"c_{j + 1}"))
    y = _labels({"M": M, "K": K})

    def z1(m: int, n: int) -> sp.Expr:
        return sp.Add(*(x[m, k] * u[k, n] for k in range(D))) + a[0, n]

    def z2_of(h: Callable[[int, int], sp.Expr]) -> Callable[[int, int], sp.Expr]:
        return lambda m, k: sp.Add(*(h(m, n) * v[n, k] for n in range(N))) + c[0, k]

    def loss_of(z2: Callable[[int, int], sp.Expr]) -> sp.Expr:
        return -sp.Add(*(sp.log(sp.exp(z2(m, y[m] - 1)) / sp.Add(*(sp.exp(z2(m, j)) for j in range(K))))
                         for m in range(M))) / M

    Z1 = sp.ImmutableMatrix(M, N, z1)
    H = Z1.applyfunc(RELU)
    Z2 = sp.ImmutableMatrix(M, K, z2_of(lambda m, n: H[m, n]))
    L = loss_of(lambda m, k: Z2[m, k])

    def through(value: sp.ImmutableMatrix,
                loss: Callable[[sp.ImmutableMatrix], sp.Expr]) -> sp.ImmutableMatrix:
        """dL/d(value): the loss of fresh symbols in value's place, differentiated, taken at value."""
        s = sp.ImmutableMatrix(*value.shape, lambda i, j: sp.Symbol(f"s_{i}_{j}"))
        back = dict(zip(s, value, strict=True))
        of_s = loss(s)
        return s.applyfunc(lambda e: sp.diff(of_s, e).subs(back))

    def by(symbols: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
        return symbols.applyfunc(lambda e: sp.diff(L, e))

    grads = {
        "Z2": through(Z2, lambda s: loss_of(lambda m, k: s[m, k])),
        "H": through(H, lambda s: loss_of(z2_of(lambda m, n: s[m, n]))),
        "Z1": through(Z1, lambda s: loss_of(z2_of(lambda m, n: RELU(s[m, n])))),
        "X": by(x), "W1": by(u), "b1": by(a), "W2": by(v), "b2": by(c),
    }
    return Truth(Z1, H, Z2, L, grads)


def grad(name: str, shape: bool = False) -> Check:
    return Check((), lambda t, e: t.grads[name], ("equation", "shape") if shape else ("equation",))


CHECKS: dict[str, Check] = {
    "forward.z1": Check((), lambda t, e: t.Z1),
    "forward.h": Check((), lambda t, e: t.H),
    "forward.z2": Check((), lambda t, e: t.Z2),
    "forward.loss": Check((), lambda t, e: t.L),
    "softmax.result": grad("Z2"),
    "out.w": grad("W2", shape=True),
    "out.b": grad("b2", shape=True),
    "out.x": grad("H", shape=True),
    "relu.result": grad("Z1"),
    "hidden.w": grad("W1", shape=True),
    "hidden.b": grad("b1", shape=True),
    "hidden.x": grad("X", shape=True),
}

DZ1 = r"\frac{\partial L}{\partial Z_{1}}"
DZ2 = r"\frac{\partial L}{\partial Z_{2}}"
DH = r"\frac{\partial L}{\partial H}"
MUTATIONS = (
    Mutation("forward.z1", ((r"X W_{1}", r"W_{1} X"),)),
    Mutation("forward.z1", ((r"\mathbf{1}_{M}\, b_{1}", r"\mathbf{1}_{M}\, b_{2}"),)),
    Mutation("forward.h", ((r"\operatorname{ReLU}(Z_{1})", r"Z_{1}"),)),
    Mutation("forward.h", ((r"(Z_{1})", r"(Z_{2})"),)),
    Mutation("forward.z2", ((r"H W_{2}", r"Z_{1} W_{2}"),)),
    Mutation("forward.z2", ((r"H W_{2}", r"W_{2} H"),)),
    Mutation("forward.loss", ((r"-\frac{1}{M}", r"-\frac{1}{K}"),)),
    Mutation("forward.loss", ((r"[y_{m} = k]", r"[y_{m} \ne k]"),)),
    Mutation("softmax.result", ((r"(P - Y)", r"(Y - P)"),)),
    Mutation("softmax.result", ((r"\frac{1}{M}", r"\frac{1}{K}"),)),
    Mutation("out.w", ((r"H^{\mathsf T}", r"Z_{1}^{\mathsf T}"),)),
    Mutation("out.w", ((r"(N \times M)(M \times K)", r"(M \times N)(M \times K)"),)),
    Mutation("out.b", ((r"\mathbf{1}_{M}^{\mathsf T} " + DZ2, DZ2 + r" \mathbf{1}_{K}"),)),
    Mutation("out.b", ((r"= 1 \times K", r"= K \times 1"),)),
    Mutation("out.x", ((r"W_{2}^{\mathsf T}", r"W_{2}"),)),
    Mutation("out.x", ((r"= M \times N", r"= N \times M"),)),
    Mutation("relu.result", ((r" \odot \operatorname{ReLU}'(Z_{1})", r""),)),
    Mutation("relu.result", ((r"\operatorname{ReLU}'(Z_{1})", r"\operatorname{ReLU}(Z_{1})"),)),
    Mutation("hidden.w", ((r"X^{\mathsf T} " + DZ1, r"X^{\mathsf T} " + DH),)),
    Mutation("hidden.w", ((r"X^{\mathsf T}", r"X"),)),
    Mutation("hidden.b", ((r"\mathbf{1}_{M}^{\mathsf T} " + DZ1, r"\mathbf{1}_{M}^{\mathsf T} " + DH),)),
    Mutation("hidden.b", ((r"(1 \times M)(M \times N)", r"(1 \times M)(M \times K)"),)),
    Mutation("hidden.x", ((DZ1 + r" W_{1}^{\mathsf T}", DH + r" W_{1}^{\mathsf T}"),)),
    Mutation("hidden.x", ((r"W_{1}^{\mathsf T}", r"W_{1}"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("forward.loss", r"\ln(p_{mk})", r"\log(p_{mk})", r"\log"),
    SyntaxCase("hidden.x", r"W_{1}^{\mathsf T}", r"W_{1}^{\top}", r"\top"),
)

TOPIC = Topic("mlp", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestMlp(StepSuite):
    topic = TOPIC
