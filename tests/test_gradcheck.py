"""derivations.gradcheck accepts true gradients and rejects ones that are slightly or structurally wrong.

The margin of the 0.1% test: multiplying a gradient ``g`` by ``OFF_BY = 1.001`` moves an entry by
``1e-3 |g_ij|`` against a tolerance of ``RTOL * S = 1e-7 * max|g|`` plus the rounding of ``f``: about 1e4
times the tolerance at the largest entry. The tests demand at least ``MARGIN = 100`` times, so a failure
is not a near miss, at every scale of ``f`` and of its inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from derivations import linear
from derivations.gradcheck import (
    RTOL,
    GradientMismatch,
    InconclusiveCheck,
    check_grads,
    directional_check,
    numeric_gradient,
)

SHAPES = [(1, 1, 1), (2, 3, 4), (4, 3, 2), (5, 1, 3), (3, 7, 6)]
OFF_BY = 1.001
MARGIN = 100


def layer(M: int, D: int, N: int):
    """Random ``X, W, G`` and ``L(X, W) = sum(G * (X W))``, seeded by the shape."""
    rng = np.random.default_rng(1000 * M + 100 * D + N)
    X, W, G = rng.standard_normal((M, D)), rng.standard_normal((D, N)), rng.standard_normal((M, N))

    def L(X: np.ndarray, W: np.ndarray) -> float:
        return np.sum(G * (X @ W))

    return X, W, G, L


def cube(A: np.ndarray) -> float:
    return np.sum(A**3)


def assert_far_outside(err: GradientMismatch) -> None:
    message = str(err)
    assert repr(err.numeric) in message and repr(err.claimed) in message, message
    assert err.claimed == pytest.approx(OFF_BY * err.numeric, rel=1e-5), message
    assert abs(err.claimed - err.numeric) >= MARGIN * err.tolerance, message


@pytest.mark.parametrize("M, D, N", SHAPES)
def test_accepts_the_linear_layer_gradients(M: int, D: int, N: int) -> None:
    X, W, G, L = layer(M, D, N)
    check_grads(L, linear.backward(X, W, G), X, W, names=("X", "W"))


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (6, 2)])
def test_accepts_an_elementwise_gradient(shape: tuple[int, int]) -> None:
    A = np.random.default_rng(sum(shape)).standard_normal(shape)
    dA = 3 * A**2
    np.testing.assert_allclose(numeric_gradient(cube, A), dA, rtol=0, atol=RTOL * np.abs(dA).max())
    directional_check(cube, dA, A)
    check_grads(cube, [dA], A)


@pytest.mark.parametrize("M, D, N", SHAPES[1:])
@pytest.mark.parametrize("which", [0, 1])
def test_entrywise_check_rejects_a_gradient_off_by_a_tenth_of_a_percent(M: int, D: int, N: int,
                                                                         which: int) -> None:
    X, W, G, L = layer(M, D, N)
    grads = list(linear.backward(X, W, G))
    grads[which] = OFF_BY * grads[which]
    with pytest.raises(GradientMismatch) as info:
        check_grads(L, grads, X, W, names=("X", "W"))
    assert f"gradient for {'XW'[which]} at entry [" in str(info.value)
    assert_far_outside(info.value)


@pytest.mark.parametrize("M, D, N", SHAPES[1:])
def test_directional_check_rejects_a_gradient_off_by_a_tenth_of_a_percent(M: int, D: int, N: int) -> None:
    X, W, G, L = layer(M, D, N)
    dX, dW = linear.backward(X, W, G)
    for name, f, grad, A in (("X", lambda A: L(A, W), dX, X), ("W", lambda A: L(X, A), dW, W)):
        with pytest.raises(GradientMismatch) as info:
            directional_check(f, OFF_BY * grad, A, name=name)
        assert f"gradient for {name} along random unit direction" in str(info.value)
        assert_far_outside(info.value)


def test_elementwise_gradient_off_by_a_tenth_of_a_percent_is_rejected_both_ways() -> None:
    A = np.random.default_rng(7).standard_normal((3, 4))
    for check in (lambda g: check_grads(cube, [g], A), lambda g: directional_check(cube, g, A)):
        with pytest.raises(GradientMismatch) as info:
            check(OFF_BY * 3 * A**2)
        assert_far_outside(info.value)


def test_a_transposed_gradient_of_a_square_argument_is_caught_by_value() -> None:
    B = np.random.default_rng(3).standard_normal((3, 3))
    A = np.ones((3, 3))
    with pytest.raises(GradientMismatch, match=r"gradient for args\[0\] at entry"):
        check_grads(lambda A: np.sum(B * A), [B.T], A)
    with pytest.raises(GradientMismatch, match="along random unit direction"):
        directional_check(lambda A: np.sum(B * A), B.T, A)


def test_directions_are_seeded() -> None:
    A = np.random.default_rng(5).standard_normal((2, 3))
    messages = []
    for _ in range(2):
        with pytest.raises(GradientMismatch) as info:
            directional_check(cube, 3 * A, A)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_rejects_a_transposed_gradient_naming_both_shapes() -> None:
    X, W, G, L = layer(2, 3, 4)
    dX, dW = linear.backward(X, W, G)
    message = "dW has shape (4, 3) but W has shape (3, 4)"
    with pytest.raises(ValueError) as info:
        check_grads(L, (dX, dW.T), X, W, names=("X", "W"))
    assert message in str(info.value)
    with pytest.raises(ValueError) as info:
        directional_check(lambda A: L(X, A), dW.T, W, name="W")
    assert message in str(info.value)


@pytest.mark.parametrize(
    "grad, message",
    [
        (np.ones((1, 6)), "grads[0] has shape (1, 6) but args[0] has shape (2, 3)"),
        (np.ones(6), "grads[0] must be 2-D, got 1-D with shape (6,)"),
        (np.ones((2, 3), dtype=int), "grads[0] must be float64, got dtype int64"),
        (np.full((2, 3), np.nan), "grads[0] must be finite, got grads[0][0, 0] = nan"),
    ],
)
def test_rejects_a_malformed_gradient(grad: np.ndarray, message: str) -> None:
    A = np.ones((2, 3))
    with pytest.raises((ValueError, TypeError)) as info:
        check_grads(cube, [grad], A)
    assert message in str(info.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_rejects_a_non_finite_value_of_f(bad: float) -> None:
    A = np.ones((2, 3))
    with pytest.raises(ValueError) as info:
        check_grads(lambda A: bad, [np.zeros((2, 3))], A)
    assert f"f must return a finite real scalar, got {bad!r} at the given arguments" in str(info.value)

    def blows_up(A: np.ndarray) -> float:
        return bad if A[1, 2] > 1 else cube(A)

    with pytest.raises(ValueError) as info:
        numeric_gradient(blows_up, A)
    assert f"got {bad!r} with A[1, 2] moved by +1e-06" in str(info.value)
    with pytest.raises(ValueError) as info:
        directional_check(lambda A: bad, 3 * A**2, A)
    assert f"got {bad!r} with A moved by +1e-06 along direction 1" in str(info.value)


@pytest.mark.parametrize(
    "value, shown",
    [
        (np.ones((1, 1)), "ndarray of shape (1, 1)"),
        (np.array(1.0), "ndarray of shape ()"),
        (True, "bool True"),
        (1 + 2j, "complex (1+2j)"),
        (None, "NoneType None"),
    ],
)
def test_rejects_f_returning_anything_but_a_real_scalar(value: object, shown: str) -> None:
    with pytest.raises(TypeError) as info:
        check_grads(lambda A: value, [np.zeros((1, 1))], np.ones((1, 1)))
    assert f"f must return a real scalar, got {shown}" in str(info.value)


@pytest.mark.parametrize(
    "args, error, message",
    [
        (([np.zeros((1, 1))], np.ones((1, 1), dtype=np.float32)), TypeError,
         "args[0] must be float64, got dtype float32"),
        (([np.zeros((1, 1))], [[1, 2]]), TypeError, "args[0] must be float64, got dtype int64"),
        (([np.zeros((1, 2))], np.array([[1.0, np.inf]])), ValueError,
         "args[0] must be finite, got args[0][0, 1] = inf"),
        ((np.zeros((1, 1)), np.ones((1, 1))), TypeError,
         "grads must be a list or tuple with one gradient per argument, got ndarray"),
        (([np.zeros((1, 1))] * 2, np.ones((1, 1))), ValueError,
         "got 1 arguments, 2 gradients and 1 names"),
        (([],), ValueError, "got 0 arguments, 0 gradients and 0 names"),
    ],
)
def test_rejects_malformed_arguments(args: tuple, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        check_grads(cube, *args)
    assert message in str(info.value)


SCALES = [1e-9, 1.0, 1e9]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("offset", [0.0, 1e3])
@pytest.mark.parametrize("size", SCALES)
def test_verdicts_do_not_depend_on_the_scale_of_f_or_of_its_inputs(scale: float, offset: float,
                                                                   size: float) -> None:
    A = size * np.random.default_rng(11).standard_normal((3, 3))

    def f(A: np.ndarray) -> float:
        return scale * (cube(A / size) + offset)

    dA = scale * 3 * (A / size) ** 2 / size
    check_grads(f, [dA], A)
    for check in (lambda g: check_grads(f, [g], A), lambda g: directional_check(f, g, A)):
        with pytest.raises(GradientMismatch) as info:
            check(OFF_BY * dA)
        assert_far_outside(info.value)
        for wrong in (dA.T, np.zeros_like(A), -dA):
            with pytest.raises(GradientMismatch):
                check(wrong)


def test_a_zero_gradient_of_a_tiny_function_is_rejected() -> None:
    A = np.random.default_rng(12).standard_normal((2, 3))

    def tiny(A: np.ndarray) -> float:
        return 1e-9 * cube(A)

    check_grads(tiny, [3e-9 * A**2], A)
    with pytest.raises(GradientMismatch, match=r"claimed 0\.0,"):
        check_grads(tiny, [np.zeros_like(A)], A)
    with pytest.raises(GradientMismatch, match=r"claimed 0\.0,"):
        directional_check(tiny, np.zeros_like(A), A)


def test_a_large_constant_offset_is_inconclusive_rather_than_a_false_rejection() -> None:
    """At the default step the offset leaves f's difference quotients a multiple of 61; nothing can fail."""
    A = np.random.default_rng(13).standard_normal((2, 3))

    def offset(A: np.ndarray) -> float:
        return np.sum(A**2) + 1e12

    for claimed in (2 * A, OFF_BY * 2 * A, np.zeros_like(A)):
        with pytest.raises(InconclusiveCheck, match=r"at \|f\| = 1e\+12 .* so this check could not fail"):
            check_grads(offset, [claimed], A)
        with pytest.raises(InconclusiveCheck, match="subtract f's constant part"):
            directional_check(offset, claimed, A)
    # A quadratic's central difference is exact at any step, so the step the message names will do.
    step = 100.0
    check_grads(offset, [2 * A], A, step=step)
    with pytest.raises(GradientMismatch) as info:
        check_grads(offset, [OFF_BY * 2 * A], A, step=step)
    assert_far_outside(info.value)


def test_an_offset_small_against_the_gradient_still_lets_the_check_fail() -> None:
    A = np.random.default_rng(14).standard_normal((2, 3))

    def f(A: np.ndarray) -> float:
        return 1e9 * np.sum(A**2) + 1e12

    check_grads(f, [2e9 * A], A)
    with pytest.raises(GradientMismatch) as info:
        check_grads(f, [OFF_BY * 2e9 * A], A)
    assert_far_outside(info.value)


def test_a_constant_function_cannot_vouch_for_a_zero_gradient() -> None:
    with pytest.raises(InconclusiveCheck, match="gradient's scale 0, so this check could not fail"):
        check_grads(lambda A: 5.0, [np.zeros((2, 2))], np.ones((2, 2)))
    check_grads(lambda A: 0.0, [np.zeros((2, 2))], np.ones((2, 2)))


BAD_SETTINGS = [
    ({"directions": 0}, ValueError, "directions must be at least 1, got 0"),
    ({"directions": -2}, ValueError, "directions must be at least 1, got -2"),
    ({"directions": 2.0}, TypeError, "directions must be an int, got float 2.0"),
    ({"directions": True}, TypeError, "directions must be an int, got bool True"),
    ({"rng": -1}, ValueError, "rng must be a non-negative int seed, got -1"),
    ({"rng": 0.5}, TypeError, "rng must be None, an int seed or a numpy.random.Generator, got float 0.5"),
    ({"rng": True}, TypeError, "rng must be None, an int seed or a numpy.random.Generator, got bool True"),
    ({"rng": np.random.RandomState(0)}, TypeError,
     "rng must be None, an int seed or a numpy.random.Generator, got RandomState"),
    ({"step": 0}, ValueError, "step must be a finite positive number, got 0"),
    ({"step": -1e-6}, ValueError, "step must be a finite positive number, got -1e-06"),
    ({"step": np.nan}, ValueError, "step must be a finite positive number, got nan"),
    ({"step": np.inf}, ValueError, "step must be a finite positive number, got inf"),
    ({"step": "1e-6"}, TypeError, "step must be a real number, got str '1e-6'"),
    ({"step": 1e-6j}, TypeError, "step must be a real number, got complex 1e-06j"),
    ({"step": True}, TypeError, "step must be a real number, got bool True"),
    ({"rtol": -1e-7}, ValueError, "rtol must be at least 0 and below 1, got -1e-07"),
    ({"rtol": 1}, ValueError, "rtol must be at least 0 and below 1, got 1"),
    ({"rtol": np.nan}, ValueError, "rtol must be at least 0 and below 1, got nan"),
    ({"rtol": None}, TypeError, "rtol must be a real number, got NoneType None"),
]


@pytest.mark.parametrize("setting, error, message", BAD_SETTINGS)
def test_meaningless_settings_are_refused_by_name(setting: dict, error: type[Exception],
                                                  message: str) -> None:
    """A wrong gradient is passed, so a setting that slipped through would show as an acceptance."""
    A = np.random.default_rng(8).standard_normal((2, 3))
    with pytest.raises(error) as info:
        directional_check(cube, 3 * A, A, **setting)
    assert message in str(info.value)
    with pytest.raises(error) as info:
        check_grads(cube, [3 * A], A, **setting)
    assert message in str(info.value)
    if "step" in setting:
        with pytest.raises(error) as info:
            numeric_gradient(cube, A, **setting)
        assert message in str(info.value)


@pytest.mark.parametrize("seed", [0, 7, np.int64(7)])
def test_an_int_seed_is_a_generator_with_that_seed(seed: int) -> None:
    A = np.random.default_rng(9).standard_normal((2, 3))
    directional_check(cube, 3 * A**2, A, rng=seed)
    check_grads(cube, [3 * A**2], A, rng=seed)
    messages = []
    for rng in (seed, np.random.default_rng(seed)):
        with pytest.raises(GradientMismatch) as info:
            directional_check(cube, 3 * A, A, rng=rng)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda A: check_grads(3.0, [A], A), TypeError, "f must be callable, got float 3.0"),
        (lambda A: directional_check(None, A, A), TypeError, "f must be callable, got NoneType None"),
        (lambda A: numeric_gradient("cube", A), TypeError, "f must be callable, got str 'cube'"),
        (lambda A: numeric_gradient(cube, A, name=""), ValueError, "name must not be empty"),
        (lambda A: directional_check(cube, A, A, name=1), TypeError, "name must be a string, got int 1"),
        (lambda A: check_grads(cube, [A], A, names="A"), TypeError,
         "names must be a list or tuple of strings, got str 'A'"),
        (lambda A: check_grads(lambda A, B: 0.0, [A, A], A, A, names=("A", "A")), ValueError,
         "names must differ from each other, got ['A', 'A']"),
        (lambda A: check_grads(cube, [A], A, names=(None,)), TypeError,
         "names[0] must be a string, got NoneType None"),
    ],
)
def test_meaningless_arguments_are_refused_by_name(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        call(np.ones((2, 2)))
    assert message in str(info.value)


def test_gradient_mismatch_is_an_assertion_error() -> None:
    assert issubclass(GradientMismatch, AssertionError)
