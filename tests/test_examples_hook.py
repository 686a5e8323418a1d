"""hooks/examples.py: placeholders expand to marked blocks, leftovers fail the build, and serve sees edits."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = f"""\
site_name: t
docs_dir: docs
theme: {{name: material, font: false}}
markdown_extensions:
  - pymdownx.arithmatex: {{generic: true}}
hooks:
  - {ROOT / "hooks" / "examples.py"}
  - {ROOT / "hooks" / "mathjax.py"}
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(page, encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)


def test_a_placeholder_expands_to_a_marked_block(tmp_path: Path) -> None:
    result = build(tmp_path, "# P\n\n{{ linear.dX_entry }}\n")
    assert result.returncode == 0, result.stderr[-2000:]
    html = (tmp_path / "site" / "page" / "index.html").read_text(encoding="utf-8")
    assert ('<div class="worked" data-example="linear" data-quantity="dX_entry" data-kind="exact" '
            'data-entry="2,3">') in html


@pytest.mark.parametrize("page, shown", [
    ("So {{ linear.dW }} holds.\n", "{{ linear.dW }}"),
    ("Indented:\n\n    {{ linear.dW }}\n", "{{ linear.dW }}"),
    ("{{ linear.dW }\n", "{{ linear.dW }"),
    ("{ linear.dW }}\n", "{ linear.dW }"),
    ("- item {{linear.L}}\n", "{{linear.L}}"),
], ids=["inline", "indented", "missing closing brace", "missing opening brace", "in a list"])
def test_an_unexpanded_placeholder_fails_the_build(tmp_path: Path, page: str, shown: str) -> None:
    result = build(tmp_path, "# P\n\n" + page)
    assert result.returncode != 0, "the build passed"
    assert "page.md" in result.stderr and "is left in the built page" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("page, message", [
    ("{{ conv.Y }}\n", "no topic 'conv'"),
    ("{{ linear.dZ }}\n", "linear has no quantity 'dZ'"),
])
def test_an_unknown_topic_or_quantity_fails_the_build(tmp_path: Path, page: str, message: str) -> None:
    result = build(tmp_path, page)
    assert result.returncode != 0 and "page.md" in result.stderr and message in result.stderr, result.stderr


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The hook watching a copy of the package, which the test may edit; the real one is restored after."""
    shutil.copytree(ROOT / "derivations", tmp_path / "derivations")
    # The modules other tests already hold (verify's Mismatch, say) come back after, not fresh copies:
    # a check module imported later must raise the very class that verify catches.
    loaded = {m: sys.modules[m] for m in sys.modules if m == "derivations" or m.startswith("derivations.")}
    sys.path.insert(0, str(ROOT / "hooks"))
    examples = importlib.import_module("examples")
    sys.path.remove(str(ROOT / "hooks"))
    monkeypatch.setattr(examples, "PACKAGE", tmp_path / "derivations")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield examples, tmp_path / "derivations"
    for name in [m for m in sys.modules if m == "derivations" or m.startswith("derivations.")]:
        del sys.modules[name]
    sys.modules.update(loaded)
    examples._examples.clear()
    examples._source.clear()


def test_serve_watches_the_package_and_an_edit_reaches_the_page(package_copy) -> None:
    examples, package = package_copy
    watched = []
    examples.on_serve(SimpleNamespace(watch=watched.append), None, None)
    assert watched == [str(examples.PACKAGE)]
    page = SimpleNamespace(file=SimpleNamespace(src_uri="linear.md"))
    examples.on_pre_build(None)
    before = examples.on_page_markdown("{{ linear.L }}\n", page=page)
    assert "= -19" in before and str(package) in sys.modules["derivations"].__file__
    module = package / "topics" / "linear.py"
    source = module.read_text(encoding="utf-8")
    assert "G: object = ((1, 2, -1, 1)," in source
    module.write_text(source.replace("G: object = ((1, 2, -1, 1),", "G: object = ((1, 2, -1, 10),"),
                      encoding="utf-8")
    examples.on_pre_build(None)
    after = examples.on_page_markdown("{{ linear.L }}\n", page=page)
    assert "= -100" in after, after  # g_14 from 1 to 10 adds 9 y_14 = 9 (-9)
