"""``explain.step``: one forward pass, backward pass and gradient-descent update, number by number.

Nothing here computes a gradient by hand: the numbers come from the autograd engine. Forward hooks
catch each layer's input and output as the model runs; ``retain_grad()`` on those intermediate tensors
lets the one ``loss.backward()`` leave each layer's error signal ``delta = dL/dz`` behind; the update is
``cr.optim.SGD``. The record then shows what the notes derive by hand: ``dL/dW = delta x^T`` (the outer
product of the error signal and the layer's input) and ``dL/db = delta``, and checks that this outer
product is exactly the gradient the engine produced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.explain import render
from chainrule.nn import registry
from chainrule.nn.dropout import Dropout
from chainrule.nn.linear import Linear
from chainrule.nn.module import Module

__all__ = ["LayerRecord", "StepRecord", "step"]

@dataclass
class LayerRecord:
    """One layer ``a = f(z)``, ``z = x W^T + b`` of one step; arrays keep the batch as rows.

    Attributes:
        index: 1 for the first layer, as the notes' superscript ``(1)``.
        name: the Linear module's name in the model (the ``state_dict`` prefix, e.g. ``"0"``).
        activation_name: the modules applied after the Linear (``"Sigmoid"``), or ``"Identity"``.
        input: ``(batch, in_features)`` the layer's input ``x`` (or the previous layer's activation).
        z: ``(batch, out_features)`` the pre-activation (logit) ``z = x W^T + b``.
        activation: ``(batch, out_features)`` the output ``a = f(z)``.
        grad_activation: ``dL/da``, the error signal arriving from above.
        delta: ``dL/dz``, the error signal of this layer (``dL/da * f'(z)``).
        grad_weight, grad_bias: the engine's ``dL/dW`` and ``dL/db``.
        delta_outer_input: ``delta^T x`` (one sample: the outer product ``delta x^T``), computed here to
            show that it *is* ``dL/dW``.
        weight, bias, weight_after, bias_after: the parameters before and after the update.
        z_after, activation_after: the forward pass again, with the new parameters.
    """

    index: int
    name: str
    activation_name: str
    input: np.ndarray
    z: np.ndarray
    activation: np.ndarray
    grad_activation: np.ndarray
    delta: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray | None
    delta_outer_input: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    weight_after: np.ndarray = field(default_factory=lambda: np.empty(0))
    bias_after: np.ndarray | None = None
    z_after: np.ndarray = field(default_factory=lambda: np.empty(0))
    activation_after: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def key(self) -> str:
        """The ``state_dict`` prefix of this layer's parameters ("" for a bare Linear)."""
        return f"{self.name}." if self.name else ""


@dataclass
class StepRecord:
    """Everything one gradient-descent step computed (returned by :func:`step`).

    ``params_before``, ``grads`` and ``params_after`` are dicts keyed like ``model.state_dict()``
    (``"0.weight"``) holding NumPy arrays; ``layers`` holds one :class:`LayerRecord` per Linear layer.
    ``str(record)`` is a readable account (``decimals`` places); ``to_markdown()``, ``_repr_html_()``
    and ``to_latex()`` show the same numbers for notebooks and slides.
    """

    x: np.ndarray
    y: np.ndarray
    lr: float
    loss_name: str
    loss_before: float
    loss_after: float
    output: np.ndarray
    output_after: np.ndarray
    params_before: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    params_after: dict[str, np.ndarray]
    layers: list[LayerRecord]
    decimals: int = 5

    def to_string(self, decimals: int | None = None) -> str:
        """The plain-text account, with ``decimals`` places (default: the record's ``decimals``)."""
        return render.to_text(self, self.decimals if decimals is None else decimals)

    def __str__(self) -> str:
        return self.to_string()

    def to_markdown(self, decimals: int | None = None) -> str:
        """Markdown tables of the forward pass, backward pass and update."""
        return render.to_markdown(self, self.decimals if decimals is None else decimals)

    def _repr_html_(self) -> str:
        return render.to_html(self, self.decimals)

    def to_latex(self, decimals: int | None = None) -> str:
        """The equations of the step with the numbers plugged in (an ``align*`` environment)."""
        return render.to_latex(self, self.decimals if decimals is None else decimals)


def _as_array(value: Any) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _loss_name(loss_fn: Callable[..., Any]) -> str:
    if isinstance(loss_fn, Module):
        return type(loss_fn).__name__
    name = getattr(loss_fn, "__name__", "loss")
    return "loss" if name == "<lambda>" else name


def _run_recorded(model: Module, x: Tensor) -> tuple[Any, list[tuple[Module, Tensor, Tensor]]]:
    """Run ``model(x)`` and return its output and every leaf module call (module, input, output) in order."""
    calls: list[tuple[Module, Tensor, Tensor]] = []
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    handles = [m.register_forward_hook(lambda mod, args, out: calls.append((mod, args[0], out)))
               for m in leaves]
    try:
        output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return output, calls


def _group_layers(model: Module, calls: list[tuple[Module, Tensor, Tensor]]) -> list[dict[str, Any]]:
    """Each Linear starts a layer; the parameter-free modules after it are its activation."""
    names = {id(m): name for name, m in model.named_modules()}
    groups: list[dict[str, Any]] = []
    for module, inp, out in calls:
        if isinstance(module, Linear):
            groups.append({"module": module, "name": names[id(module)], "input": inp, "z": out, "a": out,
                           "acts": []})
        elif any(True for _ in module.parameters()):
            raise TypeError(
                f"explain.step: {type(module).__name__} has parameters but is not a Linear layer; "
                f"explain.step records networks of Linear layers and parameter-free activations "
                f"(Sigmoid, ReLU, ...)"
            )
        elif groups:
            groups[-1]["a"] = out
            groups[-1]["acts"].append(type(module).__name__)
    if not groups:
        raise TypeError(f"explain.step: the model ({type(model).__name__}) ran no Linear layer; build it "
                        f"from nn.Linear and activations, e.g. nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())")
    return groups


def _prepare(model: Module, x: Any, y: Any, loss_fn: Callable[..., Any]) -> tuple[Tensor, Tensor]:
    params = list(model.parameters())
    dtype = params[0].data.dtype if params else np.dtype(np.float32)
    inputs = np.array(_as_array(x), dtype=dtype)
    if inputs.ndim == 1:
        inputs = inputs[None, :]                # one sample, as the notes' worked examples: a batch of 1
    targets = np.array(_as_array(y))
    if registry.takes_class_indices(loss_fn):
        return Tensor._wrap(inputs), Tensor._wrap(targets.reshape(-1).astype(np.int64))
    return Tensor._wrap(inputs), Tensor._wrap(targets.astype(dtype))


def _check_step_arguments(model: Module, loss_fn: Any) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"explain.step: model must be a chainrule nn.Module such as nn.Sequential(nn.Linear(2, "
                        f"1), nn.Sigmoid()), got {type(model).__name__}")
    if isinstance(loss_fn, type):
        raise TypeError(f"explain.step: loss_fn={loss_fn.__name__} is a class; pass an instance: "
                        f"{loss_fn.__name__}()")
    if not callable(loss_fn):
        raise TypeError(f"explain.step: loss_fn must be a loss module such as nn.BCELoss() or nn.MSELoss(), or "
                        f"a function loss_fn(output, y), got {type(loss_fn).__name__} {loss_fn!r}")
    for name, module in model.named_modules():
        if isinstance(module, Dropout) and module.training and module.p > 0:
            # A random mask would make every recorded number (and the "after" pass, which draws another
            # mask) depend on chance: the step could not be checked by hand or repeated.
            raise ValueError(
                f"explain.step: the model has an active Dropout layer ({name or 'the model'}: "
                f"Dropout(p={module.p})), which zeroes a random part of the activations on every forward "
                f"pass, so the recorded numbers would change from run to run. Call model.eval() first "
                f"(dropout off: the step is recorded as at test time), or remove the Dropout layer"
            )


def step(model: Module, loss_fn: Callable[..., Any], x: Any, y: Any, lr: float, *,
         decimals: int = 5) -> StepRecord:
    """One step of gradient descent on ``(x, y)``, recorded number by number. Updates ``model`` in place.

    forward:  ``z = x W^T + b``, ``a = f(z)`` for each layer, ``L = loss_fn(a_last, y)``
    backward: ``delta = dL/dz`` per layer (from ``loss.backward()``), ``dL/dW = delta^T x``, ``dL/db = delta``
    update:   ``theta := theta - lr * dL/dtheta`` (``cr.optim.SGD``), then the forward pass again.

    Args:
        model: a network of ``nn.Linear`` layers and parameter-free activations (typically
            ``nn.Sequential``); its parameters are updated.
        loss_fn: a loss module (``nn.BCELoss()``, ``nn.MSELoss()`` ...) or function ``loss_fn(output, y)``.
        x: ``(batch, in_features)`` inputs, or ``(in_features,)`` for one sample (array, list or Tensor).
        y: targets: shaped like the output (class indices for ``CrossEntropyLoss``/``NLLLoss``); a single
            sample's target may be a scalar.
        lr: the learning rate ``alpha``.
        decimals: decimal places of ``str(record)`` (change later with ``record.to_string(decimals=)``).

    Returns:
        :class:`StepRecord`.

    Example (the notes' logistic-regression step):
        >>> import chainrule as cr
        >>> from chainrule import nn
        >>> model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=cr.float64)   # b = -w0 = 0.1
        >>> record = cr.explain.step(model, nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
        >>> record.grads["0.weight"].round(5).tolist(), round(record.loss_after, 5)
        ([[-0.04207, -0.29447]], 0.42505)
    """
    from chainrule.optim import SGD  # the one update rule; imported here so explain loads without optim

    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"explain.step: decimals must be a non-negative integer, got {decimals!r}")
    _check_step_arguments(model, loss_fn)
    inputs, targets = _prepare(model, x, y, loss_fn)
    named = dict(model.named_parameters())
    params_before = {k: p.data.copy() for k, p in named.items()}

    output, calls = _run_recorded(model, inputs)
    groups = _group_layers(model, calls)
    if output.shape != targets.shape and targets.dtype.kind == "f" and targets.data.size == output.data.size:
        targets = Tensor(targets.data.reshape(output.shape))     # y = 1 for one sample: shape it like a
    for group in groups:
        for tensor in (group["z"], group["a"]):
            if tensor.requires_grad:
                tensor.retain_grad()
    loss = loss_fn(output, targets)
    if not isinstance(loss, Tensor) or loss.data.size != 1:
        raise ValueError(f"explain.step: loss_fn must return a scalar Tensor, got "
                         f"{getattr(loss, 'shape', type(loss).__name__)}; use reduction='mean' or 'sum'")
    model.zero_grad(set_to_none=True)
    loss.backward()
    grads = {k: p.grad.data.copy() if p.grad is not None else np.zeros_like(p.data) for k, p in named.items()}
    SGD(model.parameters(), lr=lr).step()
    params_after = {k: p.data.copy() for k, p in named.items()}

    layers: list[LayerRecord] = []
    for index, group in enumerate(groups, start=1):
        module, z, a = group["module"], group["z"], group["a"]
        delta = z.grad.data.copy() if z.grad is not None else np.zeros_like(z.data)
        grad_a = a.grad.data.copy() if a.grad is not None else np.zeros_like(a.data)
        prefix = f"{group['name']}." if group["name"] else ""
        layer_input = group["input"].data.reshape(-1, module.in_features)
        layers.append(LayerRecord(
            index=index, name=group["name"], activation_name=" + ".join(group["acts"]) or "Identity",
            input=layer_input.copy(), z=z.data.copy(), activation=a.data.copy(),
            grad_activation=grad_a, delta=delta,
            grad_weight=grads[prefix + "weight"],
            grad_bias=grads.get(prefix + "bias") if module.bias is not None else None,
            delta_outer_input=delta.reshape(-1, module.out_features).T @ layer_input,
            weight=params_before[prefix + "weight"],
            bias=params_before.get(prefix + "bias") if module.bias is not None else None,
            weight_after=params_after[prefix + "weight"],
            bias_after=params_after.get(prefix + "bias") if module.bias is not None else None,
        ))

    with no_grad():
        output_after, calls_after = _run_recorded(model, inputs)
        loss_after = loss_fn(output_after, targets)
    for layer, group in zip(layers, _group_layers(model, calls_after), strict=True):
        layer.z_after, layer.activation_after = group["z"].data.copy(), group["a"].data.copy()
    return StepRecord(
        x=inputs.data.copy(), y=targets.data.copy(), lr=float(lr), loss_name=_loss_name(loss_fn),
        loss_before=float(loss.data), loss_after=float(loss_after.data),
        output=output.data.copy(), output_after=output_after.data.copy(),
        params_before=params_before, grads=grads, params_after=params_after, layers=layers,
        decimals=decimals,
    )
