"""``python -m derivations TOPIC [--INPUT MATRIX ...] [--format F]``: a page's worked example on your numbers.

Every registered topic is a subcommand; its options are the inputs of its ``worked_example``,
with the page's numbers as defaults. Matrices are written as nested lists whose entries are
integers, fractions (``1/2``) or decimals (``0.25``, read exactly as 1/4), or logarithms of a
positive one (``ln(3)``, ``ln(1/2)``, ``-ln(2)`` = ``ln(1/2)``), so every result is
exact. Bad input exits with status 2 and a one-line message naming the argument.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import unicodedata
from fractions import Fraction

import numpy as np

from derivations import tex
from derivations.example import Example, Expansion, MatrixProduct, NumberTuple, RowCol, Shown, Sum
from derivations.topics import TOPICS, topic
from derivations.values import Ln, Rounded

FORMATS = ("text", "markdown", "latex", "json")
NUMBER = r"[-+]?\d+(?:\.\d+)?(?:/\d+)?"
TOKEN = re.compile(r"\s*(?:(?P<open>\[)|(?P<close>\])|(?P<comma>,)|(?P<num>%s|[-+]?ln\(\s*%s\s*\))"
                   r"|(?P<word>[A-Za-z_]+)|(?P<other>\S))" % (NUMBER, NUMBER))


class InputError(Exception):
    """A command-line value that cannot be a matrix of exact numbers."""


def parse_matrix(text: str) -> list[list[Fraction | int | Ln]]:
    """Read ``[[1, -2/3], [0.5, 4]]`` or ``[[ln(3), ln(1/2)]]`` exactly.

    >>> parse_matrix("[[1, -2/3], [0.5, 4]]")
    [[1, Fraction(-2, 3)], [Fraction(1, 2), 4]]
    >>> parse_matrix("[[ln(3), ln(1/2), -ln(2)]]")
    [[Ln(3), Ln(1/2), Ln(1/2)]]
    >>> parse_matrix("[[ln(0)]]")
    Traceback (most recent call last):
    ...
    derivations.cli.InputError: ln(0) is not a number: the logarithm needs a positive argument
    >>> parse_matrix("[[1, 2], [3]]")
    Traceback (most recent call last):
    ...
    derivations.cli.InputError: rows have different lengths (2 and 1)
    """
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in TOKEN.finditer(text) if m.lastgroup]
    for kind, value in tokens:
        if kind == "word" and value in ("ln", "log"):
            raise InputError("write a logarithm as ln(3) or ln(1/2)")
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


def _number(text: str) -> Fraction | int | Ln:
    log = re.fullmatch(r"([-+]?)ln\(\s*(.*?)\s*\)", text)
    if log:
        arg = Fraction(_number(log[2]))
        if arg <= 0:
            raise InputError(f"{text} is not a number: the logarithm needs a positive argument")
        return Ln(1 / arg if log[1] == "-" else arg)
    if "/" in text and int(text.split("/")[1]) == 0:
        raise InputError(f"{text} divides by zero")
    v = Fraction(text)
    return v.numerator if v.denominator == 1 else v


def _word(v: object) -> str:
    """One number as the command line reads and prints it: ``-3``, ``3/4``, ``0.2689``, ``ln(1/2)``."""
    if isinstance(v, Ln):
        return f"ln({v.arg})"
    if isinstance(v, Rounded):
        return str(v.shown())
    return str(v)


def _plain(v: object) -> str:
    return _word(v) if not isinstance(v, np.ndarray) else "[" + ", ".join(
        "[" + ", ".join(map(_word, row)) + "]" for row in v.tolist()) + "]"


def _text_lhs(lhs: str) -> str:
    r"""A readable plain-text version of a page's TeX label.

    >>> _text_lhs(r"\frac{\partial L}{\partial \hat{Y}} = \frac{2}{3 \cdot 4}\, E")
    '∂L/∂Ŷ = 2/(3 · 4) E'
    >>> _text_lhs(r"\ell = -(Y \odot \ln P)\,\mathbf{1}_{3}") == "\N{SCRIPT SMALL L} = -(Y ⊙ ln P) 1_{3}"
    True
    """
    out = re.sub(r"\\hat\{(\w)\}", "\\1\u0302", lhs)
    out = re.sub(r"\\(?:text|mathbf|operatorname)\{([^{}]*)\}", r"\1", out)
    out = re.sub(r"\\partial\s*", "∂", out)
    out = re.sub(r"\\(ell|sigma|odot|cdot|varphi|Phi)(?![A-Za-z])", lambda m: SYMBOLS[m[1]], out)
    out = re.sub(r"\\sum_\{(\w)=1\}\^\{(\d+)\}", r"Σ_{\1=1..\2} ", out)
    out = out.replace(r"^{\mathsf T}", "ᵀ").replace(r"\,", " ")
    braced = r"((?:[^{}]|\{[^{}]*\})*)"
    while (new := re.sub(r"\\frac\{%s\}\{%s\}" % (braced, braced),
                         lambda m: f"{_grouped(m[1])}/{_grouped(m[2])}", out)) != out:
        out = new
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", out.replace("\\", "")).strip())


SYMBOLS = {"ell": "\N{SCRIPT SMALL L}", "sigma": "\N{GREEK SMALL LETTER SIGMA}", "odot": "⊙", "cdot": "·",
           "varphi": "φ", "Phi": "Φ"}


def _grouped(text: str) -> str:
    text = text.strip()
    return f"({text})" if re.search(r"[\s+\-·]", text) else text


def _text_value(v: object) -> str:
    if isinstance(v, Expansion):
        return " + ".join(f"{_factor(a)}·{_factor(b)}" for a, b in v.terms) + f" = {_word(v.total)}"
    if isinstance(v, Sum):
        return " + ".join(map(_factor, v.terms)) + f" = {_word(v.total)}"
    if isinstance(v, RowCol):
        return f"[{', '.join(map(_word, v.row))}] · [{', '.join(map(_word, v.col))}]ᵀ = {_word(v.total)}"
    if isinstance(v, NumberTuple):
        return f"({', '.join(map(_word, v.items))})"
    if isinstance(v, MatrixProduct):
        return " · ".join(map(_plain, v.factors)) + " =" + _text_value(v.value)
    if isinstance(v, np.ndarray):
        width = max(len(_word(x)) for x in v.flat)
        rows = ("  [ " + "  ".join(_word(x).rjust(width) for x in row) + " ]" for row in v.tolist())
        return "\n" + "\n".join(rows)
    return _word(v)


def _factor(v: object) -> str:
    return f"({_word(v)})" if _word(v).startswith("-") else _word(v)


def _json_value(v: object) -> object:
    if isinstance(v, Expansion):
        return {"terms": [[_word(a), _word(b)] for a, b in v.terms], "total": _word(v.total)}
    if isinstance(v, Sum):
        return {"terms": list(map(_word, v.terms)), "total": _word(v.total)}
    if isinstance(v, RowCol):
        return {"row": list(map(_word, v.row)), "column": list(map(_word, v.col)), "total": _word(v.total)}
    if isinstance(v, NumberTuple):
        return list(map(_word, v.items))
    if isinstance(v, MatrixProduct):
        return {"factors": list(map(_json_value, v.factors)), "value": _json_value(v.value)}
    if isinstance(v, np.ndarray):
        return [[_word(x) for x in row] for row in v.tolist()]
    return _word(v)


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
