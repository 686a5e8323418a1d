"""The tests every topic's step-check file runs, parametrised by the topic it declares.

A topic's file ``tests/steps/test_<name>.py`` declares a :class:`derivations.steps.Topic` and
subclasses :class:`StepSuite` with it::

    class TestSoftmax(StepSuite):
        topic = TOPIC

The step formulas are read from the pages themselves (``docs/<name>.md`` and ``docs/<name>.en.md``),
inside ``<div class="step" data-step="...">``, so a page shows exactly what is checked. A check that
cannot fail is a defect, so the suite also mutates the page's TeX and requires each mutant to fail,
requires unknown syntax to be rejected, and fails when a step on the page has no check, a checked
step is missing, or a display formula of the derivation is not inside a step.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.steps import (
    Mutation,
    Page,
    StepMismatch,
    SyntaxCase,
    TexMeaningError,
    TexSyntaxError,
    Topic,
    analyse_page,
    check_step,
    parse,
    same_formula,
)
from derivations.topics import TOPICS

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("zh", "en")


def rename_loss_derivatives(expr: sp.Expr, y: Mapping[tuple[int, int], sp.Expr],
                            g: Mapping[tuple[int, int], sp.Symbol]) -> sp.Expr:
    """Replace each ``Subs(Derivative(L(..), xi), xi, y_mn)`` by ``g_mn``, checking L is taken at ``Y``."""
    order = list(y)
    position = {sp.expand(value): key for key, value in y.items()}

    def g_of(subs: sp.Subs) -> sp.Symbol:
        derivative = subs.expr
        assert isinstance(derivative, sp.Derivative) and derivative.derivative_count == 1, subs
        assert isinstance(derivative.expr, AppliedUndef) and derivative.expr.func.__name__ == "L", subs
        (variable,) = derivative.variables
        point = dict(zip(subs.variables, subs.point, strict=True))
        arguments = [sp.expand(point.get(a, a)) for a in derivative.expr.args]
        assert arguments == [sp.expand(y[key]) for key in order], f"L is not taken at Y in {subs}"
        key = position[sp.expand(point[variable])]
        assert order[derivative.expr.args.index(variable)] == key
        return g[key]

    renamed = expr.replace(lambda e: isinstance(e, sp.Subs), g_of)
    assert not renamed.atoms(sp.Subs, sp.Derivative, AppliedUndef), renamed
    return renamed


def page_path(topic: Topic, lang: str) -> Path:
    """``docs/<name>.md`` for Chinese (the default language), ``docs/<name>.<lang>.md`` otherwise."""
    return ROOT / "docs" / (f"{topic.name}.md" if lang == "zh" else f"{topic.name}.{lang}.md")


def checks_file(topic: Topic) -> str:
    return f"tests/steps/test_{topic.name}.py"


@functools.cache
def read_page(topic: Topic, lang: str) -> Page:
    """Read a page's step formulas and collect its structural problems."""
    path = page_path(topic, lang)
    return analyse_page(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), topic.sections[lang],
                        topic.checks, checks_file(topic))


def page_step(topic: Topic, lang: str, step_id: str) -> tuple[str, str]:
    """The TeX of one step on one page, and a name for messages; fails the test if it is not there."""
    page = read_page(topic, lang)
    if step_id not in page.steps:
        pytest.fail(f"{page.name} shows no step {step_id} (missing <div class=\"step\" "
                    f"data-step=\"{step_id}\" markdown> with one $$ formula)")
    return page.steps[step_id], f"{step_id} in {page.name}"


def canonical_step_divs(text: str) -> str:
    """Step divs rewritten as ``<div class="step" data-step="ID" markdown>``, to edit them by text."""
    return re.sub(r'<div class="step"[^>]*data-step="([^"]+)"[^>]*>',
                  r'<div class="step" data-step="\1" markdown>', text)


def structure_defects(topic: Topic, lang: str) -> dict[str, tuple[str, str, str]]:
    """Edits ``(old, new, expected message)`` of a page that break each structural rule."""
    first, second = list(topic.checks)[:2]
    step = f'<div class="step" data-step="{first}" markdown>'
    end = topic.sections[lang][1]
    extra = f'<div class="step" data-step="{first}.extra" markdown>\n\n$$\nL = 0\n$$\n\n</div>\n\n'
    return {
        "unchecked step id": (step, extra + step, f"{first}.extra has no check"),
        "missing step": (step, '<div class="note" markdown>', f"required step {first} is missing"),
        "stray display formula": (end, "$$\nL = 0\n$$\n\n" + end, "outside a step div"),
        "stray environment": (end, "\\begin{aligned} L \\end{aligned}\n\n" + end, "outside a step div"),
        "two formulas in a step": (step, step + "\n\n$$\nL = 0\n$$\n", "exactly one $$ formula"),
        "text in a step": (step, step + "\n\nSee below.\n", "exactly one $$ formula"),
        "duplicate step": (step, f'<div class="step" data-step="{second}" markdown>', "appears twice"),
        "no steps at all": ('class="step"', 'class="stp"', "has no <div class=\"step\""),
    }


class StepSuite:
    """The generic step checks; a subclass sets ``topic``."""

    topic: Topic

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        topic = self.topic
        values = {
            "lang": (LANGS, None),
            "sizes": (topic.sizes, lambda s: "x".join(map(str, s))),
            "step_id": (list(topic.checks), None),
            "mutation": (topic.mutations, str),
            "syntax_case": (topic.syntax_errors, str),
            "defect": (list(structure_defects(topic, "zh")), None),
        }
        for name in inspect.signature(metafunc.function).parameters:
            if name in values:
                params, ids = values[name]
                metafunc.parametrize(name, params, ids=ids)

    def test_topic_is_registered_and_sizes_are_useful(self) -> None:
        topic = self.topic
        assert topic.name in TOPICS, f"{checks_file(topic)} checks {topic.name!r}, which is not in TOPICS"
        assert topic.checks, "a topic without step checks"
        assert len(set(topic.sizes)) >= 2, "check at two size tuples at least"
        for sizes in topic.sizes:
            assert len(set(sizes)) == len(sizes), f"equal sizes in {sizes} would let a swapped index pass"

    def test_every_step_has_a_mutation(self) -> None:
        """A step no mutant edits has not been shown to be able to fail."""
        mutated = {mutation.step for mutation in self.topic.mutations}
        assert not [s for s in self.topic.checks if s not in mutated], "steps without a mutation"

    def test_page_structure(self, lang: str) -> None:
        """(a) no unchecked step id, (b) no missing step, (c) no display formula outside a step div in the
        derivation sections, (d) exactly one formula per step div."""
        problems = read_page(self.topic, lang).problems
        assert not problems, "\n".join(problems)

    def test_english_page_shows_the_chinese_formulas(self) -> None:
        """Same step ids in the same order and the same formulas up to the words inside ``\\text``."""
        zh, en = read_page(self.topic, "zh"), read_page(self.topic, "en")
        assert en.steps, f"{en.name} has no step divs yet, so it cannot show the same formulas as {zh.name}"
        assert list(en.steps) == list(zh.steps), f"step ids differ: {list(en.steps)} != {list(zh.steps)}"
        for step_id, tex in zh.steps.items():
            assert same_formula(tex, en.steps[step_id], step_id), (
                f"{step_id} differs:\n{zh.name}: {tex}\n{en.name}: {en.steps[step_id]}")

    def test_structure_problems_are_detected(self, defect: str, lang: str) -> None:
        """Each of the structural rules (a)-(d) fails on a page that breaks it."""
        old, new, message = structure_defects(self.topic, lang)[defect]
        text = canonical_step_divs(page_path(self.topic, lang).read_text(encoding="utf-8"))
        assert old in text, f"{old!r} is not on the page"
        problems = analyse_page(text.replace(old, new), "page", self.topic.sections[lang], self.topic.checks,
                                checks_file(self.topic)).problems
        assert any(message in problem for problem in problems), problems

    def test_step(self, step_id: str, lang: str, sizes: tuple[int, ...]) -> None:
        tex, where = page_step(self.topic, lang, step_id)
        assert check_step(self.topic, step_id, tex, sizes, where) > 0

    def test_mutated_step_fails(self, mutation: Mutation) -> None:
        """A wrong index, bound, label, factor order or shape in a step's TeX makes its check fail, for each
        size tuple, and for a mathematical reason: the mutant still parses."""
        tex, where = page_step(self.topic, "zh", mutation.step)
        mutant = mutation.apply(tex)
        try:
            parse(mutant, where)
        except TexSyntaxError as error:
            pytest.fail(f"the mutant must be valid syntax, so that its check fails on the mathematics: "
                        f"{error}")
        except TexMeaningError:
            pass
        for sizes in self.topic.sizes:
            with pytest.raises((StepMismatch, TexMeaningError)):
                check_step(self.topic, mutation.step, mutant, sizes, f"mutant of {where}")

    def test_unknown_syntax_is_rejected(self, syntax_case: SyntaxCase) -> None:
        """Nothing outside the grammar is ignored: the error names the step and the offending token."""
        tex, where = page_step(self.topic, "zh", syntax_case.step)
        mutant = Mutation(syntax_case.step, ((syntax_case.old, syntax_case.new),)).apply(tex)
        with pytest.raises(TexSyntaxError) as info:
            parse(mutant, where)
        message = str(info.value)
        # The token must be named by the message itself, not merely quoted in the snippet after "at offset".
        assert syntax_case.step in message and syntax_case.token in message.split(" at offset")[0], message
