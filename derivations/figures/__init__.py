"""Figures drawn from code as static, self-contained SVG (no scripts, fonts or external references).

``python -m derivations.figures`` (re)writes every file in ``FIGURES`` under ``docs/assets/figures/``;
``python -m derivations.figures --check`` exits 1 naming each file that is missing or stale.
:mod:`derivations.figures.svg` holds the shared drawing; every other module of this package is one
figure, and its ``FILES`` (file name to drawing function) join ``FIGURES``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

from derivations.figures.linear import WORDS, linear_dependencies
from derivations.figures.mlp import mlp_graph

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "docs" / "assets" / "figures"

FIGURES: dict[str, Callable[[], str]] = {
    name: draw
    for info in pkgutil.iter_modules(__path__) if info.name != "svg" and not info.name.startswith("_")
    for name, draw in importlib.import_module(f"{__name__}.{info.name}").FILES.items()
}

__all__ = ["FIGURES", "WORDS", "linear_dependencies", "main", "mlp_graph"]


def main(argv: list[str] | None = None) -> int:
    """Write every figure in ``FIGURES`` to ``docs/assets/figures/``, or with ``--check`` compare.

    Returns
    -------
    int
        0 when written or all up to date; 1 when ``--check`` finds a file missing or different.
    """
    parser = argparse.ArgumentParser(prog="python -m derivations.figures",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if any figure is missing or differs from the code")
    args = parser.parse_args(argv)
    stale = []
    for name, draw in FIGURES.items():
        path, text = OUT_DIR / name, draw()
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.relative_to(ROOT).as_posix())
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(ROOT).as_posix()}")
    for name in stale:
        print(f"{name} is missing or stale; run `python -m derivations.figures`", file=sys.stderr)
    return 1 if stale else 0

