"""TeX for worked-example quantities, so that pages never carry a number typed by hand."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from derivations.example import Expansion, MatrixProduct, NumberTuple, RowCol, Shown, Sum
from derivations.values import Ln, Rounded, kind


def number(v: object) -> str:
    r"""Return a displayed number as TeX: an integer, a fraction, a rounded decimal or a logarithm.

    >>> number(-3), number(Fraction(-3, 4)), number(Fraction(8, 2))
    ('-3', '-\\frac{3}{4}', '4')
    >>> number(Ln(Fraction(1, 2)))
    '\\ln \\frac{1}{2}'
    >>> number(68719476736), number(4096), number(Fraction(-1, 65536))
    ('68\\,719\\,476\\,736', '4096', '-\\frac{1}{65\\,536}')
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
        return ("-" if v < 0 else "") + _digits(abs(v.numerator))
    sign = "-" if v < 0 else ""
    return rf"{sign}\frac{{{_digits(abs(v.numerator))}}}{{{_digits(v.denominator)}}}"


def _digits(n: int) -> str:
    r"""A natural number's digits, in groups of three parted by a thin space ``\,`` from five digits on."""
    text = str(n)
    if len(text) < 5:
        return text
    head = len(text) % 3 or 3
    return r"\,".join([text[:head], *(text[k:k + 3] for k in range(head, len(text), 3))])


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
    >>> shown(Shown("s", NumberTuple((64, 4096))))
    's = (64, 4096)'
    >>> col, row = np.array([[1], [2]]), np.array([[3, -1]])
    >>> shown(Shown("p", MatrixProduct((col, row), col @ row))).replace(r"\begin{bmatrix}", "[")
    'p = [ 1 \\\\ 2 \\end{bmatrix} [ 3 & -1 \\end{bmatrix} = [ 3 & -1 \\\\ 6 & -2 \\end{bmatrix}'
    """
    v = q.value
    if isinstance(v, Expansion):
        body = " + ".join(rf"{factor(a)} \cdot {factor(b)}" for a, b in v.terms) + f" = {number(v.total)}"
    elif isinstance(v, Sum):
        body = " + ".join(factor(t) for t in v.terms) + f" = {number(v.total)}"
    elif isinstance(v, RowCol):
        body = f"{matrix(np.array([v.row], dtype=object))} {matrix(np.array([v.col], dtype=object).T)}"
        body += f" = {number(v.total)}"
    elif isinstance(v, NumberTuple):
        body = "(" + ", ".join(number(x) for x in v.items) + ")"
    elif isinstance(v, MatrixProduct):
        body = " ".join(matrix(f) for f in v.factors) + f" = {matrix(v.value)}"
    elif isinstance(v, np.ndarray):
        body = matrix(v)
    else:
        body = number(v)
    return f"{q.lhs} = {body}"
