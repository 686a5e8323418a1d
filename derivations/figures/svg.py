"""The shared SVG drawing of the figures: grids of cells, labels, arrows, and the document around them.

Each figure comes in a light and a dark variant, whose strokes and text (the CSS classes ``ink`` and
``line``) are dark or light grey; pages show them with Material's ``#only-light`` and ``#only-dark``, so
the figure follows the site's colour toggle even inside ``<img>``, where ``currentColor`` is always
black. Every grid cell carries ``data-panel``, ``data-matrix``, ``data-row``, ``data-col`` (1-based)
and ``data-on`` so that tests can check what is highlighted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

CELL = 28
BLUE = "#3b82f6"
ORANGE = "#f59e0b"
OPACITY = "0.5"
PARTIAL, TIMES = "\u2202", "\u00d7"

INK = {"light": "#1f2937", "dark": "#e5e7eb"}


def _style(scheme: str) -> str:
    if scheme not in INK:
        raise ValueError(f"scheme must be one of {sorted(INK)}, got {scheme!r}")
    return f".ink {{ fill: {INK[scheme]}; }}\n.line {{ stroke: {INK[scheme]}; fill: none; }}"


def _n(v: float) -> str:
    """A coordinate as short, deterministic text: ``12``, ``12.5``."""
    return f"{round(v, 1):g}"


def highlight(x: float, y: float, colours: tuple[str, ...]) -> list[str]:
    """Fill one cell at ``(x, y)``: whole in one colour, or split along its diagonal for two."""
    if len(colours) == 1:
        return [f'<rect x="{_n(x)}" y="{_n(y)}" width="{CELL}" height="{CELL}" '
                f'fill="{colours[0]}" fill-opacity="{OPACITY}"/>']
    upper, lower = colours
    x2, y2 = x + CELL, y + CELL
    return [f'<polygon points="{_n(x)},{_n(y)} {_n(x2)},{_n(y)} {_n(x)},{_n(y2)}" '
            f'fill="{upper}" fill-opacity="{OPACITY}"/>',
            f'<polygon points="{_n(x2)},{_n(y)} {_n(x2)},{_n(y2)} {_n(x)},{_n(y2)}" '
            f'fill="{lower}" fill-opacity="{OPACITY}"/>']


def grid(x: float, y: float, rows: int, cols: int, *, panel: str, matrix: str,
         on: Iterable[tuple[int, int]] = (), colours: tuple[str, ...] = (BLUE,)) -> list[str]:
    """A ``rows`` x ``cols`` grid of square cells, top-left at ``(x, y)``; the cells in ``on`` are filled.

    Cells are 1-based ``(row, col)``; with two ``colours`` each filled cell is split along its diagonal.
    """
    lit = set(on)
    fills = [s for r, c in sorted(lit) for s in highlight(x + (c - 1) * CELL, y + (r - 1) * CELL, colours)]
    cells = [f'<rect class="line" x="{_n(x + (c - 1) * CELL)}" y="{_n(y + (r - 1) * CELL)}" '
             f'width="{CELL}" height="{CELL}" data-panel="{panel}" data-matrix="{matrix}" '
             f'data-row="{r}" data-col="{c}" data-on="{int((r, c) in lit)}"/>'
             for r in range(1, rows + 1) for c in range(1, cols + 1)]
    return [f'<g data-panel="{panel}" data-matrix="{matrix}">', *fills, *cells, "</g>"]


def label(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 14) -> str:
    """Text with baseline at ``(x, y)``; ``*v*`` is set in italic and ``_ij_`` as an italic subscript."""
    out, shifted = [], False
    for part in re.split(r"(\*[^*]+\*|_[^_]+_)", text):
        if not part:
            continue
        attrs = []
        if part[0] == "_" and not shifted:
            attrs.append('dy="4"')
        elif part[0] != "_" and shifted:
            attrs.append('dy="-4"')
        shifted = part[0] == "_"
        if part[0] in "*_":
            attrs.append('font-style="italic"')
        if shifted:
            attrs.append(f'font-size="{size - 4}"')
        body = part.strip("*_") if part[0] in "*_" else part
        out.append(f"<tspan {' '.join(attrs)}>{body}</tspan>" if attrs else body)
    return (f'<text class="ink" x="{_n(x)}" y="{_n(y)}" font-size="{size}" '
            f'text-anchor="{anchor}">{"".join(out)}</text>')


def arrow(x1: float, y1: float, x2: float, y2: float, colour: str) -> list[str]:
    """A straight arrow from ``(x1, y1)`` to ``(x2, y2)`` in ``colour``, its head drawn as a triangle."""
    length, half = 10, 5
    a = math.atan2(y2 - y1, x2 - x1)
    bx, by = x2 - length * math.cos(a), y2 - length * math.sin(a)
    dx, dy = -half * math.sin(a), half * math.cos(a)
    return [f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(bx)}" y2="{_n(by)}" stroke="{colour}" '
            f'stroke-width="2.5"/>',
            f'<polygon points="{_n(x2)},{_n(y2)} {_n(bx + dx)},{_n(by + dy)} {_n(bx - dx)},{_n(by - dy)}" '
            f'fill="{colour}"/>']


def _svg(name: str, width: int, height: int, title: str, desc: str, body: list[str], scheme: str) -> str:
    """The SVG document around ``body``; ``name`` prefixes the ids of its title and description."""
    doc = "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{name}-title {name}-desc" '
        'font-family="sans-serif">',
        f'<title id="{name}-title">{title}</title>',
        f'<desc id="{name}-desc">{desc}</desc>',
        f"<style>\n{_style(scheme)}\n</style>",
        *body,
        "</svg>",
        "",
    ])
    return doc.encode("ascii", "xmlcharrefreplace").decode("ascii")


