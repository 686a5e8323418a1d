"""The kinds of number a page shows (``derivations.values``) and their TeX (``derivations.tex``)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from derivations import tex
from derivations.example import Expansion, RowCol, Shown
from derivations.values import PRECISION, Ln, Rounded, kind, places


@pytest.mark.parametrize("value, text", [
    (0, "0"),
    (-3, "-3"),
    (np.int64(12), "12"),
    (Fraction(8, 2), "4"),
    (Fraction(3, 4), r"\frac{3}{4}"),
    (Fraction(-3, 4), r"-\frac{3}{4}"),
    (Fraction(-7, 2), r"-\frac{7}{2}"),
    (Rounded(Decimal("0.268941421"), 4), "0.2689"),
    (Rounded(Decimal("-2"), 2), "-2.00"),
    (Ln(Fraction(3)), r"\ln 3"),
    (Ln(Fraction(1, 2)), r"\ln \frac{1}{2}"),
    (1234, "1234"),
    (12345, r"12\,345"),
    (-123456, r"-123\,456"),
    (1234567, r"1\,234\,567"),
    (Fraction(1, 100000), r"\frac{1}{100\,000}"),
])
def test_numbers(value, text: str) -> None:
    assert tex.number(value) == text


@pytest.mark.parametrize("value, message", [
    (0.5, "got 0.5 of type float"),
    (True, "got True of type bool"),
    (Decimal("1"), "got Decimal('1') of type Decimal"),
])
def test_only_the_kinds_a_page_shows_are_numbers(value, message: str) -> None:
    with pytest.raises(TypeError) as info:
        tex.number(value)
    assert str(info.value).endswith(message)


@pytest.mark.parametrize("value, text", [(-3, "(-3)"), (0, "0"), (2, "2"),
                                         (Fraction(-1, 2), r"(-\frac{1}{2})"),
                                         (Fraction(1, 2), r"\frac{1}{2}")])
def test_negative_factors_are_parenthesised(value, text: str) -> None:
    assert tex.factor(value) == text


def test_matrices() -> None:
    A = np.array([[1, Fraction(-1, 2)], [0, 3]], dtype=object)
    assert tex.matrix(A) == r"\begin{bmatrix} 1 & -\frac{1}{2} \\ 0 & 3 \end{bmatrix}"
    assert tex.matrix([[5]]) == r"\begin{bmatrix} 5 \end{bmatrix}"


@pytest.mark.parametrize("A, shape", [([1, 2], "(2,)"), (np.ones((1, 1, 1), dtype=int), "(1, 1, 1)"),
                                      (3, "()")])
def test_only_a_2d_array_is_a_matrix(A, shape: str) -> None:
    with pytest.raises(ValueError) as info:
        tex.matrix(A)
    assert str(info.value) == f"matrix() needs a 2-D array, got shape {shape}"


@pytest.mark.parametrize("value, text", [
    (Expansion(((1, 2), (-3, Fraction(1, 2))), Fraction(1, 2)),
     r"s = 1 \cdot 2 + (-3) \cdot \frac{1}{2} = \frac{1}{2}"),
    (RowCol((1, -2), (3, 4), -5),
     r"s = \begin{bmatrix} 1 & -2 \end{bmatrix} \begin{bmatrix} 3 \\ 4 \end{bmatrix} = -5"),
    (np.array([[1, -2]]), r"s = \begin{bmatrix} 1 & -2 \end{bmatrix}"),
    (Fraction(-1, 3), r"s = -\frac{1}{3}"),
    (Ln(Fraction(3)), r"s = \ln 3"),
])
def test_shown(value, text: str) -> None:
    assert tex.shown(Shown("s", value)) == text


# -- values --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, places, shown", [
    ("0.125", 2, "0.12"),  # half to even
    ("0.135", 2, "0.14"),
    ("0.1251", 2, "0.13"),
    ("-0.125", 2, "-0.12"),
    ("2", 0, "2"),
    ("0.5", 0, "0"),
    ("1.5", 0, "2"),
])
def test_rounded_values_round_half_to_even(value: str, places: int, shown: str) -> None:
    assert str(Rounded(Decimal(value), places).shown()) == shown
    assert repr(Rounded(Decimal(value), places)) == f"Rounded({shown})"


def test_rounding_keeps_every_digit_up_to_the_working_precision() -> None:
    """A rounded value is shown from PRECISION significant digits, more than the usual 28."""
    big = Decimal("1" * (PRECISION - 1) + ".25")
    assert str(Rounded(big, 1).shown()) == "1" * (PRECISION - 1) + ".2"


def test_logarithms_are_exact_and_computed_to_the_working_precision() -> None:
    with localcontext(prec=PRECISION + 20):
        ln3, ln2 = Decimal(3).ln(), Decimal(2).ln()
        assert abs(Ln(Fraction(3)).decimal() - ln3) < Decimal(10) ** -(PRECISION + 3)
        assert abs(Ln(Fraction(3, 2)).decimal() - (ln3 - ln2)) < Decimal(10) ** -(PRECISION + 3)
        assert abs(Ln(Fraction(1, 2)).decimal() + ln2) < Decimal(10) ** -(PRECISION + 3)
    assert repr(Ln(Fraction(3, 2))) == "Ln(3/2)"
    assert Ln(2).arg == 2


@pytest.mark.parametrize("arg", [0, -1, Fraction(-1, 2), 0.5, "3", Decimal(2)])
def test_a_logarithm_needs_a_positive_rational(arg) -> None:
    with pytest.raises(ValueError) as info:
        Ln(arg)
    assert str(info.value) == f"ln needs a positive rational argument, got {arg!r}"


@pytest.mark.parametrize("value, name", [
    (3, "exact"), (np.int64(3), "exact"), (Fraction(1, 3), "exact"), (np.array([[1, 2]]), "exact"),
    ([Fraction(1, 2), [3, (4,)]], "exact"), (Expansion(((1, 2),), 2), "exact"),
    (Rounded(Decimal(1), 2), "rounded"), ((Rounded(Decimal(1), 2), Rounded(Decimal(2), 2)), "rounded"),
    (Ln(Fraction(2)), "log"), (RowCol((Ln(Fraction(2)),), (Ln(Fraction(3)),), Ln(Fraction(6))), "log"),
])
def test_kind(value, name: str) -> None:
    assert kind(value) == name


@pytest.mark.parametrize("value, error, message", [
    ([1, Rounded(Decimal(1), 2)], ValueError,
     "a displayed quantity holds one kind of number, got ['exact', 'rounded']"),
    (Expansion(((1, Ln(Fraction(2))),), 2), ValueError, "got ['exact', 'log']"),
    (np.array([[True]]), TypeError, "got np.True_ of type bool"),
    ([1, True], TypeError, "got True of type bool"),
    (1.5, TypeError, "pages show exact numbers, Rounded or Ln values, got 1.5 of type float"),
    ("1", TypeError, "got '1' of type str"),
])
def test_kind_rejects_mixed_and_foreign_values(value, error, message: str) -> None:
    with pytest.raises(error) as info:
        kind(value)
    assert message in str(info.value)


def test_an_empty_quantity_has_no_kind() -> None:
    with pytest.raises(ValueError) as info:
        kind(np.zeros((0, 2), dtype=object))
    assert str(info.value) == "a displayed quantity holds one kind of number, got []"


def test_values_are_immutable_and_hashable() -> None:
    assert len({Ln(Fraction(3)), Ln(Fraction(6, 2)), Rounded(Decimal(1), 2), Rounded(Decimal(1), 2)}) == 2
    for value, name in ((Ln(Fraction(3)), "arg"), (Rounded(Decimal(1), 2), "places")):
        with pytest.raises(AttributeError):
            setattr(value, name, 1)


def test_places() -> None:
    assert places(np.array([[1, 2]])) is None
    assert places(Rounded(Decimal(1), 3)) == 3
    assert places([Rounded(Decimal(1), 3), Rounded(Decimal(2), 3)]) == 3
    with pytest.raises(ValueError) as info:
        places(RowCol((Rounded(Decimal(1), 3),), (Rounded(Decimal(1), 2),), Rounded(Decimal(1), 3)))
    assert str(info.value) == "a rounded quantity shows one number of digits, got [2, 3]"
