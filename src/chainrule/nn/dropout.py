"""``Dropout``: randomly silence neurons while training, so that none can rely on another being there."""

from __future__ import annotations

from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F
from chainrule.nn.module import Module


class Dropout(Module):
    """While training, zero each element with probability ``p`` and scale the others by 1 / (1 - p)
    (inverted dropout: the expected activation stays the same, so evaluation needs no change). In
    evaluation mode (``model.eval()``) it passes its input through unchanged. The mask comes from
    chainrule's seeded generator, so ``cr.manual_seed`` makes it reproducible.

    Shapes: any -> the same.

    >>> import chainrule as cr
    >>> drop = cr.nn.Dropout(p=0.5).eval()
    >>> drop(cr.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
