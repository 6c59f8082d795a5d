"""Loss functions as modules: ``loss_fn = nn.MSELoss(); loss = loss_fn(output, target)``.

Each measures how far the network's output is from the target; training minimises its mean over a
batch (``reduction='mean'``), and ``loss.backward()`` starts backpropagation from it. ``'sum'`` adds
the per-sample losses instead, ``'none'`` returns them all. Arguments after the first are
keyword-only where PyTorch has its deprecated ``size_average``/``reduce`` in between.

A module stores its arguments and calls its function in ``nn.functional``, the one place that checks
them (so a wrong ``reduction`` or ``delta`` is reported on the first call, as in PyTorch).
"""

from __future__ import annotations

from typing import Any, ClassVar

from chainrule.autograd.tensor import Tensor, to_array
from chainrule.nn import functional_losses as FL
from chainrule.nn.module import Module


def _buffer(value: Any) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor._wrap(to_array(value))


class _Loss(Module):
    #: Whether the target holds class indices (integers, one per sample) rather than values shaped like
    #: the output: what ``cr.fit``, ``explain`` and the metrics ask to prepare the targets.
    takes_class_indices: ClassVar[bool] = False

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction


class _WeightedLoss(_Loss):
    weight: Tensor | None

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        # A buffer, as in PyTorch: it is saved in state_dict and converted by .double().
        self.register_buffer("weight", _buffer(weight))


class L1Loss(_Loss):
    """Mean absolute error, l = |x - y| (the notes' L1 loss; derivative sign(x - y)).
    Shapes: input and target the same; output a scalar, or the input's shape for ``'none'``."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return FL.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error, l = (x - y)^2 (the notes' L2 loss; derivative 2 (x - y)).
    Shapes: input and target the same; output a scalar, or the input's shape for ``'none'``.

    >>> import chainrule as cr
    >>> cr.nn.MSELoss()(cr.tensor([1.0, 2.0]), cr.tensor([0.0, 0.0]))
    tensor(2.5000)
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: (x - y)^2 / 2 where |x - y| < delta, else delta (|x - y| - delta / 2); quadratic
    near the target, linear (robust to outliers) far from it."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities p in [0, 1] (a sigmoid's output) against targets y:
    l = -w [y ln p + (1 - y) ln(1 - p)], logs clamped at -100 as in PyTorch. ``BCEWithLogitsLoss`` on
    the logits is the more exact choice."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid and binary cross-entropy in one op on logits z: l = -w [pw y ln s(z) + (1 - y) ln(1 - s(z))],
    computed in log-sigmoid form so it stays finite at z = +-1e4; gradient w (s(z) - y) for pw = 1.
    ``pos_weight`` (one value per class, the last dim) weighs the positive examples."""

    pos_weight: Tensor | None

    def __init__(self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                   pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax and cross-entropy in one op, on logits (N, C) (or (N, C, d1, ...), or (C,)):
    l = -ln softmax(z)_t for integer classes t (N,), or -sum_c y_c ln softmax(z)_c for class
    probabilities y (N, C). Gradient ``softmax(z) - onehot(t)``: the notes' dL/dz = p - y.

    Args:
        weight: one weight per class (C,); ``'mean'`` then divides by the summed weights of the targets.
        ignore_index: targets equal to it add nothing (and do not count in the mean).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        label_smoothing: eps in [0, 1]: the target becomes (1 - eps) onehot + eps / C.

    >>> import chainrule as cr
    >>> logits = cr.tensor([[2.0, 0.0, 0.0]])
    >>> round(cr.nn.CrossEntropyLoss()(logits, cr.tensor([0])).item(), 4)
    0.2395
    """

    takes_class_indices: ClassVar[bool] = True

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                                reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C) (a ``LogSoftmax`` output) at integer classes
    (N,): l = -w_t input[t]. ``NLLLoss()(LogSoftmax(dim=1)(z), t)`` equals ``CrossEntropyLoss()(z, t)``."""

    takes_class_indices: ClassVar[bool] = True

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return FL.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                           reduction=self.reduction)
