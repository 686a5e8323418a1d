"""Input checks shared by every topic: nothing is broadcast, coerced or wrapped around.

A matrix comes back in one of two kinds: *exact* (an object array of Python ``int`` and
``Fraction``, so integer arithmetic never overflows and ``1/2`` stays ``1/2``) or *float*
(``float64``). :func:`narrow` turns an exact result back into ``int64`` where every entry is an
integer that fits, so small integer examples print as ordinary numpy arrays.
"""

from __future__ import annotations

import numbers
from decimal import Decimal
from fractions import Fraction

import numpy as np

from derivations.values import Ln

INT64 = (-(2**63), 2**63 - 1)
# Beyond 2**53 a float64 no longer holds every integer, so a mixed int/float matrix would round.
FLOAT_EXACT = 2**53


def matrix(name: str, A: object) -> np.ndarray:
    """Return ``A`` as a finite real 2-D array, exact or float64, or raise an error naming ``name``.

    Examples
    --------
    >>> matrix("X", [[1, 2**70]])
    array([[1, 1180591620717411303424]], dtype=object)
    >>> matrix("X", [[0.5, 2]])
    array([[0.5, 2. ]])
    >>> matrix("X", [[Fraction(1, 2), 0.5]])
    Traceback (most recent call last):
    ...
    TypeError: X mixes exact numbers (Fraction(1, 2) at [0, 0]) with floats (0.5 at [0, 1]); use one kind
    """
    arr = _array(name, A)
    if arr.dtype.kind in "iu":
        return _exact(name, arr.astype(object))
    if arr.dtype.kind == "f":
        return _finite(name, arr.astype(np.float64))
    if arr.dtype != object:
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype} ({_preview(arr)})")
    return _from_objects(name, arr)


def _array(name: str, A: object) -> np.ndarray:
    """``A`` as a non-empty 2-D array, its entries not yet checked."""
    if isinstance(A, np.ndarray) and A.dtype != object:
        arr = A
    else:
        try:
            arr = np.array(A, dtype=object)
        except ValueError as err:
            raise ValueError(f"{name} is not a rectangular array: {err}") from None
        if arr.ndim == 1 and any(isinstance(v, (list, tuple, np.ndarray)) for v in arr):
            raise ValueError(f"{name} is not a rectangular array: its rows have different lengths")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {arr.ndim}-D with shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def logs(name: str, A: object) -> np.ndarray:
    """Return ``A`` as an object array of exact logarithms :class:`~derivations.values.Ln`.

    A worked example whose results go through ``exp`` (softmax, sigmoid) can only be exact when
    every input is ``ln a`` with ``a`` rational, since then ``exp(ln a) = a``.

    >>> logs("Z", [[Ln(Fraction(1)), Ln(Fraction(3))]])
    array([[Ln(1), Ln(3)]], dtype=object)
    >>> logs("Z", [[Ln(Fraction(2)), 0]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: Z[0, 1] is 0, not a logarithm; worked examples take every entry of Z as ln(a) ...
    """
    arr = _array(name, A).astype(object)
    for (r, c), v in np.ndenumerate(arr):
        if not isinstance(v, Ln):
            raise TypeError(f"{name}[{r}, {c}] is {v}, not a logarithm; worked examples take every entry of "
                            f"{name} as ln(a) with a rational a > 0 (0 is ln(1)), so that exp(ln a) = a "
                            "keeps every result exact")
    return arr


def upstream(G: object) -> np.ndarray:
    """The upstream gradient ``G = dJ/dL`` of a scalar loss ``L``: a 1 x 1 matrix, exact or float64.

    >>> upstream([[Fraction(1, 2)]])
    array([[Fraction(1, 2)]], dtype=object)
    >>> upstream([[1, 1]])
    Traceback (most recent call last):
    ...
    ValueError: G has shape (1, 2) but the loss L is 1 x 1; G = dJ/dL must be 1 x 1 (1 for a loss at the top)
    """
    G = matrix("G", G)
    if G.shape != (1, 1):
        raise ValueError(f"G has shape {G.shape} but the loss L is 1 x 1; G = dJ/dL must be 1 x 1 "
                         "(1 for a loss at the top)")
    return G


def class_labels(name: str, A: object, rows: int, classes: int) -> np.ndarray:
    """One-based class indices, an ``rows x 1`` column of integers in ``1..classes``; returned 0-based.

    Integers only: a float such as ``2.0``, a boolean or a fraction is refused rather than rounded.

    >>> class_labels("labels", [[3], [1]], 2, 3)
    array([2, 0])
    >>> class_labels("labels", [[3], [0]], 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: labels[1, 0] = 0 is outside 1..3: labels are one-based class indices (PyTorch's are 0-based)
    >>> class_labels("labels", [[2.0], [1]], 2, 3)
    Traceback (most recent call last):
    ...
    TypeError: labels[0, 0] is the float 2.0; labels must hold integer class indices from 1 to 3
    """
    arr = _array(name, A)
    if arr.shape != (rows, 1):
        raise ValueError(f"{name} has shape {arr.shape} but must be {(rows, 1)}: one class index per "
                         "sample, as an M x 1 column")
    out = np.empty(rows, dtype=np.int64)
    for (r, c), v in np.ndenumerate(arr):
        where = f"{name}[{r}, {c}]"
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{where} is the boolean {v}; {name} must hold integer class indices "
                            f"from 1 to {classes}")
        if isinstance(v, (float, np.floating)):
            raise TypeError(f"{where} is the float {v}; {name} must hold integer class indices "
                            f"from 1 to {classes}")
        if isinstance(v, Fraction) and v.denominator == 1:
            v = v.numerator
        if isinstance(v, Fraction):
            raise TypeError(f"{where} is {v}, not an integer; {name} must hold integer class indices "
                            f"from 1 to {classes}")
        if not isinstance(v, (int, np.integer)):
            raise TypeError(f"{where} is {v} of type {type(v).__name__}; {name} must hold integer class "
                            f"indices from 1 to {classes}")
        if not 1 <= v <= classes:
            raise ValueError(f"{where} = {v} is outside 1..{classes}: {name} are one-based class indices "
                             "(PyTorch's are 0-based)")
        out[r] = int(v) - 1
    return out


def inputs(**arrays: object) -> tuple[np.ndarray, ...]:
    """Validate each named matrix and bring them to one kind (see :func:`same_kind`)."""
    return same_kind(**{name: matrix(name, A) for name, A in arrays.items()})


def exact_inputs(**arrays: object) -> tuple[np.ndarray, ...]:
    """:func:`inputs` for a worked example, which shows exact numbers only.

    >>> exact_inputs(X=[[0.5]])
    Traceback (most recent call last):
    ...
    TypeError: worked examples show exact numbers: X holds floats; use integers or fractions such as 1/2
    """
    for name, A in arrays.items():
        if matrix(name, A).dtype != object:
            raise TypeError(f"worked examples show exact numbers: {name} holds floats; "
                            "use integers or fractions such as 1/2")
    return inputs(**arrays)


def chain(A: np.ndarray, B: np.ndarray, a: str, b: str) -> None:
    """Refuse a product ``A B`` whose inner sizes differ, naming both."""
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"{a} has shape {A.shape} and {b} has shape {B.shape}: "
                         f"{a}'s {A.shape[1]} columns must match {b}'s {B.shape[0]} rows")


def scalar(v: object) -> int | Fraction:
    """An exact number as ``int`` when it is one, else ``Fraction``.

    >>> scalar(np.int64(4)), scalar(Fraction(6, 4))
    (4, Fraction(3, 2))
    """
    v = Fraction(v)
    return int(v.numerator) if v.denominator == 1 else Fraction(int(v.numerator), int(v.denominator))


def narrow(A: np.ndarray) -> np.ndarray:
    """An exact result as ``int64`` when every entry is an integer that fits; otherwise unchanged.

    >>> narrow(np.array([[Fraction(4, 2), 3]], dtype=object))
    array([[2, 3]])
    >>> narrow(np.array([[Fraction(1, 2), 3]], dtype=object))
    array([[Fraction(1, 2), 3]], dtype=object)
    """
    if A.dtype != object:
        return A
    A = np.vectorize(_simplest, otypes=[object])(A)
    if all(isinstance(v, int) and INT64[0] <= v <= INT64[1] for v in A.flat):
        return A.astype(np.int64)
    return A


def same_kind(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Bring matrices to one kind: all exact, or all float64 when any is float.

    Integer matrices join float ones; a Fraction never does silently (it would round).

    >>> same_kind(X=np.array([[1.5]]), W=matrix("W", [[2]]))
    (array([[1.5]]), array([[2.]]))
    >>> same_kind(X=np.array([[1.5]]), W=matrix("W", [[Fraction(1, 3)]]))
    Traceback (most recent call last):
    ...
    TypeError: W holds the fraction 1/3 but X holds floats; pass all inputs as exact numbers or all as floats
    """
    floats = [name for name, A in arrays.items() if A.dtype != object]
    if not floats:
        return tuple(arrays.values())
    out = []
    for name, A in arrays.items():
        if A.dtype == object:
            fraction = next((v for v in A.flat if isinstance(v, Fraction)), None)
            if fraction is not None:
                raise TypeError(f"{name} holds the fraction {fraction} but {', '.join(floats)} holds floats; "
                                "pass all inputs as exact numbers or all as floats")
            A = _from_objects(name, np.vectorize(float, otypes=[object])(A)) if all(
                abs(v) <= FLOAT_EXACT for v in A.flat) else _too_big(name, A)
        out.append(A)
    return tuple(out)


def _too_big(name: str, A: np.ndarray) -> np.ndarray:
    (r, c), v = next((i, v) for i, v in np.ndenumerate(A) if abs(v) > FLOAT_EXACT)
    raise ValueError(f"{name}[{r}, {c}] = {v} is too large to combine with floats exactly; "
                     "pass every input as integers or Fractions")


def _simplest(v: object) -> object:
    return v.numerator if isinstance(v, Fraction) and v.denominator == 1 else v


def _from_objects(name: str, arr: np.ndarray) -> np.ndarray:
    exact, floats = None, None
    for index, v in np.ndenumerate(arr):
        where = f"[{index[0]}, {index[1]}]"
        if isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{name}{where} is the boolean {v}; {name} must hold real numbers")
        if isinstance(v, Decimal):
            raise TypeError(f"{name}{where} is decimal.Decimal({str(v)!r}); write it as a Fraction "
                            "(exact) or a float")
        if isinstance(v, (int, np.integer, Fraction)):
            exact = exact or (v, where)
        elif isinstance(v, (float, np.floating)):
            floats = floats or (v, where)
        elif isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real):
            raise TypeError(f"{name}{where} is the complex number {v!r}; {name} must hold real numbers")
        else:
            raise TypeError(f"{name}{where} is {v!r} of type {type(v).__name__}; {name} must hold real "
                            "numbers (int, Fraction or float)")
    if exact and floats:
        if all(isinstance(v, (int, np.integer)) for v in arr.flat if not isinstance(v, (float, np.floating))):
            ints = np.vectorize(lambda v: abs(int(v)) if isinstance(v, (int, np.integer)) else 0,
                                otypes=[object])(arr)
            if any(v > FLOAT_EXACT for v in ints.flat):
                _too_big(name, ints)
            return _finite(name, arr.astype(np.float64))
        first = exact if isinstance(exact[0], Fraction) else next(
            (v, f"[{i[0]}, {i[1]}]") for i, v in np.ndenumerate(arr) if isinstance(v, Fraction))
        raise TypeError(f"{name} mixes exact numbers ({first[0]!r} at {first[1]}) with floats "
                        f"({floats[0]!r} at {floats[1]}); use one kind")
    if floats:
        return _finite(name, arr.astype(np.float64))
    return _exact(name, arr)


def _exact(name: str, arr: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: v if isinstance(v, Fraction) else int(v), otypes=[object])(arr)


def _finite(name: str, arr: np.ndarray) -> np.ndarray:
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        where = ", ".join(f"{name}[{r}, {c}] = {arr[r, c]}" for r, c in bad[:3])
        raise ValueError(f"{name} must be finite, got {where}")
    return arr


def _preview(arr: np.ndarray) -> str:
    flat = arr.ravel()
    shown = ", ".join(repr(v) for v in flat[:3].tolist())
    return f"values {shown}{', ...' if flat.size > 3 else ''}"
