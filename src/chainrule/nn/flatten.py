"""``Flatten``: turn each sample into one vector (e.g. an 8x8 image into 64 inputs for a ``Linear``)."""

from __future__ import annotations

from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module


class Flatten(Module):
    """Merge dims ``start_dim`` .. ``end_dim`` into one; the default keeps the batch dim:
    (N, d1, d2, ...) -> (N, d1 * d2 * ...).

    >>> import chainrule as cr
    >>> cr.nn.Flatten()(cr.zeros(32, 8, 8)).shape
    (32, 64)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
