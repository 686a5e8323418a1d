"""Check a claimed gradient against central finite differences, in the spirit of autograd's ``check_grads``.

Two tests are run for each argument ``A`` of a scalar function ``f``:

- entry by entry, ``(f(A + h E_ij) - f(A - h E_ij)) / 2h`` against the claimed ``dA[i, j]``;
- along random unit directions ``u``, ``(f(A + h u) - f(A - h u)) / 2h`` against ``<dA, u>``.

:func:`check_grads` runs both for any ``f``; :func:`check_topic` runs them for a topic module, with
``f = sum(G * forward(*inputs))`` on random inputs, in one line per topic.

The step is relative to the argument: ``h = step * max|A|`` (``h = step`` when ``A`` is all zeros), so a
check reads the same whatever units the inputs are in. Its truncation error, about ``h**2 f''' / 6``, is
near ``1e-12`` of the gradient for an ``f`` that varies on the scale of its inputs, and is not modelled.

Tolerance model. A numeric value ``n`` and a claimed value ``c`` agree when

    |c - n| <= RTOL * S + NOISE * eps * F / h

- ``S`` is the scale of the gradient under test: in the entry-wise test the largest ``|c|`` or ``|n|`` of
  all its entries; in a directional test the largest of ``|c|``, ``|n|`` and the root mean square entry of
  the claimed gradient (the typical size of ``<dA, u>``). ``RTOL * S`` covers the rounding inside ``f``
  and the truncation, which scale with the gradient; multiplying ``f`` by any constant leaves every verdict
  as it was, and an error is judged against the gradient's own size, never against an absolute number.
- ``F = max(|f(A + h e)|, |f(A - h e)|)`` for the two points of that difference, and ``eps`` is float64's
  machine epsilon. Each value of ``f`` is rounded by about ``eps * F``, which the quotient divides by
  ``h``: this is what a large constant in ``f`` costs, and it is measured at every comparison, so a
  constant offset widens the tolerance instead of causing a false rejection.
- A check that accepts must have been able to reject. When ``NOISE * eps * F / h`` exceeds
  ``RESOLUTION * S``, an error of ``RESOLUTION`` of the gradient could hide in the rounding, and instead
  of accepting the check raises :class:`InconclusiveCheck`, naming a step that is enough for the
  comparison that raised it (rounded up); a comparison along a random direction has its own scale, and
  may then name a larger one.

Arguments and gradients are 2-D float64 matrices, as everywhere on the site (write a vector as a
``1 x n`` matrix), so that every topic's inputs go through the same ``derivations._validate.matrix``.
Nothing is broadcast or coerced: a gradient of another shape is an error, not a guess.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence

import numpy as np

from derivations._validate import matrix

__all__ = [
    "GradientMismatch",
    "InconclusiveCheck",
    "check_grads",
    "check_topic",
    "directional_check",
    "numeric_gradient",
]

# Relative to max|A|. Near the float64 optimum eps**(1/3) ~ 6e-6 for central differences: truncation is
# about STEP**2 = 1e-12 of the gradient, rounding about eps / STEP = 2e-10 of f.
STEP = 1e-6
# Where RTOL * S dominates, correct gradients (linear, tanh, sigmoid, exp, log, ReLU, logsumexp; shapes up
# to 8 x 8; inputs of size 1e-9 to 1e9) differ from central differences by at most 8e-10 of S: a factor 100
# of room for longer sums. A gradient off by x1.001 is then off by 1e4 tolerances at its largest entry.
RTOL = 1e-7
# Where a constant offset dominates f, the difference is at most 0.5 eps F / h (half an ulp at each point);
# 10 leaves a factor 20 for an offset spread over many terms, each of them rounded.
NOISE = 10.0
# A check accepts only if it could have rejected an error of 1e-4 of the gradient's scale: a x1.001 error in
# the largest entry of an accepted gradient would have been rejected with a factor 10 to spare.
RESOLUTION = 1e-4
# A single random direction can be nearly orthogonal to the error; three rarely all are.
DIRECTIONS = 3
EPS = float(np.finfo(np.float64).eps)
# Order-one inputs of both signs, like those RTOL was measured on.
DOMAIN = (-2.0, 2.0)

# Where check_topic draws an input from: uniform in [low, high), or a function of (rng, shape).
Domain = tuple[float, float] | Callable[[np.random.Generator, tuple[int, int]], np.ndarray]


class GradientMismatch(AssertionError):
    """A claimed gradient disagrees with finite differences by more than the tolerance.

    ``numeric``, ``claimed`` and ``tolerance`` hold the numbers the message prints.
    """

    def __init__(self, what: str, numeric: float, claimed: float, tolerance: float) -> None:
        self.numeric, self.claimed, self.tolerance = float(numeric), float(claimed), float(tolerance)
        super().__init__(
            f"{what}: numeric {self.numeric!r}, claimed {self.claimed!r}, "
            f"difference {abs(self.claimed - self.numeric):.3g} > tolerance {self.tolerance:.3g}"
        )


class InconclusiveCheck(ValueError):
    """The rounding of ``f`` is too large against the gradient for a check that could fail.

    Raised instead of accepting; a larger ``step`` or an ``f`` without a large constant part will do.
    """


def numeric_gradient(
    f: Callable[[np.ndarray], float], A: np.ndarray, step: float = STEP, *, name: str = "A"
) -> np.ndarray:
    """Return ``dL/dA`` for ``L = f(A)`` by central differences, one entry at a time.

    Parameters
    ----------
    f : callable taking a float64 matrix of ``A``'s shape and returning a finite real scalar.
    A : float64 array of shape (M, N), the point at which to differentiate.
    step : the half-width of each difference relative to ``A``: ``h = step * max|A|``.
    name : what messages call ``A``.

    Returns
    -------
    dA : ndarray of shape (M, N), ``(f(A + h E_ij) - f(A - h E_ij)) / 2h`` at entry ``(i, j)``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``A`` is not float64, ``f`` returns anything but a real scalar, ``step``
        is not a real number or ``name`` is not a string.
    ValueError
        If ``A`` is not a finite non-empty 2-D array, ``f`` returns NaN or inf, ``step`` is not finite
        and positive, or ``name`` is empty.

    Examples
    --------
    >>> A = np.array([[1.0, -2.0]])
    >>> numeric_gradient(lambda A: np.sum(A**3), A).round(6)
    array([[ 3., 12.]])
    >>> numeric_gradient(lambda A: A**3, A)
    Traceback (most recent call last):
    ...
    TypeError: f must return a real scalar, got ndarray of shape (1, 2) with A[0, 0] moved by +2e-06
    """
    _callable(f)
    step, name = _step(step), _name("name", name)
    A = _float_matrix(name, A)
    return _entrywise(f, A, _half_width(A, step), name)[0]


def directional_check(
    f: Callable[[np.ndarray], float],
    grad: np.ndarray,
    A: np.ndarray,
    rng: np.random.Generator | int | None = None,
    directions: int = DIRECTIONS,
    step: float = STEP,
    rtol: float = RTOL,
    *,
    name: str = "A",
) -> None:
    """Check ``grad = dL/dA`` for ``L = f(A)`` along random unit directions.

    For each unit ``u``, the central difference ``(f(A + h u) - f(A - h u)) / 2h`` must agree with
    ``<grad, u> = sum_ij grad_ij u_ij``, within the tolerance of the module docstring. Cheaper than
    :func:`numeric_gradient` (two calls of ``f`` per direction), and it sees every entry at once.

    Parameters
    ----------
    f : callable taking a float64 matrix of ``A``'s shape and returning a finite real scalar.
    grad : float64 array of ``A``'s shape, the claimed gradient.
    A : float64 array of shape (M, N), the point at which to differentiate.
    rng : source of the directions: a ``numpy.random.Generator``, or an int seed for one;
        ``numpy.random.default_rng(0)`` if None, so failures repeat.
    directions : how many random directions to try, at least 1.
    step : the half-width of each difference relative to ``A``: ``h = step * max|A|``.
    rtol : the share of the gradient's scale ``S`` that a difference may reach (``RTOL`` above), in [0, 1).
    name : what messages call ``A``; ``grad`` is ``d`` + name.

    Raises
    ------
    GradientMismatch
        At the first direction where the two numbers disagree.
    InconclusiveCheck
        If the rounding of ``f`` would hide an error of ``RESOLUTION`` of the gradient.
    ValueError
        If ``grad`` and ``A`` differ in shape, either is not a finite non-empty 2-D array, ``f`` returns
        NaN or inf, or ``rng``, ``directions``, ``step``, ``rtol`` or ``name`` is out of its range.
    TypeError
        If ``f`` is not callable, ``grad`` or ``A`` is not float64, ``f`` returns anything but a real
        scalar, or ``rng``, ``directions``, ``step``, ``rtol`` or ``name`` is of another type.

    Examples
    --------
    >>> A = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> directional_check(lambda A: np.sum(A**3), 3 * A**2, A)
    >>> directional_check(lambda A: np.sum(A**3), 3 * A, A)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    derivations.gradcheck.GradientMismatch: gradient for A along random unit direction 1 of 3:
    numeric 3.12203..., claimed 4.56100..., difference 1.44 > tolerance 5.81e-07
    """
    _callable(f)
    rng, directions, step, rtol = _generator(rng), _count(directions), _step(step), _rtol(rtol)
    name = _name("name", name)
    A = _float_matrix(name, A)
    grad = _gradient(f"d{name}", grad, name, A)
    _directional(f, grad, A, rng, directions, step, rtol, name)


def check_grads(
    f: Callable[..., float],
    grads: Sequence[np.ndarray],
    *args: np.ndarray,
    names: Sequence[str] | None = None,
    rng: np.random.Generator | int | None = None,
    directions: int = DIRECTIONS,
    step: float = STEP,
    rtol: float = RTOL,
) -> None:
    """Check ``grads[i] = dL/d args[i]`` for ``L = f(*args)``, entry by entry and along random directions.

    Each argument is varied with the others held fixed. The entry-wise test runs first and reports the
    entry whose difference is the largest multiple of its tolerance.

    Parameters
    ----------
    f : callable taking ``len(args)`` float64 matrices and returning a finite real scalar.
    grads : list or tuple with one claimed gradient per argument, each of its argument's shape.
    *args : float64 arrays of shape (M_i, N_i), the point at which to differentiate.
    names : list or tuple of distinct strings, what messages call the arguments, such as ``("X", "W")``,
        and their gradients ``dX``, ``dW``; ``args[0]``, ``grads[0]``, ... if None.
    rng, directions, step, rtol : as for :func:`directional_check`.

    Raises
    ------
    GradientMismatch
        Naming the argument, the entry or direction, and both numbers.
    InconclusiveCheck
        If the rounding of ``f`` would hide an error of ``RESOLUTION`` of a gradient.
    ValueError
        If a gradient's shape differs from its argument's, the counts of ``grads``, ``args`` and ``names``
        differ, two names are equal or one is empty, an array is not finite, non-empty and 2-D, ``f``
        returns NaN or inf, or ``rng``, ``directions``, ``step`` or ``rtol`` is out of its range.
    TypeError
        If ``f`` is not callable, ``grads`` or ``names`` is not a list or tuple, a name is not a string,
        an array is not float64, ``f`` returns anything but a real scalar, or ``rng``, ``directions``,
        ``step`` or ``rtol`` is of another type.

    Examples
    --------
    The fully connected layer ``Y = X W`` with ``L = sum(G * Y)``, so that ``dL/dY = G``:

    >>> from derivations.topics import linear
    >>> rng = np.random.default_rng(0)
    >>> X, W, G = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    >>> def L(X, W):
    ...     return np.sum(G * (X @ W))
    >>> dX, dW = linear.backward(X, W, G)
    >>> check_grads(L, (dX, dW), X, W, names=("X", "W"))
    >>> check_grads(L, (dX, 1.001 * dW), X, W, names=("X", "W"))  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    derivations.gradcheck.GradientMismatch: gradient for W at entry [2, 3]
    (worst of 12; 12 outside tolerance):
    numeric 0.90910..., claimed 0.91001..., difference 0.000909 > tolerance 9.12e-08

    A large constant in ``L`` leaves too few digits for a difference quotient at the default step, and
    the check says so rather than accept whatever gradient it is given:

    >>> check_grads(lambda X, W: L(X, W) + 1e12, (dX, dW), X, W, names=("X", "W"))
    ... # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    derivations.gradcheck.InconclusiveCheck: gradient for X at entry [...]: ...
    >>> check_grads(L, (dX, dW.T), X, W, names=("X", "W"))
    Traceback (most recent call last):
    ...
    ValueError: dW has shape (4, 3) but W has shape (3, 4); it must have W's shape
    """
    _callable(f)
    rng, directions, step, rtol = _generator(rng), _count(directions), _step(step), _rtol(rtol)
    if not isinstance(grads, list | tuple):
        raise TypeError(
            f"grads must be a list or tuple with one gradient per argument, got {type(grads).__name__}"
        )
    if names is None:
        names = [f"args[{i}]" for i in range(len(args))]
        grad_names = [f"grads[{i}]" for i in range(len(args))]
    else:
        if not isinstance(names, list | tuple):
            raise TypeError(f"names must be a list or tuple of strings, got {_shown(names)}")
        names = [_name(f"names[{i}]", name) for i, name in enumerate(names)]
        if len(set(names)) != len(names):
            raise ValueError(f"names must differ from each other, got {names}")
        grad_names = [f"d{name}" for name in names]
    if not args or len(grads) != len(args) or len(names) != len(args):
        raise ValueError(
            f"check_grads needs one gradient and one name per argument, got {len(args)} arguments, "
            f"{len(grads)} gradients and {len(names)} names"
        )
    _check(f, grads, args, names, grad_names, rng, directions, step, rtol)


def check_topic(
    topic: object,
    shapes: Sequence[Sequence[tuple[int, int]]],
    domain: Domain | Sequence[Domain] = DOMAIN,
    *,
    seed: int = 0,
    wrt: Sequence[int] | None = None,
) -> int:
    """Check a topic's ``backward`` against its ``forward`` on random inputs of each listed shape.

    For each case in ``shapes`` the inputs are drawn from ``domain``, an upstream gradient ``G`` is drawn
    standard normal in the shape of ``Y = topic.forward(*inputs)``, and each gradient that
    ``topic.backward(*inputs, G)`` returns for an input in ``wrt`` is checked as :func:`check_grads` does,
    against ``L = sum(G * topic.forward(*inputs))``: entry by entry, and along random directions ``u``,
    which is the dot-product test ``<G, J u> = <J^T G, u>``.

    Parameters
    ----------
    topic : a topic module, or any object with its ``forward(*inputs)`` and ``backward(*inputs, G)``; the
        latter returns a tuple with one gradient per input, in input order (anything, such as None, for an
        input not in ``wrt``). Messages call it by the last part of its ``__name__`` and call the inputs
        by the parameter names of ``forward``.
    shapes : list or tuple of cases, each a list or tuple with one ``(rows, columns)`` shape per input.
    domain : where inputs are drawn from: ``(low, high)`` for float64 uniform in [low, high), or a function
        ``(rng, shape) -> array`` (for labels, or both sides of a kink); one for all inputs, or a list or
        tuple with one per input.
    seed : int seed of the one generator that draws inputs, ``G`` and directions, so failures repeat.
    wrt : list or tuple of the positions of the inputs to differentiate, such as ``(0,)`` for
        ``forward(Z, labels)``; all inputs if None.

    Returns
    -------
    int
        The number of comparisons made: one per gradient entry and one per direction, over all cases.

    Raises
    ------
    GradientMismatch
        Naming the topic, the input shapes, the input and the entry or direction, and both numbers.
    InconclusiveCheck
        If the rounding of ``L`` would hide an error of ``RESOLUTION`` of a gradient.
    TypeError, ValueError
        Naming the argument that is meaningless, or if ``backward`` does not return one float64 gradient
        of its input's shape for each input in ``wrt``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from derivations.topics import linear
    >>> check_topic(linear, [((2, 3), (3, 4)), ((1, 1), (1, 5))])
    36
    >>> log = SimpleNamespace(__name__="log", forward=lambda Z: np.log(Z), backward=lambda Z, G: (G / Z,))
    >>> check_topic(log, [((3, 2),)], domain=(0.1, 2.0))
    9
    >>> wrong = SimpleNamespace(__name__="wrong", forward=linear.forward,
    ...                         backward=lambda X, W, G: (G @ W.T, 1.001 * X.T @ G))
    >>> check_topic(wrong, [((2, 3), (3, 4))])  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    derivations.gradcheck.GradientMismatch: wrong at X (2, 3), W (3, 4): gradient for W at entry [...]
    (worst of 12; 12 outside tolerance): numeric ..., claimed ..., difference ... > tolerance ...
    """
    label, forward, backward = _topic(topic)
    cases = _cases(shapes)
    count = len(cases[0])
    domains = _domains(domain, count)
    rng = np.random.default_rng(_seed("seed", seed))
    positions = list(range(count)) if wrt is None else _positions(wrt, count)
    names = _input_names(forward, count)
    comparisons = 0
    for case in cases:
        inputs = [_draw(rng, d, shape) for d, shape in zip(domains, case, strict=True)]
        G = rng.standard_normal(np.shape(forward(*inputs)))

        def L(*varied: np.ndarray, inputs: list[np.ndarray] = inputs, G: np.ndarray = G) -> float:
            chosen = dict(zip(positions, varied, strict=True))
            return np.sum(G * forward(*(chosen.get(i, x) for i, x in enumerate(inputs))))

        grads = backward(*inputs, G)
        if not isinstance(grads, list | tuple):
            raise TypeError(f"{label}.backward must return a tuple of gradients, got {_shown(grads)}")
        if len(grads) != count:
            raise ValueError(
                f"{label}.backward must return one gradient per input ({count}), got {len(grads)}"
            )
        where = f"{label} at " + ", ".join(f"{n} {np.shape(x)}" for n, x in zip(names, inputs, strict=True))
        comparisons += _check(
            L, [grads[i] for i in positions], [inputs[i] for i in positions], [names[i] for i in positions],
            [f"d{names[i]}" for i in positions], rng, DIRECTIONS, STEP, RTOL, f"{where}: ",
        )
    return comparisons


def _check(
    f: Callable[..., float],
    grads: Sequence[object],
    args: Sequence[object],
    names: Sequence[str],
    grad_names: Sequence[str],
    rng: np.random.Generator,
    directions: int,
    step: float,
    rtol: float,
    where: str = "",
) -> int:
    """:func:`check_grads` once its settings are valid; verdicts start with ``where``. Returns the count."""
    args = tuple(_float_matrix(n, A) for n, A in zip(names, args, strict=True))
    grads = [_gradient(*named) for named in zip(grad_names, grads, names, args, strict=True)]
    _value(f(*args), "at the given arguments")
    for i, (name, grad) in enumerate(zip(names, grads, strict=True)):

        def f_i(A: np.ndarray, i: int = i) -> float:
            return f(*args[:i], A, *args[i + 1 :])

        h = _half_width(args[i], step)
        numeric, values = _entrywise(f_i, args[i], h, name)
        scale = max(float(np.max(np.abs(numeric))), float(np.max(np.abs(grad))))
        rounding = NOISE * EPS * values / h
        tolerance = rtol * scale + rounding
        diff = np.abs(grad - numeric)
        outside = ~(diff <= tolerance)
        if outside.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                excess = np.where(outside, diff / tolerance, 0)
            idx = np.unravel_index(np.argmax(np.nan_to_num(excess, nan=np.inf)), excess.shape)
            raise GradientMismatch(
                f"{where}gradient for {name} at entry [{idx[0]}, {idx[1]}] "
                f"(worst of {outside.size}; {np.count_nonzero(outside)} outside tolerance)",
                numeric[idx], grad[idx], tolerance[idx],
            )
        idx = np.unravel_index(np.argmax(rounding), rounding.shape)
        what = f"{where}gradient for {name} at entry [{idx[0]}, {idx[1]}]"
        _require_resolution(what, rounding[idx], values[idx], scale, step)
        _directional(f_i, grad, args[i], rng, directions, step, rtol, name, where)
    return sum(grad.size + directions for grad in grads)


def _callable(f: object) -> None:
    if not callable(f):
        raise TypeError(f"f must be callable, got {_shown(f)}")


def _real(what: str, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{what} must be a real number, got {_shown(value)}")
    return float(value)


def _step(step: object) -> float:
    h = _real("step", step)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"step must be a finite positive number, got {step!r}")
    return h


def _rtol(rtol: object) -> float:
    r = _real("rtol", rtol)
    if not 0 <= r < 1:
        # With rtol = 1, |c - n| <= S holds for c = 0: a zero gradient would pass whatever the true one is.
        raise ValueError(f"rtol must be at least 0 and below 1, got {rtol!r}")
    return r


def _count(directions: object) -> int:
    if isinstance(directions, bool | np.bool_) or not isinstance(directions, int | np.integer):
        raise TypeError(f"directions must be an int, got {_shown(directions)}")
    if directions < 1:
        raise ValueError(f"directions must be at least 1, got {directions!r}")
    return int(directions)


def _generator(rng: object) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool | np.bool_) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got {_shown(rng)}")
    return np.random.default_rng(_seed("rng", rng))


def _seed(what: str, seed: object) -> int:
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer):
        raise TypeError(f"{what} must be an int, got {_shown(seed)}")
    if seed < 0:
        raise ValueError(f"{what} must be a non-negative int seed, got {seed!r}")
    return int(seed)


def _name(what: str, name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a string, got {_shown(name)}")
    if not name:
        raise ValueError(f"{what} must not be empty")
    return name


def _directional(
    f: Callable[[np.ndarray], float],
    grad: np.ndarray,
    A: np.ndarray,
    rng: np.random.Generator,
    directions: int,
    step: float,
    rtol: float,
    name: str,
    where: str = "",
) -> None:
    h = _half_width(A, step)
    rms = float(np.linalg.norm(grad)) / math.sqrt(grad.size)
    for k in range(1, directions + 1):
        u = rng.standard_normal(A.shape)
        u /= np.linalg.norm(u)
        hi, lo = A + h * u, A - h * u
        f_hi = _value(f(hi), f"with {name} moved by +{h:.3g} along direction {k}")
        f_lo = _value(f(lo), f"with {name} moved by -{h:.3g} along direction {k}")
        # hi - lo is the step actually taken, 2 h u up to rounding; both sides use it.
        numeric, claimed = (f_hi - f_lo) / (2 * h), float(np.vdot(grad, hi - lo)) / (2 * h)
        scale = max(abs(numeric), abs(claimed), rms)
        rounding = NOISE * EPS * max(abs(f_hi), abs(f_lo)) / h
        what = f"{where}gradient for {name} along random unit direction {k} of {directions}"
        tolerance = rtol * scale + rounding
        if not abs(claimed - numeric) <= tolerance:
            raise GradientMismatch(what, numeric, claimed, tolerance)
        _require_resolution(what, rounding, max(abs(f_hi), abs(f_lo)), scale, step)


def _topic(topic: object) -> tuple[str, Callable[..., np.ndarray], Callable[..., object]]:
    """The topic's name in messages, its ``forward`` and its ``backward``."""
    forward, backward = getattr(topic, "forward", None), getattr(topic, "backward", None)
    if not (callable(forward) and callable(backward)):
        raise TypeError(f"topic must have callable forward and backward, got {_shown(topic)}")
    return str(getattr(topic, "__name__", type(topic).__name__)).rsplit(".", 1)[-1], forward, backward


def _cases(shapes: object) -> list[list[tuple[int, int]]]:
    if not isinstance(shapes, list | tuple):
        raise TypeError(f"shapes must be a list or tuple of cases, got {_shown(shapes)}")
    if not shapes:
        raise ValueError("shapes must list at least one case")
    cases = []
    for c, case in enumerate(shapes):
        if not isinstance(case, list | tuple):
            raise TypeError(f"shapes[{c}] must be a list or tuple of input shapes, got {_shown(case)}")
        if not case:
            raise ValueError(f"shapes[{c}] must list one shape per input, got none")
        if len(case) != len(shapes[0]):
            raise ValueError(f"shapes[{c}] has {len(case)} shapes but shapes[0] has {len(shapes[0])}; "
                             f"every case needs one shape per input")
        cases.append([_shape(f"shapes[{c}][{i}]", shape) for i, shape in enumerate(case)])
    return cases


def _shape(what: str, shape: object) -> tuple[int, int]:
    if not (isinstance(shape, list | tuple) and len(shape) == 2) or any(
        isinstance(n, bool) or not isinstance(n, int | np.integer) for n in shape
    ):
        raise TypeError(f"{what} must be a (rows, columns) pair of ints, got {_shown(shape)}")
    if min(shape) < 1:
        raise ValueError(f"{what} must have positive sizes, got {shape!r}")
    return int(shape[0]), int(shape[1])


def _domains(domain: object, count: int) -> list[Domain]:
    """One domain per input, from one domain for all or from a list or tuple of them."""
    if isinstance(domain, list | tuple) and all(isinstance(d, list | tuple) or callable(d) for d in domain):
        if len(domain) != count:
            raise ValueError(f"domain gives {len(domain)} domains for {count} inputs; give one per input "
                             f"or a single (low, high)")
        return [_domain(f"domain[{i}]", d) for i, d in enumerate(domain)]
    return [_domain("domain", domain)] * count


def _domain(what: str, domain: object) -> Domain:
    if callable(domain):
        return domain
    if not isinstance(domain, list | tuple) or len(domain) != 2:
        raise TypeError(
            f"{what} must be (low, high) or a function (rng, shape) -> array, got {_shown(domain)}"
        )
    low, high = (_real(f"{what}[{i}]", v) for i, v in enumerate(domain))
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{what} must be (low, high) with finite low < high, got {domain!r}")
    return low, high


def _draw(rng: np.random.Generator, domain: Domain, shape: tuple[int, int]) -> np.ndarray:
    return domain(rng, shape) if callable(domain) else rng.uniform(*domain, size=shape)


def _positions(wrt: object, count: int) -> list[int]:
    if not isinstance(wrt, list | tuple):
        raise TypeError(f"wrt must be None or a list or tuple of input positions, got {_shown(wrt)}")
    if not wrt:
        raise ValueError("wrt must name at least one input position")
    for i, p in enumerate(wrt):
        if isinstance(p, bool) or not isinstance(p, int | np.integer):
            raise TypeError(f"wrt[{i}] must be an int, got {_shown(p)}")
        if not 0 <= p < count:
            raise ValueError(f"wrt[{i}] must be an input position from 0 to {count - 1}, got {p!r}")
    if len(set(wrt)) != len(wrt):
        raise ValueError(f"wrt must not repeat a position, got {wrt!r}")
    return [int(p) for p in wrt]


def _input_names(forward: Callable[..., object], count: int) -> list[str]:
    """``forward``'s parameter names, or ``inputs[i]`` when it has no signature with one per input."""
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names if len(names) == count else [f"inputs[{i}]" for i in range(count)]


def _half_width(A: np.ndarray, step: float) -> float:
    size = float(np.max(np.abs(A)))
    return step * size if size > 0 else step


def _entrywise(
    f: Callable[[np.ndarray], float], A: np.ndarray, h: float, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of ``f`` at every entry of ``A``, and ``F = max(|f(A + h E)|, |f(A - h E)|)``."""
    numeric, values = np.empty_like(A), np.empty_like(A)
    for idx in np.ndindex(A.shape):
        hi, lo = A.copy(), A.copy()
        hi[idx] += h
        lo[idx] -= h
        where = f"with {name}[{idx[0]}, {idx[1]}] moved by"
        f_hi = _value(f(hi), f"{where} +{h:.3g}")
        f_lo = _value(f(lo), f"{where} -{h:.3g}")
        # Rounding makes the step actually taken differ from 2 h; divide by the one taken.
        numeric[idx] = (f_hi - f_lo) / (hi[idx] - lo[idx])
        values[idx] = max(abs(f_hi), abs(f_lo))
    return numeric, values


def _require_resolution(what: str, rounding: float, value: float, scale: float, step: float) -> None:
    if rounding > RESOLUTION * scale:
        advice = "subtract f's constant part"
        if scale > 0:
            # The rounding term is proportional to 1 / step. Printed rounded up, with a margin for the
            # values of f at the new points, so that the step named is never just short of enough.
            enough = _round_up(1.05 * step * rounding / (RESOLUTION * scale))
            advice += f", or take step={enough:.2g} if f is smooth on that scale"
        raise InconclusiveCheck(
            f"{what}: at |f| = {value:.3g} rounding allows an error of {rounding:.3g} in a difference "
            f"quotient, more than {RESOLUTION:g} of the gradient's scale {scale:.3g}, so this check could "
            f"not fail; {advice}"
        )


def _round_up(x: float) -> float:
    """``x > 0`` rounded up to two significant digits: ``4.03e-05`` to ``4.1e-05``."""
    unit = 10.0 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / unit) * unit


def _float_matrix(name: str, A: object) -> np.ndarray:
    dtype = np.asarray(A).dtype if isinstance(A, np.ndarray) else matrix(name, A).dtype
    A = matrix(name, A)
    if dtype != np.float64:
        # A relative step of 1e-6 is lost in float32 rounding, and integers cannot take it at all.
        raise TypeError(f"{name} must be float64, got dtype {dtype}; convert it with .astype(float)")
    return A


def _gradient(grad_name: str, grad: object, name: str, A: np.ndarray) -> np.ndarray:
    grad = _float_matrix(grad_name, grad)
    if grad.shape != A.shape:
        raise ValueError(
            f"{grad_name} has shape {grad.shape} but {name} has shape {A.shape}; it must have {name}'s shape"
        )
    return grad


def _value(v: object, where: str) -> float:
    """``f``'s value as a float; a (1, 1) array or a bool is refused rather than unwrapped."""
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
        raise TypeError(f"f must return a real scalar, got {_shown(v)} {where}")
    if not math.isfinite(v):
        raise ValueError(f"f must return a finite real scalar, got {float(v)!r} {where}")
    return float(v)


def _shown(v: object) -> str:
    return f"ndarray of shape {v.shape}" if isinstance(v, np.ndarray) else f"{type(v).__name__} {v!r}"
