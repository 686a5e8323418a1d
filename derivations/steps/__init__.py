r"""Check every displayed derivation step symbolically: TeX in, SymPy out, compared with ground truth.

This is an optional part of the package (``pip install derivations[steps]`` brings SymPy); nothing
else in :mod:`derivations` imports it.

- :mod:`~derivations.steps.syntax` parses the restricted TeX of step formulas (the grammar is in its
  docstring); anything outside it raises :class:`TexSyntaxError` naming the step and the token.
- :mod:`~derivations.steps.world` is what a topic declares (:class:`Setting`: sizes, symbol
  matrices, forward pass, variables, loss, functions, labels) and builds it for concrete sizes.
- :mod:`~derivations.steps.evaluate` gives a parsed formula its SymPy value in a world.
- :mod:`~derivations.steps.check` is a topic's step checks (:class:`Topic`, :class:`Check`,
  :class:`Mutation`) and the engine that compares a step with the ground truth.
- :mod:`~derivations.steps.page` reads the step divs of a page and reports structural problems.

Each topic's declarations and ground truth live in ``tests/steps/test_<topic>.py``.
"""

from __future__ import annotations

from derivations.steps.check import (
    Check,
    Mutation,
    StepMismatch,
    SyntaxCase,
    Topic,
    bindings,
    check_chain,
    check_shapes,
    check_step,
    full,
    interior,
)
from derivations.steps.evaluate import Evaluator, Shape, agree
from derivations.steps.page import Page, analyse_page, same_formula, tokens_without_text
from derivations.steps.syntax import TexError, TexMeaningError, TexSyntaxError, parse, tokenize
from derivations.steps.world import BUILTIN_FUNCTIONS, Labels, Loss, Matrix, Output, Setting, World, world

__all__ = [
    "BUILTIN_FUNCTIONS", "Check", "Evaluator", "Labels", "Loss", "Matrix", "Mutation", "Output", "Page",
    "Setting", "Shape", "StepMismatch", "SyntaxCase", "TexError", "TexMeaningError", "TexSyntaxError",
    "Topic", "World", "agree", "analyse_page", "bindings", "check_chain", "check_shapes", "check_step",
    "full", "interior", "parse", "same_formula", "tokenize", "tokens_without_text", "world",
]
