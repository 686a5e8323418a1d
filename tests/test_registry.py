"""The topic registry is the one list of topics, and every part of a topic exists for exactly those topics.

A topic ``t`` is: ``derivations/topics/t.py`` (with ``exercise(rng)``), ``derivations/verify/checks/t.py``,
``tests/steps/test_t.py``, ``docs/t.md`` with ``docs/t.en.md`` (each ending with exercises), and the command
``python -m derivations t``.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from derivations import exercises
from derivations.cli import parser
from derivations.topics import TOPICS, topic

ROOT = Path(__file__).resolve().parent.parent
PARTS = {
    "topic module": "derivations/topics/{}.py",
    "verify check": "derivations/verify/checks/{}.py",
    "step checks": "tests/steps/test_{}.py",
    "Chinese page": "docs/{}.md",
    "English page": "docs/{}.en.md",
}


@pytest.mark.parametrize("name", TOPICS)
def test_every_topic_has_every_part(name: str) -> None:
    missing = [f"{part} {pattern.format(name)}" for part, pattern in PARTS.items()
               if not (ROOT / pattern.format(name)).is_file()]
    assert not missing, f"topic {name} lacks: {', '.join(missing)}"
    commands = parser()._subparsers._group_actions[0].choices
    assert name.replace("_", "-") in commands


@pytest.mark.parametrize("folder, pattern", [("derivations/topics", r"(?!__init__)(\w+)\.py"),
                                             ("derivations/verify/checks", r"(?!__init__)(\w+)\.py"),
                                             ("tests/steps", r"test_(\w+)\.py")])
def test_nothing_exists_for_an_unlisted_topic(folder: str, pattern: str) -> None:
    found = {m[1] for p in (ROOT / folder).glob("*.py") if (m := re.fullmatch(pattern, p.name))}
    assert found <= set(TOPICS), f"{folder} has {sorted(found - set(TOPICS))}, not in the registry"


def test_pages_name_only_registered_topics() -> None:
    named = {m[1] for p in (ROOT / "docs").rglob("*.md")
             for m in re.finditer(r"\{\{\s*(\w+)\.\w+\s*\}\}", p.read_text(encoding="utf-8"))}
    assert named <= set(TOPICS), sorted(named - set(TOPICS))


@pytest.mark.parametrize("name", TOPICS)
def test_one_signature_for_every_topic(name: str) -> None:
    """forward(*inputs), backward(*inputs, G); worked_example(*inputs, G) has the page's defaults."""
    module = topic(name)
    inputs = list(inspect.signature(module.forward).parameters)
    assert list(inspect.signature(module.backward).parameters) == [*inputs, "G"]
    example = inspect.signature(module.worked_example).parameters
    assert list(example) == [*inputs, "G"]
    assert all(p.default is not inspect.Parameter.empty for p in example.values())
    assert module.worked_example().topic == name


WHY = "\N{FULLWIDTH LEFT PARENTHESIS}思考题\N{FULLWIDTH RIGHT PARENTHESIS}"
EXERCISES = {"docs/{}.md": ("## 练习", WHY, "<summary>答案</summary>"),
             "docs/{}.en.md": ("## Exercises", "(why)", "<summary>Answer</summary>")}


@pytest.mark.parametrize("name", TOPICS)
def test_every_topic_has_exercises_on_both_pages(name: str) -> None:
    """exercise(rng) draws new inputs for worked_example; both pages have exercises with folded answers
    that show them, and a question asking why."""
    assert callable(getattr(topic(name), "exercise", None)), f"topic {name} defines no exercise(rng)"
    assert exercises.example(name, 1).topic == name
    for pattern, marks in EXERCISES.items():
        text = (ROOT / pattern.format(name)).read_text(encoding="utf-8")
        missing = [m for m in (*marks, f"{{{{ {name}@1.") if m not in text]
        assert not missing, f"{pattern.format(name)} lacks {missing}"


CHECK_MODULES = sorted((ROOT / "derivations/verify/checks").glob("*.py"))


@pytest.mark.parametrize("check", CHECK_MODULES, ids=lambda p: p.name)
def test_no_check_module_imports_what_it_checks(check: Path) -> None:
    """verify recomputes on its own: a check may import verify's own parts, never the package it checks."""
    tree = ast.parse(check.read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    foreign = [m for m in imported if m.startswith("derivations") and not m.startswith("derivations.verify")]
    assert not foreign, f"{check.name} imports {foreign}"


@pytest.mark.parametrize("test", sorted((ROOT / "tests").glob("test_*.py")), ids=lambda p: p.name)
def test_torch_is_imported_only_through_require_torch(test: Path) -> None:
    """Without the optional extra, a torch test must skip with the install hint (or fail under
    REQUIRE_TORCH), never stop at an ImportError: tests/torch_oracle.py's require_torch does both."""
    tree = ast.parse(test.read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.split(".")[0] == "torch"], f"{test.name} imports torch itself"
