"""RMSprop: divide each gradient by a running root-mean-square of its recent values."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.backend import namespace_of
from chainrule.optim.optimizer import Optimizer, ParamsT, gradients_of


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), with PyTorch's exact rule, including ``centered`` and momentum.

    For each parameter ``theta`` with gradient ``grad`` at step ``t`` (``v_0 = g^ave_0 = b_0 = 0``)::

        g_t = -grad if maximize else grad
        if weight_decay != 0:  g_t = g_t + weight_decay * theta_{t-1}
        v_t = alpha * v_{t-1} + (1 - alpha) * g_t**2                   # running mean square
        if centered:
            g^ave_t = alpha * g^ave_{t-1} + (1 - alpha) * g_t           # running mean
            avg = sqrt(v_t - (g^ave_t)**2) + eps                        # running standard deviation
        else:
            avg = sqrt(v_t) + eps
        if momentum > 0:
            b_t = momentum * b_{t-1} + g_t / avg
            theta_t = theta_{t-1} - lr * b_t
        else:
            theta_t = theta_{t-1} - lr * g_t / avg

    Args:
        params: parameters (or parameter groups) to update.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator so it is never zero (default 1e-8).
        weight_decay: L2 penalty factor (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by the estimated variance of the gradient instead of its mean square.
        maximize: ascend instead of descend.

    State per parameter: ``step`` (int), ``square_avg``, and ``momentum_buffer`` (momentum > 0) and
    ``grad_avg`` (centered), Tensors of the parameter's shape.

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = cr.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward(); opt.step()
    >>> w                                  # first step: lr * g / sqrt(0.01 g^2) = 0.1 * sign(g)
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        if not group["lr"] >= 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']} (must be >= 0)")
        if not group["eps"] >= 0.0:
            raise ValueError(f"Invalid epsilon value: {group['eps']} (must be >= 0)")
        if not group["momentum"] >= 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']} (must be >= 0)")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']} (must be >= 0)")
        if not group["alpha"] >= 0.0:
            raise ValueError(f"Invalid alpha value: {group['alpha']} (must be >= 0)")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        for param, theta, grad in gradients_of(group):  # grad is read only: it may be shared
            xp = namespace_of(theta)  # NumPy, or CuPy for a parameter on a GPU
            state = self.state[param]
            if len(state) == 0:
                state["step"] = 0
                state["square_avg"] = Tensor._wrap(xp.zeros_like(theta))
                if momentum > 0:
                    state["momentum_buffer"] = Tensor._wrap(xp.zeros_like(theta))
                if group["centered"]:
                    state["grad_avg"] = Tensor._wrap(xp.zeros_like(theta))
            state["step"] += 1
            if weight_decay != 0:
                grad = xp.multiply(theta, weight_decay) + grad
            square_avg = state["square_avg"].data
            avg = xp.multiply(grad, grad, out=self._scratch_for(param))
            avg *= 1 - alpha
            square_avg *= alpha
            square_avg += avg
            if group["centered"]:
                grad_avg = state["grad_avg"].data
                # g^ave <- g^ave + (1 - alpha)(g - g^ave), PyTorch's lerp
                xp.subtract(grad, grad_avg, out=avg)
                avg *= 1 - alpha
                grad_avg += avg
                xp.multiply(grad_avg, grad_avg, out=avg)
                xp.subtract(square_avg, avg, out=avg)
                xp.sqrt(avg, out=avg)
            else:
                xp.sqrt(square_avg, out=avg)
            avg += eps
            xp.divide(grad, avg, out=avg)  # avg now holds g_t / avg
            if momentum > 0:
                buffer = state["momentum_buffer"].data
                buffer *= momentum
                buffer += avg
                theta += buffer * -lr
            else:
                avg *= -lr
                theta += avg
