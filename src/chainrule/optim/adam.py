"""Adam: gradient descent with running averages of the gradient and of its square."""

from __future__ import annotations

import math
from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.backend import namespace_of
from chainrule.optim.optimizer import Optimizer, ParamsT, gradients_of


def check_adam_group(group: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming an invalid Adam/AdamW hyperparameter."""
    if not group["lr"] >= 0.0:
        raise ValueError(f"Invalid learning rate: {group['lr']} (must be >= 0)")
    if not group["eps"] >= 0.0:
        raise ValueError(f"Invalid epsilon value: {group['eps']} (must be >= 0)")
    betas = group["betas"]
    if len(betas) != 2:
        raise ValueError(f"Invalid betas: {betas} (must be two numbers (beta1, beta2), each in [0, 1))")
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta} (must be in [0, 1))")
    if not group["weight_decay"] >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {group['weight_decay']} (must be >= 0)")


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015), with PyTorch's exact update rule, including ``amsgrad`` and
    ``maximize``.

    For each parameter ``theta`` with gradient ``grad``, at step ``t = 1, 2, ...`` (``m_0 = v_0 =
    v_0^max = 0``)::

        g_t = -grad if maximize else grad
        if weight_decay != 0:
            if decoupled_weight_decay:  theta_{t-1} = theta_{t-1} * (1 - lr * weight_decay)   # AdamW
            else:                       g_t = g_t + weight_decay * theta_{t-1}               # L2
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t          # running mean of the gradient
        v_t = beta2 * v_{t-1} + (1 - beta2) * g_t**2       # running mean of its square
        if amsgrad:  v_t^max = max(v_{t-1}^max, v_t);  v = v_t^max   else  v = v_t
        theta_t = theta_{t-1} - lr / (1 - beta1**t) * m_t / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The divisions by ``1 - beta**t`` undo the bias of averages that start at zero.

    Args:
        params: parameters (or parameter groups) to update.
        lr: learning rate (default 1e-3).
        betas: ``(beta1, beta2)``, decay rates of the two running averages, each in [0, 1).
        eps: added to the denominator so it is never zero (default 1e-8).
        weight_decay: L2 penalty factor (default 0).
        amsgrad: use the running maximum of ``v_t`` (AMSGrad, Reddi et al. 2018).
        maximize: ascend instead of descend.
        decoupled_weight_decay: shrink the parameters directly instead of adding to the gradient
            (then this is AdamW).

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with amsgrad,
    ``max_exp_avg_sq``; the buffers are Tensors of the parameter's shape and dtype.

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = cr.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w                                  # the first Adam step moves each weight by about lr
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_adam_group(group)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        for param, theta, grad in gradients_of(group):  # grad is read only: it may be shared
            xp = namespace_of(theta)  # NumPy, or CuPy for a parameter on a GPU
            state = self.state[param]
            if len(state) == 0:
                state["step"] = 0
                state["exp_avg"] = Tensor._wrap(xp.zeros_like(theta))
                state["exp_avg_sq"] = Tensor._wrap(xp.zeros_like(theta))
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = Tensor._wrap(xp.zeros_like(theta))
            state["step"] += 1
            step = state["step"]
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    theta *= 1 - lr * weight_decay
                else:
                    grad = xp.multiply(theta, weight_decay) + grad
            exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
            # m <- m + (1 - beta1) (g - m), PyTorch's lerp, equal to beta1 m + (1 - beta1) g.
            scratch = xp.subtract(grad, exp_avg, out=self._scratch_for(param))
            scratch *= 1 - beta1
            exp_avg += scratch
            # v <- beta2 v + (1 - beta2) g^2
            xp.multiply(grad, grad, out=scratch)
            scratch *= 1 - beta2
            exp_avg_sq *= beta2
            exp_avg_sq += scratch

            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
            second_moment = exp_avg_sq
            if group["amsgrad"]:
                second_moment = state["max_exp_avg_sq"].data
                xp.maximum(second_moment, exp_avg_sq, out=second_moment)
            # denom = sqrt(v) / sqrt(1 - beta2^t) + eps, built in the scratch array
            xp.sqrt(second_moment, out=scratch)
            scratch /= bias_correction2_sqrt
            scratch += eps
            xp.divide(exp_avg, scratch, out=scratch)
            scratch *= -(lr / bias_correction1)
            theta += scratch
