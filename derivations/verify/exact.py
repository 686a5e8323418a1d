"""Exact arithmetic for recomputing displayed results: ``Fraction`` matrices and 50-digit decimals."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from derivations.values import PRECISION
from derivations.verify.html import Ln

Matrix = list[list[Fraction]]
# A displayed exact value must equal a value computed to PRECISION digits to this many digits.
EXACT_DIGITS = PRECISION - 10


def shape(A: Matrix) -> tuple[int, int]:
    return len(A), len(A[0]) if A else 0


def matmul(A: Matrix, B: Matrix) -> Matrix:
    """``A B`` from the index definition ``sum_k a_ik b_kj``: exact for Fractions, for Decimals at the
    context's precision (the two kinds are not mixed)."""
    if shape(A)[1] != shape(B)[0]:
        raise ValueError(f"shapes {shape(A)} and {shape(B)} do not multiply")
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(shape(B)[1])]
            for i in range(len(A))]


def transpose(A: Matrix) -> Matrix:
    return [[row[j] for row in A] for j in range(shape(A)[1])]


def exp(z: Ln) -> Fraction:
    """``e^z`` for a displayed ``z = ±ln a``, exactly: ``a`` or ``1/a``.

    >>> exp(Ln(Fraction(3))), exp(Ln(Fraction(1, 2), -1))
    (Fraction(3, 1), Fraction(2, 1))
    """
    # By its fields rather than its class: a check module imported afresh (as the build hook does when
    # the package changes) holds another copy of the class than the Page that read the number.
    if type(z).__name__ != Ln.__name__ or not isinstance(getattr(z, "arg", None), Fraction):
        raise TypeError(f"e^z is exact only for a logarithm z = ln a, got {z!r}")
    return z.power()


def agrees(shown: Fraction | Decimal, true: Fraction | Decimal, places: int | None) -> bool:
    """Whether a displayed value is right: exactly, or for a rounded one within half a unit of its last digit.

    >>> true = Decimal("0.26894142")
    >>> agrees(Decimal("0.2689"), true, 4), agrees(Decimal("0.2690"), true, 4)
    (True, False)
    """
    if places is None:
        if isinstance(true, Fraction) and isinstance(shown, Fraction):
            return shown == true
        return abs(decimal(shown) - decimal(true)) < Decimal(10) ** -EXACT_DIGITS
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return abs(decimal(shown) - decimal(true)) <= Decimal(5).scaleb(-places - 1)


def ln(v: Fraction) -> Decimal:
    """The natural logarithm of a positive rational: of the rational to ``PRECISION`` digits, at as many.

    One logarithm of the quotient, not ``ln p - ln q``, whose two large terms would cancel.

    >>> ln(Fraction(1, 2)).quantize(Decimal("0.0001"))
    Decimal('-0.6931')
    """
    if v <= 0:
        raise ValueError(f"ln needs a positive argument, got {v}")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return decimal(v).ln()


def decimal(v: Fraction | Decimal) -> Decimal:
    """A rational to ``PRECISION`` digits; a Decimal as it is.

    >>> decimal(Fraction(2, 3))
    Decimal('0.66666666666666666666666666666666666666666666666667')
    """
    if isinstance(v, Decimal):
        return v
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return Decimal(v.numerator) / Decimal(v.denominator)
