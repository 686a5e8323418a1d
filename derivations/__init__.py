"""Worked examples and checks behind the Backprop, Verified pages."""

from __future__ import annotations

from derivations import linear

__all__ = ["linear"]
