"""Input checks shared by every topic: nothing is broadcast or coerced."""

from __future__ import annotations

import numpy as np


def matrix(name: str, A: object) -> np.ndarray:
    """Return ``A`` as a finite real 2-D array, or raise an error naming ``name``."""
    try:
        arr = np.asarray(A)
    except ValueError as err:
        raise ValueError(f"{name} is not a rectangular array: {err}") from None
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype} ({_preview(arr)})")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {arr.ndim}-D with shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        where = ", ".join(f"{name}[{r}, {c}] = {arr[r, c]}" for r, c in bad[:3])
        raise ValueError(f"{name} must be finite, got {where}")
    return arr


def _preview(arr: np.ndarray) -> str:
    flat = arr.ravel()
    shown = ", ".join(repr(v) for v in flat[:3].tolist())
    return f"values {shown}{', ...' if flat.size > 3 else ''}"
