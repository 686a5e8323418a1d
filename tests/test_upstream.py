"""A loss below another objective J: each loss topic's worked example with ``G = dJ/dL`` other than 1.

The pages show G = 1 (the loss at the top), so only these tests see the ``G != 1`` branch: G is
shown, every gradient is G times the page's, and every quantity whose value changes is relabelled.
"""

from __future__ import annotations

import inspect
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from test_verify_page import verify_example

from derivations.topics import TOPICS
from derivations.topics import topic as module
from derivations.values import Ln, Rounded

LOSSES = [t for t in TOPICS if inspect.signature(module(t).worked_example).parameters["G"].default == ((1,),)]


def as_decimals(value: object) -> list[Decimal]:
    def one(v: object) -> Decimal:
        if isinstance(v, (Rounded, Ln)):
            return v.value if isinstance(v, Rounded) else v.decimal()
        v = Fraction(v)
        return Decimal(v.numerator) / Decimal(v.denominator)
    return [one(v) for v in np.asarray(value, dtype=object).flat]


def test_the_losses_are_found() -> None:
    assert {"mse", "bce", "softmax_ce", "mlp"} <= set(LOSSES)


@pytest.mark.parametrize("topic", LOSSES)
@pytest.mark.parametrize("g", [2, Fraction(1, 2)])
def test_G_is_shown_scales_every_gradient_and_relabels_what_it_changes(topic: str, g: Fraction) -> None:
    top = module(topic).worked_example().quantities
    below = module(topic).worked_example(G=[[g]]).quantities
    assert "G" not in top and below.pop("G").value.tolist() == [[g]]
    assert below.keys() == top.keys()
    with localcontext() as ctx:
        ctx.prec = 60
        compare(top, below, g)


def compare(top: dict, below: dict, g: Fraction) -> None:
    for name, shown in below.items():
        if not isinstance(shown.value, (np.ndarray, Fraction, int, Rounded, Ln)):
            continue
        new, old = as_decimals(shown.value), as_decimals(top[name].value)
        if name.startswith("d"):
            assert all(abs(n - Decimal(g.numerator) * o / g.denominator) <= Decimal("1e-40") * abs(o)
                       for n, o in zip(new, old, strict=True)), name
        if new != old:
            assert shown.lhs != top[name].lhs, f"{name} changed with G but kept its label"


@pytest.mark.parametrize("g", [2, Fraction(1, 2)])
def test_the_mlp_example_with_G_passes_verify(g: Fraction) -> None:
    """The MLP check reads a shown G and requires it in the labels it scales (``G\\,\\frac{1}{M}``)."""
    example = module("mlp").worked_example(G=[[g]])
    checked, errors = verify_example(example)
    assert errors == [] and checked > len(example.quantities)
