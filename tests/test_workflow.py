"""The publishing workflow: actionlint finds nothing, and it installs and tests as .ci/run does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def lint(workflows: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(ROOT / "tests" / "lint-workflows.cjs"), str(workflows)],
                          capture_output=True, text=True)


def test_actionlint_finds_nothing() -> None:
    result = lint(WORKFLOW.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    (tmp_path / "pages.yml").write_text(WORKFLOW.read_text().replace("needs: test", "needs: tset"))
    result = lint(tmp_path)
    assert result.returncode == 1 and "tset" in result.stdout, result.stdout + result.stderr


def test_workflow_tests_like_ci_and_deploys_pages() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    runs = [step.get("run", "") for step in jobs["test"]["steps"]]
    assert "bash .ci/run" in runs, runs
    ci = (WORKFLOW.parent.parent.parent / ".ci" / "run").read_text()
    assert "REQUIRE_BROWSER=1 REQUIRE_TORCH=1" in ci and "make torch" in ci and "make test" in ci
    uses = [step.get("uses", "") for step in jobs["test"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses), uses
    assert jobs["deploy"]["needs"] == "test"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in jobs["deploy"]["steps"])
