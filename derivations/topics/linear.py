"""Fully connected layer without bias: ``Y = X W``.

Shapes: ``X`` is ``(M, D)``, ``W`` is ``(D, N)``, ``Y`` and ``G = dL/dY`` are ``(M, N)``.

Besides the page's example on ``X, W, G``, the page shows two fixed computations: sizes for a layer of
realistic size (``LAYER``), and an example with ``D = N`` (``SQUARE``), where a wrong transpose keeps
the right shape.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations import tex
from derivations._validate import chain, exact_inputs, inputs, narrow, scalar
from derivations.example import Example, Expansion, MatrixProduct, NumberTuple, RowCol, Shown
from derivations.exercises import small_integers

# (M, D, N) of a layer of realistic size: a batch of 64 samples, 4096 features in and out.
LAYER = (64, 4096, 4096)
FLOAT32_BYTES = 4
# Inputs with M = 3 and D = N = 2: G W has the shape of G W^T, and G^T X the shape of X^T G, yet every
# entry of G W differs from G W^T and the off-diagonal entries of G^T X from X^T G; no result is 0.
SQUARE = {"X": ((1, 3), (-1, -1), (2, -2)), "W": ((2, -1), (1, 3)), "G": ((1, -1), (2, -1), (1, 1))}


def forward(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Return ``Y = X W``.

    Parameters
    ----------
    X : array of shape (M, D)
    W : array of shape (D, N)

    Returns
    -------
    Y : ndarray of shape (M, N), ``y_ij = sum_k x_ik w_kj``.

    Raises
    ------
    ValueError
        If either input is not 2-D, holds NaN or inf, or the inner sizes differ.
    TypeError
        If either input holds anything but real numbers.

    Examples
    --------
    >>> forward([[1, 2]], [[3], [4]])
    array([[11]])
    >>> forward([[1, 2]], [[3, 4]])
    Traceback (most recent call last):
    ...
    ValueError: X has shape (1, 2) and W has shape (1, 2): X's 2 columns must match W's 1 rows
    """
    X, W = _inputs(X, W)
    return narrow(X @ W)


def backward(X: np.ndarray, W: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dX, dW) = (G W^T, X^T G)`` for ``G = dL/dY``.

    Parameters
    ----------
    X : array of shape (M, D)
    W : array of shape (D, N)
    G : array of shape (M, N), the gradient of a scalar loss with respect to ``Y = X W``.

    Returns
    -------
    dX : ndarray of shape (M, D), ``dL/dx_ij = sum_k g_ik w_jk``.
    dW : ndarray of shape (D, N), ``dL/dw_ij = sum_k x_ki g_kj``.

    Examples
    --------
    >>> dX, dW = backward([[1, 2]], [[3], [4]], [[5]])
    >>> dX
    array([[15, 20]])
    >>> dW
    array([[ 5],
           [10]])
    >>> backward([[1, 2]], [[3], [4]], [[5, 6]])
    Traceback (most recent call last):
    ...
    ValueError: G has shape (1, 2) but Y = X W has shape (1, 1); G = dL/dY must have Y's shape
    """
    X, W, G = _inputs(X, W, G)
    expected = (X.shape[0], W.shape[1])
    if G.shape != expected:
        raise ValueError(
            f"G has shape {G.shape} but Y = X W has shape {expected}; G = dL/dY must have Y's shape"
        )
    return narrow(G @ W.T), narrow(X.T @ G)


def worked_example(X: object = ((-1, 2, -2), (3, 1, -1)),
                   W: object = ((3, 3, 2, 1), (-2, -1, -1, 1), (-2, 3, 4, 5)),
                   G: object = ((1, 2, -1, 1), (-1, 2, 1, -1))) -> Example:
    """Every quantity the fully-connected-layer page shows, for exact inputs (the page's by default).

    The page's ``M, D, N = 2, 3, 4`` are all different and no entry of ``Y``, ``dX`` or ``dW``
    is 0, so a wrong transpose or a swapped index cannot give the right numbers by accident.
    ``L = sum(G * Y)`` makes ``dL/dY = G`` exactly. The entries expanded term by term are
    ``dL/dx_{MD}`` (last row, last column) and ``dL/dw_{D,c}`` with ``c = ceil(N/2)``.

    Then, on the same inputs: ``dL/dW`` as one outer product per sample (``outer_1`` ... ``outer_M``),
    row 1 of ``dL/dX`` from row 1 of ``G`` alone, PyTorch's weight ``W^T`` and its gradient ``G^T X``,
    and the column-vector convention for sample 1 (``delta x^T`` and ``W delta``). Last, independent of
    the inputs: the size of the Jacobian ``dY/dX`` and of what the backward pass keeps for ``LAYER``,
    and the ``SQUARE`` example.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["Y"].value
    array([[ -3, -11, -12,  -9],
           [  9,   5,   1,  -1]])
    >>> ex.quantities["L"].value
    -19
    >>> ex.quantities["dX_entry"].entry, ex.quantities["dX_entry"].value.total
    ((2, 3), 7)
    >>> ex.quantities["jacobian_entries"].value.total, ex.quantities["jacobian_gib"].value
    (68719476736, 256)
    >>> ex.quantities["sq_GW"].value
    array([[ 1, -4],
           [ 3, -5],
           [ 3,  2]])
    >>> worked_example([[0.5]], [[1]], [[1]])
    Traceback (most recent call last):
    ...
    TypeError: worked examples show exact numbers: X holds floats; use integers or fractions such as 1/2
    """
    X, W, G = exact_inputs(X=X, W=W, G=G)
    chain(X, W, "X", "W")
    Y = X @ W
    dX, dW = backward(X, W, G)
    M, N = Y.shape
    (xi, xj), (wi, wj) = (M, X.shape[1]), (W.shape[0], (N + 1) // 2)
    x_sum, x_rowcol = _entry(
        r"\frac{\partial L}{\partial x_{%s}}" % tex.indices(xi, xj),
        r"\sum_{k=1}^{%d} g_{%s}\, w_{%s}" % (N, tex.indices(xi, "k"), tex.indices(xj, "k")),
        r"G_{%d,:}\,(W^{\mathsf T})_{:,%d}" % (xi, xj),
        G[xi - 1], W[xj - 1], (xi, xj),
    )
    w_sum, w_rowcol = _entry(
        r"\frac{\partial L}{\partial w_{%s}}" % tex.indices(wi, wj),
        r"\sum_{k=1}^{%d} x_{%s}\, g_{%s}" % (M, tex.indices("k", wi), tex.indices("k", wj)),
        r"(X^{\mathsf T})_{%d,:}\,G_{:,%d}" % (wi, wj),
        X[:, wi - 1], G[:, wj - 1], (wi, wj),
    )
    outer = {f"outer_{m}": Shown(r"(X_{%d,:})^{\mathsf T} G_{%d,:}" % (m, m), MatrixProduct(
        (_col(X[m - 1]), _row(G[m - 1])), narrow(np.outer(X[m - 1], G[m - 1])))) for m in range(1, M + 1)}
    return Example(
        topic="linear",
        quantities={
            "X": Shown("X", narrow(X)),
            "W": Shown("W", narrow(W)),
            "G": Shown(r"G = \frac{\partial L}{\partial Y}", narrow(G)),
            "Y": Shown("Y = XW", narrow(Y)),
            "L": Shown(r"L = \sum_{m=1}^{%d}\sum_{n=1}^{%d} g_{mn}\, y_{mn}" % (M, N),
                       scalar((G * Y).sum())),
            "dX": Shown(r"\frac{\partial L}{\partial X} = G W^{\mathsf T}", dX),
            "dW": Shown(r"\frac{\partial L}{\partial W} = X^{\mathsf T} G", dW),
            "dX_entry": x_sum,
            "dX_rowcol": x_rowcol,
            "dW_entry": w_sum,
            "dW_rowcol": w_rowcol,
            **outer,
            "dX_row": Shown(r"\frac{\partial L}{\partial X_{1,:}} = G_{1,:}\, W^{\mathsf T}",
                            MatrixProduct((_row(G[0]), narrow(W.T)), _row(dX[0]))),
            **_layer(*LAYER),
            **_square(**SQUARE),
            "W_pt": Shown(r"W_{\text{pt}} = W^{\mathsf T}", narrow(W.T)),
            "dW_pt": Shown(r"\frac{\partial L}{\partial W_{\text{pt}}} = G^{\mathsf T} X", narrow(G.T @ X)),
            "col_dW": Shown(r"\delta\, x^{\mathsf T} = (G_{1,:})^{\mathsf T} X_{1,:}",
                            MatrixProduct((_col(G[0]), _row(X[0])), narrow(np.outer(G[0], X[0])))),
            "col_dx": Shown(r"W \delta = W\, (G_{1,:})^{\mathsf T}",
                            MatrixProduct((narrow(W), _col(G[0])), _col(dX[0]))),
        },
    )


def _row(v: np.ndarray) -> np.ndarray:
    return narrow(v.reshape(1, -1))


def _col(v: np.ndarray) -> np.ndarray:
    return narrow(v.reshape(-1, 1))


def _layer(M: int, D: int, N: int) -> dict[str, Shown]:
    """How large the Jacobian dY/dX of an (M, D, N) layer is, and what the backward pass keeps instead."""
    B, entries = FLOAT32_BYTES, M * N * M * D
    return {
        "layer": Shown("(M, D, N)", NumberTuple((M, D, N))),
        "jacobian_entries": Shown(r"MN \cdot MD", Expansion(((M * N, M * D),), entries)),
        "jacobian_gib": Shown(r"\frac{%d \cdot MN \cdot MD}{2^{30}}" % B,
                              scalar(Fraction(B * entries, 2**30))),
        "jacobian_nonzero": Shown(r"\frac{MN \cdot D}{MN \cdot MD}", scalar(Fraction(M * N * D, entries))),
        "stored_sample": Shown(r"\frac{%dD}{2^{10}}" % B, scalar(Fraction(B * D, 2**10))),
        "stored_X": Shown(r"\frac{%dMD}{2^{20}}" % B, scalar(Fraction(B * M * D, 2**20))),
        "stored_W": Shown(r"\frac{%dDN}{2^{20}}" % B, scalar(Fraction(B * D * N, 2**20))),
    }


def _square(X: object, W: object, G: object) -> dict[str, Shown]:
    """Inputs with ``D = N``: the right gradients beside the wrong transposes that have the same shapes,
    and the exact change of ``L`` when ``x_{1D}`` grows by 1, which only the right one predicts."""
    X, W, G = exact_inputs(X=X, W=W, G=G)
    chain(X, W, "X", "W")
    D = X.shape[1]
    dX, dW = backward(X, W, G)
    bumped = X.copy()
    bumped[0, D - 1] += 1
    return {
        "sq_X": Shown("X", narrow(X)),
        "sq_W": Shown("W", narrow(W)),
        "sq_G": Shown(r"G = \frac{\partial L}{\partial Y}", narrow(G)),
        "sq_dX": Shown(r"\frac{\partial L}{\partial X} = G W^{\mathsf T}", dX),
        "sq_GW": Shown("G W", narrow(G @ W)),
        "sq_probe": Shown(r"L(X + E_{%s}) - L(X)" % tex.indices(1, D),
                          scalar((G * (bumped @ W)).sum() - (G * (X @ W)).sum()), (1, D)),
        "sq_dW": Shown(r"\frac{\partial L}{\partial W} = X^{\mathsf T} G", dW),
        "sq_GtX": Shown(r"G^{\mathsf T} X", narrow(G.T @ X)),
    }


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: distinct sizes from 2 to 4, small non-zero integers, no zero in any result."""
    M, D, N = rng.permutation([2, 3, 4])
    return small_integers(rng, {"X": (M, D), "W": (D, N), "G": (M, N)},
                          lambda a: [a["X"] @ a["W"], a["G"] @ a["W"].T, a["X"].T @ a["G"]])


def _entry(
    lhs: str, by_sum: str, by_rowcol: str, row: np.ndarray, col: np.ndarray, at: tuple[int, int]
) -> tuple[Shown, Shown]:
    """One gradient entry shown twice: as a sum written term by term, and as row times column."""
    r, c = tuple(map(scalar, row)), tuple(map(scalar, col))
    total = scalar(row @ col)
    return (
        Shown(f"{lhs} = {by_sum}", Expansion(tuple(zip(r, c, strict=True)), total), at),
        Shown(f"{lhs} = {by_rowcol}", RowCol(r, c, total), at),
    )


def _inputs(*arrays: object) -> tuple[np.ndarray, ...]:
    """Validate ``X, W`` (and ``G``): real matrices of one kind whose product is defined."""
    named = inputs(**dict(zip("XWG", arrays, strict=False)))
    chain(named[0], named[1], "X", "W")
    return named
