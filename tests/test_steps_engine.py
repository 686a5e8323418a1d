"""The step checker's engine on edge cases no page shows: how a topic's declarations are validated, how a
condition clause and a shape statement are judged, and what a mismatch names.

The FC layer's step checks serve as the topic; its pages are not read here.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import sympy as sp

from derivations.steps import Check, Mutation, StepMismatch, SyntaxCase, check_step, full
from derivations.steps.evaluate import _nonzero_somewhere

from steps.test_linear import TOPIC

SIZES = (3, 2, 4)
DEPENDS = r"\frac{\partial y_{mn}}{\partial x_{ij}} = "
MATRIX_FORM = r"\frac{\partial L}{\partial X} = G\,W^{\mathsf T}, \qquad "


@pytest.mark.parametrize("old, times", [("absent", 0), ("partial", 2)])
def test_a_mutation_must_edit_text_the_step_has_once(old: str, times: int) -> None:
    with pytest.raises(AssertionError, match=rf"^'{old}' occurs {times} times in x\.depends$"):
        Mutation("x.depends", ((old, "x"),)).apply(r"\partial y = \partial x")


@pytest.mark.parametrize("sizes", [(3, 2), (3, 2, 4, 5)])
def test_a_topic_refuses_a_size_tuple_of_another_length(sizes: tuple[int, ...]) -> None:
    message = rf"^linear: sizes {re.escape(str(sizes))} do not match \('M', 'D', 'N'\)$"
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(TOPIC, sizes=(SIZES, sizes))


@pytest.mark.parametrize("field, case", [("mutations", Mutation("x.nowhere", (("0", "1"),))),
                                         ("syntax_errors", SyntaxCase("x.nowhere", "0", "1", "1"))])
def test_a_topic_refuses_an_edit_of_a_step_it_does_not_check(field: str, case: object) -> None:
    with pytest.raises(ValueError, match=r"^linear: x\.nowhere: .* edits a step that has no check$"):
        dataclasses.replace(TOPIC, **{field: (case,)})


@pytest.mark.parametrize("declared", [TOPIC.checks["x.depends"], TOPIC.mutations[0], TOPIC.syntax_errors[0],
                                      TOPIC], ids=["check", "mutation", "syntax case", "topic"])
def test_a_declaration_cannot_be_changed_once_made(declared: object) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        declared.step = "x.other"


def test_a_topic_shows_without_its_cache_of_ground_truths() -> None:
    TOPIC.truth_at(SIZES)
    assert "_truths" not in repr(TOPIC)


def test_a_mismatch_names_the_step_when_no_place_is_given() -> None:
    message = r"^x\.depends, \(M, D, N\) = \(3, 2, 4\), \{'m': 1, 'n': 1, 'i': 2, 'j': 1\}: `1` is 1, "
    with pytest.raises(StepMismatch, match=message + "but the ground truth is 0$"):
        check_step(TOPIC, "x.depends", DEPENDS + r"1 \quad (m \ne i)", SIZES)


def test_a_step_must_have_the_clauses_its_check_expects() -> None:
    message = r"^x\.element: expected clauses \('equation',\), found \('equation', 'condition'\)$"
    with pytest.raises(StepMismatch, match=message):
        check_step(TOPIC, "x.element", DEPENDS + r"w_{jn} \quad (m = i)", SIZES)
    message = r"^x\.depends: expected clauses \('equation', 'condition'\), found \('equation',\)$"
    with pytest.raises(StepMismatch, match=message):
        check_step(TOPIC, "x.depends", DEPENDS + "0", SIZES)


def test_a_condition_must_not_exclude_a_case_where_the_derivative_is_zero() -> None:
    with pytest.raises(StepMismatch, match=r"\(m = i\) excludes a case where the derivative is identically "):
        check_step(TOPIC, "x.depends", DEPENDS + r"w_{jn} \quad (m = i)", SIZES)


def test_a_condition_no_index_values_satisfy_is_vacuous() -> None:
    always_one = Check((("i", full("M")),), lambda t, e: 1, ("equation", "condition"))
    topic = dataclasses.replace(TOPIC, checks={**TOPIC.checks, "one": always_one})
    with pytest.raises(StepMismatch, match=r"^one, \(M, D, N\) = \(3, 2, 4\): vacuous, no index values "):
        check_step(topic, "one", r"1 = 1 \quad (i \ne i)", SIZES)
    assert check_step(topic, "one", r"1 = 1 \quad (i = i)", SIZES) == 3


@pytest.mark.parametrize("statement, message", [
    (r"(M \times D) = M \times D", "the shape statement has 1 factors, the product 2"),
    (r"(M \times D)(N \times D) = M \times D", "factor 1 is 3x4, the page says 3x2"),
])
def test_a_shape_statement_is_checked_factor_by_factor(statement: str, message: str) -> None:
    with pytest.raises(StepMismatch, match=rf"^x\.matrix_form, \(3, 2, 4\): {message}$"):
        check_step(TOPIC, "x.matrix_form", MATRIX_FORM + statement, SIZES)


def test_a_shape_statement_describes_the_last_side_of_the_chain() -> None:
    chain = r"\frac{\partial L}{\partial X} = G\,W^{\mathsf T} = (W\,G^{\mathsf T})^{\mathsf T}, \qquad "
    with pytest.raises(StepMismatch, match=r": the shape statement has 2 factors, the product 1$"):
        check_step(TOPIC, "x.matrix_form", chain + r"(M \times N)(N \times D) = M \times D", SIZES)


def test_sample_points_give_a_positive_symbol_positive_values_and_others_both_signs() -> None:
    """Abs is left unevaluated, so that only the values at the points decide."""
    s, x = sp.Symbol("s", positive=True), sp.Symbol("x", real=True)
    assert not _nonzero_somewhere(sp.Abs(s, evaluate=False) - s)
    many = sp.symbols("s1:9", positive=True)  # however many symbols there are
    assert not _nonzero_somewhere(sp.Add(*(sp.Abs(t, evaluate=False) - t for t in many)))
    assert _nonzero_somewhere(sp.Abs(x, evaluate=False) - x)  # x < 0 at one point
    assert _nonzero_somewhere(sp.Abs(x, evaluate=False) + x)  # x > 0 at the other
