"""derivations.gradcheck accepts true gradients and rejects ones that are slightly or structurally wrong.

The margin of the 0.1% test: multiplying a gradient ``g`` by ``OFF_BY = 1.001`` moves an entry by
``1e-3 |g_ij|`` against a tolerance of ``RTOL * S = 1e-7 * max|g|`` plus the rounding of ``f``: about 1e4
times the tolerance at the largest entry. The tests demand at least ``MARGIN = 100`` times, so a failure
is not a near miss, at every scale of ``f`` and of its inputs.
"""

from __future__ import annotations

import inspect
import operator
import re
from types import SimpleNamespace

import numpy as np
import pytest

from derivations.gradcheck import (
    EPS,
    NOISE,
    RTOL,
    GradientMismatch,
    InconclusiveCheck,
    check_grads,
    check_topic,
    directional_check,
    numeric_gradient,
)
from derivations.topics import linear

SHAPES = [(2, 3, 4), (4, 3, 2), (5, 1, 3), (3, 7, 6)]
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


def assert_names_both_numbers(err: GradientMismatch) -> None:
    """The message prints the two numbers compared, their difference and the tolerance it exceeded."""
    message = str(err)
    assert f"numeric {err.numeric!r}, claimed {err.claimed!r}, " in message, message
    difference = abs(err.claimed - err.numeric)
    assert f"difference {difference:.3g} > tolerance {err.tolerance:.3g}" in message, message


def assert_far_outside(err: GradientMismatch) -> None:
    message = str(err)
    assert_names_both_numbers(err)
    assert err.claimed == pytest.approx(OFF_BY * err.numeric, rel=1e-5), message
    assert abs(err.claimed - err.numeric) >= MARGIN * err.tolerance, message


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (6, 2)])
def test_accepts_an_elementwise_gradient(shape: tuple[int, int]) -> None:
    A = np.random.default_rng(sum(shape)).standard_normal(shape)
    dA = 3 * A**2
    np.testing.assert_allclose(numeric_gradient(cube, A), dA, rtol=0, atol=RTOL * np.abs(dA).max())
    directional_check(cube, dA, A)
    check_grads(cube, [dA], A)


@pytest.mark.parametrize("M, D, N", SHAPES)
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


@pytest.mark.parametrize("M, D, N", SHAPES)
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
        (([np.zeros((1, 1))], [[1, 2]]), TypeError, "args[0] must be float64, got dtype object"),
        (([np.zeros((1, 2))], np.array([[1.0, np.inf]])), ValueError,
         "args[0] must be finite, got args[0][0, 1] = inf"),
        ((np.zeros((1, 1)), np.ones((1, 1))), TypeError,
         "grads must be a list or tuple with one gradient per argument, got ndarray"),
        (([np.zeros((1, 1))] * 2, np.ones((1, 1))), ValueError,
         "got 1 arguments, 2 gradients and 1 names"),
        (([],), ValueError, "got 0 arguments, 0 gradients and 0 names"),
        (([np.zeros((1, 1))], np.ones((1, 1)), np.ones((1, 1))), ValueError,
         "got 2 arguments, 1 gradients and 2 names"),
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
            with pytest.raises(GradientMismatch) as info:
                check(wrong)
            assert_names_both_numbers(info.value)


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


def test_an_inconclusive_check_names_the_entry_with_the_largest_f_and_a_step_that_will_do() -> None:
    """The rounding of f = 1e6 + ... is near 1e-3 of a gradient whose scale is 0.3: far below a usable check,
    yet above RESOLUTION = 1e-4 of it. The step the message names, rounded up, puts the rounding just below
    that share.

    (Along directions the scale differs from one direction to the next, and the step named is the one for
    the direction that raised, so only the entry-wise advice is tried at twice its size.)"""
    A = np.array([[0.5, -1.0], [3.0, 0.2]])

    def f(A: np.ndarray) -> float:
        return 1e6 + 0.05 * np.sum(A**2)

    advice = (r"at \|f\| = 1e\+06 rounding allows an error of (\S+) in a difference quotient, "
              r"more than 0\.0001 of the gradient's scale (\S+), so this check could not fail; "
              r"subtract f's constant part, or take step=(\S+) if f is smooth on that scale$")
    steps = []
    for check, what in (
        # |f| is largest where A is: at A[1, 0] = 3.
        (lambda g, **step: check_grads(f, [g], A, **step), r"gradient for args\[0\] at entry \[1, 0\]: "),
        (lambda g, **step: directional_check(f, g, A, **step),
         "gradient for A along random unit direction 1 of 3: "),
    ):
        with pytest.raises(InconclusiveCheck) as info:
            check(0.1 * A)
        found = re.fullmatch(what + advice, str(info.value))
        assert found, str(info.value)
        rounding, scale, step = (float(v) for v in found.groups())
        assert scale < 1 and rounding > 1e-4 * scale
        assert 1.05 <= step / (1e-6 * rounding / (1e-4 * scale)) <= 1.05 * 1.11
        with pytest.raises(InconclusiveCheck):
            check(0.1 * A, step=step / 2)
        steps.append(step)
    # Taken as printed, the entry-wise step is enough for the entries: what stops the check now is a
    # direction, with a scale of its own.
    with pytest.raises(InconclusiveCheck, match="along random unit direction"):
        check_grads(f, [0.1 * A], A, step=steps[0])
    # f is quadratic, so any step is exact: twice the named one gives a check that accepts and can fail.
    check_grads(f, [0.1 * A], A, step=2 * steps[0])
    with pytest.raises(GradientMismatch) as info:
        check_grads(f, [OFF_BY * 0.1 * A], A, step=2 * steps[0])
    assert_names_both_numbers(info.value)


@pytest.mark.parametrize(
    "B, multiples, worst",
    [
        # The larger difference is at [0, 1], but it is the smaller multiple of its tolerance.
        ([[1.0, 1e6]], [5.0, 3.0], (0, 0)),
        # Both entries are between one and two tolerances out; the second is further.
        ([[1.0, 1.0]], [1.3, 1.7], (0, 1)),
    ],
)
def test_with_rtol_0_each_entry_has_its_own_tolerance_and_the_worst_multiple_is_reported(
    B: list[list[float]], multiples: list[float], worst: tuple[int, int]
) -> None:
    """rtol = 0 is allowed and leaves only the rounding term NOISE * eps * F / h, which differs by entry.

    At A = 0 the step is ``step`` itself, and a linear f has F = h |B_ij| at entry (i, j): its
    tolerance is NOISE * eps * |B_ij|."""
    B = np.array(B)
    A = np.zeros_like(B)

    def f(A: np.ndarray) -> float:
        return np.sum(B * A)

    np.testing.assert_array_equal(numeric_gradient(f, A), B)
    check_grads(f, [B], A, rtol=0)
    directional_check(f, B, A, rtol=0)
    with pytest.raises(GradientMismatch) as info:
        check_grads(f, [B * (1 + NOISE * EPS * np.array(multiples))], A, rtol=0)
    assert f"gradient for args[0] at entry [{worst[0]}, {worst[1]}] (worst of 2; 2 outside tolerance)" in str(
        info.value
    )
    assert info.value.tolerance == pytest.approx(NOISE * EPS * B[worst], rel=1e-6)
    assert_names_both_numbers(info.value)


@pytest.mark.parametrize("directions", [1, 2, 5])
def test_directions_is_the_number_of_random_directions_tried(directions: int) -> None:
    """Two calls of f per direction; check_grads adds one at the point and two per entry."""
    A = np.random.default_rng(15).standard_normal((2, 3))
    calls = []

    def f(A: np.ndarray) -> float:
        calls.append(A)
        return cube(A)

    directional_check(f, 3 * A**2, A, directions=directions)
    assert len(calls) == 2 * directions
    calls.clear()
    check_grads(f, [3 * A**2], A, directions=directions)
    assert len(calls) == 1 + 2 * A.size + 2 * directions
    with pytest.raises(GradientMismatch, match=f"along random unit direction 1 of {directions}:"):
        directional_check(cube, 3 * A, A, directions=directions)


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
    ({"rtol": 1.5}, ValueError, "rtol must be at least 0 and below 1, got 1.5"),
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
        (lambda A: check_grads(lambda A, B: 0.0, [A, A], A, A, names=("A",)), ValueError,
         "got 2 arguments, 2 gradients and 1 names"),
        (lambda A: check_grads(cube, [A], A, names=("A", "B")), ValueError,
         "got 1 arguments, 1 gradients and 2 names"),
    ],
)
def test_meaningless_arguments_are_refused_by_name(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        call(np.ones((2, 2)))
    assert message in str(info.value)


def test_gradient_mismatch_is_an_assertion_error() -> None:
    assert issubclass(GradientMismatch, AssertionError)


# --- check_topic ---------------------------------------------------------------------------------------


def topic(name: str, forward, backward) -> SimpleNamespace:
    """A stand-in for a topic module."""
    return SimpleNamespace(__name__=name, forward=forward, backward=backward)


def both_sides_of_the_kink(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


def class_labels(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.integers(0, 4, size=shape)


def softmax(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def cross_entropy(Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row losses ``-log softmax(Z)[m, y_m]`` as an (M, 1) matrix; ``y`` holds one class number per row."""
    return -np.log(np.take_along_axis(softmax(Z), y, axis=1))


def one_hot(y: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes)[y[:, 0]]


def linear_with(dX, dW) -> SimpleNamespace:
    """``Y = X W`` with the given formulas for its gradients."""
    return topic("linear_variant", linear.forward, lambda X, W, G: (dX(X, W, G), dW(X, W, G)))


RELU = topic("relu", lambda Z: np.maximum(Z, 0), lambda Z, G: (G * (Z > 0),))
LOG = topic("log", lambda Z: np.log(Z), lambda Z, G: (G / Z,))
AFFINE = topic("affine", lambda X, W, b: X @ W + b,
               lambda X, W, b, G: (G @ W.T, X.T @ G, G.sum(axis=0, keepdims=True)))
CROSS_ENTROPY = topic("cross_entropy", cross_entropy,
                      lambda Z, y, G: (G * (softmax(Z) - one_hot(y, Z.shape[1])), None))
LAYERS = [((1, 1), (1, 1)), ((2, 3), (3, 4)), ((4, 3), (3, 2)), ((3, 7), (7, 6))]


def test_check_topic_accepts_right_topics_and_counts_its_comparisons() -> None:
    """One comparison per gradient entry and DIRECTIONS = 3 per input and case."""
    assert check_topic(linear, LAYERS) == sum(m * d + d * n + 6 for (m, d), (_, n) in LAYERS)
    assert check_topic(RELU, [((3, 4),), ((1, 1),)], both_sides_of_the_kink) == 12 + 3 + 1 + 3
    assert check_topic(LOG, [((2, 5),)], (0.1, 2.0)) == 10 + 3
    assert check_topic(AFFINE, [((2, 3), (3, 4), (1, 4))]) == 6 + 12 + 4 + 9
    assert check_topic(CROSS_ENTROPY, [((5, 4), (5, 1))], ((-2.0, 2.0), class_labels), wrt=(0,)) == 20 + 3


@pytest.mark.parametrize(
    "wrong, shapes, where",
    [
        (linear_with(lambda X, W, G: OFF_BY * G @ W.T, lambda X, W, G: X.T @ G), ((2, 3), (3, 4)),
         "linear_variant at X (2, 3), W (3, 4): gradient for X at entry ["),
        (linear_with(lambda X, W, G: G @ W.T, lambda X, W, G: OFF_BY * X.T @ G), ((3, 7), (7, 6)),
         "linear_variant at X (3, 7), W (7, 6): gradient for W at entry ["),
    ],
)
def test_check_topic_rejects_a_gradient_off_by_a_tenth_of_a_percent(wrong, shapes, where: str) -> None:
    with pytest.raises(GradientMismatch) as info:
        check_topic(wrong, [shapes])
    assert str(info.value).startswith(where)
    assert_far_outside(info.value)


@pytest.mark.parametrize(
    "wrong, shapes, message",
    [
        (linear_with(lambda X, W, G: G @ W, lambda X, W, G: X.T @ G), ((3, 3), (3, 3)),
         "linear_variant at X (3, 3), W (3, 3): gradient for X at entry ["),
        (linear_with(lambda X, W, G: G @ W.T, lambda X, W, G: G.T @ X), ((3, 3), (3, 3)),
         "linear_variant at X (3, 3), W (3, 3): gradient for W at entry ["),
        (topic("relu", RELU.forward, lambda Z, G: (G * (Z >= 0.5),)), ((4, 4),),
         "relu at Z (4, 4): gradient for Z at entry ["),
        (topic("affine", AFFINE.forward,
               lambda X, W, b, G: (G @ W.T, X.T @ G, G.mean(axis=0, keepdims=True))),
         ((2, 3), (3, 4), (1, 4)), "affine at X (2, 3), W (3, 4), b (1, 4): gradient for b at entry ["),
        (topic("derivations.topics.relu", RELU.forward, lambda Z, G: (G * (Z >= 0.5),)), ((4, 4),),
         "relu at Z (4, 4): gradient for Z at entry ["),
    ],
)
def test_check_topic_rejects_a_wrong_formula_naming_topic_shapes_input_and_entry(wrong, shapes,
                                                                                 message: str) -> None:
    with pytest.raises(GradientMismatch) as info:
        check_topic(wrong, [shapes], both_sides_of_the_kink)
    assert str(info.value).startswith(message)


def test_check_topic_differentiates_only_the_inputs_in_wrt() -> None:
    shapes, domain = [((5, 4), (5, 1))], ((-2.0, 2.0), class_labels)
    check_topic(CROSS_ENTROPY, shapes, domain, wrt=(0,))
    wrong = topic("cross_entropy", cross_entropy, lambda Z, y, G: (G * softmax(Z), None))
    with pytest.raises(GradientMismatch, match=r"^cross_entropy at Z \(5, 4\), y \(5, 1\): gradient for Z"):
        check_topic(wrong, shapes, domain, wrt=(0,))
    with pytest.raises(TypeError, match="y must be float64, got dtype int64"):
        check_topic(CROSS_ENTROPY, shapes, domain)
    # Any position can be chosen, not only the first: here W alone, with no formula given for X.
    only_dW = linear_with(lambda X, W, G: None, lambda X, W, G: X.T @ G)
    assert check_topic(only_dW, [((2, 3), (3, 4))], wrt=(1,)) == 12 + 3
    wrong = linear_with(lambda X, W, G: None, lambda X, W, G: OFF_BY * X.T @ G)
    with pytest.raises(GradientMismatch, match=r"^linear_variant at X \(2, 3\), W \(3, 4\): gradient for W"):
        check_topic(wrong, [((2, 3), (3, 4))], wrt=(1,))


@pytest.mark.parametrize(
    "backward, error, message",
    [
        (lambda X, W, G: (G @ W.T, (X.T @ G).T), ValueError, "dW has shape (4, 3) but W has shape (3, 4)"),
        (lambda X, W, G: (G @ W.T,), ValueError,
         "linear_variant.backward must return one gradient per input (2), got 1"),
        (lambda X, W, G: (G @ W.T, X.T @ G, None), ValueError,
         "linear_variant.backward must return one gradient per input (2), got 3"),
        (lambda X, W, G: G @ W.T, TypeError,
         "linear_variant.backward must return a tuple of gradients, got ndarray"),
        (lambda X, W, G: (G @ W.T, None), ValueError, "dW must be 2-D, got 0-D"),
        (lambda X, W, G: (G @ W.T, np.rint(X.T @ G).astype(int)), TypeError,
         "dW must be float64, got dtype int64"),
    ],
)
def test_check_topic_rejects_a_malformed_backward(backward, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        check_topic(topic("linear_variant", linear.forward, backward), [((2, 3), (3, 4))])
    assert message in str(info.value)


def test_check_topic_draws_each_input_from_its_own_domain() -> None:
    seen: dict[str, list[float]] = {"X": [], "W": []}

    def forward(X: np.ndarray, W: np.ndarray) -> np.ndarray:
        seen["X"] += X.ravel().tolist()
        seen["W"] += W.ravel().tolist()
        return X @ W

    bounded = topic("bounded", forward, linear.backward)
    check_topic(bounded, [((2, 3), (3, 4))], ((1.0, 2.0), (-3.0, -2.0)))
    # Central differences move an input by a millionth of its size beyond the domain, no further.
    assert min(seen["X"]) > 1.0 - 1e-5 and max(seen["X"]) < 2.0 + 1e-5
    assert min(seen["W"]) > -3.0 - 1e-5 and max(seen["W"]) < -2.0 + 1e-5
    with np.errstate(invalid="ignore"), pytest.raises(ValueError, match="must return a finite real scalar"):
        check_topic(LOG, [((2, 2),)])


class Drawn(Exception):
    """Raised by a backward that only records its inputs, to stop check_topic once they are drawn."""


def drawn(**arguments: object) -> np.ndarray:
    """The first input check_topic draws for a 100 x 100 input."""
    seen = []

    def backward(Z: np.ndarray, G: np.ndarray) -> tuple[np.ndarray]:
        seen.append(Z)
        raise Drawn

    with pytest.raises(Drawn):
        check_topic(topic("identity", lambda Z: Z, backward), [((100, 100),)], **arguments)
    return seen[0]


def test_check_topic_draws_by_default_from_minus_2_to_2_with_seed_0() -> None:
    """Order-one inputs of both signs, and the same ones each run."""
    Z = drawn()
    assert -2.0 <= Z.min() < -1.99 and 1.99 < Z.max() < 2.0
    np.testing.assert_array_equal(Z, drawn(domain=(-2.0, 2.0), seed=0))
    assert not np.array_equal(Z, drawn(seed=1))


@pytest.mark.parametrize(
    "forward, backward, count",
    [
        # A ufunc's signature also lists out=, so it has three positional parameters for two inputs.
        (np.maximum, lambda X, W, G: (G * (X > W), G * (X <= W)), 2),
        (lambda *Z: Z[0] * Z[1], lambda X, W, G: (G * W, G * X), 2),
        # inspect.signature raises ValueError for an attrgetter.
        (operator.attrgetter("T"), lambda Z, G: (G.T,), 1),
    ],
)
def test_check_topic_calls_inputs_by_position_when_forward_names_none_one_to_one(forward, backward,
                                                                                 count: int) -> None:
    shapes = [[(2, 3)] * count]
    assert check_topic(topic("t", forward, backward), shapes) == count * (6 + 3)
    wrong = topic("t", forward, lambda *inputs: (OFF_BY * backward(*inputs)[0], *backward(*inputs)[1:]))
    where = ", ".join(f"inputs[{i}] (2, 3)" for i in range(count))
    with pytest.raises(GradientMismatch) as info:
        check_topic(wrong, shapes)
    assert str(info.value).startswith(f"t at {where}: gradient for inputs[0] at entry [")


def test_check_topic_calls_inputs_by_position_when_forward_has_no_readable_signature() -> None:
    """inspect.signature raises TypeError when ``__signature__`` is not a Signature."""

    class Negate:
        __signature__ = "(Z)"

        def __call__(self, Z: np.ndarray) -> np.ndarray:
            return -Z

    with pytest.raises(TypeError):
        inspect.signature(Negate())
    assert check_topic(topic("negate", Negate(), lambda Z, G: (-G,)), [((2, 2),)]) == 4 + 3
    with pytest.raises(GradientMismatch, match=r"^negate at inputs\[0\] \(2, 2\): gradient for inputs\[0\]"):
        check_topic(topic("negate", Negate(), lambda Z, G: (G,)), [((2, 2),)])


# One more than the ints CPython caches, so that counts equal in value are distinct objects.
MANY = 257


def test_many_arguments_are_checked_and_named_like_a_few() -> None:
    """``L = sum_i c_i a_i**2`` of MANY 1 x 1 arguments, and a topic ``Y = sum_i c_i Z_i`` of MANY inputs."""
    c = np.arange(1.0, MANY + 1)
    args = [np.full((1, 1), 0.5) for _ in range(MANY)]
    grads = [c[i] * args[i] for i in range(MANY)]
    names = [f"z{i}" for i in range(MANY)]

    def L(*args: np.ndarray) -> float:
        return 0.5 * float(np.dot(c, np.concatenate(args).ravel() ** 2))

    check_grads(L, grads, *args, names=names, directions=1)
    with pytest.raises(GradientMismatch, match=r"^gradient for args\[0\] at entry \[0, 0\]"):
        check_grads(L, [OFF_BY * grads[0], *grads[1:]], *args)

    def forward(*Z: np.ndarray) -> np.ndarray:
        return np.tensordot(c, np.stack(Z), axes=1)

    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    forward.__signature__ = inspect.Signature([inspect.Parameter(n, parameter) for n in names])

    def backward(*inputs: np.ndarray) -> tuple[np.ndarray, ...]:
        G = inputs[-1]
        return (OFF_BY * c[0] * G, *(c[1:, None, None] * G))

    wrong = topic("sum", forward, backward)
    where = ", ".join(f"{n} (1, 1)" for n in names)
    with pytest.raises(GradientMismatch) as info:
        check_topic(wrong, [[(1, 1)] * MANY], [(-2.0, 2.0)] * MANY, wrt=list(range(MANY)))
    assert str(info.value).startswith(f"sum at {where}: gradient for z0 at entry [0, 0]")


def test_check_topic_is_seeded() -> None:
    wrong = linear_with(lambda X, W, G: G @ W.T, lambda X, W, G: OFF_BY * X.T @ G)
    messages = set()
    for _ in range(2):
        with pytest.raises(GradientMismatch) as info:
            check_topic(wrong, [((2, 3), (3, 4))], seed=5)
        messages.add(str(info.value))
    with pytest.raises(GradientMismatch) as info:
        check_topic(wrong, [((2, 3), (3, 4))], seed=6)
    assert len(messages) == 1 and str(info.value) not in messages


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"topic": np.ones(2)}, TypeError, "topic must have callable forward and backward, got ndarray"),
        ({"topic": SimpleNamespace(forward=linear.forward)}, TypeError,
         "topic must have callable forward and backward, got SimpleNamespace"),
        ({"shapes": ((2, 3), (3, 4))}, TypeError,
         "shapes[0][0] must be a (rows, columns) pair of ints, got int 2"),
        ({"shapes": []}, ValueError, "shapes must list at least one case"),
        ({"shapes": "2x3"}, TypeError, "shapes must be a list or tuple of cases, got str '2x3'"),
        ({"shapes": [[]]}, ValueError, "shapes[0] must list one shape per input, got none"),
        ({"shapes": [((2, 3), (3, 4)), ((2, 3),)]}, ValueError, "shapes[1] has 1 shapes but shapes[0] has 2"),
        ({"shapes": [((2, 3), (3, 4)), ((2, 3), (3, 4), (4, 1))]}, ValueError,
         "shapes[1] has 3 shapes but shapes[0] has 2"),
        ({"shapes": [((2, 3, 1), (3, 4))]}, TypeError,
         "shapes[0][0] must be a (rows, columns) pair of ints, got tuple (2, 3, 1)"),
        ({"shapes": [((2,), (3, 4))]}, TypeError,
         "shapes[0][0] must be a (rows, columns) pair of ints, got tuple (2,)"),
        ({"shapes": [((2, 0), (0, 4))]}, ValueError, "shapes[0][0] must have positive sizes, got (2, 0)"),
        ({"shapes": [((2, 3.0), (3, 4))]}, TypeError, "shapes[0][0] must be a (rows, columns) pair of ints"),
        ({"domain": (2.0, -2.0)}, ValueError,
         "domain must be (low, high) with finite low < high, got (2.0, -2.0)"),
        ({"domain": (0.0, np.inf)}, ValueError, "domain must be (low, high) with finite low < high"),
        ({"domain": (0.0, "1")}, TypeError, "domain[1] must be a real number, got str '1'"),
        ({"domain": 2.0}, TypeError,
         "domain must be (low, high) or a function (rng, shape) -> array, got float 2.0"),
        ({"domain": ((0.0, 1.0),)}, ValueError, "domain gives 1 domains for 2 inputs"),
        ({"domain": ((0.0, 1.0),) * 3}, ValueError, "domain gives 3 domains for 2 inputs"),
        ({"domain": (1.0,)}, TypeError,
         "domain must be (low, high) or a function (rng, shape) -> array, got tuple (1.0,)"),
        ({"domain": (0.0, 1.0, 2.0)}, TypeError,
         "domain must be (low, high) or a function (rng, shape) -> array, got tuple (0.0, 1.0, 2.0)"),
        ({"domain": (1.0, 1.0)}, ValueError,
         "domain must be (low, high) with finite low < high, got (1.0, 1.0)"),
        ({"domain": ((0.0, 1.0), (1.0, 0.0))}, ValueError,
         "domain[1] must be (low, high) with finite low < high"),
        ({"seed": -1}, ValueError, "seed must be a non-negative int seed, got -1"),
        ({"seed": 1.5}, TypeError, "seed must be an int, got float 1.5"),
        ({"seed": np.random.default_rng(0)}, TypeError, "seed must be an int, got Generator"),
        ({"wrt": 0}, TypeError, "wrt must be None or a list or tuple of input positions, got int 0"),
        ({"wrt": ()}, ValueError, "wrt must name at least one input position"),
        ({"wrt": (2,)}, ValueError, "wrt[0] must be an input position from 0 to 1, got 2"),
        ({"wrt": (-1,)}, ValueError, "wrt[0] must be an input position from 0 to 1, got -1"),
        ({"wrt": (3,)}, ValueError, "wrt[0] must be an input position from 0 to 1, got 3"),
        ({"wrt": (True,)}, TypeError, "wrt[0] must be an int, got bool True"),
        ({"wrt": (0, 0)}, ValueError, "wrt must not repeat a position, got (0, 0)"),
    ],
)
def test_check_topic_refuses_meaningless_arguments_by_name(arguments: dict, error: type[Exception],
                                                           message: str) -> None:
    call = {"topic": linear, "shapes": [((2, 3), (3, 4))]} | arguments
    with pytest.raises(error) as info:
        check_topic(**call)
    assert message in str(info.value)


@pytest.mark.parametrize("constant, slope", [(1e6, 0.03), (1e6, 0.05)])
def test_the_step_an_inconclusive_check_names_is_enough_for_it(constant: float, slope: float) -> None:
    """Printed to two digits, the step must not round down to one that raises the same error again."""
    A = np.array([[0.5, -1.0], [3.0, 0.2]])

    def f(A: np.ndarray) -> float:
        return constant + slope * np.sum(A**2)

    with pytest.raises(InconclusiveCheck) as info:
        directional_check(f, 2 * slope * A, A, directions=1)
    step = float(re.search(r"take step=(\S+) ", str(info.value))[1])
    directional_check(f, 2 * slope * A, A, directions=1, step=step)
    with pytest.raises(InconclusiveCheck) as info:
        check_grads(f, [2 * slope * A], A)
    entry_step = float(re.search(r"take step=(\S+) ", str(info.value))[1])
    with pytest.raises(InconclusiveCheck, match="along random unit direction"):
        check_grads(f, [2 * slope * A], A, step=entry_step)
