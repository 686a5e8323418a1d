r"""Read the step formulas of a page's Markdown source, and find what is wrong with its structure.

A step is ``<div class="step" data-step="ID" markdown>`` holding exactly one ``$$...$$`` formula
and nothing else. The structural rules, each reported as a problem naming the file and line:

(a) every step on the page has a check; (b) every checked step is on the page; (c) no display
formula between the derivation's first heading and the heading after it is outside a step div;
(d) a step div holds exactly one formula, has the ``markdown`` attribute, and appears once.

Examples
--------
>>> text = '## Start\n\n<div class="step" data-step="a" markdown>\n\n$$\nx = 1\n$$\n\n</div>\n\n## End\n'
>>> page = analyse_page(text, "p.md", ("## Start", "## End"), {"a": None, "b": None}, "checks.py")
>>> page.steps, page.problems
({'a': 'x = 1'}, ('p.md: required step b is missing',))
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from derivations.steps.syntax import tokenize

STEP_DIV = re.compile(r"<div\b(?P<attrs>[^>]*)>")
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.*?)\$\$", re.S)
OTHER_DISPLAY = re.compile(r"^[ \t]*(\\\[|\\begin\{)", re.M)


@dataclass(frozen=True)
class Page:
    """The step formulas of one page and every structural problem found in it."""

    name: str
    steps: dict[str, str]
    problems: tuple[str, ...]


def _attribute(attrs: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attrs)
    return match.group(1) if match else None


def _step_divs(text: str, name: str, problems: list[str]) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """The formula of each step div, and the spans of the divs."""
    steps: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for match in STEP_DIV.finditer(text):
        attrs = match.group("attrs")
        if "step" not in (_attribute(attrs, "class") or "").split():
            continue
        line = f"{name}:{text.count(chr(10), 0, match.start()) + 1}"
        ident, close = _attribute(attrs, "data-step"), text.find("</div>", match.end())
        if ident is None or close < 0 or "<div" in text[match.end():close]:
            problems.append(f"{line}: a step div needs data-step=\"...\" and </div> before any other <div")
            continue
        spans.append((match.start(), close + len("</div>")))
        body = text[match.end():close]
        formulas = [m.group("tex").strip() for m in DISPLAY_MATH.finditer(body)]
        if not re.search(r"\bmarkdown\b", attrs):
            problems.append(f"{line}: step {ident} lacks the markdown attribute; its formula is not rendered")
        if len(formulas) != 1 or DISPLAY_MATH.sub("", body).strip():
            problems.append(f"{line}: step {ident} must hold exactly one $$ formula and nothing else, "
                            f"holds {len(formulas)} formulas")
        elif ident in steps:
            problems.append(f"{line}: step {ident} appears twice")
        else:
            steps[ident] = formulas[0]
    return steps, spans


def _stray_display_math(text: str, name: str, section: tuple[str, str],
                        spans: list[tuple[int, int]]) -> list[str]:
    """Display formulas of the derivation section that are not inside a step div."""
    start_heading, end_heading = section
    bounds = [re.search(rf"^{re.escape(h)}[ \t]*$", text, re.M) for h in (start_heading, end_heading)]
    if None in bounds:
        return [f"{name}: cannot find the headings {start_heading!r} and {end_heading!r}"]
    start, end = bounds[0].start(), bounds[1].start()  # type: ignore[union-attr]
    math_spans = [m.span() for m in DISPLAY_MATH.finditer(text)]
    inside = [*spans, *math_spans]
    found = [s for s, _ in math_spans if not any(a <= s < b for a, b in spans)]
    found += [m.start() for m in OTHER_DISPLAY.finditer(text)
              if not any(a <= m.start() < b for a, b in inside)]
    return [f"{name}:{text.count(chr(10), 0, s) + 1}: display formula outside a step div: "
            f"{' '.join(text[s:s + 70].split())!r}" for s in sorted(found) if start <= s < end]


def analyse_page(text: str, name: str, section: tuple[str, str], checks: Collection[str],
                 checks_file: str) -> Page:
    """The step formulas of a page's text and its structural problems (a)-(d).

    ``section`` is the heading that starts the derivation and the heading after it; ``checks`` are
    the step ids that have a check (all required), defined in ``checks_file``.
    """
    problems: list[str] = []
    steps, spans = _step_divs(text, name, problems)
    if not spans:
        problems.append(f"{name} has no <div class=\"step\" data-step=\"...\" markdown> yet, so none of its "
                        "derivation steps is checked")
    problems += [f"{name}: required step {s} is missing" for s in checks if s not in steps and spans]
    problems += [f"{name}: step {s} has no check in {checks_file}" for s in steps if s not in checks]
    problems += _stray_display_math(text, name, section, spans)
    return Page(name, steps, tuple(problems))


def tokens_without_text(tex: str, where: str) -> list[tuple[str, str]]:
    r"""The token stream without ``\text{...}`` tokens, for comparing pages in different languages."""
    return [(t.kind, t.value) for t in tokenize(tex, where) if t.kind != "text"]


def same_formula(a: str, b: str, where: str) -> bool:
    r"""Whether two step formulas agree token for token, ``\text{...}`` left out (labels need a different
    number of ``\text`` pieces per language: ``\text{第 } i \text{ 行}`` but ``\text{row } i``).

    >>> same_formula(r"\text{第 } i \text{ 行} \quad x_{i}", r"\text{row } i \quad x_{i}", "doc")
    True
    >>> same_formula(r"\text{第 } i \text{ 行}", r"\text{row } j", "doc")
    False
    """
    return tokens_without_text(a, where) == tokens_without_text(b, where)
