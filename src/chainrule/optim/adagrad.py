"""Adagrad: each weight's step shrinks with the sum of its squared gradients so far."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.backend import namespace_of
from chainrule.optim.optimizer import Optimizer, ParamsT, gradients_of


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), with PyTorch's exact rule.

    For each parameter ``theta`` with gradient ``grad`` at step ``t`` (``state_sum_0 =
    initial_accumulator_value``)::

        g_t = -grad if maximize else grad
        if weight_decay != 0:  g_t = g_t + weight_decay * theta_{t-1}
        lr_t = lr / (1 + (t - 1) * lr_decay)
        state_sum_t = state_sum_{t-1} + g_t**2
        theta_t = theta_{t-1} - lr_t * g_t / (sqrt(state_sum_t) + eps)

    Args:
        params: parameters (or parameter groups) to update.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty factor (default 0).
        initial_accumulator_value: starting value of every ``state_sum`` (default 0).
        eps: added to the denominator so it is never zero (default 1e-10).
        maximize: ascend instead of descend.

    State per parameter (created with the optimiser, as in PyTorch): ``step`` (int) and ``sum``, a
    Tensor of the parameter's shape. NOTE: a parameter group's own ``initial_accumulator_value`` is
    used for its parameters (PyTorch 2.x uses the constructor's value for every group).

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = cr.optim.Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w                                  # first step: lr * g / sqrt(g^2) = 0.5 * sign(g)
    tensor([ 0.5000, -1.5000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "maximize": maximize}
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        for name, label in (("lr", "learning rate"), ("lr_decay", "lr_decay value"),
                            ("weight_decay", "weight_decay value"),
                            ("initial_accumulator_value", "initial_accumulator_value value"),
                            ("eps", "epsilon value")):
            if not group[name] >= 0.0:
                raise ValueError(f"Invalid {label}: {group[name]} (must be >= 0)")

    def _init_group_state(self, group: dict[str, Any]) -> None:
        # PyTorch creates Adagrad's accumulators with the optimiser, not at the first step.
        for param in group["params"]:
            self._init_state(param, group)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        state["step"] = 0
        state["sum"] = Tensor._wrap(namespace_of(param.data).full_like(param.data, group["initial_accumulator_value"]))

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        for param, theta, grad in gradients_of(group):  # grad is read only: it may be shared
            xp = namespace_of(theta)  # NumPy, or CuPy for a parameter on a GPU
            state = self.state[param]
            if len(state) == 0:  # a state dict loaded without this parameter's entry
                self._init_state(param, group)
            state["step"] += 1
            if weight_decay != 0:
                grad = xp.multiply(theta, weight_decay) + grad
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            state_sum = state["sum"].data
            if type(state_sum) is not type(theta):  # made on the CPU before model.to("cuda"): follow the parameter
                state["sum"] = state["sum"].to(param.device)
                state_sum = state["sum"].data
            std = xp.multiply(grad, grad, out=self._scratch_for(param))
            state_sum += std
            xp.sqrt(state_sum, out=std)
            std += eps
            xp.divide(grad, std, out=std)
            std *= -clr
            theta += std
