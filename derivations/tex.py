"""TeX for worked-example quantities, so that pages never carry a number typed by hand."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations.example import Expansion, RowCol, Shown, Sum
from derivations.values import Ln, Rounded, kind


def number(v: object) -> str:
    r"""Return a displayed number as TeX: an integer, a fraction, a rounded decimal or a logarithm.

    >>> number(-3), number(Fraction(-3, 4)), number(Fraction(8, 2))
    ('-3', '-\\frac{3}{4}', '4')
    >>> number(Ln(Fraction(1, 2)))
    '\\ln \\frac{1}{2}'
    >>> number(0.5)
    Traceback (most recent call last):
    ...
    TypeError: pages show exact numbers, Rounded or Ln values, got 0.5 of type float
    """
    kind(v)
    if isinstance(v, Rounded):
        return str(v.shown())
    if isinstance(v, Ln):
        return r"\ln " + number(v.arg)
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def indices(*parts: int | str) -> str:
    """A subscript's indices: run together while each is one character (``23``, ``2k``), else ``10,3``.

    >>> indices(2, 3), indices("k", 4), indices(10, 3)
    ('23', 'k4', '10,3')
    """
    texts = [str(p) for p in parts]
    return ("" if all(len(t) == 1 for t in texts) else ",").join(texts)


def factor(v: object) -> str:
    """Return a number as a TeX factor, parenthesised when negative.

    >>> factor(-3), factor(2)
    ('(-3)', '2')
    """
    s = number(v)
    return f"({s})" if s.startswith("-") else s


def matrix(A: np.ndarray) -> str:
    r"""Return a 2-D array as a ``bmatrix``.

    >>> matrix(np.array([[1, -2], [3, 4]]))
    '\\begin{bmatrix} 1 & -2 \\\\ 3 & 4 \\end{bmatrix}'
    """
    if np.ndim(A) != 2:
        raise ValueError(f"matrix() needs a 2-D array, got shape {np.shape(A)}")
    rows = (" & ".join(number(v) for v in row) for row in np.asarray(A).tolist())
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def shown(q: Shown) -> str:
    r"""Return the TeX of one displayed quantity, ``lhs = value``.

    >>> shown(Shown("s", Expansion(((1, 2), (-3, 4)), -10)))
    's = 1 \\cdot 2 + (-3) \\cdot 4 = -10'
    """
    v = q.value
    if isinstance(v, Expansion):
        body = " + ".join(rf"{factor(a)} \cdot {factor(b)}" for a, b in v.terms) + f" = {number(v.total)}"
    elif isinstance(v, Sum):
        body = " + ".join(factor(t) for t in v.terms) + f" = {number(v.total)}"
    elif isinstance(v, RowCol):
        body = f"{matrix(np.array([v.row], dtype=object))} {matrix(np.array([v.col], dtype=object).T)}"
        body += f" = {number(v.total)}"
    elif isinstance(v, np.ndarray):
        body = matrix(v)
    else:
        body = number(v)
    return f"{q.lhs} = {body}"
