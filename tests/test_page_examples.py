"""Each topic's page example and exercises are the ones their prose was written for.

The prose describes its example and exercises without typing their numbers (a zero in ReLU's Z,
logarithms chosen so that every value is exact, a label that is not the likeliest class), and verify
checks every number it shows. A changed input would still be checked, but could silently contradict
the prose: so the inputs are pinned here, and changing them is a deliberate edit of both.
"""

from __future__ import annotations

import hashlib
import inspect
from fractions import Fraction as F

import pytest

from derivations import exercises
from derivations.topics import TOPICS, topic
from derivations.values import Ln

PAGE_INPUTS = {
    "linear": {"X": ((-1, 2, -2), (3, 1, -1)), "W": ((3, 3, 2, 1), (-2, -1, -1, 1), (-2, 3, 4, 5)),
               "G": ((1, 2, -1, 1), (-1, 2, 1, -1))},
    "affine": {"X": ((2, 1), (-1, 1), (1, -1)), "W": ((3, 1, 2, 1), (-1, 1, -1, 3)), "b": ((1, 2, 1, -3),),
               "G": ((-2, 1, -3, 2), (-2, 2, -1, 1), (1, 2, 2, -2))},
    "relu": {"Z": ((3, -1, 0), (-2, F(1, 2), 2)), "G": ((2, -3, 5), (4, -1, 3))},
    "sigmoid": {"Z": ((Ln(3), Ln(F(1, 2)), Ln(1)), (Ln(F(1, 5)), Ln(4), Ln(F(3, 2)))),
                "G": ((4, -3, 2), (-6, 5, 10))},
    "tanh": {"Z": ((Ln(2), Ln(F(1, 3)), Ln(F(3, 2))), (Ln(F(1, 5)), Ln(4), Ln(F(1, 7)))),
             "G": ((5, -3, 13), (-2, 17, 25))},
    "gelu": {"Z": ((-2, -1, F(-1, 4)), (F(1, 2), F(3, 2), 3)), "G": ((3, -2, 5), (-4, 6, -1))},
    "mse": {"Yhat": ((2, 0, 1, -1), (F(1, 2), 3, -2, 1), (0, 1, F(5, 2), 2)),
            "Y": ((1, 2, F(1, 2), 2), (2, 1, -1, F(3, 2)), (-3, F(-1, 2), 0, F(9, 2))), "G": ((1,),)},
    "softmax_ce": {"Z": ((Ln(1), Ln(2), Ln(3)), (Ln(5), Ln(F(1, 2)), Ln(F(3, 2)))), "labels": ((3,), (2,)),
                   "G": ((1,),)},
    "bce": {"z": ((Ln(3),), (Ln(F(1, 2)),), (Ln(4),)), "y": ((1,), (F(1, 4),), (0,)), "G": ((1,),)},
    "mlp": {"X": ((-1, 1), (2, 1)), "W1": ((1, -1, 2), (1, 1, -2)), "b1": ((1, -1, 1),),
            "W2": ((-1, 1, -2), (1, -1, -1), (2, -2, 2)), "b2": ((0, 1, 1),), "labels": ((2,), (3,)),
            "G": ((1,),)},
}


# Examples a page shows besides the worked example's defaults: module constants.
PAGE_CONSTANTS = {
    "linear": {"SQUARE": {"X": ((1, 3), (-1, -1), (2, -2)), "W": ((2, -1), (1, 3)),
                          "G": ((1, -1), (2, -1), (1, 1))}, "LAYER": (64, 4096, 4096)},
}


@pytest.mark.parametrize("name", TOPICS)
def test_the_page_example_is_the_one_its_prose_describes(name: str) -> None:
    defaults = {k: p.default for k, p in inspect.signature(topic(name).worked_example).parameters.items()}
    assert defaults == PAGE_INPUTS[name]
    for constant, value in PAGE_CONSTANTS.get(name, {}).items():
        assert getattr(topic(name), constant) == value, constant


# The exercises' inputs, drawn from fixed seeds, as a digest of their repr: exercises 1 and 2 of each
# topic. A changed digest means the exercise text may no longer fit its numbers: reread it, then update.
EXERCISES = {
    "linear": ("3b12730af462", "c86727ff705d"), "affine": ("f1da55658d3a", "ddae3cc2aa6a"),
    "relu": ("648e21420110", "9ab77607cdd7"), "sigmoid": ("c35c41f88ae3", "6a35e9003861"),
    "tanh": ("52466a257c4a", "863448eb0208"), "gelu": ("97c0ac53ab7b", "128491d88c74"),
    "mse": ("1bea825dd056", "b0709503ad8c"), "softmax_ce": ("52d140088215", "e5a2c66fcc0f"),
    "bce": ("aeaf4cd67a36", "25fd74f619d5"), "mlp": ("fb5b5514eef6", "14a900447520"),
}


@pytest.mark.parametrize("name", TOPICS)
def test_the_exercises_are_the_ones_their_text_describes(name: str) -> None:
    drawn = tuple(hashlib.sha256(repr(exercises.inputs(name, n)).encode()).hexdigest()[:12] for n in (1, 2))
    assert drawn == EXERCISES[name], f"{name}: exercises 1 and 2 now draw {drawn}"
