"""Softmax with cross-entropy, averaged over the batch: ``L = -(1/M) sum_m ln p_{m, y_m}``.

Shapes: the logits ``Z`` are ``(M, K)`` (``M`` samples, ``K`` classes), ``P = softmax(Z)`` row by
row; ``labels`` is an ``(M, 1)`` column of one-based class indices ``y_m`` in ``1..K`` (PyTorch's
``F.cross_entropy`` takes 0-based ones); ``L`` and its upstream gradient ``G`` are ``1 x 1``.
The mean is over the ``M`` samples only. ``exp`` makes every result irrational for rational
logits, so ``forward`` and ``backward`` compute in float64; the worked example takes logits
``ln a`` with rational ``a``, for which ``P`` and the gradient are exact.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from derivations._validate import class_labels, exact_inputs, logs, matrix, narrow, scalar, upstream
from derivations.example import Example, Expansion, Shown
from derivations.values import PRECISION, Ln, Rounded

# Digits after the point of the one value with no exact form, L.
PLACES = 4


def forward(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return ``[[L]]`` with ``L = -(1/M) sum_m ln softmax(z_m)_{y_m}``, by log-sum-exp.

    Parameters
    ----------
    Z : array of shape (M, K), the logits, one row per sample.
    labels : integer array of shape (M, 1), one-based class indices in ``1..K``.

    Returns
    -------
    L : float64 ndarray of shape (1, 1); finite for any finite logits, however large.

    Examples
    --------
    >>> forward([[0.0, 0.0]], [[2]]).round(6)
    array([[0.693147]])
    >>> forward([[1000.0, 1000.0]], [[2]]).round(6)
    array([[0.693147]])
    >>> forward([[0.0, 0.0]], [[0]])
    Traceback (most recent call last):
    ...
    ValueError: labels[0, 0] = 0 is outside 1..2: labels are one-based class indices (PyTorch's are 0-based)
    """
    Z, y = _inputs(Z, labels)
    shifted, s = _shifted(Z)
    log_P = shifted - np.log(s)
    return np.array([[-log_P[np.arange(len(y)), y].mean()]])


def backward(Z: np.ndarray, labels: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, None]:
    """Return ``(dZ, None)`` with ``dZ = G (P - Y) / M``, ``Y`` the one-hot rows of the labels.

    The labels are integers, so they have no gradient (None).

    Examples
    --------
    >>> dZ, dlabels = backward([[0.0, 0.0], [0.0, 0.0]], [[2], [1]], [[1]])
    >>> dZ
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> dlabels is None
    True
    """
    Z, y = _inputs(Z, labels)
    g = float(upstream(G)[0, 0])
    shifted, s = _shifted(Z)
    P = np.exp(shifted) / s
    return g * _gradient(P, _one_hot(y, Z.shape[1], float)), None


def worked_example(Z: object = ((Ln(Fraction(1)), Ln(Fraction(2)), Ln(Fraction(3))),
                                (Ln(Fraction(5)), Ln(Fraction(1, 2)), Ln(Fraction(3, 2)))),
                   labels: object = ((3,), (2,)),
                   G: object = ((1,),)) -> Example:
    """Every quantity the softmax cross-entropy page shows; logits ``ln a`` make it exact.

    Row 1, ``ln 1, ln 2, ln 3``, has probabilities ``1/6, 2/6, 3/6``; row 2 sums to 7, so its row
    maximum, log-sum-exp and probabilities all differ from row 1's. ``M = 2`` samples and ``K = 3``
    classes differ; the labels pick the most likely class in row 1 and an unlikely one in row 2. No
    entry of ``P - Y`` is 0, so forgetting the ``1/M`` changes every displayed gradient entry. The
    entry expanded through the softmax Jacobian is ``dl_1/dz_1j`` for the first class ``j`` that is not
    sample 1's label, so the sum shows both kinds of Jacobian entry.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["P"].value[0].tolist()
    [Fraction(1, 6), Fraction(1, 3), Fraction(1, 2)]
    >>> ex.quantities["L"].value
    Rounded(1.6661)
    >>> worked_example(Z=[[1, 2]], labels=[[1]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: Z[0, 0] is 1, not a logarithm; worked examples take every entry of Z as ln(a) ...
    """
    Z = logs("Z", Z)
    (G,) = exact_inputs(G=G)
    g = scalar(upstream(G)[0, 0])
    M, K = Z.shape
    if K < 2:
        raise ValueError(f"Z has shape {Z.shape}: a worked example needs at least 2 classes, so that a "
                         "derivative with respect to a class other than the label can be shown")
    y = class_labels("labels", labels, M, K)
    A = np.vectorize(lambda z: Fraction(z.arg), otypes=[object])(Z)  # e^{z_mk}, exactly
    top = A.max(axis=1, keepdims=True)  # e^{c_m}, c_m = max_k z_mk
    s = (A / top).sum(axis=1, keepdims=True)
    total = A.sum(axis=1, keepdims=True)  # e^{lse_m} = e^{c_m} s_m
    P = A / total
    Y = _one_hot(y, K, object)
    ell = [total[m, 0] / A[m, y[m]] for m in range(M)]  # -ln p_{m,y_m} = ln(1 / p_{m,y_m})
    with localcontext() as ctx:
        ctx.prec = PRECISION
        L = sum((Ln(v).decimal() for v in ell), Decimal(0)) / M
    j = next(k for k in range(K) if k != y[0])
    terms = tuple((scalar(-1 / P[0, k] if k == y[0] else 0), scalar(P[0, k] * (int(k == j) - P[0, j])))
                  for k in range(K))
    ln = np.vectorize(Ln, otypes=[object])
    one = r"\mathbf{1}_{%d}" % K
    scaled = "" if g == 1 else r"G\,"
    shown_G = {} if g == 1 else {"G": Shown(r"G = \frac{\partial J}{\partial L}", narrow(G))}
    return Example(
        topic="softmax_ce",
        quantities={
            "Z": Shown("Z", Z),
            "labels": Shown("y", (y + 1).reshape(M, 1)),
            "Y": Shown("Y", narrow(Y)),
            **shown_G,
            "c": Shown("c", ln(top)),
            "Z_shifted": Shown(r"Z - c\,%s^{\mathsf T}" % one, ln(A / top)),
            "s": Shown(r"s = \exp(Z - c\,%s^{\mathsf T})\,%s" % (one, one), narrow(s)),
            "lse": Shown(r"\operatorname{lse}(Z) = c + \ln s", ln(total)),
            "log_P": Shown(r"\ln P = Z - \operatorname{lse}(Z)\,%s^{\mathsf T}" % one, ln(P)),
            "P": Shown(r"P = \operatorname{softmax}(Z)", narrow(P)),
            "ell": Shown(r"\ell = -(Y \odot \ln P)\,%s" % one,
                         ln(np.array(ell, dtype=object).reshape(M, 1))),
            "L": Shown(r"L = \frac{1}{%d} \sum_{m=1}^{%d} \ell_{m}" % (M, M), Rounded(L, PLACES)),
            "dl_entry": Shown(r"\frac{\partial \ell_{1}}{\partial z_{1%d}} = \sum_{k=1}^{%d} "
                              r"\frac{\partial \ell_{1}}{\partial p_{1k}}\, "
                              r"\frac{\partial p_{1k}}{\partial z_{1%d}}"
                              % (j + 1, K, j + 1),
                              Expansion(terms, scalar(P[0, j] - Y[0, j])), (1, j + 1)),
            "dZ": Shown(r"%s\frac{\partial L}{\partial Z} = %s\frac{1}{%d}\,(P - Y)" % (scaled, scaled, M),
                        narrow(g * _gradient(P, Y))),
        },
    )


def _gradient(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``dL/dZ = (P - Y) / M``: the one formula both the float and the exact path use."""
    M = P.shape[0]
    return (P - Y) * (Fraction(1, M) if P.dtype == object else 1.0 / M)


def _shifted(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Z - c 1^T`` with the row maxima ``c``, and the row sums ``s`` of its exponentials.

    No exponential exceeds 1 and each ``s_m`` is in ``[1, K]``, so ``ln p_mk = (z_mk - c_m) - ln s_m``
    and ``p_mk = e^{z_mk - c_m} / s_m`` are finite for any finite logits. Neither goes through
    ``lse(z_m) = c_m + ln s_m`` itself, whose rounding at the size of ``c_m`` would cost digits.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted, np.exp(shifted).sum(axis=1, keepdims=True)


def _one_hot(y: np.ndarray, K: int, dtype: type) -> np.ndarray:
    Y = np.zeros((len(y), K), dtype=dtype)  # an object array of zeros holds the int 0, exactly
    Y[np.arange(len(y)), y] = 1
    return Y


def _inputs(Z: object, labels: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``Z`` (real, computed in float64) and ``labels`` (one-based, returned 0-based)."""
    Z = matrix("Z", Z).astype(np.float64)
    return Z, class_labels("labels", labels, *Z.shape)


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: ``M x K`` of 3 x 2 or 2 x 4, logits ``ln a`` with integers ``a`` from 1 to 6.

    The logits of a row differ, every row has its own sum (so its own log-sum-exp), and the labels
    are not all one class. ``G`` is 1: the loss is at the top.

    Examples
    --------
    >>> a = exercise(np.random.default_rng(0))
    >>> len({sum(z.arg for z in row) for row in a["Z"]}) == len(a["Z"])
    True
    """
    M, K = ((3, 2), (2, 4))[int(rng.integers(2))]
    while True:
        A = np.array([rng.permutation(6)[:K] + 1 for _ in range(M)])
        labels = rng.integers(1, K + 1, size=(M, 1))
        if len(set(A.sum(axis=1))) == M and len(set(labels.flat)) > 1:
            return {"Z": [[Ln(Fraction(int(a))) for a in row] for row in A], "labels": labels.tolist(),
                    "G": [[1]]}
