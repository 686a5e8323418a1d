"""The topic registry: every topic the site derives, in reading order.

A topic ``name`` is the module ``derivations.topics.<name>`` (``forward``, ``backward``,
``worked_example``), the verify check ``derivations.verify.checks.<name>``, the step-check file
``tests/steps/test_<name>.py``, the pages ``docs/<name>.md`` and ``docs/<name>.en.md``, and the
command ``python -m derivations <name>`` (with ``_`` written ``-``). The build hook, verify, the
command line, the notebook cache and the tests all read ``TOPICS``; nothing else names a topic.
"""

from __future__ import annotations

import importlib
from types import ModuleType

TOPICS: tuple[str, ...] = ("linear", "affine", "relu", "sigmoid", "tanh", "gelu", "mse", "softmax_ce", "bce",
                          "mlp")


def topic(name: str) -> ModuleType:
    """Return the module of a registered topic.

    >>> topic("linear").__name__
    'derivations.topics.linear'
    >>> topic("conv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no topic 'conv'; the topics are: linear, ...
    """
    if name not in TOPICS:
        raise ValueError(f"no topic {name!r}; the topics are: {', '.join(TOPICS)}")
    return importlib.import_module(f"derivations.topics.{name}")
