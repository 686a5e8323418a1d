"""Figure 1 of the MLP page: the computation graph of the two-layer network, forward values left to right
above, gradients right to left below, in both page languages and both colour schemes.

Every node is a box that names its tensor and states its shape; it carries ``data-node`` (the tensor),
``data-shape``, ``data-pass`` (``forward``, ``parameter`` or ``backward``) and ``data-reused`` (1 for the
forward values the backward pass reads again: ``X``, ``Z1`` for the ReLU mask, ``H`` and ``P``). Every
arrow carries ``data-from``, ``data-to`` and ``data-kind`` (``value``, ``gradient`` or ``reuse``), so
that tests can check which way each one points.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

from derivations.figures.svg import BLUE, INK, OPACITY, ORANGE, PARTIAL, TIMES, _n, _svg, arrow, label

WORDS = {
    "zh": {"forward": "前向传播：值从左往右", "backward": "反向传播：梯度从右往左",
           "reused": "反向传播要再次读取的前向值", "affine": "仿射", "loss": "交叉熵"},
    "en": {"forward": "forward pass: values, left to right",
           "backward": "backward pass: gradients, right to left",
           "reused": "forward values the backward pass reads again", "affine": "affine",
           "loss": "cross-entropy"},
}
TITLES = {
    "zh": "两层网络的计算图：前向传播与反向传播",
    "en": "Computation graph of the two-layer network: forward and backward pass",
}
DESCRIPTIONS = {
    "zh": ("上排是前向传播，蓝色箭头从左往右：X（M × D）经仿射层（参数 W1，D × N；b1，1 × N）"
           "得到 Z1（M × N），"
           "经 ReLU 得到 H（M × N），经仿射层（参数 W2，N × K；b2，1 × K）得到 Z2（M × K），经 softmax 得到 "
           "P（M × K），再与标签 y（M × 1）算交叉熵得到 L（1 × 1）。下排是反向传播，橙色箭头从右往左："
           "L 对 Z2 的梯度（M × K），对 H 的梯度（M × N），对 Z1 的梯度（M × N），对 X 的梯度（M × D）；"
           "对 W2、b2、W1、b1 的梯度向下分出，形状与各自的参数相同。"
           "X、Z1、H、P 四个前向值加了底色，虚线指向反向传播中再次读取它们的那一步："
           "P 用于对 Z2 的梯度，H 用于对 W2 的梯度，Z1 给出 ReLU 的导数，X 用于对 W1 的梯度。"),
    "en": ("The top row is the forward pass, blue arrows left to right: X (M by D) goes through an affine "
           "layer (parameters W1, D by N, and b1, 1 by N) to Z1 (M by N), through ReLU to H (M by N), "
           "through an affine layer (parameters W2, N by K, and b2, 1 by K) to Z2 (M by K), through "
           "softmax to P (M by K), and with the labels y (M by 1) through cross-entropy to L (1 by 1). "
           "The bottom row is the backward pass, orange arrows right to left: the gradient of L by Z2 "
           "(M by K), by H (M by N), by Z1 (M by N) and by X (M by D); the gradients by W2, b2, W1 and "
           "b1 branch off downwards, each of its parameter's shape. The four forward values X, Z1, H "
           "and P are shaded, and dashed lines lead to the step of the backward pass that reads each "
           "again: P for the gradient by Z2, H for the gradient by W2, Z1 for ReLU's derivative, X for "
           "the gradient by W1."),
}

BOX_W, BOX_H = 96, 46
# Column centres of the chain X -> Z1 -> H -> Z2 -> P -> L, and the rows of the figure.
COLUMNS = {"X": 58, "Z1": 206, "H": 350, "Z2": 494, "P": 650, "L": 846}
ROW_PARAM, ROW_VALUE, ROW_GRAD, ROW_PARAM_GRAD = 66, 190, 344, 456
REUSED = ("X", "Z1", "H", "P")
SYMBOLS = {"X": "*X*", "W1": "*W*_1_", "b1": "*b*_1_", "Z1": "*Z*_1_", "H": "*H*", "W2": "*W*_2_",
           "b2": "*b*_2_", "Z2": "*Z*_2_", "P": "*P*", "y": "*y*", "L": "*L*"}
SHAPES = {"X": "MD", "W1": "DN", "b1": "1N", "Z1": "MN", "H": "MN", "W2": "NK", "b2": "1K", "Z2": "MK",
          "P": "MK", "y": "M1", "L": "11"}


def _shape(name: str) -> str:
    rows, cols = SHAPES[name]
    return f"{rows if rows == '1' else f'*{rows}*'}{TIMES}{cols if cols == '1' else f'*{cols}*'}"


def _node(name: str, x: float, y: float, kind: str, *, gradient: bool = False) -> list[str]:
    """A box centred at ``(x, y)``: the tensor (or the gradient by it) above, its shape below."""
    reused = kind == "forward" and name in REUSED
    text = f"{PARTIAL}*L*/{PARTIAL}{SYMBOLS[name]}" if gradient else SYMBOLS[name]
    node = f"d{name}" if gradient else name
    fill = (f'<rect x="{_n(x - BOX_W / 2)}" y="{_n(y - BOX_H / 2)}" width="{BOX_W}" height="{BOX_H}" '
            f'rx="6" fill="{BLUE}" fill-opacity="{OPACITY}"/>') if reused else None
    shape = _shape(name)
    return [f'<g data-node="{node}" data-shape="{shape.replace("*", "")}" data-pass="{kind}" '
            f'data-reused="{int(reused)}">',
            *([fill] if fill else []),
            f'<rect class="line" x="{_n(x - BOX_W / 2)}" y="{_n(y - BOX_H / 2)}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" stroke-width="{2.5 if reused else 1.2}"/>',
            label(x, y - 3, text, size=15),
            label(x, y + 16, f"({shape})", size=12),
            "</g>"]


def _arrow(x1: float, y1: float, x2: float, y2: float, kind: str, frm: str, to: str) -> list[str]:
    colour = {"value": BLUE, "gradient": ORANGE}[kind]
    return [f'<g data-kind="{kind}" data-from="{frm}" data-to="{to}" data-x1="{_n(x1)}" data-y1="{_n(y1)}" '
            f'data-x2="{_n(x2)}" data-y2="{_n(y2)}">', *arrow(x1, y1, x2, y2, colour), "</g>"]


def _reuse(x1: float, y1: float, x2: float, y2: float, frm: str, to: str) -> str:
    return (f'<line class="line" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke-width="1.5" stroke-dasharray="5 4" data-kind="reuse" data-from="{frm}" data-to="{to}"/>')


def mlp_graph(scheme: str = "light", lang: str = "zh") -> str:
    """Figure 1 of the MLP page: the computation graph, forward above and backward below.

    ``scheme`` is ``"light"`` or ``"dark"``; ``lang`` is ``"zh"`` or ``"en"``, the page's language.

    Returns
    -------
    str
        The SVG document, the same on every call.

    Examples
    --------
    >>> svg = mlp_graph()
    >>> svg.startswith("<svg") and 'data-node="dZ1"' in svg and svg == mlp_graph()
    True
    >>> mlp_graph("dark") != svg != mlp_graph(lang="en")
    True
    """
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {sorted(WORDS)}, got {lang!r}")
    words = WORDS[lang]
    half = BOX_W / 2
    # The backward row's title sits at the bottom right, where no dashed line to a reread value passes.
    body: list[str] = [label(12, 22, words["forward"], anchor="start", size=13),
                       label(888, ROW_PARAM_GRAD + 5, words["backward"], anchor="end", size=13)]

    # Forward: the chain of values, each arrow labelled with the layer that computes the next value.
    chain = list(COLUMNS)
    layers = {"Z1": words["affine"], "H": "ReLU", "Z2": words["affine"], "P": "softmax", "L": words["loss"]}
    for a, b in itertools.pairwise(chain):
        x1, x2 = COLUMNS[a] + half, COLUMNS[b] - (half if b != "L" else 30)
        body += _arrow(x1, ROW_VALUE, x2, ROW_VALUE, "value", a, b)
        body += [label((x1 + x2) / 2, ROW_VALUE - 8, layers[b], size=12)]
    for name in chain:
        body += _node(name, COLUMNS[name], ROW_VALUE, "forward") if name != "L" else _small_node(
            "L", COLUMNS["L"], ROW_VALUE, "forward")

    # Parameters and labels above the layers that take them.
    params = {"W1": (80, "Z1"), "b1": (184, "Z1"), "W2": (370, "Z2"), "b2": (474, "Z2"),
              "y": (COLUMNS["L"] - 10, "L")}
    for name, (x, into) in params.items():
        body += _node(name, x, ROW_PARAM, "parameter")
        tx = (COLUMNS[chain[chain.index(into) - 1]] + COLUMNS[into]) / 2
        body += _arrow(x, ROW_PARAM + BOX_H / 2, tx if name != "y" else COLUMNS["L"] - 16,
                       ROW_VALUE - 22, "value", name, into)

    # Backward: from L (dL/dL = 1) right to left, one layer per arrow; parameter gradients branch down.
    grads = ["Z2", "H", "Z1", "X"]
    body += _arrow(COLUMNS["L"], ROW_VALUE + 22, COLUMNS["Z2"] + half, ROW_GRAD - 8, "gradient", "L", "dZ2")
    for a, b in itertools.pairwise(grads):
        body += _arrow(COLUMNS[a] - half, ROW_GRAD, COLUMNS[b] + half, ROW_GRAD, "gradient",
                       f"d{a}", f"d{b}")
    for name in grads:
        body += _node(name, COLUMNS[name], ROW_GRAD, "backward", gradient=True)
    # The arrows to the parameter gradients end right of centre over dW, left of it over db: the middle
    # of a dW box's top is where the dashed line from H or X arrives.
    for name, at, dx in (("W2", "Z2", -58), ("b2", "Z2", 58), ("W1", "Z1", -58), ("b1", "Z1", 58)):
        x = COLUMNS[at] + dx
        body += _arrow(COLUMNS[at] + dx / 3, ROW_GRAD + BOX_H / 2, COLUMNS[at] + dx * 0.6,
                       ROW_PARAM_GRAD - BOX_H / 2 - 2, "gradient", f"d{at}", f"d{name}")
        body += _node(name, x, ROW_PARAM_GRAD, "backward", gradient=True)

    # What the backward pass reads again: P for dZ2 and Z1 (the mask) for dZ1, straight; H for dW2
    # and X for dW1, from the right of the box through the middle of the gap in the gradient row (across
    # the shaft of its arrow, clear of both heads) to the top of the dW box below.
    for frm, to, x2 in (("P", "dZ2", COLUMNS["Z2"] + 30), ("Z1", "dZ1", COLUMNS["Z1"])):
        body.append(_reuse(COLUMNS[frm], ROW_VALUE + BOX_H / 2, x2, ROW_GRAD - BOX_H / 2, frm, to))
    for frm, to, right in (("H", "dW2", "Z2"), ("X", "dW1", "Z1")):
        x1, y1 = COLUMNS[frm] + 40, ROW_VALUE + BOX_H / 2
        gap = (COLUMNS[frm] + COLUMNS[right]) / 2  # between the two gradient boxes, as wide on each side
        y2 = ROW_PARAM_GRAD - BOX_H / 2
        body.append(_reuse(x1, y1, x1 + (gap - x1) * (y2 - y1) / (ROW_GRAD - y1), y2, frm, to))
    legend_y = ROW_PARAM_GRAD + 52
    body += [f'<rect x="12" y="{_n(legend_y - 13)}" width="26" height="16" rx="4" fill="{BLUE}" '
             f'fill-opacity="{OPACITY}"/>',
             f'<rect class="line" x="12" y="{_n(legend_y - 13)}" width="26" height="16" rx="4" '
             'stroke-width="2.5"/>',
             label(46, legend_y, words["reused"], anchor="start", size=13)]
    return _svg("mlp-graph", 900, int(legend_y + 16), TITLES[lang], DESCRIPTIONS[lang], body, scheme)


def _small_node(name: str, x: float, y: float, kind: str) -> list[str]:
    """The loss: a narrower box, since ``L`` is one number."""
    shape = _shape(name)
    return [f'<g data-node="{name}" data-shape="{shape.replace("*", "")}" data-pass="{kind}" '
            'data-reused="0">',
            f'<rect class="line" x="{_n(x - 30)}" y="{_n(y - BOX_H / 2)}" width="60" height="{BOX_H}" '
            'rx="6" stroke-width="1.2"/>',
            label(x, y - 3, SYMBOLS[name], size=15), label(x, y + 16, f"({shape})", size=12), "</g>"]


# One file per page language and colour scheme: mlp-graph-zh.svg, mlp-graph-zh-dark.svg, ...
FILES: dict[str, Callable[[], str]] = {
    f"mlp-graph-{lang}{'' if scheme == 'light' else '-dark'}.svg": functools.partial(mlp_graph, scheme, lang)
    for lang in WORDS for scheme in INK
}
