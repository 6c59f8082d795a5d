"""``Module``: the base class of every layer and network, with PyTorch's semantics.

A module owns parameters (weights and biases, the notes' ``W`` and ``b``), buffers (state that is
saved but not learned) and sub-modules (layers), all registered by plain attribute assignment::

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 4)      # registered as a child, its parameters found too
            self.output = nn.Linear(4, 1)

        def forward(self, x):
            return self.output(self.hidden(x).sigmoid())

``module(x)`` runs ``forward``; ``parameters()`` is what an optimiser is given; ``state_dict()`` and
``load_state_dict()`` move the numbers in and out under PyTorch's keys (``"hidden.weight"``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from chainrule import dtypes
from chainrule.autograd import recording
from chainrule.autograd.engine import clear_grads
from chainrule.autograd.tensor import Tensor
from chainrule.nn.conversion import convert, convert_floats, to_call
from chainrule.nn.hooks import RemovableHandle, add_hook, call_with_hooks
from chainrule.nn.parameter import Parameter
from chainrule.nn.state_dict import IncompatibleKeys, load_into, save_from

ModuleT = TypeVar("ModuleT", bound="Module")


def _forward_unimplemented(self: Module, *inputs: Any) -> Any:
    # NOTE: PyTorch raises NotImplementedError here too; a subclass must define forward.
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class for all layers and networks (see the module docstring for an example)."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _non_persistent_buffers_set: set[str]
    _forward_hooks: dict[int, Callable[..., Any]]
    _forward_pre_hooks: dict[int, Callable[..., Any]]

    forward: Callable[..., Any] = _forward_unimplemented

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_hooks", {})
        setattr_(self, "_forward_pre_hooks", {})

    # -- running ------------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # NOTE: the hot path of every step is the one `if` and the forward call.
        if self._forward_pre_hooks or self._forward_hooks:
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward (a non-None return replaces output)."""
        return add_hook(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before every forward (a non-None return replaces the inputs)."""
        return add_hook(self._forward_pre_hooks, hook)

    # -- registration -------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            params[name] = value
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(chainrule.nn.Parameter or None expected)")
            params[name] = None
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(chainrule.nn.Module or None expected)")
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(chainrule Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str = "") -> None:
        """Remove ``name`` wherever it is, so that re-assigning it as another kind leaves no stale entry.
        The table named ``keep`` is left alone: re-assigning there keeps the entry's place in the order."""
        d = self.__dict__
        d.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            if table != keep:
                d[table].pop(name, None)
        if keep != "_buffers":
            d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and children live in the tables.
        d = self.__dict__
        params = d.get("_parameters")
        if params is not None:
            if name in params:
                return params[name]
            buffers = d["_buffers"]
            if name in buffers:
                return buffers[name]
            modules = d["_modules"]
            if name in modules:
                return modules[name]
        elif not name.startswith("__"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}': its __init__ "
                                 "must call super().__init__() before anything else")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()) or name in d.get("_buffers", ()) or name in d.get("_modules", ()):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        return sorted(names)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` under ``name`` (``None`` marks an absent one, as ``Linear(bias=False)`` does)."""
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(chainrule.nn.Parameter or None required)")
        self._forget(name, keep="_parameters")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned (saved in ``state_dict`` unless not persistent)."""
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(chainrule Tensor or None required)")
        self._forget(name, keep="_buffers")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (the name it has in ``state_dict`` keys)."""
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a chainrule.nn.Module")
        self._forget(name, keep="_modules")
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: str, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{kind} name can't be empty or contain '.', got {name!r}")
        if hasattr(type(self), name):
            raise KeyError(f"attribute '{name}' already exists on {type(self).__name__}")

    # -- walking the tree ---------------------------------------------------------------------------
    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, with dotted names ("" for this one), each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, with their names."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else iter([(prefix, self)])
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``("0.weight", parameter)`` pairs; a parameter shared by two layers is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable parameter (what ``optim.SGD(model.parameters(), lr=...)`` takes)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The module at dotted path ``target`` ("" is this module), e.g. ``model.get_submodule("0")``."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule named {part!r} (looking up "
                                     f"{target!r}); its children are {list(module._modules)}")
            module = child
        return module

    def apply(self: ModuleT, fn: Callable[[Module], Any]) -> ModuleT:
        """Call ``fn`` on every sub-module (children first) and then on this one; e.g. to initialise."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- state --------------------------------------------------------------------------------------
    def state_dict(self, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer under PyTorch's dotted keys, in registration order.

        The values are detached tensors that *share* the parameters' arrays (as in PyTorch), so they
        follow later training; take a snapshot with ``{k: v.clone() for k, v in sd.items()}``.
        """
        return save_from(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` (chainrule tensors or NumPy arrays) into this module's
        parameters and buffers, in place, so that an optimiser holding them stays valid.

        Every shape must match (the error names the key and both shapes). With ``strict=True`` the
        keys must match exactly too; otherwise the ``(missing_keys, unexpected_keys)`` returned say
        which did not. Nothing is changed when an error is raised.
        """
        return load_into(self, state_dict, strict)

    # -- gradients and modes ------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter, exactly as ``Optimizer.zero_grad``: ``.grad = None``
        (default, as in PyTorch), or with ``set_to_none=False`` a new zero tensor for each gradient."""
        if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
            return recording.tape.record_call(self.zero_grad, set_to_none, repeatable=True)
        clear_grads(self.parameters(), set_to_none)

    def requires_grad_(self: ModuleT, requires_grad: bool = True) -> ModuleT:
        """Switch gradient computation on or off for every parameter (off freezes a layer)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def train(self: ModuleT, mode: bool = True) -> ModuleT:
        """Put this module and every sub-module in training mode (``mode=False``: evaluation mode)."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self: ModuleT) -> ModuleT:
        """Evaluation mode: ``Dropout`` passes inputs through unchanged. Same as ``train(False)``."""
        return self.train(False)

    # -- dtype --------------------------------------------------------------------------------------
    def _convert_floats(self: ModuleT, dtype: Any) -> ModuleT:
        convert_floats(self, dtype)
        return self

    def double(self: ModuleT) -> ModuleT:
        """Convert floating-point parameters and buffers to float64, in place (same Parameter objects)."""
        return self._convert_floats(dtypes.float64)

    def float(self: ModuleT) -> ModuleT:
        """Convert floating-point parameters and buffers to float32, in place (same Parameter objects)."""
        return self._convert_floats(dtypes.float32)

    def half(self: ModuleT) -> ModuleT:
        return self._convert_floats(dtypes.float16)

    def to(self: ModuleT, *args: Any, **kwargs: Any) -> ModuleT:
        """Move parameters and buffers in place and return the module: ``model.to("cuda")``,
        ``model.to(cr.float64)``, ``model.to("cuda", cr.float32)``, ``model.to(tensor)`` (its device and
        dtype). The Parameter objects stay the same, so an optimiser made before keeps working."""
        device, dtype = to_call(args, dict(kwargs))
        convert(self, device, dtype)
        return self

    def cpu(self: ModuleT) -> ModuleT:
        """Move parameters and buffers to host memory, in place."""
        return self.to("cpu")

    def cuda(self: ModuleT, device: Any = None) -> ModuleT:
        """Move parameters and buffers to a GPU (``device``: an index or ``"cuda:1"``), in place."""
        return self.to("cuda" if device is None else device)

    # -- printing -----------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The arguments shown inside ``Name(...)``; layers override it (``in_features=2, ...``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
