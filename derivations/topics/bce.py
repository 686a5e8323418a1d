"""Sigmoid with binary cross-entropy, averaged over the batch, computed from the logits.

``L = (1/M) sum_m l_m`` with ``l_m = -y_m ln sigma(z_m) - (1 - y_m) ln(1 - sigma(z_m))``, evaluated as
``l_m = max(z_m, 0) - z_m y_m + ln(1 + e^{-|z_m|})``, which stays finite for any finite logit.

Shapes: the logits ``z`` and the targets ``y`` are ``(M, 1)`` columns, one sample per row, each
``y_m`` a probability in ``[0, 1]`` (1 and 0 for hard labels, anything between for soft ones);
``L`` and its upstream gradient ``G`` are ``1 x 1``. The mean is over the ``M`` samples, as in
PyTorch's ``F.binary_cross_entropy_with_logits``. ``exp`` makes the results irrational for
rational logits, so ``forward`` and ``backward`` compute in float64; the worked example takes logits
``ln a`` with rational ``a``, for which ``sigma(ln a) = a / (1 + a)`` and the gradient are exact.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from derivations._validate import exact_inputs, logs, matrix, narrow, scalar, upstream
from derivations.example import Example, Shown
from derivations.values import PRECISION, Ln, Rounded

# Digits after the point of the values with no exact form: the losses l_m and L.
PLACES = 4


def forward(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return ``[[L]]``, ``L = (1/M) sum_m [max(z_m, 0) - z_m y_m + ln(1 + e^{-|z_m|})]``.

    Parameters
    ----------
    z : array of shape (M, 1), the logits.
    y : array of shape (M, 1), the targets, each in [0, 1].

    Returns
    -------
    L : float64 ndarray of shape (1, 1); finite for any finite logits, however large.

    Examples
    --------
    >>> forward([[0.0], [1000.0]], [[1], [0]]).round(6)
    array([[500.346574]])
    >>> forward([[0.0]], [[2]])
    Traceback (most recent call last):
    ...
    ValueError: y[0, 0] = 2 is outside [0, 1]; the targets of binary cross-entropy are probabilities
    """
    z, y = _inputs(z, y)
    return np.array([[(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean()]])


def backward(z: np.ndarray, y: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dz, dy) = (G (sigma(z) - y) / M, -G z / M)``.

    ``L`` is linear in the targets, so they have a gradient too (PyTorch computes the same one).

    Examples
    --------
    >>> dz, dy = backward([[-1000.0], [1000.0]], [[1], [0]], [[1]])
    >>> dz
    array([[-0.5],
           [ 0.5]])
    >>> dy
    array([[ 500.],
           [-500.]])
    """
    z, y = _inputs(z, y)
    g = float(upstream(G)[0, 0])
    M = len(z)
    return g * _gradient(_sigmoid(z), y), -g * z / M


def worked_example(z: object = ((Ln(Fraction(3)),), (Ln(Fraction(1, 2)),), (Ln(Fraction(4)),)),
                   y: object = ((1,), (Fraction(1, 4),), (0,)),
                   G: object = ((1,),)) -> Example:
    """Every quantity the binary cross-entropy page shows; logits ``ln a`` make ``sigma`` exact.

    ``M = 3`` samples: a confident right prediction (``sigma = 3/4`` for target 1), a soft target
    ``1/4`` against ``sigma = 1/3``, and a confident wrong one (``sigma = 4/5`` for target 0). The
    logits have both signs, so ``max(z, 0)`` and ``|z|`` take both branches, and no entry of
    ``sigma(z) - y`` is 0, so forgetting the ``1/M`` changes every displayed gradient entry.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["sigma"].value.T.tolist()
    [[Fraction(3, 4), Fraction(1, 3), Fraction(4, 5)]]
    >>> ex.quantities["dz"].value.T.tolist()
    [[Fraction(-1, 12), Fraction(1, 36), Fraction(4, 15)]]
    """
    z = logs("z", z)
    y, G = exact_inputs(y=y, G=G)
    g = scalar(upstream(G)[0, 0])
    _shapes(z, y)
    _targets(y)
    M = len(z)
    a = np.vectorize(lambda v: Fraction(v.arg), otypes=[object])(z)  # e^{z_m}, exactly
    sigma = a / (1 + a)
    relu = np.vectorize(lambda v: Ln(max(v, Fraction(1))), otypes=[object])(a)  # max(z, 0) = ln max(a, 1)
    soft = np.vectorize(lambda v: Ln(1 + min(v, 1 / v)), otypes=[object])(a)  # e^{-|z|} = min(a, 1/a)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ell = [relu[m, 0].decimal() - z[m, 0].decimal() * _decimal(y[m, 0]) + soft[m, 0].decimal()
               for m in range(M)]
        L = sum(ell, Decimal(0)) / M
    scaled = "" if g == 1 else r"G\,"
    shown_G = {} if g == 1 else {"G": Shown(r"G = \frac{\partial J}{\partial L}", narrow(G))}
    return Example(
        topic="bce",
        quantities={
            "z": Shown("z", z),
            "y": Shown("y", narrow(y)),
            **shown_G,
            "sigma": Shown(r"\sigma(z)", narrow(sigma)),
            "relu": Shown(r"\max(z, 0)", relu),
            "soft": Shown(r"\ln(1 + e^{-|z|})", soft),
            "ell": Shown(r"\ell = \max(z, 0) - z \odot y + \ln(1 + e^{-|z|})",
                         np.array([[Rounded(v, PLACES)] for v in ell], dtype=object)),
            "L": Shown(r"L = \frac{1}{%d} \sum_{m=1}^{%d} \ell_{m}" % (M, M), Rounded(L, PLACES)),
            "dz": Shown(r"%s\frac{\partial L}{\partial z} = %s\frac{1}{%d}\,(\sigma(z) - y)"
                        % (scaled, scaled, M), narrow(g * _gradient(sigma, y))),
        },
    )


def _gradient(sigma: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dL/dz = (sigma(z) - y) / M``: the one formula both the float and the exact path use."""
    M = len(sigma)
    return (sigma - y) * (Fraction(1, M) if sigma.dtype == object else 1.0 / M)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + e^{-z})`` for ``z >= 0`` and ``e^z / (1 + e^z)`` below: no exp exceeds 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _decimal(v: int | Fraction) -> Decimal:
    v = Fraction(v)
    return Decimal(v.numerator) / Decimal(v.denominator)


def _shapes(z: np.ndarray, y: np.ndarray) -> None:
    if z.shape[1] != 1:
        raise ValueError(f"z has shape {z.shape} but must be an M x 1 column: one logit per sample")
    if y.shape != z.shape:
        raise ValueError(f"y has shape {y.shape} but z has shape {z.shape}; one target per logit, "
                         "nothing is broadcast")


def _targets(y: np.ndarray) -> None:
    for (r, c), v in np.ndenumerate(y):
        if not 0 <= v <= 1:
            raise ValueError(f"y[{r}, {c}] = {v} is outside [0, 1]; the targets of binary cross-entropy "
                             "are probabilities")


def _inputs(z: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate the logits ``z`` and targets ``y``: real ``M x 1`` columns, ``y`` in [0, 1]; float64."""
    z, y = matrix("z", z), matrix("y", y)
    _shapes(z, y)
    _targets(y)
    return z.astype(np.float64), y.astype(np.float64)


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: 3 or 4 logits ``ln a`` on both sides of 1 (so both branches of
    ``max(z, 0)`` and ``|z|`` are used), no two equal or opposite; targets with at least one hard and
    one soft, and ``sigma(z_m) != y_m`` for every sample, so no gradient entry is 0. ``G`` is 1.

    Examples
    --------
    >>> a = exercise(np.random.default_rng(0))
    >>> all(z.arg / (1 + z.arg) != t for (z,), (t,) in zip(a["z"], a["y"]))
    True
    """
    M = int(rng.integers(3, 5))
    logits = [2, 3, 4, 5, Fraction(1, 2), Fraction(1, 3), Fraction(1, 4), Fraction(1, 5), Fraction(3, 2),
              Fraction(2, 3)]
    targets = [0, 1, Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)]
    while True:
        a = [Fraction(logits[k]) for k in rng.permutation(len(logits))[:M]]
        y = [targets[k] for k in rng.integers(len(targets), size=M)]
        if (min(a) < 1 < max(a) and len({min(v, 1 / v) for v in a}) == M
                and {0, 1} & set(y) and set(y) - {0, 1}
                and all(v / (1 + v) != t for v, t in zip(a, y, strict=True))):
            return {"z": [[Ln(v)] for v in a], "y": [[t] for t in y], "G": [[1]]}
