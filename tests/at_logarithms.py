"""Sigmoid and tanh at ``z = ln a``, where both are rational: what their two test files share."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from types import ModuleType

import numpy as np

from derivations.values import Ln


def check_floats_against_exact(topic: ModuleType, args: Sequence[Fraction]) -> None:
    """The float path (the one PyTorch is compared with) at ``z = ln a`` against the exact path."""
    Z = [[Ln(a) for a in args]]
    G = [[Fraction(k + 1, 3) for k in range(len(args))]]
    floats = [[float(np.log(float(a))) for a in args]], [[float(g) for g in G[0]]]
    # Far out, 1 - sigma (and 1 - tanh^2) cancel in floats: an absolute tolerance for derivatives near 0.
    pairs = ((topic.forward(floats[0]), topic.forward(Z)),
             (topic.backward(*floats)[0], topic.backward(Z, G)[0]))
    for got, want in pairs:
        np.testing.assert_allclose(got, want.astype(float), rtol=1e-14, atol=1e-15)


def one_by_one(topic: ModuleType, a: Fraction) -> Fraction:
    """``A`` of the topic's worked example for the single input ``z = ln a`` (and ``G = 1``)."""
    ((A,),) = topic.worked_example([[Ln(a)]], [[1]]).quantities["A"].value.tolist()
    return A
