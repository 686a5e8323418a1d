"""Worked examples and checks behind the Backprop, Verified pages.

The topics live in :mod:`derivations.topics`; everything else here is shared machinery.
"""

from __future__ import annotations

from derivations.topics import TOPICS, topic

__all__ = ["TOPICS", "topic"]
