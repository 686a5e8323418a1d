"""Figures drawn from code as static, self-contained SVG (no scripts, fonts or external references).

``python -m derivations.figures`` (re)writes every file in ``FIGURES`` under ``docs/assets/figures/``;
``python -m derivations.figures --check`` exits 1 naming each file that is missing or stale.

Each figure comes in a light and a dark variant, whose strokes and text (the CSS classes ``ink`` and
``line``) are dark or light grey; pages show them with Material's ``#only-light`` and ``#only-dark``, so
the figure follows the site's colour toggle even inside ``<img>``, where ``currentColor`` is always
black. Every grid cell carries ``data-panel``, ``data-matrix``,
``data-row``, ``data-col`` (1-based) and ``data-on`` so that tests can check what is highlighted.
"""

from __future__ import annotations

import argparse
import functools
import math
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "assets" / "figures"

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


# The words in Figure 1, per page language; ``{}`` is an index letter, set in italic.
WORDS = {
    "zh": {"row": "第 *{}* 行", "column": "第 *{}* 列"},
    "en": {"row": "row *{}*", "column": "column *{}*"},
}
TITLES = {
    "zh": "Y = XW 的哪些元素依赖 X 和 W 的哪些元素",
    "en": "Which entries of Y = XW depend on which entries of X and W",
}
DESCRIPTIONS = {
    "zh": ("全连接层 Y = XW 的三幅示意图，M = 4，D = 3，N = 5，矩阵画成方格。"
           "(a) Y = XW：X 的第 m = 2 行（蓝）与 W 的第 n = 4 列（橙）相乘，得到 Y 的一个元素 y_mn，"
           "这一格一半蓝一半橙。"
           "(b) Y 对 x_ij 的导数（i = 2，j = 3）是 M × N 的方格，除第 i 行外全为零；"
           "箭头表示第 i 行等于 W 的第 j 行，两者都是橙色。"
           "(c) Y 对 w_ij 的导数（i = 2，j = 4）是 M × N 的方格，除第 j 列外全为零；"
           "箭头表示第 j 列等于 X 的第 i 列，两者都是蓝色。"),
    "en": ("Three panels for a fully connected layer Y = XW with M = 4, D = 3, N = 5, drawn as grids of "
           "square cells. (a) Y = XW: row m = 2 of X (blue) and column n = 4 of W (orange) meet in the "
           "single entry y_mn of Y, coloured half blue and half orange. (b) The derivative of Y with "
           "respect to x_ij, for i = 2, j = 3, is an M by N grid that is zero outside row i; an arrow "
           "shows that row i equals row j of W, both orange. (c) The derivative of Y with respect to "
           "w_ij, for i = 2, j = 4, is an M by N grid that is zero outside column j; an arrow shows "
           "that column j equals column i of X, both blue."),
}


def linear_dependencies(scheme: str = "light", lang: str = "zh") -> str:
    """Figure 1: which entries of ``Y = X W`` depend on which entries of ``X`` and ``W``.

    ``scheme`` is ``"light"`` or ``"dark"``: the site palette the figure is drawn for; ``lang`` is
    ``"zh"`` or ``"en"``: the language of the page that shows it (labels, title and description).

    Sizes ``M, D, N = 4, 3, 5``. (a) ``y_mn`` (m=2, n=4) is row m of ``X`` times column n of ``W``,
    the product written as juxtaposition, as on the pages. (b) ``dY/dx_ij`` (i=2, j=3) is zero
    outside row i, and row i equals row j of ``W``. (c) ``dY/dw_ij`` (i=2, j=4) is zero outside
    column j, and column j equals column i of ``X``.

    Returns
    -------
    str
        The SVG document, the same on every call.

    Examples
    --------
    >>> svg = linear_dependencies()
    >>> svg.startswith("<svg") and "<title" in svg and svg == linear_dependencies()
    True
    >>> linear_dependencies("dark") != svg != linear_dependencies(lang="en")
    True
    """
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {sorted(WORDS)}, got {lang!r}")
    row, column = WORDS[lang]["row"].format, WORDS[lang]["column"].format
    M, D, N = 4, 3, 5
    body: list[str] = []
    d_dx = f"*{PARTIAL}Y*/*{PARTIAL}x*_ij_ (*M*{TIMES}*N*)"
    d_dw = f"*{PARTIAL}Y*/*{PARTIAL}w*_ij_ (*M*{TIMES}*N*)"

    # (a) Y = XW with y_mn for m = 2, n = 4: row m of X (blue) meets column n of W (orange). The product
    # is juxtaposition, X and W side by side with no sign between them, as the notation page writes it.
    m, n = 2, 4
    top = 44
    yx, xx, wx = 150, 400, 400 + D * CELL + 12
    wy = top + (M - D) * CELL / 2
    name_y = top + M * CELL + 24
    body += [label(12, 22, "(a)", anchor="start")]
    body += grid(yx, top, M, N, panel="a", matrix="Y", on=[(m, n)], colours=(BLUE, ORANGE))
    body += grid(xx, top, M, D, panel="a", matrix="X", on=[(m, c) for c in range(1, D + 1)])
    body += grid(wx, wy, D, N, panel="a", matrix="W", on=[(r, n) for r in range(1, D + 1)],
                 colours=(ORANGE,))
    mid = top + M * CELL / 2
    body += [label(yx + N * CELL + 30, mid + 7, "=", size=22),
             label(yx + (n - 0.5) * CELL, top + (m - 0.5) * CELL + 5, "*y*_mn_", size=13),
             label(xx - 8, top + (m - 0.5) * CELL + 5, row("m"), anchor="end"),
             label(wx + (n - 0.5) * CELL, wy - 8, column("n")),
             label(yx + N * CELL / 2, name_y, f"*Y* (*M*{TIMES}*N*)"),
             label(xx + D * CELL / 2, name_y, f"*X* (*M*{TIMES}*D*)"),
             label(wx + N * CELL / 2, name_y, f"*W* (*D*{TIMES}*N*)")]

    # (b) dY/dx_ij for i = 2, j = 3: zero outside row i, and row i is row j of W.
    i, j = 2, 3
    top = 330
    wx, gx = 60, 280
    wy = top + (i - j) * CELL
    row_y = top + (i - 0.5) * CELL
    name_y = top + M * CELL + 24
    body += [label(12, 214, "(b)", anchor="start")]
    body += grid(wx, wy, D, N, panel="b", matrix="W", on=[(j, c) for c in range(1, N + 1)],
                 colours=(ORANGE,))
    body += grid(gx, top, M, N, panel="b", matrix="dY_dx", on=[(i, c) for c in range(1, N + 1)],
                 colours=(ORANGE,))
    body += arrow(wx + N * CELL + 8, row_y, gx - 8, row_y, ORANGE)
    body += [label(wx - 8, row_y + 5, row("j"), anchor="end"),
             label(gx + N * CELL + 8, row_y + 5, row("i"), anchor="start"),
             label(wx + N * CELL / 2, wy + D * CELL + 24, f"*W* (*D*{TIMES}*N*)"),
             label(gx + N * CELL / 2, name_y, d_dx)]

    # (c) dY/dw_ij for i = 2, j = 4: zero outside column j, and column j is column i of X.
    i, j = 2, 4
    gx, gy = 600, 416
    xx, xy = gx + (j - i) * CELL, 244
    col_x = gx + (j - 0.5) * CELL
    body += [label(490, 214, "(c)", anchor="start")]
    body += grid(xx, xy, M, D, panel="c", matrix="X", on=[(r, i) for r in range(1, M + 1)])
    body += grid(gx, gy, M, N, panel="c", matrix="dY_dw", on=[(r, j) for r in range(1, M + 1)])
    body += arrow(col_x, xy + M * CELL + 8, col_x, gy - 8, BLUE)
    body += [label(col_x, xy - 8, column("i")),
             label(col_x, gy + M * CELL + 22, column("j")),
             label(xx - 10, xy + M * CELL / 2 + 5, f"*X* (*M*{TIMES}*D*)", anchor="end"),
             label(gx - 10, gy + M * CELL / 2 + 5, d_dw, anchor="end")]

    return _svg("linear-dependencies", 760, 564, TITLES[lang], DESCRIPTIONS[lang], body, scheme)


# One file per page language and colour scheme: linear-dependencies-zh.svg, ...-zh-dark.svg, ...
FIGURES: dict[str, Callable[[], str]] = {
    f"linear-dependencies-{lang}{'' if scheme == 'light' else '-dark'}.svg":
        functools.partial(linear_dependencies, scheme, lang)
    for lang in WORDS for scheme in INK
}


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


if __name__ == "__main__":
    sys.exit(main())
