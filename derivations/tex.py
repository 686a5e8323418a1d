"""TeX for worked-example quantities, so that pages never carry a number typed by hand."""

from __future__ import annotations

import numpy as np

from derivations.example import Expansion, RowCol, Shown


def number(v: int) -> str:
    """Return an integer as TeX.

    >>> number(-3)
    '-3'
    """
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"worked examples show integers only, got {v!r} of type {type(v).__name__}")
    return str(int(v))


def factor(v: int) -> str:
    """Return an integer as a TeX factor, parenthesised when negative.

    >>> factor(-3), factor(2)
    ('(-3)', '2')
    """
    s = number(v)
    return f"({s})" if s.startswith("-") else s


def matrix(A: np.ndarray) -> str:
    r"""Return a 2-D integer array as a ``bmatrix``.

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
    elif isinstance(v, RowCol):
        body = f"{matrix(np.array([v.row]))} {matrix(np.array([v.col]).T)} = {number(v.total)}"
    elif isinstance(v, np.ndarray):
        body = matrix(v)
    else:
        body = number(v)
    return f"{q.lhs} = {body}"
