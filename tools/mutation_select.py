"""A pytest plugin for ``make mutation``: run a mutant against only the tests that execute what it changes.

A file whose kill suite takes a minute (the step translator's) costs that minute for every mutant that
survives, and many survivors sit in lines few tests reach (error paths). With ``select = "coverage"``
in its ``[tool.mutation]`` group, tools/mutation.py first runs the suite once with this plugin recording,
for each test, the lines of the file it executes (``MUTATION_RECORD=<map.json>``,
``MUTATION_TARGET=<file>``). Every mutant then runs with ``MUTATION_SELECT=<map.json>``: the plugin
compares the file with the recorded original, and keeps only the tests that executed a changed
statement, fastest first.

Why this leaves the verdicts unchanged:

- a test that never reaches a statement runs the same code with the statement mutated, so it passes;
- the ``functools.cache`` caches a test could inherit from an earlier one are emptied before each test
  while recording, so each test is charged with every line its results depend on (a topic's ground
  truths are kept: the test files compute them with SymPy alone);
- a statement that runs outside any test (at import or collection: a ``def`` line, a default value,
  a module constant) selects every test, as does a change to the number of lines (a mutant that does
  not compile fails collection, and so is killed, whatever is selected).
"""

from __future__ import annotations

import ast
import json
import math
import os
import signal
import sys
import time
from pathlib import Path

import pytest

RECORD = os.environ.get("MUTATION_RECORD")
SELECT = None if RECORD else os.environ.get("MUTATION_SELECT")
TARGET = os.environ.get("MUTATION_TARGET")
TIMED_OUT = 124  # the exit status of timeout(1)
OUTSIDE = ""  # the lines run outside any test are recorded under the empty test id

_lines: dict[str, set[int]] = {}
_seconds: dict[str, float] = {}
_budgets: dict[str, int] = {}
_current = OUTSIDE


def _start_recording() -> None:
    target = str(Path(TARGET).resolve())

    def local(frame, event, arg):
        if event == "line":
            _lines.setdefault(_current, set()).add(frame.f_lineno)
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename == target else None

    sys.settrace(calls)


def _empty_caches() -> None:
    here = Path.cwd()
    for module in list(sys.modules.values()):
        path = Path(getattr(module, "__file__", None) or "/")
        if not path.is_relative_to(here) or ".venv" in path.parts:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


if RECORD:
    _start_recording()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item):
    global _current
    if SELECT:
        signal.alarm(_budgets.get(item.nodeid, 0))
        try:
            return (yield)
        finally:
            signal.alarm(0)
    if not RECORD:
        return (yield)
    _empty_caches()
    _current = item.nodeid
    t0 = time.perf_counter()
    try:
        return (yield)
    finally:
        _seconds[item.nodeid] = time.perf_counter() - t0
        _current = OUTSIDE


def pytest_sessionfinish(session, exitstatus):
    if RECORD:
        sys.settrace(None)
        source = Path(TARGET).read_text(encoding="utf-8")
        Path(RECORD).write_text(json.dumps({
            "file": TARGET, "source": source,
            "lines": {test: sorted(lines) for test, lines in _lines.items()}, "seconds": _seconds,
        }), encoding="utf-8")
    if SELECT and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK  # no test reaches the mutant: it survives


def changed_statements(original: str, mutated: str) -> set[int] | None:
    """The lines of every statement of ``original`` that ``mutated`` changes; None when that cannot be told.

    A compound statement (``if``, ``for``, ``def``, ...) counts only its header, the lines before its body.

    >>> sorted(changed_statements("if a:\\n    x = (1 +\\n  2)\\n", "if a:\\n    x = (1 -\\n  2)\\n"))
    [2, 3]
    >>> sorted(changed_statements("if a and b:\\n    pass\\n", "if a or b:\\n    pass\\n"))
    [1]
    >>> changed_statements("x = 1\\n", "x = 1\\ny = 2\\n") is None
    True
    """
    old, new = original.splitlines(), mutated.splitlines()
    if len(old) != len(new):
        return None
    changed = {n for n, (a, b) in enumerate(zip(old, new, strict=True), start=1) if a != b}
    spans = []
    for node in ast.walk(ast.parse(original)):
        if isinstance(node, ast.stmt):
            body = [b for f in ("body", "orelse", "finalbody", "handlers") if (b := getattr(node, f, None))]
            last = min((b[0].lineno for b in body), default=node.end_lineno + 1) - 1
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            spans.append(range(first, max(first, last) + 1))
    lines = set()
    for n in changed:
        inner = [s for s in spans if n in s]
        lines |= set(min(inner, key=len)) if inner else {n}
    return lines


def pytest_collection_modifyitems(session, config, items):
    if not SELECT:
        return
    recorded = json.loads(Path(SELECT).read_text(encoding="utf-8"))
    lines = changed_statements(recorded["source"], Path(recorded["file"]).read_text(encoding="utf-8"))
    covered = recorded["lines"]
    if lines is not None and not lines & set(covered.get(OUTSIDE, ())):
        chosen = {test for test, ran in covered.items() if test != OUTSIDE and lines & set(ran)}
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in chosen])
        items[:] = [i for i in items if i.nodeid in chosen]
    seconds = recorded["seconds"]
    items.sort(key=lambda i: seconds.get(i.nodeid, 0.0))
    # A mutant that makes a test run far longer than it did while recording (which is itself several
    # times slower than a plain run) is caught as one that hangs: killed. The budget is per test, so
    # that a loop which never ends (a parser that stops advancing) is stopped within seconds, before
    # the lists it grows fill the memory.
    _budgets.update({i.nodeid: 20 + math.ceil(2 * seconds.get(i.nodeid, 0.0)) for i in items})
    signal.signal(signal.SIGALRM, lambda *_: os._exit(TIMED_OUT))
