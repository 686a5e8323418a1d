"""``python -m derivations TOPIC [--INPUT MATRIX ...] [--format F]``: a page's worked example on your numbers.

Every registered topic is a subcommand; its options are the inputs of its ``worked_example``,
with the page's numbers as defaults. Matrices are written as nested lists whose entries are
integers, fractions (``1/2``) or decimals (``0.25``, read exactly as 1/4), so every result is
exact. Bad input exits with status 2 and a one-line message naming the argument.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
from fractions import Fraction

import numpy as np

from derivations import tex
from derivations.example import Example, Expansion, MatrixProduct, NumberTuple, RowCol, Shown
from derivations.topics import TOPICS, topic

FORMATS = ("text", "markdown", "latex", "json")
TOKEN = re.compile(r"\s*(?:(?P<open>\[)|(?P<close>\])|(?P<comma>,)|(?P<num>[-+]?\d+(?:\.\d+)?(?:/\d+)?)"
                   r"|(?P<word>[A-Za-z_]+)|(?P<other>\S))")


class InputError(Exception):
    """A command-line value that cannot be a matrix of exact numbers."""


def parse_matrix(text: str) -> list[list[Fraction | int]]:
    """Read ``[[1, -2/3], [0.5, 4]]`` exactly.

    >>> parse_matrix("[[1, -2/3], [0.5, 4]]")
    [[1, Fraction(-2, 3)], [Fraction(1, 2), 4]]
    >>> parse_matrix("[[1, 2], [3]]")
    Traceback (most recent call last):
    ...
    derivations.cli.InputError: rows have different lengths (2 and 1)
    """
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in TOKEN.finditer(text) if m.lastgroup]
    for kind, value in tokens:
        if kind == "word":
            what = "NaN or inf" if value.lower() in ("nan", "inf", "infinity") else f"the word {value!r}"
            raise InputError(f"{what} is not an exact number")
        if kind == "other":
            raise InputError(f"unexpected {value!r}; write a matrix as [[1, 2], [3, 4]]")
    pos = 0

    def take(kind: str) -> str:
        nonlocal pos
        if pos >= len(tokens) or tokens[pos][0] != kind:
            found = tokens[pos][1] if pos < len(tokens) else "the end"
            wanted = {"num": "a number", "open": "'['", "close": "']'", "comma": "','"}[kind]
            raise InputError(f"expected {wanted}, found {found!r}; write a matrix as [[1, 2], [3, 4]]")
        pos += 1
        return tokens[pos - 1][1]

    def row() -> list[Fraction | int]:
        take("open")
        if pos < len(tokens) and tokens[pos][0] == "close":
            raise InputError("a row is empty")
        cells = [_number(take("num"))]
        while pos < len(tokens) and tokens[pos][0] == "comma":
            take("comma")
            cells.append(_number(take("num")))
        take("close")
        return cells

    take("open")
    if pos < len(tokens) and tokens[pos][0] == "close":
        raise InputError("the matrix is empty")
    rows = [row()]
    while pos < len(tokens) and tokens[pos][0] == "comma":
        take("comma")
        rows.append(row())
    take("close")
    if pos != len(tokens):
        raise InputError(f"unexpected {tokens[pos][1]!r} after the matrix")
    lengths = sorted({len(r) for r in rows}, key=[len(r) for r in rows].index)
    if len(lengths) > 1:
        raise InputError(f"rows have different lengths ({lengths[0]} and {lengths[1]})")
    return rows


def _number(text: str) -> Fraction | int:
    if "/" in text and int(text.split("/")[1]) == 0:
        raise InputError(f"{text} divides by zero")
    v = Fraction(text)
    return v.numerator if v.denominator == 1 else v


def _plain(v: object) -> str:
    return str(v) if not isinstance(v, np.ndarray) else "[" + ", ".join(
        "[" + ", ".join(map(str, row)) + "]" for row in v.tolist()) + "]"


def _text_lhs(lhs: str) -> str:
    """A readable plain-text version of a page's TeX label."""
    out = re.sub(r"\\(?:text|mathbf)\{([^{}]*)\}", r"\1", lhs)
    out = re.sub(r"\\frac\{\\partial (\w)\}\{\\partial ([^{}]*(?:\{[^{}]*\})?)\}", r"∂\1/∂\2", out)
    out = re.sub(r"\\sum_\{(\w)=1\}\^\{(\d+)\}", r"Σ_{\1=1..\2} ", out)
    out = out.replace(r"^{\mathsf T}", "ᵀ").replace(r"\,", " ").replace("\\", "")
    return re.sub(r"\s+", " ", out).strip()


def _text_value(v: object) -> str:
    if isinstance(v, Expansion):
        return " + ".join(f"{_factor(a)}·{_factor(b)}" for a, b in v.terms) + f" = {v.total}"
    if isinstance(v, RowCol):
        return f"[{', '.join(map(str, v.row))}] · [{', '.join(map(str, v.col))}]ᵀ = {v.total}"
    if isinstance(v, NumberTuple):
        return f"({', '.join(map(str, v.items))})"
    if isinstance(v, MatrixProduct):
        return " · ".join(map(_plain, v.factors)) + " =" + _text_value(v.value)
    if isinstance(v, np.ndarray):
        width = max(len(str(x)) for x in v.flat)
        rows = ("  [ " + "  ".join(str(x).rjust(width) for x in row) + " ]" for row in v.tolist())
        return "\n" + "\n".join(rows)
    return str(v)


def _factor(v: object) -> str:
    return f"({v})" if str(v).startswith("-") else str(v)


def _json_value(v: object) -> object:
    if isinstance(v, Expansion):
        return {"terms": [[str(a), str(b)] for a, b in v.terms], "total": str(v.total)}
    if isinstance(v, RowCol):
        return {"row": list(map(str, v.row)), "column": list(map(str, v.col)), "total": str(v.total)}
    if isinstance(v, NumberTuple):
        return list(map(str, v.items))
    if isinstance(v, MatrixProduct):
        return {"factors": list(map(_json_value, v.factors)), "value": _json_value(v.value)}
    if isinstance(v, np.ndarray):
        return [[str(x) for x in row] for row in v.tolist()]
    return str(v)


def render(example: Example, fmt: str) -> str:
    """The worked example in one of ``FORMATS``."""
    qs: dict[str, Shown] = example.quantities
    if fmt == "json":
        return json.dumps({"topic": example.topic, "quantities": {
            name: {"lhs": q.lhs, "value": _json_value(q.value), "tex": tex.shown(q),
                   **({"entry": list(q.entry)} if q.entry else {})} for name, q in qs.items()}},
            ensure_ascii=False, indent=2)
    if fmt == "latex":
        return "\n".join(rf"\[ {tex.shown(q)} \]" for q in qs.values())
    if fmt == "markdown":
        return "\n\n".join(f"**{name}**\n\n$$\n{tex.shown(q)}\n$$" for name, q in qs.items())
    lines = ((_text_lhs(q.lhs), _text_value(q.value)) for q in qs.values())
    return "\n".join(f"{lhs} ={'' if value.startswith(chr(10)) else ' '}{value}" for lhs, value in lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    main_parser = _Parser(prog="python -m derivations",
                          description="A page's worked example, step by step, on your own numbers.")
    sub = main_parser.add_subparsers(dest="topic", required=True, metavar="TOPIC", parser_class=_Parser,
                                     help="one of: " + ", ".join(map(_command, TOPICS)))
    for name in TOPICS:
        module = topic(name)
        p = sub.add_parser(_command(name), help=(module.__doc__ or "").split("\n")[0],
                           description=(module.worked_example.__doc__ or "").split("\n")[0])
        for param in inspect.signature(module.worked_example).parameters.values():
            default = _plain(np.array(param.default, dtype=object))
            p.add_argument(f"--{param.name}", metavar="MATRIX", help=f"default: {default}")
        p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    return main_parser


def _command(name: str) -> str:
    return name.replace("_", "-")


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    name = args.topic.replace("-", "_")
    module = topic(name)
    inputs = {}
    for param in inspect.signature(module.worked_example).parameters:
        raw = getattr(args, param)
        if raw is None:
            continue
        try:
            inputs[param] = parse_matrix(raw)
        except InputError as err:
            p.exit(2, f"python -m derivations {args.topic}: error: argument --{param}: {err}\n")
    try:
        example = module.worked_example(**inputs)
    except (ValueError, TypeError) as err:
        p.exit(2, f"python -m derivations {args.topic}: error: {err}\n")
    print(render(example, args.format))
    return 0
