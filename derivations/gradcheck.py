"""Check a claimed gradient against central finite differences, in the spirit of autograd's ``check_grads``.

Two tests are run for each argument ``A`` of a scalar function ``f``:

- entry by entry, ``(f(A + h E_ij) - f(A - h E_ij)) / 2h`` against the claimed ``dA[i, j]``;
- along random unit directions ``u``, ``(f(A + h u) - f(A - h u)) / 2h`` against ``<dA, u>``.

A numeric value ``n`` and a claimed value ``c`` agree when ``|c - n| <= ATOL + RTOL |n|``.
Arguments and gradients are 2-D float64 matrices, as everywhere on the site (write a vector as a
``1 x n`` matrix), so that every topic's inputs go through the same ``derivations._validate.matrix``.
Nothing is broadcast or coerced: a gradient of another shape is an error, not a guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from derivations._validate import matrix

__all__ = ["GradientMismatch", "check_grads", "directional_check", "numeric_gradient"]

# Near the float64 optimum eps**(1/3) ~ 6e-6 for central differences: truncation error ~ STEP**2 is 1e-12.
STEP = 1e-6
# The relative error seen on entries of order one is below 1e-7; a wrong formula is off by far more.
RTOL = 1e-6
# Rounding in f(A + h) - f(A - h) costs about eps * |f| / STEP in the quotient; the worst seen on order-one
# inputs up to 8 x 8 matrices is 1.2e-8, and ATOL keeps a factor 8 above that for gradient entries near 0.
ATOL = 1e-7
# A single random direction can be nearly orthogonal to the error; three rarely all are.
DIRECTIONS = 3


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


def numeric_gradient(
    f: Callable[[np.ndarray], float], A: np.ndarray, step: float = STEP, *, name: str = "A"
) -> np.ndarray:
    """Return ``dL/dA`` for ``L = f(A)`` by central differences, one entry at a time.

    Parameters
    ----------
    f : callable taking a float64 matrix of ``A``'s shape and returning a finite real scalar.
    A : float64 array of shape (M, N), the point at which to differentiate.
    step : the half-width ``h`` of each difference.
    name : what messages call ``A``.

    Returns
    -------
    dA : ndarray of shape (M, N), ``(f(A + h E_ij) - f(A - h E_ij)) / 2h`` at entry ``(i, j)``.

    Raises
    ------
    TypeError
        If ``A`` is not float64, or ``f`` returns anything but a real scalar.
    ValueError
        If ``A`` is not a finite non-empty 2-D array, or ``f`` returns NaN or inf.

    Examples
    --------
    >>> A = np.array([[1.0, -2.0]])
    >>> numeric_gradient(lambda A: np.sum(A**3), A).round(6)
    array([[ 3., 12.]])
    >>> numeric_gradient(lambda A: A**3, A)
    Traceback (most recent call last):
    ...
    TypeError: f must return a real scalar, got ndarray of shape (1, 2) with A[0, 0] moved by +1e-06
    """
    A = _float_matrix(name, A)
    dA = np.empty_like(A)
    for idx in np.ndindex(A.shape):
        hi, lo = A.copy(), A.copy()
        hi[idx] += step
        lo[idx] -= step
        where = f"with {name}[{idx[0]}, {idx[1]}] moved by"
        f_hi = _value(f(hi), f"{where} +{step:g}")
        f_lo = _value(f(lo), f"{where} -{step:g}")
        # Rounding makes the step actually taken differ from 2 * step; divide by the one taken.
        dA[idx] = (f_hi - f_lo) / (hi[idx] - lo[idx])
    return dA


def directional_check(
    f: Callable[[np.ndarray], float],
    grad: np.ndarray,
    A: np.ndarray,
    rng: np.random.Generator | None = None,
    directions: int = DIRECTIONS,
    step: float = STEP,
    rtol: float = RTOL,
    atol: float = ATOL,
    *,
    name: str = "A",
) -> None:
    """Check ``grad = dL/dA`` for ``L = f(A)`` along random unit directions.

    For each unit ``u``, the central difference ``(f(A + h u) - f(A - h u)) / 2h`` must agree with
    ``<grad, u> = sum_ij grad_ij u_ij``. Cheaper than :func:`numeric_gradient` (two calls of ``f`` per
    direction), and it sees every entry at once.

    Parameters
    ----------
    f : callable taking a float64 matrix of ``A``'s shape and returning a finite real scalar.
    grad : float64 array of ``A``'s shape, the claimed gradient.
    A : float64 array of shape (M, N), the point at which to differentiate.
    rng : source of the directions; ``numpy.random.default_rng(0)`` if None, so failures repeat.
    directions : how many random directions to try.
    step : the half-width ``h`` of each difference.
    rtol, atol : agreement means ``|claimed - numeric| <= atol + rtol |numeric|``.
    name : what messages call ``A``; ``grad`` is ``d`` + name.

    Raises
    ------
    GradientMismatch
        At the first direction where the two numbers disagree.
    ValueError
        If ``grad`` and ``A`` differ in shape, either is not a finite non-empty 2-D array, or ``f``
        returns NaN or inf.
    TypeError
        If ``grad`` or ``A`` is not float64, or ``f`` returns anything but a real scalar.

    Examples
    --------
    >>> A = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> directional_check(lambda A: np.sum(A**3), 3 * A**2, A)
    >>> directional_check(lambda A: np.sum(A**3), 3 * A, A)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    derivations.gradcheck.GradientMismatch: gradient for A along random unit direction 1 of 3:
    numeric 3.12203..., claimed 4.56100..., difference 1.44 > tolerance 3.22e-06
    """
    A = _float_matrix(name, A)
    grad = _gradient(f"d{name}", grad, name, A)
    rng = np.random.default_rng(0) if rng is None else rng
    for k in range(1, directions + 1):
        u = rng.standard_normal(A.shape)
        u /= np.linalg.norm(u)
        f_hi = _value(f(A + step * u), f"with {name} moved by +{step:g} along direction {k}")
        f_lo = _value(f(A - step * u), f"with {name} moved by -{step:g} along direction {k}")
        numeric, claimed = (f_hi - f_lo) / (2 * step), float(np.vdot(grad, u))
        tolerance = atol + rtol * abs(numeric)
        if not abs(claimed - numeric) <= tolerance:
            raise GradientMismatch(
                f"gradient for {name} along random unit direction {k} of {directions}",
                numeric, claimed, tolerance,
            )


def check_grads(
    f: Callable[..., float],
    grads: Sequence[np.ndarray],
    *args: np.ndarray,
    names: Sequence[str] | None = None,
    rng: np.random.Generator | None = None,
    directions: int = DIRECTIONS,
    step: float = STEP,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> None:
    """Check ``grads[i] = dL/d args[i]`` for ``L = f(*args)``, entry by entry and along random directions.

    Each argument is varied with the others held fixed. The entry-wise test runs first and reports the
    entry whose difference is the largest multiple of its tolerance.

    Parameters
    ----------
    f : callable taking ``len(args)`` float64 matrices and returning a finite real scalar.
    grads : list or tuple with one claimed gradient per argument, each of its argument's shape.
    *args : float64 arrays of shape (M_i, N_i), the point at which to differentiate.
    names : what messages call the arguments, such as ``("X", "W")``, and their gradients ``dX``, ``dW``;
        ``args[0]``, ``grads[0]``, ... if None.
    rng, directions, step, rtol, atol : as for :func:`directional_check`.

    Raises
    ------
    GradientMismatch
        Naming the argument, the entry or direction, and both numbers.
    ValueError
        If a gradient's shape differs from its argument's, the counts of ``grads``, ``args`` and ``names``
        differ, an array is not finite, non-empty and 2-D, or ``f`` returns NaN or inf.
    TypeError
        If ``grads`` is not a list or tuple, an array is not float64, or ``f`` returns anything but a
        real scalar.

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
    numeric 0.90910..., claimed 0.91001..., difference 0.000909 > tolerance 1.01e-06
    >>> check_grads(L, (dX, dW.T), X, W, names=("X", "W"))
    Traceback (most recent call last):
    ...
    ValueError: dW has shape (4, 3) but W has shape (3, 4); it must have W's shape
    """
    if not isinstance(grads, list | tuple):
        raise TypeError(
            f"grads must be a list or tuple with one gradient per argument, got {type(grads).__name__}"
        )
    if names is None:
        names = [f"args[{i}]" for i in range(len(args))]
        grad_names = [f"grads[{i}]" for i in range(len(args))]
    else:
        names = list(names)
        grad_names = [f"d{name}" for name in names]
    if not args or len(grads) != len(args) or len(names) != len(args):
        raise ValueError(
            f"check_grads needs one gradient and one name per argument, got {len(args)} arguments, "
            f"{len(grads)} gradients and {len(names)} names"
        )
    args = tuple(_float_matrix(n, A) for n, A in zip(names, args, strict=True))
    grads = [_gradient(*named) for named in zip(grad_names, grads, names, args, strict=True)]
    _value(f(*args), "at the given arguments")
    rng = np.random.default_rng(0) if rng is None else rng
    for i, (name, grad) in enumerate(zip(names, grads, strict=True)):

        def f_i(A: np.ndarray, i: int = i) -> float:
            return f(*args[:i], A, *args[i + 1 :])

        numeric = numeric_gradient(f_i, args[i], step, name=name)
        tolerance = atol + rtol * np.abs(numeric)
        diff = np.abs(grad - numeric)
        outside = ~(diff <= tolerance)
        if outside.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                excess = np.where(outside, diff / tolerance, 0)
            idx = np.unravel_index(np.argmax(np.nan_to_num(excess, nan=np.inf)), excess.shape)
            raise GradientMismatch(
                f"gradient for {name} at entry [{idx[0]}, {idx[1]}] "
                f"(worst of {outside.size}; {np.count_nonzero(outside)} outside tolerance)",
                numeric[idx], grad[idx], tolerance[idx],
            )
        directional_check(f_i, grad, args[i], rng, directions, step, rtol, atol, name=name)


def _float_matrix(name: str, A: object) -> np.ndarray:
    dtype = np.asarray(A).dtype if isinstance(A, np.ndarray) else matrix(name, A).dtype
    A = matrix(name, A)
    if dtype != np.float64:
        # A step of 1e-6 is lost in float32 rounding, and integers cannot take it at all.
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
        shown = f"ndarray of shape {v.shape}" if isinstance(v, np.ndarray) else f"{type(v).__name__} {v!r}"
        raise TypeError(f"f must return a real scalar, got {shown} {where}")
    if not math.isfinite(v):
        raise ValueError(f"f must return a finite real scalar, got {float(v)!r} {where}")
    return float(v)
