"""Mean squared error ``L = (1 / MN) sum_mn (yhat_mn - y_mn)^2``, the mean over all ``M N`` entries.

Shapes: the prediction ``Yhat`` and the target ``Y`` are both ``(M, N)`` (``M`` samples, ``N``
outputs each); ``L`` is a ``1 x 1`` matrix and so is its upstream gradient ``G`` (1 when ``L`` is
the loss at the top). The mean is PyTorch's ``reduction='mean'``: over every entry, not over the
batch alone.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations._validate import exact_inputs, matrix, narrow, same_kind, scalar, upstream
from derivations.example import Example, Shown


def forward(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Return ``[[L]]`` with ``L = (1 / MN) sum_mn (yhat_mn - y_mn)^2``.

    Parameters
    ----------
    Yhat : array of shape (M, N), the prediction.
    Y : array of shape (M, N), the target.

    Returns
    -------
    L : ndarray of shape (1, 1), exact for exact inputs.

    Examples
    --------
    >>> forward([[1, 2, 3]], [[1, 1, 1]])
    array([[Fraction(5, 3)]], dtype=object)
    >>> forward([[1.0, 2.0]], [[1, 2, 3]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Y has shape (1, 3) but Yhat has shape (1, 2); the squared error compares them entry by ...
    """
    Yhat, Y = _inputs(Yhat, Y)
    E = Yhat - Y
    return narrow(np.array([[(E * E).sum() * _mean(E)]], dtype=E.dtype))


def backward(Yhat: np.ndarray, Y: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dYhat, dY) = (G 2 (Yhat - Y) / MN, -G 2 (Yhat - Y) / MN)``.

    Parameters
    ----------
    Yhat, Y : arrays of shape (M, N).
    G : array of shape (1, 1), the gradient of the final objective with respect to ``L``.

    Examples
    --------
    >>> dYhat, dY = backward([[1, 2, 3]], [[1, 1, 1]], [[1]])
    >>> dYhat
    array([[0, Fraction(2, 3), Fraction(4, 3)]], dtype=object)
    >>> dY
    array([[0, Fraction(-2, 3), Fraction(-4, 3)]], dtype=object)
    """
    Yhat, Y, G = _inputs(Yhat, Y, upstream(G))
    dYhat = G[0, 0] * 2 * _mean(Yhat) * (Yhat - Y)
    return narrow(dYhat), narrow(-dYhat)


def worked_example(Yhat: object = ((2, 0, 1, -1), (Fraction(1, 2), 3, -2, 1), (0, 1, Fraction(5, 2), 2)),
                   Y: object = ((1, 2, Fraction(1, 2), 2), (2, 1, -1, Fraction(3, 2)),
                                (-3, Fraction(-1, 2), 0, Fraction(9, 2))),
                   G: object = ((1,),)) -> Example:
    """Every quantity the MSE page shows, for exact inputs (the page's by default).

    ``M, N = 3, 4``: with ``N = 2`` the true factor ``2 / MN`` would equal ``1 / M`` (a gradient
    that forgot both the 2 and the N would pass), and with ``M = 2`` the per-batch factor ``2 / M``
    would be 1. Here ``2/MN = 1/6``, ``2/M = 2/3``, ``1/M = 1/3``, ``1/MN = 1/12`` all differ, and no
    entry of ``E = Yhat - Y`` is 0, so every displayed gradient entry changes under each of those
    mistakes.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["L"].value
    Fraction(91, 24)
    >>> ex.quantities["dYhat"].value[0].tolist()
    [Fraction(1, 6), Fraction(-1, 3), Fraction(1, 12), Fraction(-1, 2)]
    """
    Yhat, Y, G = exact_inputs(Yhat=Yhat, Y=Y, G=G)
    Yhat, Y, G = _inputs(Yhat, Y, upstream(G))
    M, N = Yhat.shape
    E = Yhat - Y
    L = forward(Yhat, Y)[0, 0]
    dYhat, dY = backward(Yhat, Y, G)
    batch = scalar((E * E).sum() * Fraction(1, M))
    g = scalar(G[0, 0])
    scaled = "" if g == 1 else r"G\,"
    shown_G = {} if g == 1 else {"G": Shown(r"G = \frac{\partial J}{\partial L}", narrow(G))}
    return Example(
        topic="mse",
        quantities={
            "Yhat": Shown(r"\hat{Y}", narrow(Yhat)),
            "Y": Shown("Y", narrow(Y)),
            **shown_G,
            "E": Shown(r"E = \hat{Y} - Y", narrow(E)),
            "L": Shown(r"L = \frac{1}{%d \cdot %d} \sum_{m=1}^{%d}\sum_{n=1}^{%d} e_{mn}^{2}" % (M, N, M, N),
                       scalar(L)),
            "dYhat": Shown(r"%s\frac{\partial L}{\partial \hat{Y}} = %s\frac{2}{%d \cdot %d}\, E"
                           % (scaled, scaled, M, N), dYhat),
            "dY": Shown(r"%s\frac{\partial L}{\partial Y} = -%s\frac{\partial L}{\partial \hat{Y}}"
                        % (scaled, scaled), dY),
            "L_batch": Shown(r"L_{\text{batch}} = \frac{1}{%d} \sum_{m=1}^{%d}\sum_{n=1}^{%d} e_{mn}^{2}"
                             % (M, M, N), batch),
            "dYhat_batch": Shown(r"%s\frac{\partial L_{\text{batch}}}{\partial \hat{Y}} = %s\frac{2}{%d}\, E"
                                 % (scaled, scaled, M), narrow(g * 2 * Fraction(1, M) * E)),
        },
    )


def _mean(A: np.ndarray) -> Fraction | float:
    """``1 / MN`` for an ``M x N`` matrix: exact for exact matrices."""
    return Fraction(1, A.size) if A.dtype == object else 1.0 / A.size


def _inputs(*arrays: object) -> tuple[np.ndarray, ...]:
    """Validate ``Yhat, Y`` (and a validated ``G``): real matrices of one kind and one shape."""
    named = same_kind(**{n: matrix(n, A) for n, A in zip(("Yhat", "Y", "G"), arrays, strict=False)})
    Yhat, Y = named[:2]
    if Y.shape != Yhat.shape:
        raise ValueError(f"Y has shape {Y.shape} but Yhat has shape {Yhat.shape}; the squared error "
                         "compares them entry by entry, nothing is broadcast")
    return named


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: ``M x N`` of 3 x 4 or 4 x 3, integers and halves from -3 to 3, no entry of
    ``E = Yhat - Y`` 0, so (as on the page) every coefficient mistake changes every gradient entry.
    ``G`` is 1: the loss is at the top.

    Examples
    --------
    >>> a = exercise(np.random.default_rng(0))
    >>> bool(np.all(np.array(a["Yhat"], dtype=object) != np.array(a["Y"], dtype=object)))
    True
    """
    M, N = (int(k) for k in rng.permutation([3, 4]))
    pool = [*range(-3, 4), Fraction(-1, 2), Fraction(1, 2), Fraction(3, 2), Fraction(5, 2)]
    while True:
        Yhat, Y = ([[pool[k] for k in row] for row in rng.integers(len(pool), size=(M, N))] for _ in "ab")
        if all(p != t for prow, trow in zip(Yhat, Y, strict=True) for p, t in zip(prow, trow, strict=True)):
            return {"Yhat": Yhat, "Y": Y, "G": [[1]]}
