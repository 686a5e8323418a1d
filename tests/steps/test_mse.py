"""Symbolic checks of every displayed derivation step of the mean-squared-error page.

The ground truth is written here from the definition ``L = (1/MN) sum_mn (yhat_mn - y_mn)^2`` with plain
symbols ``ŷ_i_j`` and ``y_i_j`` and differentiated by SymPy. The mean over all ``M N`` entries is what the
mutants attack: a ``1/M`` or a ``1/N`` where ``1/MN`` belongs must fail at every size pair. The generic
tests come from :class:`StepSuite`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite

Sizes = tuple[int, int]


def _mean_square(Ŷ: sp.ImmutableMatrix, Y: sp.ImmutableMatrix, M: int, N: int) -> sp.Expr:
    return sp.Add(*((a - b) ** 2 for a, b in zip(Ŷ, Y, strict=True))) / (M * N)


SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Ŷ", "ŷ", "M", "N"), Matrix("Y", "y", "M", "N")),
    forward=(Output("L", None, _mean_square),),
    variables=("Ŷ", "Y"),
)
SECTIONS = {
    "zh": ("## 对预测求梯度", "## 数值例子"),
    "en": ("## Gradient with respect to the prediction", "## Worked example"),
}
# M != N, and N != 2 in one pair so that 2/MN never equals 1/M at every size (a mutant could hide there).
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 4))


@dataclass(frozen=True)
class Truth:
    L: sp.Expr
    term: dict[tuple[int, int, int, int], sp.Expr]
    dL_dYhat: sp.ImmutableMatrix
    dL_dY: sp.ImmutableMatrix
    batch: sp.Expr
    dbatch_dYhat: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    M, N = sizes
    grid = [(m, n) for m in range(1, M + 1) for n in range(1, N + 1)]
    yhat = {key: sp.Symbol(f"ŷ_{key[0]}_{key[1]}") for key in grid}
    y = {key: sp.Symbol(f"y_{key[0]}_{key[1]}") for key in grid}
    squares = sp.Add(*((yhat[k] - y[k]) ** 2 for k in grid))
    L, batch = squares / (M * N), squares / M
    return Truth(
        L=L,
        term={(*mn, *ij): sp.diff((yhat[mn] - y[mn]) ** 2, yhat[ij]) for mn in grid for ij in grid},
        dL_dYhat=sp.ImmutableMatrix(M, N, lambda i, j: sp.diff(L, yhat[i + 1, j + 1])),
        dL_dY=sp.ImmutableMatrix(M, N, lambda i, j: sp.diff(L, y[i + 1, j + 1])),
        batch=batch,
        dbatch_dYhat=sp.ImmutableMatrix(M, N, lambda i, j: sp.diff(batch, yhat[i + 1, j + 1])),
    )


IJ = (("i", full("M")), ("j", full("N")))
CHECKS: dict[str, Check] = {
    "loss.definition": Check((), lambda t, e: t.L),
    "yhat.chain": Check(IJ, lambda t, e: t.dL_dYhat[e["i"] - 1, e["j"] - 1]),
    "yhat.term": Check((("m", full("M")), ("n", full("N")), *IJ),
                       lambda t, e: t.term[e["m"], e["n"], e["i"], e["j"]]),
    "yhat.collapse": Check(IJ, lambda t, e: t.dL_dYhat[e["i"] - 1, e["j"] - 1]),
    "yhat.matrix_form": Check((), lambda t, e: t.dL_dYhat),
    "y.element": Check(IJ, lambda t, e: t.dL_dY[e["i"] - 1, e["j"] - 1]),
    "y.matrix_form": Check((), lambda t, e: t.dL_dY),
    "batch.definition": Check((), lambda t, e: t.batch),
    "batch.gradient": Check((), lambda t, e: t.dbatch_dYhat),
}

MUTATIONS = (
    Mutation("loss.definition", ((r"\frac{1}{MN}", r"\frac{1}{M}"),)),
    Mutation("loss.definition", ((r"- y_{mn})^{2}", r"+ y_{mn})^{2}"),)),
    Mutation("yhat.chain", ((r"\frac{1}{MN}", r"\frac{1}{N}"),)),
    Mutation("yhat.chain", ((r"L}{\partial \hat{y}_{ij}}", r"L}{\partial \hat{y}_{ji}}"),)),
    Mutation("yhat.term", ((r"\delta_{mi}\, \delta_{nj}", r"\delta_{mi}"),)),
    Mutation("yhat.term", ((r"= 2 (", r"= ("),)),
    Mutation("yhat.collapse", ((r"= \frac{2}{MN}", r"= \frac{2}{M}"),)),
    Mutation("yhat.collapse", ((r"\frac{1}{MN}\, \frac", r"\frac{2}{MN}\, \frac"),)),
    Mutation("yhat.matrix_form", ((r"\frac{2}{MN}", r"\frac{1}{MN}"),)),
    Mutation("yhat.matrix_form", ((r"(\hat{Y} - Y)", r"(Y - \hat{Y})"),)),
    Mutation("y.element", ((r"= -\frac{2}{MN}", r"= \frac{2}{MN}"),)),
    Mutation("y.element", ((r"{\partial y_{ij}}", r"{\partial \hat{y}_{ij}}"),)),
    Mutation("y.matrix_form", ((r"= -\frac", r"= \frac"),)),
    Mutation("y.matrix_form", ((r"{\partial Y}", r"{\partial \hat{Y}}"),)),
    Mutation("batch.definition", ((r"= N L", r"= M L"),)),
    Mutation("batch.definition", ((r"\frac{1}{M}", r"\frac{1}{MN}"),)),
    Mutation("batch.gradient", ((r"\frac{2}{M}", r"\frac{2}{MN}"),)),
    Mutation("batch.gradient", ((r"(N L)", r"(M L)"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("loss.definition", r"^{2}", r"^{\top}", r"\top"),
    SyntaxCase("yhat.term", r"{\partial \hat{y}_{ij}}", r"{\partial \widehat{y}_{ij}}", r"\widehat"),
)

TOPIC = Topic("mse", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestMse(StepSuite):
    topic = TOPIC
