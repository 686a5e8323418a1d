"""ReLU: ``A = ReLU(Z)``, ``a_mn = max(z_mn, 0)`` for every entry.

Shapes: ``Z``, ``A`` and ``G = dL/dA`` are all ``(M, N)``. The derivative is 1 where ``z > 0`` and 0
where ``z < 0``. At ``z = 0`` ReLU has a corner and no derivative; this module uses 0 there, as
PyTorch does. Rational inputs give exact results (:mod:`derivations.elementwise`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations import tex
from derivations._validate import narrow, scalar
from derivations.elementwise import entrywise, exact_example, operand, operands, result
from derivations.example import Example, Expansion, RowCol, Shown


def relu(z: object) -> object:
    """``max(z, 0)`` for one exact entry, or for every entry of a float64 array."""
    return np.maximum(z, 0.0) if isinstance(z, np.ndarray) else max(z, 0)


def relu_prime(z: object) -> object:
    """``[z > 0]``: 1 for a positive entry, 0 otherwise, including at the corner ``z = 0``."""
    return (z > 0).astype(np.float64) if isinstance(z, np.ndarray) else int(z > 0)


def forward(Z: np.ndarray) -> np.ndarray:
    """Return ``A = ReLU(Z)``.

    Parameters
    ----------
    Z : array of shape (M, N), exact (int, Fraction) or float.

    Returns
    -------
    A : ndarray of shape (M, N), ``a_mn = max(z_mn, 0)``, of ``Z``'s kind.

    Examples
    --------
    >>> forward([[3, -1, 0], [-2, Fraction(1, 2), 2]])
    array([[3, 0, 0],
           [0, Fraction(1, 2), 2]], dtype=object)
    >>> forward([[1.5, -2.0]])
    array([[1.5, 0. ]])
    """
    return result(entrywise(relu, operand("Z", Z)))


def backward(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
    """Return ``(dZ,)`` with ``dZ = G ⊙ ReLU'(Z)``: ``G`` where ``z > 0``, 0 elsewhere (also at 0).

    Examples
    --------
    >>> backward([[3, -1, 0]], [[2, -3, 5]])
    (array([[2, 0, 0]]),)
    >>> backward([[3, -1, 0]], [[2, -3]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: G has shape (1, 2) but Z has shape (1, 3); G = dL/dA must have the shape of A = f(Z), ...
    """
    Z, G = operands(Z, G)
    return (result(G * entrywise(relu_prime, Z)),)


def worked_example(Z: object = ((3, -1, 0), (-2, Fraction(1, 2), 2)),
                   G: object = ((2, -3, 5), (4, -1, 3))) -> Example:
    """Every quantity the ReLU page shows, for exact inputs (the page's by default).

    ``Z`` has entries of both signs and a 0, where ReLU has no derivative and the value used, 0, shows
    in ``dZ``: a rule with 1 at the corner would give ``g`` there instead. The Jacobian ``J`` of the
    ``MN`` entries of ``A`` with respect to the ``MN`` entries of ``Z``, both numbered row by row, is
    shown in full, and the chain-rule sum for one entry as ``vec(G)^T`` times a column of ``J``: the first
    positive entry whose row-by-row and column-by-column numbers differ, so that stacking columns
    instead would pick another column (the last entry if there is none).
    The single entry expanded is the first 0 of ``Z`` (the last entry if there is none).

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["dZ"].value
    array([[ 2,  0,  0],
           [ 0, -1,  3]])
    >>> ex.quantities["dZ_entry"].entry, ex.quantities["dZ_entry"].value
    ((1, 3), Expansion(terms=((5, 0),), total=0))
    """
    Z, G = exact_example(Z, G, logs=False)
    M, N = Z.shape
    A = forward(Z)
    D = narrow(entrywise(relu_prime, Z))
    (dZ,) = backward(Z, G)
    J = narrow(np.diag([relu_prime(z) for z in Z.flat]).astype(object))
    apart = [(r + 1, c + 1) for (r, c), z in np.ndenumerate(Z) if z > 0 and r * N + c != c * M + r]
    i, j = apart[0] if apart else (M, N)
    q = (i - 1) * N + (j - 1)  # entry (i, j) of Z in row-by-row numbering
    row, col = tuple(map(scalar, G.flat)), tuple(scalar(J[p, q]) for p in range(M * N))
    zeros = [(r + 1, c + 1) for (r, c), z in np.ndenumerate(Z) if z == 0]
    ki, kj = zeros[0] if zeros else (M, N)
    return Example(
        topic="relu",
        quantities={
            "Z": Shown("Z", narrow(Z)),
            "G": Shown(r"G = \frac{\partial L}{\partial A}", narrow(G)),
            "A": Shown(r"A = \operatorname{ReLU}(Z)", A),
            "J": Shown(r"J = \frac{\partial \operatorname{vec} A}{\partial \operatorname{vec} Z}", J),
            "dZ_sum": Shown(r"\frac{\partial L}{\partial z_{%s}} = "
                            r"(\operatorname{vec} G)^{\mathsf T} J_{:,%d}" % (tex.indices(i, j), q + 1),
                            RowCol(row, col, scalar(dZ[i - 1, j - 1])), (i, j)),
            "dA": Shown(r"\operatorname{ReLU}'(Z)", D),
            "dZ": Shown(r"\frac{\partial L}{\partial Z} = G \odot \operatorname{ReLU}'(Z)", dZ),
            "dZ_entry": Shown(r"\frac{\partial L}{\partial z_{%s}} = g_{%s}\, \operatorname{ReLU}'(z_{%s})"
                              % ((tex.indices(ki, kj),) * 3),
                              Expansion(((scalar(G[ki - 1, kj - 1]), scalar(D[ki - 1, kj - 1])),),
                                        scalar(dZ[ki - 1, kj - 1])), (ki, kj)),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: a 2 x 3 or 3 x 2 ``Z`` of distinct halves and integers with one 0 (the
    corner) and at least one negative entry, its last entry positive, so the chain-rule sum shown for it
    is not 0; ``G`` of distinct non-zero integers.

    Examples
    --------
    >>> Z = np.array(exercise(np.random.default_rng(0))["Z"], dtype=object)
    >>> bool((Z == 0).sum() == 1 and (Z < 0).any() and Z[-1, -1] > 0)
    True
    """
    M, N = (int(k) for k in rng.permutation([2, 3]))
    pool = [-3, -2, -1, Fraction(-1, 2), Fraction(1, 2), 1, 2, 3]
    while True:
        Z = [pool[k] for k in rng.permutation(len(pool))[:M * N - 1]]
        if Z[-1] > 0 and min(Z) < 0:
            break
    Z.insert(int(rng.integers(M * N - 1)), 0)
    G = [int(g) for g in rng.permutation([g for g in range(-6, 7) if g])[:M * N]]
    return {"Z": [Z[m * N:(m + 1) * N] for m in range(M)], "G": [G[m * N:(m + 1) * N] for m in range(M)]}
