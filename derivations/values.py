"""The kinds of number a page displays, each defined once.

========  ===============================  ==========================================
kind      Python value                     TeX
========  ===============================  ==========================================
exact     ``int`` or ``Fraction``          ``-3``, ``\\frac{3}{4}``, ``-\\frac{1}{2}``
rounded   :class:`Rounded`                 ``0.2689`` (``places`` digits after the point)
log       :class:`Ln`                      ``\\ln 3``, ``\\ln \\frac{1}{2}``
========  ===============================  ==========================================

The build writes a displayed quantity's kind into its HTML (``data-kind``, and ``data-places``
for rounded values), and ``derivations.verify`` has one reader per kind. A rounded value is
only right when it is within half a unit of its last digit of the true value, which verify
recomputes at ``PRECISION`` digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import numpy as np

KINDS = ("exact", "rounded", "log")
# Digits verify and the topics compute irrational values with; far beyond any displayed digit.
PRECISION = 50


@dataclass(frozen=True)
class Rounded:
    """A value with no exact form, shown rounded to ``places`` digits after the point.

    >>> Rounded(Decimal("0.268941421369995"), 4)
    Rounded(0.2689)
    """

    value: Decimal
    places: int

    def shown(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.value.quantize(Decimal(10) ** -self.places, rounding=ROUND_HALF_EVEN)

    def __repr__(self) -> str:
        return f"Rounded({self.shown()})"


@dataclass(frozen=True)
class Ln:
    """The exact number ``ln(arg)`` for a positive rational ``arg``, e.g. a logit ``ln 3``.

    >>> Ln(Fraction(3)).decimal().quantize(Decimal("0.0001"))
    Decimal('1.0986')
    """

    arg: Fraction

    def __post_init__(self) -> None:
        if not (isinstance(self.arg, (int, Fraction)) and self.arg > 0):
            raise ValueError(f"ln needs a positive rational argument, got {self.arg!r}")

    def decimal(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION + 5
            return (Decimal(self.arg.numerator).ln() - Decimal(self.arg.denominator).ln())

    def __repr__(self) -> str:
        return f"Ln({self.arg})"


Number = int | Fraction | Rounded | Ln


def kind(value: object) -> str:
    """The kind of a displayed value; a matrix or a compound value has the kind of its entries.

    >>> kind(Fraction(3, 4)), kind(Rounded(Decimal(1), 2)), kind([Ln(Fraction(2)), Ln(Fraction(3))])
    ('exact', 'rounded', 'log')
    """
    kinds = {_kind(v) for v in _leaves(value)}
    if len(kinds) != 1:
        raise ValueError(f"a displayed quantity holds one kind of number, got {sorted(kinds)}")
    return kinds.pop()


def places(value: object) -> int | None:
    """The number of digits a rounded quantity shows, the same for all its entries."""
    found = {v.places for v in _leaves(value) if isinstance(v, Rounded)}
    if len(found) > 1:
        raise ValueError(f"a rounded quantity shows one number of digits, got {sorted(found)}")
    return found.pop() if found else None


def _kind(v: object) -> str:
    if isinstance(v, Rounded):
        return "rounded"
    if isinstance(v, Ln):
        return "log"
    if isinstance(v, (int, np.integer, Fraction)) and not isinstance(v, (bool, np.bool_)):
        return "exact"
    raise TypeError(f"pages show exact numbers, Rounded or Ln values, got {v!r} of type {type(v).__name__}")


def _leaves(value: object):
    if isinstance(value, np.ndarray):
        yield from value.flat
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, (Rounded, Ln)):
        for name in value.__dataclass_fields__:
            yield from _leaves(getattr(value, name))
    else:
        yield value
