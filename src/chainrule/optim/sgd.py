"""Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

from chainrule.autograd.tensor import Tensor
from chainrule.backend import namespace_of
from chainrule.optim.optimizer import Optimizer, ParamsT, gradients_of


class SGD(Optimizer):
    r"""Stochastic gradient descent: ``theta <- theta - lr * g`` (the notes' update rule), with
    PyTorch's momentum, dampening, Nesterov momentum, weight decay and ``maximize``.

    Exactly PyTorch's rule, for each parameter ``theta`` with gradient ``grad`` at step ``t``::

        g_t = -grad if maximize else grad
        if weight_decay != 0:  g_t = g_t + weight_decay * theta_{t-1}         # L2 penalty's gradient
        if momentum != 0:
            b_t = g_t                                  if t == 1
                  momentum * b_{t-1} + (1 - dampening) * g_t   otherwise
            g_t = g_t + momentum * b_t  if nesterov  else  b_t
        theta_t = theta_{t-1} - lr * g_t

    Whether the gradient comes from the whole data set, one sample or a mini-batch is what makes it
    full-batch, stochastic or mini-batch gradient descent: the rule is the same.

    Args:
        params: parameters (or parameter groups) to update.
        lr: learning rate (default 1e-3, as PyTorch).
        momentum: momentum factor ``mu`` (default 0: plain gradient descent).
        dampening: dampening ``tau`` of the momentum (default 0).
        weight_decay: L2 penalty factor ``lambda`` (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend instead of descend.

    State per parameter: ``momentum_buffer`` (a Tensor of the parameter's shape) when momentum != 0.

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = cr.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward()          # grad = 2w = [2, -4]
    >>> opt.step(); w                     # w - 0.1 * grad
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        if not group["lr"] >= 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']} (must be >= 0)")
        if not group["momentum"] >= 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']} (must be >= 0)")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']} (must be >= 0)")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']}, dampening={group['dampening']})")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, momentum = float(group["lr"]), float(group["momentum"])
        dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
        # d_p may be the gradient array itself: below, it is only read, never written.
        for param, theta, d_p in gradients_of(group):
            xp = namespace_of(theta)  # NumPy, or CuPy for a parameter on a GPU
            scratch = self._scratch_for(param)
            if weight_decay != 0:
                # g + lambda theta, built in the scratch array
                xp.multiply(theta, weight_decay, out=scratch)
                d_p = xp.add(scratch, d_p, out=scratch)
            if momentum != 0:
                state = self.state[param]
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = Tensor._wrap(d_p.copy())
                else:
                    buf = buffer.data
                    buf *= momentum
                    buf += d_p if dampening == 0 else d_p * (1 - dampening)
                d_p = d_p + momentum * buffer.data if group["nesterov"] else buffer.data
            # theta += (-lr) * d_p: the product in the scratch array (d_p may be it), then added in place.
            xp.multiply(d_p, -lr, out=scratch)
            theta += scratch
