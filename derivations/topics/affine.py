"""Affine layer: ``Y = X W + b``, the bias row ``b`` added to every row of ``X W``.

Shapes: ``X`` is ``(M, D)``, ``W`` is ``(D, N)``, ``b`` is ``(1, N)``, ``Y`` and ``G = dL/dY`` are
``(M, N)``. The broadcast is the product ``1_M b`` with a column of ``M`` ones, written out, so
``b`` of any other shape is an error, never stretched.
"""

from __future__ import annotations

import numpy as np

from derivations import tex
from derivations._validate import chain, exact_inputs, inputs, narrow, scalar
from derivations.example import Example, Shown, Sum
from derivations.exercises import small_integers


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return ``Y = X W + 1_M b``.

    Parameters
    ----------
    X : array of shape (M, D)
    W : array of shape (D, N)
    b : array of shape (1, N), one bias per output, added to every row.

    Returns
    -------
    Y : ndarray of shape (M, N), ``y_mn = sum_k x_mk w_kn + b_n``.

    Examples
    --------
    >>> forward([[1, 2], [3, 4]], [[1], [1]], [[10]])
    array([[13],
           [17]])
    >>> forward([[1, 2]], [[1], [1]], [[10, 20]])
    Traceback (most recent call last):
    ...
    ValueError: b has shape (1, 2) but must be (1, 1): one bias per column of X W, as a 1 x N row
    """
    X, W, b = _inputs(X, W, b)
    return narrow(X @ W + _ones(X.shape[0], X) @ b)


def backward(X: np.ndarray, W: np.ndarray, b: np.ndarray, G: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(dX, dW, db) = (G W^T, X^T G, 1_M^T G)`` for ``G = dL/dY``.

    ``db`` is the column sums of ``G``: every sample's row of ``Y`` received the same ``b``, so
    every sample's gradient flows back into it.

    Examples
    --------
    >>> dX, dW, db = backward([[1, 2], [3, 4]], [[1], [1]], [[10]], [[1], [-2]])
    >>> db
    array([[-1]])
    >>> dW.T
    array([[-5, -6]])
    """
    X, W, b, G = _inputs(X, W, b, G)
    if G.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"G has shape {G.shape} but Y = X W + b has shape {(X.shape[0], W.shape[1])}; "
                         "G = dL/dY must have Y's shape")
    return narrow(G @ W.T), narrow(X.T @ G), narrow(_ones(X.shape[0], G).T @ G)


def worked_example(X: object = ((2, 1), (-1, 1), (1, -1)),
                   W: object = ((3, 1, 2, 1), (-1, 1, -1, 3)),
                   b: object = ((1, 2, 1, -3),),
                   G: object = ((-2, 1, -3, 2), (-2, 2, -1, 1), (1, 2, 2, -2))) -> Example:
    """Every quantity the affine-layer page shows, for exact inputs (the page's by default).

    ``M, D, N = 3, 2, 4`` are all different, so ``db = 1^T G`` (a 1 x 4 row, summing 3 samples)
    cannot be confused with a sum over the wrong axis; its entries differ even in absolute value,
    and no entry of ``Y``, ``dX``, ``dW`` or ``db`` is 0. ``L = sum(G * Y)`` makes ``dL/dY = G``.
    The bias entry expanded is ``dL/db_c`` with ``c = ceil(N/2)``.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["db"].value
    array([[-3,  5, -2,  1]])
    >>> ex.quantities["db_entry"].value
    Sum(terms=(1, 2, 2), total=5)
    """
    X, W, b, G = exact_inputs(X=X, W=W, b=b, G=G)
    Y = forward(X, W, b)
    dX, dW, db = backward(X, W, b, G)
    M, N = Y.shape
    j = (N + 1) // 2
    column = tuple(scalar(v) for v in G[:, j - 1])
    return Example(
        topic="affine",
        quantities={
            "X": Shown("X", narrow(X)),
            "W": Shown("W", narrow(W)),
            "b": Shown("b", narrow(b)),
            "G": Shown(r"G = \frac{\partial L}{\partial Y}", narrow(G)),
            "Y": Shown(r"Y = XW + \mathbf{1}_{%d}\, b" % M, Y),
            "L": Shown(r"L = \sum_{m=1}^{%d}\sum_{n=1}^{%d} g_{mn}\, y_{mn}" % (M, N),
                       scalar((G * Y).sum())),
            "dX": Shown(r"\frac{\partial L}{\partial X} = G W^{\mathsf T}", dX),
            "dW": Shown(r"\frac{\partial L}{\partial W} = X^{\mathsf T} G", dW),
            "db": Shown(r"\frac{\partial L}{\partial b} = \mathbf{1}_{%d}^{\mathsf T} G" % M, db),
            "db_entry": Shown(r"\frac{\partial L}{\partial b_{%d}} = \sum_{m=1}^{%d} g_{%s}"
                              % (j, M, tex.indices("m", j)), Sum(column, sum(column)), (1, j)),
            "dW_torch": Shown(r"\frac{\partial L}{\partial W_{\text{pt}}} = G^{\mathsf T} X",
                              narrow(G.T @ X)),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: distinct sizes, small non-zero integers, no zero in any result."""
    M, D, N = rng.permutation([2, 3, 4])
    return small_integers(rng, {"X": (M, D), "W": (D, N), "b": (1, N), "G": (M, N)},
                          lambda a: [a["X"] @ a["W"] + a["b"], a["G"] @ a["W"].T, a["X"].T @ a["G"],
                                     a["G"].sum(axis=0)])


def _ones(M: int, like: np.ndarray) -> np.ndarray:
    return np.ones((M, 1), dtype=object) if like.dtype == object else np.ones((M, 1))


def _inputs(*arrays: object) -> tuple[np.ndarray, ...]:
    """Validate ``X, W, b`` (and ``G``): real matrices of one kind, ``X W`` defined, ``b`` a 1 x N row."""
    named = inputs(**dict(zip(("X", "W", "b", "G"), arrays, strict=False)))
    X, W, b = named[:3]
    chain(X, W, "X", "W")
    if b.shape != (1, W.shape[1]):
        raise ValueError(f"b has shape {b.shape} but must be {(1, W.shape[1])}: one bias per column of "
                         "X W, as a 1 x N row")
    return named
