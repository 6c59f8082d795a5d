"""Moving a tensor between devices as an op of the graph, so gradients flow back to where it came from
(PyTorch's ``ToCopyBackward``): ``t.to("cuda")`` on a leaf that requires grad gives the leaf a
gradient on the CPU."""

from __future__ import annotations

from typing import Any

from chainrule import backend
from chainrule.autograd.function import Function


class ToDevice(Function):
    """out = x on ``device``;  dL/dx = g moved back to x's device."""

    def forward(self, x: Any, device: backend.device) -> Any:
        self.save_for_backward(backend.device_of(x))
        return backend.to_device(x, device)

    def backward(self, grad: Any) -> Any:
        return backend.to_device(grad, self.saved[0])
