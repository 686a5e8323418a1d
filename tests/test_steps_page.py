"""How a page's step divs are read (``derivations.steps.page``) on texts no page has: the line a
problem names, an unclosed or nested div, and what a stray formula's message quotes.

The per-topic step files read real pages; these texts are small enough to say what each problem
must be, word for word.
"""

from __future__ import annotations

import dataclasses

import pytest

from derivations.steps import Page, analyse_page


def read(body: str, checks: tuple[str, ...] = ("a",)) -> Page:
    """``body`` as the derivation section of page p.md, between ``## Start`` and ``## End``."""
    return analyse_page(f"## Start\n{body}## End\n", "p.md", ("## Start", "## End"), checks, "checks.py")


def problems(body: str, checks: tuple[str, ...] = ("a",)) -> tuple[str, ...]:
    return read(body, checks).problems


def test_a_problem_names_its_line_counting_from_the_first() -> None:
    text = '\n<div class="step" data-step="a">\n\n$$\nx = 1\n$$\n\n</div>\n\n$$\ny = 2\n$$\n## End\n'
    page = analyse_page(text, "p.md", ("", "## End"), ("a",), "checks.py")  # the section from line 1
    assert page.problems == ("p.md:2: step a lacks the markdown attribute; its formula is not rendered",
                             "p.md:10: display formula outside a step div: '$$ y = 2 $$ ## End'")


def test_a_step_div_must_be_closed() -> None:
    assert problems('<div class="step" data-step="a" markdown>\n\n$$\nx = 1\n$$\n\n') == (
        'p.md:2: a step div needs data-step="..." and </div> before any other <div',
        'p.md has no <div class="step" data-step="..." markdown> yet, so none of its derivation steps is '
        'checked',
        "p.md:4: display formula outside a step div: '$$ x = 1 $$ ## End'",
    )


def test_a_step_div_may_not_hold_another_div() -> None:
    nested = '<div class="step" data-step="a" markdown>\n<div>\n\n$$\nx = 1\n$$\n\n</div>\n</div>\n'
    assert problems(nested)[0] == 'p.md:2: a step div needs data-step="..." and </div> before any other <div'


def test_a_formula_right_after_a_step_div_is_outside_it() -> None:
    step = '<div class="step" data-step="a" markdown>\n\n$$\nx = 1\n$$\n\n</div>'
    assert problems(f"{step}$$y$$\n") == ("p.md:8: display formula outside a step div: '$$y$$ ## End'",)


def test_the_steps_after_a_broken_div_are_still_read() -> None:
    broken = '<div class="step" markdown>\n\n</div>\n'
    step = '<div class="step" data-step="a" markdown>\n\n$$\nx = 1\n$$\n\n</div>\n'
    page = read(broken + step)
    assert page.steps == {"a": "x = 1"}
    assert page.problems == ('p.md:2: a step div needs data-step="..." and </div> before any other <div',)


def test_a_formula_that_ends_its_div_is_inside_it() -> None:
    assert problems('<div class="step" data-step="a" markdown>$$x$$</div>\n') == ()


def test_a_step_div_without_a_formula_is_a_problem() -> None:
    assert problems('<div class="step" data-step="a" markdown>\n\n</div>\n') == (
        "p.md:2: step a must hold exactly one $$ formula and nothing else, holds 0 formulas",
        "p.md: required step a is missing",
    )


def test_a_stray_formula_is_quoted_from_its_start_to_seventy_characters() -> None:
    tex = " + ".join(f"x_{{{n}}}" for n in range(20))
    div = '<div class="step" data-step="a" markdown>\n\n$$\nx = 1\n$$\n\n</div>\n'
    (problem,) = problems(f"{div}\n$$\n{tex}\n$$\n")
    assert problem == f"p.md:10: display formula outside a step div: {('$$ ' + tex)[:70]!r}"


def test_a_page_once_read_cannot_be_changed() -> None:
    page = read("", ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.name = "q.md"
