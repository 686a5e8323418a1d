"""A two-layer MLP: ``X -> affine (W1, b1) -> ReLU -> affine (W2, b2) -> softmax cross-entropy``.

Shapes: ``X`` is ``(M, D)`` (``M`` samples, ``D`` inputs), ``W1`` is ``(D, N)`` and ``b1`` ``(1, N)``
(``N`` hidden units), ``W2`` is ``(N, K)`` and ``b2`` ``(1, K)`` (``K`` classes), ``labels`` an
``(M, 1)`` column of one-based class indices. Forward: ``Z1 = X W1 + 1_M b1``, ``H = ReLU(Z1)``,
``Z2 = H W2 + 1_M b2``, ``L = -(1/M) sum_m ln softmax(z2_m)_{y_m}``; ``L`` and its upstream gradient
``G`` are ``1 x 1``.

Nothing is derived here: each layer is the topic module of its own page (:mod:`~derivations.topics.affine`,
:mod:`~derivations.topics.relu`, :mod:`~derivations.topics.softmax_ce`), and ``backward`` calls their
``backward`` in reverse order, each on the upstream gradient the layer above returned.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from derivations._validate import chain, class_labels, exact_inputs, inputs, narrow, scalar, upstream
from derivations.example import Example, NumberTuple, Shown
from derivations.topics import affine, relu, softmax_ce
from derivations.values import PRECISION, Rounded

# Digits after the point of every value with no exact form: P, L and the gradients below the softmax.
PLACES = 4
NAMES = ("X", "W1", "b1", "W2", "b2")


def forward(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
            labels: np.ndarray) -> np.ndarray:
    """Return ``[[L]]``, the mean cross-entropy of the network's softmax over the batch.

    Parameters
    ----------
    X : array of shape (M, D), one sample per row.
    W1, b1 : arrays of shape (D, N) and (1, N), the hidden layer.
    W2, b2 : arrays of shape (N, K) and (1, K), the output layer.
    labels : integer array of shape (M, 1), one-based class indices in ``1..K``.

    Returns
    -------
    L : float64 ndarray of shape (1, 1).

    Examples
    --------
    >>> forward([[1.0, 0.0]], [[1.0, -1.0], [0.0, 1.0]], [[0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]],
    ...         [[0.0, 0.0]], [[1]]).round(6)
    array([[0.313262]])
    """
    X, W1, b1, W2, b2, _ = _inputs(X, W1, b1, W2, b2, labels)
    Z1 = affine.forward(X, W1, b1)
    Z2 = affine.forward(relu.forward(Z1), W2, b2)
    return softmax_ce.forward(Z2, labels)


def backward(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
             labels: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return ``(dX, dW1, db1, dW2, db2, None)`` for ``G = dJ/dL`` (1 for the loss itself).

    The backward pass reuses ``X``, ``Z1`` (the ReLU mask), ``H`` and, inside the softmax layer,
    ``P``; the labels are integers and have no gradient (None).

    Examples
    --------
    >>> dX, dW1, db1, dW2, db2, dlabels = backward(
    ...     [[1.0, 0.0]], [[1.0, -1.0], [0.0, 1.0]], [[0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]],
    ...     [[0.0, 0.0]], [[1]], [[1.0]])
    >>> dW2.round(4)
    array([[-0.2689,  0.2689],
           [ 0.    ,  0.    ]])
    >>> db1.round(4), dlabels is None
    (array([[-0.2689,  0.    ]]), True)
    """
    X, W1, b1, W2, b2, _ = _inputs(X, W1, b1, W2, b2, labels)
    Z1 = affine.forward(X, W1, b1)
    H = relu.forward(Z1)
    Z2 = affine.forward(H, W2, b2)
    dZ2, _ = softmax_ce.backward(Z2, labels, upstream(G).astype(np.float64))
    dH, dW2, db2 = affine.backward(H, W2, b2, dZ2)
    (dZ1,) = relu.backward(Z1, dH)
    dX, dW1, db1 = affine.backward(X, W1, b1, dZ1)
    return dX, dW1, db1, dW2, db2, None


def worked_example(X: object = ((-1, 1), (2, 1)),
                   W1: object = ((1, -1, 2), (1, 1, -2)),
                   b1: object = ((1, -1, 1),),
                   W2: object = ((-1, 1, -2), (1, -1, -1), (2, -2, 2)),
                   b2: object = ((0, 1, 1),),
                   labels: object = ((2,), (3,)),
    G: object = ((1,),)) -> Example:
    """Every quantity the MLP page shows, for exact inputs (the page's by default).

    ``M, D, N, K = 2, 2, 3, 3``. ``Z1``, ``H`` and ``Z2`` are exact; ``P``, ``L`` and every gradient
    from ``dL/dZ2`` down go through ``exp`` and are shown rounded to ``PLACES`` digits, computed from
    ``P`` at 50 digits through the exact chain of the layer modules. In the default example hidden
    unit 1 is on for both samples, unit 2 only for sample 1 and unit 3 only for sample 2, so both
    kinds of ReLU entry reach ``dZ1`` and every hidden unit still passes some gradient on; no entry of
    ``Z1`` is 0, where ReLU has no derivative. Sample 1 is labelled with its most likely class, sample
    2 with an unlikely one.

    Examples
    --------
    >>> q = worked_example().quantities
    >>> q["H"].value.tolist()
    [[1, 1, 0], [4, 0, 3]]
    >>> q["mask"].value.tolist()
    [[1, 1, 0], [1, 0, 1]]
    >>> q["L"].value, q["dZ1"].value[1, 1]
    (Rounded(1.7220), Rounded(0.0000))
    >>> worked_example(W1=[[1, 1]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X has shape (2, 2) and W1 has shape (1, 2): X's 2 columns must match W1's 1 rows
    """
    X, W1, b1, W2, b2, y = _inputs(X, W1, b1, W2, b2, labels, exact=True)
    (G,) = exact_inputs(G=G)
    g = scalar(upstream(G)[0, 0])
    M, K = X.shape[0], W2.shape[1]
    if K < 2:
        raise ValueError(f"W2 has shape {W2.shape}: a classifier needs at least 2 classes")
    Z1 = affine.forward(X, W1, b1)
    H = relu.forward(Z1)
    mask = narrow(np.vectorize(relu.relu_prime, otypes=[object])(Z1))
    Z2 = affine.forward(H, W2, b2)
    Y = np.zeros((M, K), dtype=np.int64)
    Y[np.arange(M), y] = 1
    P, ell = _softmax(Z2, y)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        L = sum(ell, Decimal(0)) / M
    # (P - Y) / M to 50 digits, as exact rationals, so that the layer modules' exact backward passes
    # carry it down without rounding anything further.
    dZ2 = narrow(g * (np.vectorize(Fraction, otypes=[object])(P) - Y) * Fraction(1, M))
    dH, dW2, db2 = affine.backward(H, W2, b2, dZ2)
    (dZ1,) = relu.backward(Z1, dH)
    dX, dW1, db1 = affine.backward(X, W1, b1, dZ1)
    d = "L" if g == 1 else "J"
    shown_G = {} if g == 1 else {"G": Shown(r"G = \frac{\partial J}{\partial L}", narrow(G))}

    def grad(name: str) -> str:
        return r"\frac{\partial %s}{\partial %s}" % (d, name)

    one = r"\mathbf{1}_{%d}" % M
    return Example(
        topic="mlp",
        quantities={
            "X": Shown("X", narrow(X)),
            "W1": Shown("W_{1}", narrow(W1)),
            "b1": Shown("b_{1}", narrow(b1)),
            "W2": Shown("W_{2}", narrow(W2)),
            "b2": Shown("b_{2}", narrow(b2)),
            "labels": Shown("y", (y + 1).reshape(M, 1)),
            "sizes": Shown("(M, D, N, K)", NumberTuple((M, X.shape[1], W1.shape[1], K))),
            "Y": Shown("Y", Y),
            **shown_G,
            "Z1": Shown(r"Z_{1} = XW_{1} + %s\, b_{1}" % one, narrow(Z1)),
            "H": Shown(r"H = \operatorname{ReLU}(Z_{1})", narrow(H)),
            "Z2": Shown(r"Z_{2} = HW_{2} + %s\, b_{2}" % one, narrow(Z2)),
            "P": Shown(r"P = \operatorname{softmax}(Z_{2})", _rounded(P)),
            "L": Shown(r"L = -\frac{1}{%d} \sum_{m=1}^{%d} \ln p_{m y_{m}}" % (M, M), Rounded(L, PLACES)),
            "dZ2": Shown(r"%s = %s\frac{1}{%d}\,(P - Y)" % (grad("Z_{2}"), "" if g == 1 else r"G\,", M),
                         _rounded(dZ2)),
            "dW2": Shown(r"%s = H^{\mathsf T} %s" % (grad("W_{2}"), grad("Z_{2}")), _rounded(dW2)),
            "db2": Shown(r"%s = %s^{\mathsf T} %s" % (grad("b_{2}"), one, grad("Z_{2}")), _rounded(db2)),
            "dH": Shown(r"%s = %s W_{2}^{\mathsf T}" % (grad("H"), grad("Z_{2}")), _rounded(dH)),
            "mask": Shown(r"\operatorname{ReLU}'(Z_{1})", mask),
            "dZ1": Shown(r"%s = %s \odot \operatorname{ReLU}'(Z_{1})" % (grad("Z_{1}"), grad("H")),
                         _rounded(dZ1)),
            "dW1": Shown(r"%s = X^{\mathsf T} %s" % (grad("W_{1}"), grad("Z_{1}")), _rounded(dW1)),
            "db1": Shown(r"%s = %s^{\mathsf T} %s" % (grad("b_{1}"), one, grad("Z_{1}")), _rounded(db1)),
            "dX": Shown(r"%s = %s W_{1}^{\mathsf T}" % (grad("X"), grad("Z_{1}")), _rounded(dX)),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: sizes 2 or 3, small non-zero integers, a ReLU mask with both values.

    Drawn again until no entry of ``Z1`` is 0 (ReLU's corner), some entry of ``H`` is cut to 0 while
    every hidden unit is on for some sample (so no column of ``dW1`` is 0 by construction), no row of
    ``Z2`` spans more than 5 (so no probability shows as ``0.0000``), and no rounded gradient other
    than an exact 0 would show as ``0.0000``.
    """
    M, D = (int(v) for v in rng.permutation([2, 3]))
    N, K = (int(v) for v in rng.permutation([2, 3]))
    values = np.array([-2, -1, 1, 2])
    for _ in range(10_000):
        drawn = {"X": rng.choice(values, (M, D)), "W1": rng.choice(values, (D, N)),
                 "b1": rng.choice([-1, 1], (1, N)), "W2": rng.choice(values, (N, K)),
                 "b2": rng.choice([-1, 1], (1, K))}
        Z1 = drawn["X"] @ drawn["W1"] + drawn["b1"]
        mask = Z1 > 0
        if (Z1 == 0).any() or mask.all() or not mask.any(axis=0).all():
            continue
        Z2 = np.maximum(Z1, 0) @ drawn["W2"] + drawn["b2"]
        if np.ptp(Z2, axis=1).max() > 5:  # keep every probability above 0.0067, visible at 4 digits
            continue
        labels = rng.integers(1, K + 1, (M, 1))
        args = [drawn[k].astype(float) for k in NAMES]
        if _legible(*backward(*args, labels, [[1.0]])[:5]):
            return {**{k: v.tolist() for k, v in drawn.items()}, "labels": labels.tolist(), "G": [[1]]}
    raise ValueError("no exercise inputs found")  # pragma: no cover


def _legible(dX: np.ndarray, dW1: np.ndarray, db1: np.ndarray, dW2: np.ndarray, db2: np.ndarray) -> bool:
    """Whether every gradient entry shows at 4 places as more than ``0.0000``; in ``dW1`` and ``db1`` an
    entry may also be exactly 0, which the page shows as ``0`` and which ReLU's mask can make."""
    return all(np.all(np.abs(v) >= 1e-3) for v in (dX, dW2, db2)) and all(
        np.all((np.abs(v) >= 1e-3) | (v == 0)) for v in (dW1, db1))


def _softmax(Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[Decimal]]:
    """``P = softmax(Z)`` row by row and ``l_m = -ln p_{m, y_m}`` at ``PRECISION`` digits, for exact ``Z``.

    Each row is shifted by its maximum first, as the float path does, so no exponential exceeds 1.
    """
    M, K = Z.shape
    P = np.empty((M, K), dtype=object)
    ell = []
    with localcontext() as ctx:
        ctx.prec = PRECISION + 10
        for m in range(M):
            row = [Fraction(scalar(v)) for v in Z[m]]
            top = max(row)
            e = [(Decimal((v - top).numerator) / Decimal((v - top).denominator)).exp() for v in row]
            s = sum(e, Decimal(0))
            P[m] = [v / s for v in e]
            ell.append(s.ln() - (e[y[m]]).ln())
    return P, ell


def _rounded(A: np.ndarray) -> np.ndarray:
    """Exact or 50-digit entries as :class:`Rounded` to ``PLACES`` digits."""
    def one(v: object) -> Rounded:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            f = Fraction(scalar(v)) if not isinstance(v, Decimal) else None
            d = v if f is None else Decimal(f.numerator) / Decimal(f.denominator)
            return Rounded(+d, PLACES)
    return np.vectorize(one, otypes=[object])(A)


def _inputs(X: object, W1: object, b1: object, W2: object, b2: object, labels: object,
            exact: bool = False) -> tuple[np.ndarray, ...]:
    """Validate the five matrices (all of one kind, the products defined, each bias a row) and the labels
    (returned 0-based). The float path computes in float64 throughout, as the softmax layer does."""
    arrays = dict(zip(NAMES, (X, W1, b1, W2, b2), strict=True))
    named = exact_inputs(**arrays) if exact else inputs(**arrays)
    X, W1, b1, W2, b2 = named
    chain(X, W1, "X", "W1")
    if b1.shape != (1, W1.shape[1]):
        raise ValueError(f"b1 has shape {b1.shape} but must be {(1, W1.shape[1])}: one bias per hidden "
                         "unit (column of W1), as a 1 x N row")
    if W2.shape[0] != W1.shape[1]:
        raise ValueError(f"W2 has shape {W2.shape} but W1 has shape {W1.shape}: W2 needs one row per "
                         f"hidden unit, {W1.shape[1]}")
    if b2.shape != (1, W2.shape[1]):
        raise ValueError(f"b2 has shape {b2.shape} but must be {(1, W2.shape[1])}: one bias per class "
                         "(column of W2), as a 1 x K row")
    y = class_labels("labels", labels, X.shape[0], W2.shape[1])
    if not exact:
        X, W1, b1, W2, b2 = (A.astype(np.float64) for A in (X, W1, b1, W2, b2))
    return X, W1, b1, W2, b2, y
