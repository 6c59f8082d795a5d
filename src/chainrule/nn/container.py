"""Containers: ``Sequential`` (layers applied one after the other, the notes' f_k o ... o f_1) and
``ModuleList`` (a list of layers whose parameters the parent module finds)."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, overload

from chainrule.nn.module import Module


def _checked(module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: {type(module).__name__} is not a chainrule.nn.Module (a layer such as "
                        f"nn.Linear(2, 3) or an activation such as nn.Sigmoid())")
    return module


class _IndexedModules(Module):
    """What Sequential and ModuleList share: children named "0", "1", ... and list-like access."""

    def _index(self, idx: int) -> str:
        """The key of the child at position ``idx`` (negative counts from the end)."""
        idx = operator.index(idx)
        size = len(self._modules)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range for {type(self).__name__} of length {size}")
        return list(self._modules)[idx % size]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._index(idx), _checked(module, f"{type(self).__name__}[{idx}] = ..."))

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._index(idx)]
        for key in keys:
            delattr(self, key)
        # Renumber so the names stay "0", "1", ... (as PyTorch does).
        modules = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def append(self, module: Module) -> _IndexedModules:
        """Add ``module`` at the end (named by its position)."""
        self.add_module(str(len(self)), _checked(module, f"{type(self).__name__}.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> _IndexedModules:
        for module in modules:
            self.append(module)
        return self

    def _insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (``insert`` of each container, which differ in what
        they return, as in PyTorch)."""
        _checked(module, f"{type(self).__name__}.insert")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        for i, child in enumerate(modules):
            self._modules[str(i)] = child

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]


class Sequential(_IndexedModules):
    """Layers applied in order: ``Sequential(f1, f2, f3)(x) = f3(f2(f1(x)))``.

    The children are named "0", "1", ... (so ``state_dict`` keys are ``"0.weight"``, ``"2.bias"``, as
    in PyTorch), or by the keys of an ``OrderedDict`` passed instead.

    >>> import chainrule as cr
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
    >>> model(cr.randn(8, 2)).shape, len(model), list(model.state_dict())[:2]
    ((8, 1), 3, ['0.weight', '0.bias'])
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, _checked(module, f"Sequential: the entry {key!r}"))
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _checked(module, f"Sequential: argument {i}"))

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    @overload
    def __getitem__(self, idx: slice) -> Sequential: ...

    def __getitem__(self, idx: int | slice) -> Module | Sequential:
        if isinstance(idx, slice):
            # The slice keeps the children's names, as PyTorch's does.
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._index(idx)]  # type: ignore[return-value]

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index``; returns the model, as PyTorch's does (so calls chain)."""
        self._insert(index, module)
        return self

    def forward(self, input: Any) -> Any:  # noqa: A002 - PyTorch's name
        for module in self._modules.values():
            input = module(input)  # type: ignore[misc]
        return input


class ModuleList(_IndexedModules):
    """A list of modules, registered so that the parent finds their parameters (it has no forward:
    the parent decides how to call them).

    >>> from chainrule import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    @overload
    def __getitem__(self, idx: slice) -> ModuleList: ...

    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])  # type: ignore[arg-type]
        return self._modules[self._index(idx)]  # type: ignore[return-value]

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (returns None, as PyTorch's ``ModuleList.insert``)."""
        self._insert(index, module)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])
