"""GELU: ``A = GELU(Z)``, ``a_mn = z Φ(z)`` at ``z = z_mn``, with ``Φ`` the standard normal CDF.

Shapes: ``Z``, ``A`` and ``G = dL/dA`` are all ``(M, N)``.

- ``forward``/``backward`` are the exact form, PyTorch's default (``F.gelu(z)``,
  ``approximate='none'``): ``GELU(z) = z Φ(z)``, ``Φ(z) = (1 + erf(z / √2)) / 2``, with derivative
  ``GELU'(z) = Φ(z) + z φ(z)``, ``φ(z) = e^(-z^2/2) / √(2π)`` the standard normal density.
- ``forward_tanh``/``backward_tanh`` are the tanh approximation (``F.gelu(z, approximate='tanh')``):
  ``GELU_tanh(z) = z (1 + tanh(u)) / 2`` with ``u = √(2/π) (z + 0.044715 z^3)``, and derivative
  ``(1 + tanh(u)) / 2 + z (1 - tanh(u)^2) u' / 2``, ``u' = √(2/π) (1 + 3 · 0.044715 z^2)``.

Neither has an exact value at a rational ``z`` other than 0: float inputs give float64, rational
inputs ``Decimal`` values to ``values.PRECISION`` digits (:mod:`derivations.elementwise`), which a
page shows rounded.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from derivations import tex
from derivations.elementwise import (
    decimal,
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
from derivations.example import Example, Shown, Sum

# The cubic coefficient of the tanh approximation (Hendrycks and Gimpel, 2016; PyTorch's constant).
CUBIC = Fraction(44715, 1_000_000)


class _Float:
    """The functions the formulas below use, for float64 arrays (numpy has no erfc of its own)."""

    erfc = staticmethod(np.vectorize(math.erfc, otypes=[np.float64]))
    exp, sqrt, tanh, pi = staticmethod(np.exp), staticmethod(np.sqrt), staticmethod(np.tanh), np.pi


def _ops(z: object) -> tuple[object, object]:
    """The functions for ``z``'s kind, and ``z`` in that kind: numpy for float64, mpmath for a rational."""
    return (_Float, z) if isinstance(z, np.ndarray) else (mp, mpf(z))


def _cubic(m: object) -> object:
    return mpf(CUBIC) if m is mp else float(CUBIC)


def Phi(z: object) -> object:
    """``Φ(z) = (1 + erf(z / √2)) / 2``, written with ``erfc`` so that it stays accurate for ``z << 0``."""
    m, z = _ops(z)
    return m.erfc(-z / m.sqrt(2)) / 2


def phi(z: object) -> object:
    """``φ(z) = e^(-z^2/2) / √(2π)``, the standard normal density."""
    m, z = _ops(z)
    return m.exp(-z * z / 2) / m.sqrt(2 * m.pi)


def gelu(z: object) -> object:
    """``GELU(z) = z Φ(z)`` for one rational entry, or for every entry of a float64 array."""
    return (z if isinstance(z, np.ndarray) else mpf(z)) * Phi(z)


def gelu_prime(z: object) -> object:
    """``GELU'(z) = Φ(z) + z φ(z)``, by the product rule, since ``Φ' = φ``."""
    return Phi(z) + (z if isinstance(z, np.ndarray) else mpf(z)) * phi(z)


def gelu_tanh(z: object) -> object:
    """``z (1 + tanh(u)) / 2`` with ``u = √(2/π) (z + 0.044715 z^3)``: the tanh approximation."""
    m, z = _ops(z)
    u = m.sqrt(2 / m.pi) * (z + _cubic(m) * z**3)
    return z * (1 + m.tanh(u)) / 2


def gelu_tanh_prime(z: object) -> object:
    """The derivative of :func:`gelu_tanh`: ``(1 + t) / 2 + z (1 - t^2) u' / 2`` with ``t = tanh(u)``."""
    m, z = _ops(z)
    k, c = _cubic(m), m.sqrt(2 / m.pi)
    t = m.tanh(c * (z + k * z**3))
    return (1 + t) / 2 + z * (1 - t * t) * c * (1 + 3 * k * z * z) / 2


def forward(Z: np.ndarray) -> np.ndarray:
    """Return ``A = GELU(Z) = Z ⊙ Φ(Z)`` (the exact form, PyTorch's default).

    Parameters
    ----------
    Z : array of shape (M, N), float or rational.

    Returns
    -------
    A : ndarray of shape (M, N): float64 for floats, ``Decimal`` (50 digits) for rationals.

    Examples
    --------
    >>> forward([[-1.0, 0.0, 2.0]]).round(6)
    array([[-0.158655,  0.      ,  1.9545  ]])
    >>> str(forward([[-1]])[0, 0])[:14]
    '-0.15865525393'
    """
    return result(entrywise(gelu, operand("Z", Z)))


def backward(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
    """Return ``(dZ,)`` with ``dZ = G ⊙ GELU'(Z)``, ``GELU'(z) = Φ(z) + z φ(z)``.

    Examples
    --------
    >>> backward([[-1.0, 0.0, 2.0]], [[1.0, 1.0, 1.0]])[0].round(6)
    array([[-0.083315,  0.5     ,  1.085232]])
    """
    Z, G = operands(Z, G)
    return (result(G * entrywise(gelu_prime, Z)),)


def forward_tanh(Z: np.ndarray) -> np.ndarray:
    """Return ``GELU_tanh(Z)``, PyTorch's ``F.gelu(Z, approximate='tanh')``.

    >>> forward_tanh([[-1.0, 0.0, 2.0]]).round(6)
    array([[-0.158808,  0.      ,  1.954598]])
    """
    return result(entrywise(gelu_tanh, operand("Z", Z)))


def backward_tanh(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
    """Return ``(dZ,)`` with ``dZ = G ⊙ GELU_tanh'(Z)``.

    >>> backward_tanh([[-1.0, 0.0, 2.0]], [[1.0, 1.0, 1.0]])[0].round(6)
    array([[-0.082964,  0.5     ,  1.086099]])
    """
    Z, G = operands(Z, G)
    return (result(G * entrywise(gelu_tanh_prime, Z)),)


def worked_example(Z: object = ((-2, -1, Fraction(-1, 4)), (Fraction(1, 2), Fraction(3, 2), 3)),
                   G: object = ((3, -2, 5), (-4, 6, -1))) -> Example:
    """Every quantity the GELU page shows, rounded to 4 places (the page's numbers by default).

    No entry of ``Z`` is the negative of another, so no two values are tied by ``Φ(-z) = 1 - Φ(z)``.
    ``z = -2`` and ``z = -1`` lie where GELU falls (``GELU' < 0``, below ``z ≈ -0.75``); at four
    places the tanh approximation differs from the exact form at most entries but not at all. The
    derivative entry written as a sum is the one with the smallest derivative.

    Examples
    --------
    >>> ex = worked_example()
    >>> ex.quantities["A"].value
    array([[Rounded(-0.0455), Rounded(-0.1587), Rounded(-0.1003)],
           [Rounded(0.3457), Rounded(1.3998), Rounded(2.9960)]], dtype=object)
    >>> ex.quantities["dA_entry"].entry, ex.quantities["dA_entry"].value.total
    ((1, 1), Rounded(-0.0852))
    """
    Z, G = exact_example(Z, G, logs=False)
    D = result(entrywise(gelu_prime, Z))
    i, j = min(np.ndindex(Z.shape), key=lambda at: (D[at], at))
    i, j = i + 1, j + 1
    z = Z[i - 1, j - 1]
    first, second, total = shown_numbers(*map(decimal, (Phi(z), mpf(z) * phi(z), gelu_prime(z))))
    return Example(
        topic="gelu",
        quantities={
            "Z": Shown("Z", result(Z)),
            "G": Shown(r"G = \frac{\partial L}{\partial A}", result(G)),
            "Phi": Shown(r"\Phi(Z)", shown(result(entrywise(Phi, Z)))),
            "A": Shown(r"A = Z \odot \Phi(Z)", shown(forward(Z))),
            "dA": Shown(r"\operatorname{GELU}'(Z)", shown(D)),
            "dA_entry": Shown(r"\operatorname{GELU}'(z_{%s}) = \Phi(z_{%s}) + z_{%s}\, \varphi(z_{%s})"
                              % ((tex.indices(i, j),) * 4), Sum((first, second), total), (i, j)),
            "dZ": Shown(r"\frac{\partial L}{\partial Z} = G \odot \operatorname{GELU}'(Z)",
                        shown(backward(Z, G)[0])),
            "A_tanh": Shown(r"\operatorname{GELU}_{\tanh}(Z)", shown(forward_tanh(Z))),
            "dA_tanh": Shown(r"\operatorname{GELU}_{\tanh}'(Z)",
                             shown(result(entrywise(gelu_tanh_prime, Z)))),
            "dZ_tanh": Shown(r"G \odot \operatorname{GELU}_{\tanh}'(Z)", shown(backward_tanh(Z, G)[0])),
        },
    )


def exercise(rng: np.random.Generator) -> dict[str, object]:
    """Inputs for an exercise: a 2 x 3 or 3 x 2 ``Z`` of quarters, halves and integers, shown rounded as on
    the page.

    The magnitudes are distinct, so no entry is 0 or the negative of another; at least one entry is
    at most -1, where GELU falls, and at least one is positive. ``G`` holds distinct non-zero integers.

    Examples
    --------
    >>> Z = [z for row in exercise(np.random.default_rng(0))["Z"] for z in row]
    >>> min(Z) <= -1 < 0 < max(Z) and len({abs(z) for z in Z}) == len(Z)
    True
    """
    M, N = (int(k) for k in rng.permutation([2, 3]))
    sizes = [Fraction(1, 4), Fraction(1, 2), 1, Fraction(3, 2), 2, Fraction(5, 2), 3]
    while True:
        Z = [sizes[k] * (1 if rng.integers(2) else -1) for k in rng.permutation(len(sizes))[:M * N]]
        if min(Z) <= -1 and max(Z) > 0:
            break
    G = [int(g) for g in rng.permutation([g for g in range(-6, 7) if g])[:M * N]]
    return {"Z": [Z[m * N:(m + 1) * N] for m in range(M)], "G": [G[m * N:(m + 1) * N] for m in range(M)]}
