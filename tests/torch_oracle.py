"""PyTorch autograd in float64, an oracle that shares no code with ``derivations``.

``check_against_torch(topic, torch_forward, shapes)`` draws float64 inputs, compares
``topic.forward`` with ``torch_forward`` and every gradient of ``topic.backward`` with autograd's
gradient of ``sum(G * torch_forward(...))``, entry by entry to ``RTOL`` relative to the gradient's
largest entry. Without torch the calling test skips and says how to install it; with
``REQUIRE_TORCH`` set (CI) it fails instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from types import ModuleType

import numpy as np
import pytest

RTOL = 1e-12
INSTALL = "PyTorch is not installed; `make torch` installs torch==2.13.0 (CPU) for the oracle tests"


def require_torch() -> ModuleType:
    try:
        import torch
    except ImportError:
        if os.environ.get("REQUIRE_TORCH"):
            pytest.fail(f"{INSTALL} (REQUIRE_TORCH is set, so this is a failure)")
        pytest.skip(INSTALL)
    return torch


Shapes = Sequence[tuple[int, int]]


def check_against_torch(topic: ModuleType, torch_forward: Callable, shapes: Sequence[Shapes],
                        domain: tuple[float, float] = (-2.0, 2.0), *, wrt: Sequence[int] | None = None,
                        inputs: Callable[[np.random.Generator, Shapes], list] | None = None,
                        seed: int = 0) -> int:
    """Compare forward and every gradient with autograd for each shape tuple; return the entries compared."""
    torch = require_torch()
    rng = np.random.default_rng(seed)
    compared = 0
    for shape in shapes:
        args = inputs(rng, shape) if inputs else [rng.uniform(*domain, size=s) for s in shape]
        chosen = range(len(args)) if wrt is None else wrt
        Y = topic.forward(*args)
        G = rng.standard_normal(np.shape(Y))
        tensors = [torch.tensor(A, dtype=torch.float64, requires_grad=k in chosen)
                   for k, A in enumerate(args)]
        tY = torch_forward(*tensors)
        _close(Y, tY.detach().numpy(), f"{topic.__name__} forward at shapes {shape}")
        (tY * torch.tensor(G)).sum().backward()
        grads = topic.backward(*args, G)
        assert len(grads) == len(args), f"{topic.__name__}.backward returned {len(grads)} gradients"
        for k in chosen:
            _close(grads[k], tensors[k].grad.numpy(), f"{topic.__name__} gradient {k} at shapes {shape}")
            compared += np.size(grads[k])
    return compared


def _close(ours: object, theirs: np.ndarray, what: str) -> None:
    ours = np.asarray(ours, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    scale = max(float(np.abs(theirs).max()), np.finfo(np.float64).tiny)
    worst = float(np.abs(ours - theirs).max()) / scale
    assert worst <= RTOL, f"{what}: relative difference {worst:.3g} > {RTOL:g}"
