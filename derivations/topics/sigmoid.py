"""Sigmoid: ``A = σ(Z)``, ``a_mn = σ(z_mn) = 1 / (1 + e^(-z_mn))`` for every entry.

Shapes: ``Z``, ``A`` and ``G = dL/dA`` are all ``(M, N)``. The derivative is ``σ' = σ (1 - σ)``, so
``dZ = G ⊙ A ⊙ (1 - A)``. For ``z = ln a`` (an :class:`~derivations.values.Ln` entry) everything is
exact, because ``e^(ln a) = a`` gives ``σ(ln a) = a / (1 + a)``: ``σ(ln 3) = 3/4``. A rational
``z`` other than 0 has an irrational ``σ(z)``, returned to ``values.PRECISION`` digits as a
``Decimal`` (:mod:`derivations.elementwise`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations import tex
from derivations.elementwise import (
    entrywise,
    exact_example,
    mp,
    mpf,
    operand,
    operands,
    result,
    shown,
    shown_numbers,
)
from derivations.example import Example, Expansion, Shown
from derivations.values import Ln


def sigma(z: object) -> object:
    """``σ(z) = 1 / (1 + e^(-z))`` for one entry, or for every entry of a float64 array."""
    if isinstance(z, np.ndarray):
        e = np.exp(-np.abs(z))  # never e^(large): for z < 0 use e^z / (1 + e^z), the same number
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    if isinstance(z, Ln):
        return z.arg / (1 + z.arg)  # e^(-ln a) = 1/a, and 1 / (1 + 1/a) = a / (1 + a)
    return 1 / (1 + mp.exp(-mpf(z)))


def forward(Z: np.ndarray) -> np.ndarray:
    """Return ``A = σ(Z)``.

    Parameters
    ----------
    Z : array of shape (M, N): floats, logarithms ``Ln(a)`` of positive rationals, or rationals.

    Returns
    -------
    A : ndarray of shape (M, N): float64 for floats, exact for logarithms, ``Decimal`` for rationals.

    Examples
    --------
    >>> forward([[Ln(Fraction(3)), Ln(Fraction(1, 2)), Ln(Fraction(1))]])
    array([[Fraction(3, 4), Fraction(1, 3), Fraction(1, 2)]], dtype=object)
    >>> forward([[0.0, 800.0, -800.0]])
    array([[0.5, 1. , 0. ]])
    >>> str(forward([[1]])[0, 0])[:12]
    '0.7310585786'
    """
    return result(entrywise(sigma, operand("Z", Z, logs=True)))


def backward(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
    """Return ``(dZ,)`` with ``dZ = G ⊙ σ'(Z)`` and ``σ'(z) = σ(z) (1 - σ(z))``.

    Examples
    --------
    >>> backward([[Ln(Fraction(3))]], [[16]])
    (array([[3]]),)
    >>> backward([[Ln(Fraction(3))]], [[1.0]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: G holds floats but Z holds logarithms, which are exact; pass G as integers or fractions ...
    """
    Z, G = operands(Z, G, logs=True)
    S = entrywise(sigma, Z)
    return (result(G * (S * (1 - S))),)


def worked_example(Z: object = ((Ln(Fraction(3)), Ln(Fraction(1, 2)), Ln(Fraction(1))),
                                (Ln(Fraction(1, 5)), Ln(Fraction(4)), Ln(Fraction(3, 2)))),
                   G: object = ((4, -3, 2), (-6, 5, 10))) -> Example:
    """Every quantity the sigmoid page shows (the page's numbers by default).

    Every ``z = ln a`` makes ``σ(z) = a / (1 + a)`` and ``σ'(z) = a / (1 + a)^2`` exact. No two
    arguments are reciprocals, so the six derivatives differ (``σ'(-z) = σ'(z)``), and a swapped
    entry cannot hide; ``ln 1 = 0`` shows the largest slope, ``1/4``. With rational ``Z`` instead of
    logarithms, the values are shown rounded to 4 places. The entry expanded is the last one.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["A"].value
    array([[Fraction(3, 4), Fraction(1, 3), Fraction(1, 2)],
           [Fraction(1, 6), Fraction(4, 5), Fraction(3, 5)]], dtype=object)
    >>> ex.quantities["dZ_entry"].value
    Expansion(terms=((10, Fraction(6, 25)),), total=Fraction(12, 5))
    >>> worked_example([[1, -2]], [[1, 1]]).quantities["A"].value
    array([[Rounded(0.7311), Rounded(0.1192)]], dtype=object)
    """
    Z, G = exact_example(Z, G, logs=True)
    M, N = Z.shape
    A = forward(Z)
    S = entrywise(sigma, Z)
    D = result(S * (1 - S))
    (dZ,) = backward(Z, G)
    i, j = M, N
    g, d, total = shown_numbers(G[i - 1, j - 1], D[i - 1, j - 1], dZ[i - 1, j - 1])
    return Example(
        topic="sigmoid",
        quantities={
            "Z": Shown("Z", Z if isinstance(Z[0, 0], Ln) else result(Z)),
            "G": Shown(r"G = \frac{\partial L}{\partial A}", result(G)),
            "A": Shown(r"A = \sigma(Z)", shown(A)),
            "dA": Shown(r"\sigma'(Z) = A \odot (1 - A)", shown(D)),
            "dZ": Shown(r"\frac{\partial L}{\partial Z} = G \odot \sigma'(Z)", shown(dZ)),
            "dZ_entry": Shown(r"\frac{\partial L}{\partial z_{%s}} = g_{%s}\, \sigma'(z_{%s})"
                              % ((tex.indices(i, j),) * 3),
                              Expansion(((g, d),), total), (i, j)),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: a 2 x 3 or 3 x 2 ``Z`` of logarithms ``ln r``, so every result is exact.

    The ``r`` are distinct and no two are reciprocals (each is drawn from ``1`` and numbers above 1,
    then inverted or not), so no two derivatives are equal; ``G`` holds distinct non-zero integers.

    Examples
    --------
    >>> r = [z.arg for row in exercise(np.random.default_rng(0))["Z"] for z in row]
    >>> len({min(a, 1 / a) for a in r}) == len(r)
    True
    """
    M, N = (int(k) for k in rng.permutation([2, 3]))
    above = [1, 2, 3, 4, 5, Fraction(3, 2), Fraction(5, 2), Fraction(4, 3)]
    r = [above[k] if rng.integers(2) else 1 / Fraction(above[k]) for k in rng.permutation(len(above))[:M * N]]
    G = [int(g) for g in rng.permutation([g for g in range(-6, 7) if g])[:M * N]]
    return {"Z": [[Ln(Fraction(a)) for a in r[m * N:(m + 1) * N]] for m in range(M)],
            "G": [G[m * N:(m + 1) * N] for m in range(M)]}
