"""``Optimizer``: the base of every optimiser, with PyTorch's structure.

An optimiser holds the parameters it updates in ``param_groups`` (a list of dicts: ``"params"`` plus
that group's hyperparameters, so layers can learn at different rates), the per-parameter memory of
its update rule (momentum buffers, running averages) in ``state`` (a dict keyed by the parameter
tensor itself), and the hyperparameters a group gets when it names none in ``defaults``.

One training step is the notes' gradient-descent loop::

    optimizer.zero_grad()      # forget the last batch's gradients
    loss = loss_fn(model(X), y)
    loss.backward()            # backpropagation fills p.grad for every parameter
    optimizer.step()           # theta <- theta - lr * (update built from p.grad)

Updates are written in place into each parameter's array (``p.data``), so every module that holds the
parameter sees the new values, and a gradient array is never written to: ``p.grad`` may be shared
with other tensors, so every quantity derived from it goes into a new (or the optimiser's own) array.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from chainrule.autograd import recording
from chainrule.autograd.engine import clear_grads
from chainrule.autograd.grad_mode import enable_grad, no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.autograd.versions import bump_updated
from chainrule.backend import is_host, namespace_of, to_device, to_host

# NOTE: state_dict numbers the parameters in order, so that order must not change between runs.
_PARAMS_KINDS = "params argument given to the optimizer should be an iterable of Tensors or dicts"
_SET_ORDER = ("optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
              "in sets will change between runs. Please use a list instead.")

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


def _describe(obj: Any) -> str:
    kind = type(obj)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def grad_array(param: Tensor) -> np.ndarray:
    """The gradient of ``param`` as an array, checked to have the parameter's shape. Read it, never
    write it: it may be shared with other tensors."""
    grad = param.grad.data  # type: ignore[union-attr]
    if grad.shape != param.data.shape:
        raise RuntimeError(f"optimizer step: a parameter of shape {param.data.shape} has a gradient of shape "
                           f"{grad.shape}; they must match (was .grad set by hand?)")
    return grad


def gradients_of(group: Mapping[str, Any]) -> Iterator[tuple[Tensor, np.ndarray, np.ndarray]]:
    """``(parameter, its array, its gradient)`` for each parameter of ``group`` that has a gradient; the
    gradient is negated when the group maximises. The gradient is for reading only (it may be shared)."""
    maximize = group.get("maximize", False)
    for param in group["params"]:
        if param.grad is None:
            continue
        grad = grad_array(param)
        yield param, param.data, (-grad if maximize else grad)


class Optimizer:
    """Base class of all optimisers: parameter groups, per-parameter state, ``zero_grad``, ``step``,
    ``state_dict`` and ``load_state_dict``, as in ``torch.optim.Optimizer``.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs (``model.named_parameters()``), or
            of dicts, each ``{"params": [...], **options}``: one parameter group with its own options.
        defaults: the hyperparameters of a group that does not set them itself.

    Subclasses write their update rule in ``_update_group(group)``; ``step`` runs it under ``no_grad``.

    >>> import chainrule as cr
    >>> w = cr.randn(3, requires_grad=True)
    >>> opt = cr.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); opt.zero_grad()
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults: dict[str, Any] = dict(defaults)
        self._validate_group(self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[Tensor, np.ndarray] = {}
        if isinstance(params, Tensor):
            raise TypeError(f"{_PARAMS_KINDS}, but got a single Tensor of shape {params.shape}; wrap it in a "
                            "list: [tensor]")
        if isinstance(params, Mapping):
            raise TypeError(f"{_PARAMS_KINDS}, but got one dict; for one parameter group pass a list of "
                            "dicts: [{'params': ...}]")
        if isinstance(params, (set, frozenset)):
            raise TypeError(_SET_ORDER)
        if callable(getattr(params, "parameters", None)):
            # SGD(model, lr=0.1): a learner's common slip; the model itself is not an iterable.
            raise TypeError(f"{_PARAMS_KINDS}, but got the model itself ({type(params).__name__}); pass its "
                            f"parameters: {type(self).__name__}(model.parameters(), ...)")
        if not isinstance(params, Iterable):
            raise TypeError(f"{_PARAMS_KINDS}, but got {_describe(params)}")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)  # type: ignore[arg-type]

    # -- what subclasses provide ----------------------------------------------------------------------
    def _validate_group(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` naming any invalid hyperparameter of ``group`` (checked for the defaults,
        every added group and every loaded state dict)."""

    def _update_group(self, group: dict[str, Any]) -> None:
        """Update every parameter of ``group`` that has a gradient, in place (runs under ``no_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} defines no update rule: override "
                                  "_update_group(group) (or step()) in the subclass")

    # -- parameter groups -----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to be updated from now on, e.g. layers that
        were frozen and are now fine-tuned. Options the group does not set come from ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_describe(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"param_group must have a 'params' key, got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SET_ORDER)
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. "
                             "Some param names are missing")
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{_describe(param)}")
            if not param.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (shape {param.shape}, made by "
                                 f"{param.grad_fn!r}); optimise the leaf it was computed from")

        seen: dict[int, int] = {}
        for position, param in enumerate(params):
            if id(param) in seen:
                raise ValueError(f"optimizer got the same parameter twice in one parameter group (a tensor "
                                 f"of shape {param.shape}, at positions {seen[id(param)]} and {position}); "
                                 "pass each parameter once")
            seen[id(param)] = position
        for index, group in enumerate(self.param_groups):
            for param in group["params"]:
                if id(param) in seen:
                    raise ValueError(f"some parameters appear in more than one parameter group (a tensor of "
                                     f"shape {param.shape} is already in group {index})")

        group = {**self.defaults, **{k: v for k, v in param_group.items() if k != "params"}, "params": params}
        if names:
            group["param_names"] = names
        self._validate_group(group)
        self.param_groups.append(group)
        self._init_group_state(group)

    def _init_group_state(self, group: dict[str, Any]) -> None:
        """Hook for optimisers whose state exists before the first step (Adagrad's accumulator)."""

    # -- one step ---------------------------------------------------------------------------------------
    def _scratch_for(self, param: Tensor) -> np.ndarray:
        """A reusable array of ``param``'s shape and dtype, for the temporary values of one update.

        NOTE: a parameter-sized temporary allocated and freed on every step costs more than its own
        time: glibc's malloc gives the freed memory back to the OS and faults it in again on the next
        step (benchmark 1 in float64: 1,100 page faults per step and half the speed). The scratch array
        holds no information between steps, so it is not part of ``state`` (state_dict stays PyTorch's).
        """
        scratch = self._scratch.get(param)
        if scratch is None or scratch.shape != param.data.shape or scratch.dtype != param.data.dtype:
            scratch = self._scratch[param] = namespace_of(param.data).empty_like(param.data)
        return scratch

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward pass (``backward`` adds into ``.grad``).

        ``set_to_none=True`` (default) sets ``p.grad = None``; ``False`` gives each a new zero array
        (never zeroing the old array in place, which may be shared with other tensors).
        """
        if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
            return recording.tape.record_call(self.zero_grad, set_to_none, repeatable=True)
        for group in self.param_groups:
            clear_grads(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once; returns ``closure()``'s loss (or None).

        ``closure`` (optional) re-evaluates the model and returns the loss: it runs with gradients
        enabled, before the update.
        """
        if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
            return recording.tape.record_call(self.step, closure)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
                # An update is an in-place change: a graph that saved a parameter refuses backward after it.
                bump_updated(group["params"])
        return loss

    # -- saving and resuming ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state in PyTorch's format (a copy: later steps do not change it).

        ``{"state": {index: {"step": int, "exp_avg": Tensor, ...}}, "param_groups": [{"lr": ..., ...,
        "params": [index, ...]}]}``, where ``index`` numbers the parameters in group order.
        """
        index_of: dict[int, int] = {}
        param_groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                packed["params"].append(index_of[id(param)])
            param_groups.append(packed)
        state: dict[int, dict[str, Any]] = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state and self.state[param]:
                    state[index_of[id(param)]] = {k: _copy_value(v) for k, v in self.state[param].items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume from ``state_dict()``'s output (ours or torch's; arrays, tensors or nested lists).

        Checks that the groups and their sizes match this optimiser and that every saved buffer has its
        parameter's shape; floating-point buffers take the parameter's dtype. Nothing changes on error.
        """
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            keys = sorted(state_dict) if isinstance(state_dict, Mapping) else _describe(state_dict)
            raise ValueError("load_state_dict: expected a dict with keys 'state' and 'param_groups' (from "
                             f"optimizer.state_dict()), got {keys}")
        groups, saved_groups = self.param_groups, list(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups: "
                             f"{len(saved_groups)} saved, {len(groups)} in this optimizer")
        id_map: dict[int, Tensor] = {}
        for index, (group, saved) in enumerate(zip(groups, saved_groups, strict=True)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group: group {index} has {len(saved['params'])} parameters "
                                 f"saved, {len(group['params'])} here")
            id_map.update(zip((int(i) for i in saved["params"]), group["params"], strict=True))

        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if int(key) not in id_map:
                raise ValueError(f"load_state_dict: state for parameter index {key}, which no saved "
                                 f"parameter group lists (indices: {sorted(id_map)})")
            param = id_map[int(key)]
            new_state[param] = {name: _load_value(param, int(key), name, v) for name, v in values.items()}

        new_groups = []
        for group, saved in zip(groups, saved_groups, strict=True):
            options = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new_group = {**group, **options, "params": group["params"]}
            self._validate_group(new_group)
            new_groups.append(new_group)
        self.state, self.param_groups = new_state, new_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            options = sorted(key for key in group if key not in ("params", "param_names"))
            lines.extend(f"    {key}: {group[key]}" for key in options)
        return "\n".join(lines) + "\n)"


def _copy_value(value: Any) -> Any:
    if isinstance(value, Tensor):
        return Tensor._wrap(value.data.copy())
    if isinstance(value, np.ndarray) or not is_host(value):
        return value.copy()
    return copy.deepcopy(value)


def _load_value(param: Tensor, index: int, name: str, value: Any) -> Any:
    """One saved state entry as this optimiser stores it: ``step`` a Python number, buffers Tensors."""
    if name == "step":
        step = float(to_host(value.data if isinstance(value, Tensor) else value))
        return int(step) if step.is_integer() else step
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    # asarray then copy: np.array(copy=True) warns on array-likes whose __array__ takes no copy argument.
    array = to_host(value.data if isinstance(value, Tensor) else np.asarray(value)).copy()
    if array.shape != param.data.shape:
        raise ValueError(f"load_state_dict: state {name!r} of parameter {index} has shape {array.shape}, "
                         f"but the parameter has shape {param.data.shape}")
    if array.dtype.kind == "f":
        array = array.astype(param.data.dtype, copy=False)
    return Tensor._wrap(to_device(array, param.device))  # state lives on its parameter's device
