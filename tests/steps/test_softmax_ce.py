"""Symbolic checks of every displayed derivation step of the softmax cross-entropy page.

The ground truth is written here from the definitions ``p_mk = exp(z_mk) / sum_j exp(z_mj)`` and
``L = -(1/M) sum_m ln p_{m, y_m}`` with plain symbols ``z_i_j``, concrete one-based labels and SymPy's
derivatives. The one-hot matrix ``Y`` of the page is ``[y_m = k]``. The generic tests come from
:class:`StepSuite`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from derivations.steps import Check, Labels, Matrix, Mutation, Output, Setting, SyntaxCase, Topic, full

from .suite import StepSuite

Sizes = tuple[int, int]


def _labels(size: Mapping[str, int]) -> tuple[int, ...]:
    """One-based labels that vary from sample to sample and reach the last class: 1, 3 for K = 3."""
    return tuple((2 * m) % size["K"] + 1 for m in range(size["M"]))


def _softmax(Z: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(Z.rows, Z.cols, lambda m, k: sp.exp(Z[m, k]) / sp.Add(
        *(sp.exp(Z[m, j]) for j in range(Z.cols))))


SETTING = Setting(
    sizes=("M", "K"),
    symbols=(Matrix("Z", "z", "M", "K"), Matrix("c", "c", "M", "1")),
    forward=(
        Output("P", "p", _softmax),
        Output("Y", None, lambda y, M, K: sp.ImmutableMatrix(M, K, lambda m, k: int(y[m] == k + 1))),
        Output("L", None, lambda P, y, M: -sp.Add(*(sp.log(P[m, y[m] - 1]) for m in range(M))) / M),
    ),
    variables=("Z",),
    labels=(Labels("y", "M", "K", _labels),),
)
SECTIONS = {
    "zh": ("## Softmax 的雅可比矩阵", "## 数值稳定\N{FULLWIDTH COLON}`logsumexp`"),
    "en": ("## The softmax Jacobian", "## Numerical stability: log-sum-exp"),
}
# M != K, so that 1/M where 1/K belongs (or a swapped index) shows.
SIZES: tuple[Sizes, ...] = ((2, 3), (3, 2))


@dataclass(frozen=True)
class Truth:
    P: sp.ImmutableMatrix
    dp_dz: dict[tuple[int, int, int, int], sp.Expr]
    L: sp.Expr
    dL_dZ: sp.ImmutableMatrix


@functools.cache
def truth(sizes: Sizes) -> Truth:
    """From the definitions alone: softmax of symbols, the loss at the labels, and SymPy's derivatives."""
    M, K = sizes
    z = {(m, k): sp.Symbol(f"z_{m}_{k}") for m in range(1, M + 1) for k in range(1, K + 1)}
    P = sp.ImmutableMatrix(M, K, lambda m, k: sp.exp(z[m + 1, k + 1]) / sum(
        sp.exp(z[m + 1, j]) for j in range(1, K + 1)))
    y = _labels({"M": M, "K": K})
    L = -sum(sp.log(P[m, y[m] - 1]) for m in range(M)) / M
    return Truth(
        P=P,
        dp_dz={(m, k, i, j): sp.diff(P[m - 1, k - 1], z[i, j]) for m, k in z for i, j in z},
        L=L,
        dL_dZ=sp.ImmutableMatrix(M, K, lambda i, j: sp.diff(L, z[i + 1, j + 1])),
    )


MK = (("m", full("M")), ("k", full("K")))
IJ = (("i", full("M")), ("j", full("K")))
CHECKS: dict[str, Check] = {
    "p.definition": Check(MK, lambda t, e: t.P[e["m"] - 1, e["k"] - 1]),
    "p.other": Check((*MK, *IJ), lambda t, e: t.dp_dz[e["m"], e["k"], e["i"], e["j"]],
                     ("equation", "condition")),
    "p.jacobian": Check((*MK, ("j", full("K"))), lambda t, e: t.dp_dz[e["m"], e["k"], e["m"], e["j"]]),
    "loss.definition": Check((), lambda t, e: t.L),
    "loss.chain": Check(IJ, lambda t, e: t.dL_dZ[e["i"] - 1, e["j"] - 1]),
    "loss.collapse": Check(IJ, lambda t, e: t.dL_dZ[e["i"] - 1, e["j"] - 1]),
    "loss.result": Check(IJ, lambda t, e: t.dL_dZ[e["i"] - 1, e["j"] - 1]),
    "loss.matrix_form": Check((), lambda t, e: t.dL_dZ),
    "p.shift": Check(MK, lambda t, e: t.P[e["m"] - 1, e["k"] - 1]),
}

COLLAPSED = r"= -\frac{1}{M} \sum_{k=1}^{K} [y_{i} = k]\, (\delta_{kj} - p_{ij})"  # the last side
MUTATIONS = (
    Mutation("p.definition", ((r"\frac{\exp(z_{mk})}", r"\frac{\exp(-z_{mk})}"),)),
    Mutation("p.definition", ((r"^{K}", r"^{M}"),)),
    Mutation("p.other", ((r"(i \ne m)", r"(j \ne k)"),)),
    Mutation("p.other", ((r"= 0", r"= p_{mk}"),)),
    Mutation("p.jacobian", ((r"= p_{mk}\, (\delta_{kj} - p_{mj})", r"= p_{mk}\, (1 - p_{mj})"),)),
    Mutation("p.jacobian", ((r"\delta_{kj} - p_{mk}\, p_{mj} =", r"\delta_{kj} + p_{mk}\, p_{mj} ="),)),
    Mutation("loss.definition", ((r"-\frac{1}{M}", r"-\frac{1}{K}"),)),
    Mutation("loss.definition", ((r"[y_{m} = k]", r"[y_{m} \ne k]"),)),
    Mutation("loss.chain", ((r"\frac{1}{p_{mk}}", r"p_{mk}"),)),
    Mutation("loss.chain", ((r"= -\frac{1}{M}", r"= \frac{1}{M}"),)),
    Mutation("loss.collapse", ((COLLAPSED, COLLAPSED.replace("p_{ij})", "p_{ik})")),)),
    Mutation("loss.collapse", ((r"\frac{1}{p_{ik}}\, p_{ik}", r"\frac{1}{p_{ik}}"),)),
    Mutation("loss.result", ((r"[y_{i} = j]", r"[y_{i} \ne j]"),)),
    Mutation("loss.result", ((r"\frac{1}{M}", r"\frac{1}{K}"),)),
    Mutation("loss.matrix_form", ((r"(P - Y)", r"(Y - P)"),)),
    Mutation("loss.matrix_form", ((r"\frac{1}{M}", r"\frac{1}{K}"),)),
    Mutation("p.shift", ((r"\frac{\exp(z_{mk} - c_{m})}", r"\frac{\exp(z_{mk} + c_{m})}"),)),
    Mutation("p.shift", ((r"{\exp(-c_{m}) \sum", r"{\sum"),)),
)

SYNTAX_ERRORS = (
    SyntaxCase("loss.definition", r"\ln(p_{mk})", r"\log(p_{mk})", r"\log"),
    SyntaxCase("loss.result", r"[y_{i} = j]", r"\mathbb{I}[y_{i} = j]", r"\mathbb{I}"),
)

TOPIC = Topic("softmax_ce", SETTING, SIZES, SECTIONS, CHECKS, truth, MUTATIONS, SYNTAX_ERRORS)


class TestSoftmaxCe(StepSuite):
    topic = TOPIC
