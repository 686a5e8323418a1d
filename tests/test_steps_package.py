"""``derivations.steps`` is an optional extra, and every registered topic has its step-check file."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import derivations.steps
from derivations.topics import TOPICS

from steps.suite import StepSuite

ROOT = Path(__file__).resolve().parent.parent

# Import every module of the package with SymPy unavailable; only derivations.steps may need it.
WITHOUT_SYMPY = """
import importlib, pkgutil, sys
sys.modules["sympy"] = None
import derivations
names = [m.name for m in pkgutil.walk_packages(derivations.__path__, "derivations.")
         if not m.name.startswith("derivations.steps") and not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
assert "derivations.steps" not in sys.modules, "a module outside derivations.steps imports it"
try:
    import derivations.steps
except ImportError:
    print(len(names), "modules")
else:
    raise AssertionError("derivations.steps imported without sympy")
"""


def test_package_imports_without_sympy() -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_SYMPY], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[0]) >= 5, result.stdout


def test_public_surface() -> None:
    assert sorted(derivations.steps.__all__) == derivations.steps.__all__
    assert all(hasattr(derivations.steps, name) for name in derivations.steps.__all__)


def test_every_registered_topic_has_a_step_check_file() -> None:
    """``tests/steps/test_<name>.py`` exists and runs the generic suite for that topic."""
    for name in TOPICS:
        path = ROOT / "tests" / "steps" / f"test_{name}.py"
        assert path.is_file(), f"topic {name} has no step-check file {path.relative_to(ROOT)}"
        module = importlib.import_module(f"steps.test_{name}")
        suites = [v for v in vars(module).values()
                  if isinstance(v, type) and issubclass(v, StepSuite) and v is not StepSuite]
        assert [suite.topic.name for suite in suites] == [name], (
            f"{path.relative_to(ROOT)} must subclass StepSuite once, with a Topic named {name!r}")
