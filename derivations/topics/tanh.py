"""Hyperbolic tangent: ``A = tanh(Z)``, ``a_mn = (e^z - e^(-z)) / (e^z + e^(-z))`` at ``z = z_mn``.

Shapes: ``Z``, ``A`` and ``G = dL/dA`` are all ``(M, N)``. The derivative is ``tanh' = 1 - tanh^2``,
so ``dZ = G ⊙ (1 - A ⊙ A)``. For ``z = ln a`` (an :class:`~derivations.values.Ln` entry) everything
is exact, because ``e^(ln a) = a`` gives ``tanh(ln a) = (a^2 - 1) / (a^2 + 1)``: ``tanh(ln 2) = 3/5``.
A rational ``z`` other than 0 has an irrational ``tanh(z)``, returned to ``values.PRECISION`` digits
as a ``Decimal`` (:mod:`derivations.elementwise`).
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


def tanh(z: object) -> object:
    """``tanh(z)`` for one entry, or for every entry of a float64 array."""
    if isinstance(z, np.ndarray):
        return np.tanh(z)
    if isinstance(z, Ln):
        return (z.arg**2 - 1) / (z.arg**2 + 1)  # (a - 1/a) / (a + 1/a), times a / a
    return mp.tanh(mpf(z))


def forward(Z: np.ndarray) -> np.ndarray:
    """Return ``A = tanh(Z)``.

    Parameters
    ----------
    Z : array of shape (M, N): floats, logarithms ``Ln(a)`` of positive rationals, or rationals.

    Returns
    -------
    A : ndarray of shape (M, N): float64 for floats, exact for logarithms, ``Decimal`` for rationals.

    Examples
    --------
    >>> forward([[Ln(Fraction(2)), Ln(Fraction(1, 3)), Ln(Fraction(1))]])
    array([[Fraction(3, 5), Fraction(-4, 5), 0]], dtype=object)
    >>> forward([[0.0, 800.0]])
    array([[0., 1.]])
    """
    return result(entrywise(tanh, operand("Z", Z, logs=True)))


def backward(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
    """Return ``(dZ,)`` with ``dZ = G ⊙ tanh'(Z)`` and ``tanh'(z) = 1 - tanh(z)^2``.

    Examples
    --------
    >>> backward([[Ln(Fraction(2))]], [[25]])
    (array([[16]]),)
    """
    Z, G = operands(Z, G, logs=True)
    T = entrywise(tanh, Z)
    return (result(G * (1 - T * T)),)


def worked_example(Z: object = ((Ln(Fraction(2)), Ln(Fraction(1, 3)), Ln(Fraction(3, 2))),
                                (Ln(Fraction(1, 5)), Ln(Fraction(4)), Ln(Fraction(1, 7)))),
                   G: object = ((5, -3, 13), (-2, 17, 25))) -> Example:
    """Every quantity the tanh page shows (the page's numbers by default).

    For ``z = ln(p/q)``, ``tanh(z) = (p^2 - q^2) / (p^2 + q^2)`` and
    ``1 - tanh(z)^2 = (2pq / (p^2 + q^2))^2`` come from the Pythagorean triple
    ``(p^2 - q^2, 2pq, p^2 + q^2)``, so both are exact and short. No two arguments are reciprocals, so
    no two entries share ``|tanh|`` or a derivative, and none is 0. With rational ``Z`` instead of
    logarithms, the values are shown rounded to 4 places. The entry expanded is the last one.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["A"].value  # doctest: +NORMALIZE_WHITESPACE
    array([[Fraction(3, 5), Fraction(-4, 5), Fraction(5, 13)],
           [Fraction(-12, 13), Fraction(15, 17), Fraction(-24, 25)]], dtype=object)
    >>> ex.quantities["dZ_entry"].value
    Expansion(terms=((25, Fraction(49, 625)),), total=Fraction(49, 25))
    """
    Z, G = exact_example(Z, G, logs=True)
    M, N = Z.shape
    A = forward(Z)
    T = entrywise(tanh, Z)
    D = result(1 - T * T)
    (dZ,) = backward(Z, G)
    i, j = M, N
    g, d, total = shown_numbers(G[i - 1, j - 1], D[i - 1, j - 1], dZ[i - 1, j - 1])
    return Example(
        topic="tanh",
        quantities={
            "Z": Shown("Z", Z if isinstance(Z[0, 0], Ln) else result(Z)),
            "G": Shown(r"G = \frac{\partial L}{\partial A}", result(G)),
            "A": Shown(r"A = \tanh(Z)", shown(A)),
            "dA": Shown(r"\tanh'(Z) = 1 - A \odot A", shown(D)),
            "dZ": Shown(r"\frac{\partial L}{\partial Z} = G \odot \tanh'(Z)", shown(dZ)),
            "dZ_entry": Shown(r"\frac{\partial L}{\partial z_{%s}} = g_{%s}\, \tanh'(z_{%s})"
                              % ((tex.indices(i, j),) * 3), Expansion(((g, d),), total), (i, j)),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: a 2 x 3 or 3 x 2 ``Z`` of logarithms ``ln(p/q)``, so every result is exact.

    The arguments are distinct, none is 1 (``tanh(0) = 0``) and no two are reciprocals (each is drawn
    above 1, then inverted or not), so no two ``|tanh|`` or derivatives are equal; ``G`` holds distinct
    non-zero integers.

    Examples
    --------
    >>> r = [z.arg for row in exercise(np.random.default_rng(0))["Z"] for z in row]
    >>> len({min(a, 1 / a) for a in r}) == len(r) and 1 not in r
    True
    """
    M, N = (int(k) for k in rng.permutation([2, 3]))
    above = [2, 3, 4, 5, Fraction(3, 2), Fraction(5, 2), Fraction(4, 3), Fraction(5, 3)]
    r = [above[k] if rng.integers(2) else 1 / Fraction(above[k]) for k in rng.permutation(len(above))[:M * N]]
    G = [int(g) for g in rng.permutation([g for g in range(-6, 7) if g])[:M * N]]
    return {"Z": [[Ln(Fraction(a)) for a in r[m * N:(m + 1) * N]] for m in range(M)],
            "G": [G[m * N:(m + 1) * N] for m in range(M)]}
