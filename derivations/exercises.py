"""Exercises: each topic's worked example again, on new numbers that are the same in every build.

A topic module may define ``exercise(rng)``, which draws the inputs of its ``worked_example`` from a
``numpy.random.Generator``. Exercise ``n`` of topic ``t`` always uses the generator seeded with
``crc32("t/n")``, so its numbers never change from build to build, and they must differ from the
page's own example. A page shows exercise ``n``'s quantities as ``{{ t@n.quantity }}``.
"""

from __future__ import annotations

import inspect
import zlib
from collections.abc import Callable

import numpy as np

from derivations.example import Example
from derivations.topics import topic


def seed(name: str, n: int) -> int:
    """The fixed seed of exercise ``n`` of topic ``name``.

    >>> seed("linear", 1)
    139059635
    """
    return zlib.crc32(f"{name}/{n}".encode())


def inputs(name: str, n: int) -> dict[str, object]:
    """The inputs of exercise ``n`` (1-based) of topic ``name``, checked to differ from the page's."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"exercise numbers start at 1, got {n!r}")
    module = topic(name)
    if not hasattr(module, "exercise"):
        raise ValueError(f"topic {name!r} defines no exercise(rng)")
    drawn = module.exercise(np.random.default_rng(seed(name, n)))
    defaults = {k: p.default for k, p in inspect.signature(module.worked_example).parameters.items()}
    if set(drawn) != set(defaults):
        raise ValueError(f"{name}.exercise returned {sorted(drawn)}, not the inputs {sorted(defaults)}")
    if all(np.array_equal(np.array(drawn[k], dtype=object), np.array(defaults[k], dtype=object))
           for k in defaults):
        raise ValueError(f"{name} exercise {n} repeats the page's own example")
    return drawn


def small_integers(rng: np.random.Generator, shapes: dict[str, tuple[int, int]],
                   results: Callable[[dict[str, np.ndarray]], list[np.ndarray]], high: int = 3) -> dict:
    """Non-zero integers in ``[-high, high]`` of the given shapes, drawn until no result entry is 0,
    so that no product, transpose or sum can be wrong and still give the right number by accident."""
    values = np.array([v for v in range(-high, high + 1) if v])
    for _ in range(10_000):
        drawn = {k: rng.choice(values, size=shape) for k, shape in shapes.items()}
        if all(np.all(r != 0) for r in results(drawn)):
            return {k: v.tolist() for k, v in drawn.items()}
    raise ValueError(f"no inputs of shapes {shapes} give results without zeros")


def example(name: str, n: int) -> Example:
    """Exercise ``n``'s worked example."""
    return topic(name).worked_example(**inputs(name, n))
