"""What the element-wise activations share: ``A = f(Z)`` entry by entry, and ``dZ = G ⊙ f'(Z)``.

The topic modules ``relu``, ``sigmoid``, ``tanh`` and ``gelu`` each write their ``f`` and ``f'`` once,
for one entry; this module validates their inputs, applies the formulas to every entry and turns the
results into the kinds of number a page shows (:mod:`derivations.values`).

An entry of ``Z`` is one of three kinds, and every entry of one matrix is of the same kind:

========  ==========================================  =============================================
``Z``     example                                     results
========  ==========================================  =============================================
float     ``[[0.5, -1.0]]``                           float64, computed with numpy
exact     ``[[1, Fraction(-1, 2)]]``                  exact when ``f`` keeps rationals rational
                                                      (ReLU); otherwise ``Decimal`` values correct
                                                      to ``values.PRECISION`` significant digits
log       ``[[Ln(Fraction(3)), Ln(Fraction(1, 2))]]``  exact, for an ``f`` that is a rational
                                                      function of ``e^z`` (sigmoid, tanh), because
                                                      ``e^(ln a) = a``
========  ==========================================  =============================================

``G`` holds real numbers: floats with a float ``Z``, exact numbers with an exact or log ``Z``.
Nothing is broadcast: ``G`` has the shape of ``Z``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

import mpmath
import numpy as np

from derivations._validate import matrix, narrow, same_kind, scalar
from derivations.values import PRECISION, Ln, Rounded

# A private mpmath context, so that no other user of mpmath sees its precision change. Ten guard
# digits beyond PRECISION: a handful of operations per entry lose far fewer.
mp = mpmath.MPContext()
mp.dps = PRECISION + 10
# Digits after the point of a rounded value on a page.
PLACES = 4


def mpf(z: int | Fraction) -> object:
    """An exact rational number as an mpmath number at this module's precision."""
    z = Fraction(z)
    return mp.mpf(z.numerator) / z.denominator


def operand(name: str, A: object, *, logs: bool = False) -> np.ndarray:
    """``A`` as a float64 or exact matrix (:func:`derivations._validate.matrix`), or, with ``logs``, a
    matrix whose every entry is an :class:`~derivations.values.Ln`.

    >>> operand("Z", [[Ln(Fraction(3)), Ln(Fraction(1, 2))]], logs=True)
    array([[Ln(3), Ln(1/2)]], dtype=object)
    >>> operand("Z", [[Ln(Fraction(3)), 0]], logs=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: Z mixes logarithms (Ln(3) at [0, 0]) with other numbers (0 at [0, 1]); write every entry ...
    """
    if logs and not (isinstance(A, np.ndarray) and A.dtype != object):
        try:
            arr = np.array(A, dtype=object)
        except ValueError:
            arr = None  # not rectangular: matrix() names the problem
        if arr is not None and arr.ndim == 2 and any(isinstance(v, Ln) for v in arr.flat):
            other = next(((i, v) for i, v in np.ndenumerate(arr) if not isinstance(v, Ln)), None)
            if other is not None:
                first = next((i, v) for i, v in np.ndenumerate(arr) if isinstance(v, Ln))
                raise TypeError(f"{name} mixes logarithms ({first[1]!r} at [{first[0][0]}, {first[0][1]}]) "
                                f"with other numbers ({other[1]!r} at [{other[0][0]}, {other[0][1]}]); "
                                "write every entry as a logarithm, such as Ln(Fraction(1)) for 0")
            return arr
    return matrix(name, A)


def operands(Z: object, G: object, *, logs: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``Z`` (see :func:`operand`) and ``G = dL/dA``, which must have ``Z``'s shape.

    >>> operands([[1.5, 2.0]], [[1, -1]])
    (array([[1.5, 2. ]]), array([[ 1., -1.]]))
    >>> operands([[1, 2]], [[1], [2]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: G has shape (2, 1) but Z has shape (1, 2); G = dL/dA must have the shape of A = f(Z), ...
    """
    Z, G = operand("Z", Z, logs=logs), matrix("G", G)
    if G.shape != Z.shape:
        raise ValueError(f"G has shape {G.shape} but Z has shape {Z.shape}; G = dL/dA must have the shape "
                         "of A = f(Z), which is Z's")
    if is_log(Z):
        if G.dtype != object:
            raise TypeError("G holds floats but Z holds logarithms, which are exact; pass G as integers or "
                            "fractions such as 1/2")
        return Z, G
    return same_kind(Z=Z, G=G)


def is_log(Z: np.ndarray) -> bool:
    return Z.dtype == object and isinstance(Z.flat[0], Ln)


def entrywise(f: Callable[[object], object], Z: np.ndarray) -> np.ndarray:
    """``f`` applied to every entry: to the whole array at once when it is float64 (``f`` is written
    with numpy), entry by entry otherwise (``f`` receives an ``int``, ``Fraction`` or ``Ln``)."""
    if Z.dtype != object:
        return f(Z)
    return np.vectorize(f, otypes=[object])(Z)


def result(A: np.ndarray) -> np.ndarray:
    """A computed matrix in the kind it is returned in: float64 as it is, exact narrowed to ``int64``
    where it can be (:func:`derivations._validate.narrow`), high-precision entries as ``Decimal``."""
    if A.dtype != object:
        return A
    if any(isinstance(v, mp.mpf) for v in A.flat):
        return np.vectorize(decimal, otypes=[object])(A)
    return narrow(A)


def decimal(v: object) -> Decimal:
    """An mpmath number (or an exact one) as a ``Decimal`` of ``values.PRECISION`` significant digits."""
    return Decimal(mp.nstr(v if isinstance(v, mp.mpf) else mpf(v), PRECISION))


def exact_example(Z: object, G: object, *, logs: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`operands` for a worked example, which shows exact (or log) inputs only."""
    for name, A in (("Z", operand("Z", Z, logs=logs)), ("G", matrix("G", G))):
        if A.dtype != object:
            raise TypeError(f"worked examples show exact numbers: {name} holds floats; use integers or "
                            "fractions such as 1/2" + (", or logarithms such as ln(3)" if logs else ""))
    return operands(Z, G, logs=logs)


def shown(A: np.ndarray, places: int = PLACES) -> np.ndarray:
    """A matrix as a page shows it: ``Decimal`` entries as :class:`~derivations.values.Rounded`."""
    if A.dtype == object and any(isinstance(v, Decimal) for v in A.flat):
        return np.vectorize(lambda v: Rounded(v, places), otypes=[object])(A)
    return A


def shown_numbers(*values: object, places: int = PLACES) -> tuple[object, ...]:
    """Entries of one displayed quantity as a page shows them: all exact, or, as soon as one is a
    ``Decimal``, all :class:`~derivations.values.Rounded` (a quantity holds one kind of number).

    >>> shown_numbers(10, Fraction(6, 25))
    (10, Fraction(6, 25))
    >>> shown_numbers(10, Decimal("0.2350037122015945"))
    (Rounded(10.0000), Rounded(0.2350))
    """
    if not any(isinstance(v, Decimal) for v in values):
        return tuple(scalar(v) for v in values)
    return tuple(Rounded(v if isinstance(v, Decimal) else _decimal(v), places) for v in values)


def _decimal(v: int | Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return Decimal(Fraction(v).numerator) / Decimal(Fraction(v).denominator)
