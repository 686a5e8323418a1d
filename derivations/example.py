"""What a worked example hands to a page: named quantities, each shown as ``lhs = value``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derivations.values import Number


@dataclass(frozen=True)
class Expansion:
    """A sum of products written term by term: ``a_1 b_1 + a_2 b_2 + ... = total``."""

    terms: tuple[tuple[Number, Number], ...]
    total: Number


@dataclass(frozen=True)
class Sum:
    """A sum written term by term: ``t_1 + t_2 + ... = total``."""

    terms: tuple[Number, ...]
    total: Number


@dataclass(frozen=True)
class RowCol:
    """A row vector times a column vector: ``[row] [col] = total``."""

    row: tuple[Number, ...]
    col: tuple[Number, ...]
    total: Number


@dataclass(frozen=True)
class NumberTuple:
    """Several numbers in parentheses, such as the sizes ``(64, 4096, 4096)``."""

    items: tuple[Number, ...]


@dataclass(frozen=True)
class MatrixProduct:
    """Matrices written side by side and their product: ``[col] [row] = matrix`` for an outer product."""

    factors: tuple[np.ndarray, ...]
    value: np.ndarray


@dataclass(frozen=True)
class Shown:
    """One displayed quantity.

    ``lhs`` is the TeX left of the final ``=``; ``entry`` is the 1-based index of the
    gradient entry an expansion refers to, or ``None``.
    """

    lhs: str
    value: np.ndarray | Number | Expansion | Sum | RowCol | NumberTuple | MatrixProduct
    entry: tuple[int, int] | None = None


@dataclass(frozen=True)
class Example:
    """A topic's worked example: its name and the quantities its page shows, in page order."""

    topic: str
    quantities: dict[str, Shown]
