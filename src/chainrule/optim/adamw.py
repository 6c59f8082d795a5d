"""AdamW: Adam with decoupled weight decay (the parameters shrink directly, not through the gradient)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chainrule.optim.adam import Adam
from chainrule.optim.optimizer import ParamsT


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter, 2019): Adam whose weight decay shrinks the parameters directly,
    so it is not rescaled by the adaptive denominator. PyTorch's exact rule, per parameter, step ``t``::

        g_t = -grad if maximize else grad
        theta_{t-1} = theta_{t-1} - lr * weight_decay * theta_{t-1}     # decoupled weight decay
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t = beta2 * v_{t-1} + (1 - beta2) * g_t**2
        if amsgrad:  v_t^max = max(v_{t-1}^max, v_t);  v = v_t^max   else  v = v_t
        theta_t = theta_{t-1} - lr / (1 - beta1**t) * m_t / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Same arguments and state as :class:`Adam`, with ``weight_decay=1e-2`` by default.

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = cr.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w                                  # shrunk by lr * weight_decay = 5%, then the Adam step
    tensor([ 0.8500, -1.8000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """As ``Optimizer.load_state_dict``; the weight decay stays decoupled whatever was saved (as in
        PyTorch)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
