"""``derivations._validate``, the input checks every topic shares: the edge of each rule, and each message."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from derivations._validate import FLOAT_EXACT, chain, class_labels, matrix, narrow, same_kind


@pytest.mark.parametrize("A, dtype, values", [
    ([[1, -2]], object, [[1, -2]]),
    (np.array([[1, 2]], dtype=np.uint8), object, [[1, 2]]),
    ([[np.int64(3), Fraction(1, 2)]], object, [[3, Fraction(1, 2)]]),
    ([[Fraction(4, 2)]], object, [[2]]),
    ([[0.5, 2]], np.float64, [[0.5, 2.0]]),
    ([[1, 0.5]], np.float64, [[1.0, 0.5]]),  # integers join floats when every one is exact as a float
    ([[np.float32(0.5)]], np.float64, [[0.5]]),
    (np.array([[1.5]], dtype=np.float32), np.float64, [[1.5]]),
    ([[FLOAT_EXACT, 0.5]], np.float64, [[float(FLOAT_EXACT), 0.5]]),
    ([[-FLOAT_EXACT, 0.5]], np.float64, [[-float(FLOAT_EXACT), 0.5]]),
])
def test_a_matrix_comes_back_exact_or_float64(A, dtype, values) -> None:
    out = matrix("X", A)
    assert out.dtype == dtype and out.tolist() == values
    if dtype is object:
        assert all(type(v) in (int, Fraction) for v in out.flat)


@pytest.mark.parametrize("A, error, message", [
    ([[1, 2], [3]], ValueError, "X is not a rectangular array: its rows have different lengths"),
    (np.array([[1, 2], [3]], dtype=object), ValueError,
     "X is not a rectangular array: its rows have different lengths"),
    ([np.zeros((2, 2)), np.zeros((2, 3))], ValueError, "X is not a rectangular array: could not broadcast"),
    ([1, 2], ValueError, "X must be 2-D, got 1-D with shape (2,)"),
    (5, ValueError, "X must be 2-D, got 0-D with shape ()"),
    ([], ValueError, "X must be 2-D, got 1-D with shape (0,)"),
    ([[]], ValueError, "X must not be empty, got shape (1, 0)"),
    (np.zeros((2, 0)), ValueError, "X must not be empty, got shape (2, 0)"),
    (np.array([["a", "b", "c", "d"]]), TypeError,
     "X must hold real numbers, got dtype <U1 (values 'a', 'b', 'c', ...)"),
    (np.array([["a", "b", "c"]]), TypeError,
     "X must hold real numbers, got dtype <U1 (values 'a', 'b', 'c')"),
    (np.array([[1]], dtype="timedelta64[s]"), TypeError,
     "X must hold real numbers, got dtype timedelta64[s]"),
    (np.array([[1 + 1j]]), TypeError, "X must hold real numbers, got dtype complex128 (values (1+1j))"),
    ([[1, None]], TypeError,
     "X[0, 1] is None of type NoneType; X must hold real numbers (int, Fraction or float)"),
    ([[1], [np.bool_(True)]], TypeError, "X[1, 0] is the boolean True; X must hold real numbers"),
    ([[np.complex128(1j)]], TypeError, "X[0, 0] is the complex number np.complex128(1j)"),
    ([[1, 2**53 + 1, 0.5]], ValueError,
     "X[0, 1] = 9007199254740993 is too large to combine with floats exactly"),
    ([[0.5], [-(2**53) - 1]], ValueError, "X[1, 0] = 9007199254740993 is too large to combine"),
    ([[2**53, 2**53 + 1, 0.5]], ValueError, "X[0, 1] = 9007199254740993 is too large to combine"),
    ([[1, 0.5, Fraction(1, 3)]], TypeError,
     "X mixes exact numbers (Fraction(1, 3) at [0, 2]) with floats (0.5 at [0, 1]); use one kind"),
    ([[Fraction(1, 3), 0.5, 1]], TypeError, "X mixes exact numbers (Fraction(1, 3) at [0, 0]) with floats"),
    ([[np.nan, 1.0], [np.inf, -np.inf], [np.nan, 2.0]], ValueError,
     "X must be finite, got X[0, 0] = nan, X[1, 0] = inf, X[1, 1] = -inf"),
    ([[1, float("nan")]], ValueError, "X must be finite, got X[0, 1] = nan"),
])
def test_what_is_not_a_matrix_is_named(A, error, message: str) -> None:
    with pytest.raises(error) as info:
        matrix("X", A)
    assert str(info.value).startswith(message), str(info.value)
    if message.startswith("X must be finite"):
        assert str(info.value) == message


@pytest.mark.parametrize("values, dtype", [
    ([[Fraction(4, 2), 3]], np.int64),
    ([[2**63 - 1, -(2**63)]], np.int64),
    ([[2**63, 1]], object),
    ([[-(2**63) - 1]], object),
    ([[Fraction(1, 2)]], object),
])
def test_narrow(values, dtype) -> None:
    out = narrow(np.array(values, dtype=object))
    assert out.dtype == dtype
    assert out.tolist() == [[int(v) if Fraction(v).denominator == 1 else v for v in row] for row in values]
    floats = np.array([[0.5]])
    assert narrow(floats) is floats


def test_same_kind() -> None:
    X, W = matrix("X", [[1, 2]]), matrix("W", [[Fraction(1, 2)]])
    assert same_kind(X=X, W=W) == (X, W)  # all exact: unchanged
    out = same_kind(X=np.array([[0.5]]), W=matrix("W", [[FLOAT_EXACT, -FLOAT_EXACT]]))
    assert out[1].dtype == np.float64 and out[1].tolist() == [[float(FLOAT_EXACT), -float(FLOAT_EXACT)]]
    big = np.array([[1e20, -1e300]])  # a float may be as large as it likes; only integers must fit
    out = same_kind(X=big, W=matrix("W", [[2]]))
    assert out[0] is big and out[1].tolist() == [[2.0]]
    with pytest.raises(ValueError) as info:
        same_kind(X=np.array([[0.5]]), W=matrix("W", [[1, FLOAT_EXACT + 1]]))
    assert str(info.value) == ("W[0, 1] = 9007199254740993 is too large to combine with floats exactly; "
                               "pass every input as integers or Fractions")
    with pytest.raises(ValueError, match=r"^W\[0, 0\] = -9007199254740993 is too large"):
        same_kind(X=np.array([[0.5]]), W=matrix("W", [[-FLOAT_EXACT - 1]]))
    with pytest.raises(TypeError) as info:
        same_kind(X=np.array([[0.5]]), G=np.array([[1.5]]), W=matrix("W", [[1, Fraction(2, 3)]]))
    assert str(info.value) == ("W holds the fraction 2/3 but X, G holds floats; "
                               "pass all inputs as exact numbers or all as floats")


def test_class_labels_take_whole_fractions_and_refuse_another_shape() -> None:
    """A label given as a Fraction equal to an integer is that integer; a labels matrix of any shape
    but M x 1, wider or longer, is refused with both shapes named."""
    assert class_labels("labels", [[Fraction(3)], [Fraction(4, 4)]], 2, 3).tolist() == [2, 0]
    for A, shape in (([[1, 2], [1, 1]], (2, 2)), ([[1], [2], [3]], (3, 1)), ([[1]], (1, 1))):
        wanted = rf"^labels has shape {re.escape(str(shape))} but must be \(2, 1\): "
        with pytest.raises(ValueError, match=wanted):
            class_labels("labels", A, 2, 3)


def test_a_product_of_the_wrong_sizes_names_both_inner_sizes() -> None:
    with pytest.raises(ValueError) as info:
        chain(np.zeros((2, 3)), np.zeros((4, 5)), "X", "W")
    assert str(info.value) == "X has shape (2, 3) and W has shape (4, 5): X's 3 columns must match W's 4 rows"
