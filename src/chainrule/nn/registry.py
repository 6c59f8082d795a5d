"""The activations and losses chainrule knows by name: one table, read by everything that takes a name.

``fit(loss="mse")``, ``chainrule train --activation tanh --loss huber``, ``MLPClassifier(activation=
"logistic")``, ``explain.from_weights(..., activation="logsig")`` and the model-file architecture
table (``chainrule.io``) all look names up here, so a name means the same module everywhere and an
unknown name gets the same answer everywhere: the list of the valid ones (scikit-learn's way).

Each entry has one name and its aliases, the words other traditions use for the same function: the
notes write the sigmoid ``logsig``, scikit-learn ``logistic``; ``identity`` is also ``linear``;
``mse`` is also ``mean_squared_error`` (Keras) and ``mse_loss`` (``torch.nn.functional``).

>>> from chainrule.nn import registry
>>> registry.ACTIVATIONS["logsig"].module
<class 'chainrule.nn.activations.Sigmoid'>
>>> registry.LOSSES["mean_squared_error"].name, registry.LOSSES["cross_entropy"].takes_class_indices
('mse', True)
>>> registry.LOSSES.lookup("hinge", "fit")
Traceback (most recent call last):
...
ValueError: fit: unknown loss 'hinge'; valid names: 'bce', 'bce_with_logits', ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chainrule import nn
from chainrule.nn.losses import _Loss
from chainrule.nn.module import Module

__all__ = ["ACTIVATIONS", "HIDDEN_ACTIVATIONS", "LOSSES", "Activation", "Loss", "Names"]

# What a loss's first argument is: regression values, raw scores, or (log-)probabilities.
LOSS_INPUTS = ("values", "logits", "probabilities", "log_probabilities")


@dataclass(frozen=True)
class Activation:
    """An activation function by name. ``elementwise``: applied to each value on its own (Softmax works
    along a dimension instead); ``differentiable``: has a derivative gradient descent can use (Step's is
    0 almost everywhere). Calling the entry makes the module: ``ACTIVATIONS["relu"]()`` is ``nn.ReLU()``."""

    name: str
    module: type[Module]
    aliases: tuple[str, ...] = ()
    elementwise: bool = True
    differentiable: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def __call__(self, **kwargs: Any) -> Module:
        return self.module(**kwargs)


@dataclass(frozen=True)
class Loss:
    """A loss by name: its module, its function in ``nn.functional``, and what its first argument is
    (``input``: one of ``LOSS_INPUTS``). Whether its target is class indices is the module's own
    ``takes_class_indices``. Calling the entry makes the module."""

    name: str
    module: type[_Loss]
    functional: Callable[..., Any]
    input: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def __post_init__(self) -> None:
        if self.input not in LOSS_INPUTS:
            raise ValueError(f"registry: loss {self.name!r} has input {self.input!r}; valid: {', '.join(LOSS_INPUTS)}")

    @property
    def takes_class_indices(self) -> bool:
        return self.module.takes_class_indices

    def __call__(self, **kwargs: Any) -> _Loss:
        return self.module(**kwargs)


Entry = TypeVar("Entry", Activation, Loss)


class Names(Mapping[str, Entry], Generic[Entry]):
    """Entries by name and by alias (a read-only mapping: ``name -> entry``); iterating gives every
    accepted name, canonical names first in table order."""

    def __init__(self, kind: str, entries: Iterable[Entry]) -> None:
        self.kind = kind
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_name: dict[str, Entry] = {}
        for entry in self.entries:
            for name in entry.names:
                if name in self._by_name:
                    raise ValueError(f"registry: the {kind} name {name!r} is given twice")
                self._by_name[name] = entry
        canonical = [entry.name for entry in self.entries]
        self._order = canonical + [name for name in self._by_name if name not in canonical]

    def __getitem__(self, name: str) -> Entry:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def canonical(self) -> tuple[str, ...]:
        """One name per entry, in table order (what help texts list)."""
        return tuple(entry.name for entry in self.entries)

    def find(self, name: str) -> Entry | None:
        """The entry called ``name`` (any case, ``-`` for ``_``), or None."""
        return self._by_name.get(name.lower().replace("-", "_")) if isinstance(name, str) else None

    def valid(self) -> str:
        """Every accepted name, sorted and quoted: ``'elu', 'gelu', ...``."""
        return ", ".join(repr(name) for name in sorted(self._by_name))

    def lookup(self, name: Any, caller: str, hint: str = "") -> Entry:
        """The entry called ``name``, or a ValueError from ``caller`` listing the valid names."""
        entry = self.find(name)
        if entry is None:
            raise ValueError(f"{caller}: unknown {self.kind} {name!r}; valid names: {self.valid()}{hint}")
        return entry

    def of_module(self, module: type) -> Entry | None:
        """The entry whose module is exactly the class ``module``, or None."""
        return next((entry for entry in self.entries if entry.module is module), None)

    def where(self, keep: Callable[[Entry], bool]) -> Names[Entry]:
        """The entries for which ``keep(entry)`` is true, as a table of their own."""
        return Names(self.kind, [entry for entry in self.entries if keep(entry)])

    def __repr__(self) -> str:
        return f"Names({self.kind}: {', '.join(self.canonical)})"


ACTIVATIONS: Names[Activation] = Names("activation", [
    Activation("relu", nn.ReLU),
    Activation("tanh", nn.Tanh),
    Activation("sigmoid", nn.Sigmoid, ("logsig", "logistic")),  # the notes' and scikit-learn's words
    Activation("leaky_relu", nn.LeakyReLU),
    Activation("elu", nn.ELU),
    Activation("gelu", nn.GELU),
    Activation("softplus", nn.Softplus),
    Activation("logsigmoid", nn.LogSigmoid, ("log_sigmoid",)),
    Activation("identity", nn.Identity, ("linear",)),
    Activation("step", nn.Step, ("heaviside",), differentiable=False),  # the perceptron's threshold
    Activation("softmax", nn.Softmax, elementwise=False),
    Activation("log_softmax", nn.LogSoftmax, ("logsoftmax",), elementwise=False),
])

# What a trained network may put between its Linear layers (the command line, the estimators).
HIDDEN_ACTIVATIONS: Names[Activation] = ACTIVATIONS.where(lambda entry: entry.elementwise and entry.differentiable)

LOSSES: Names[Loss] = Names("loss", [
    Loss("cross_entropy", nn.CrossEntropyLoss, nn.functional.cross_entropy, "logits", ("crossentropy",)),
    Loss("mse", nn.MSELoss, nn.functional.mse_loss, "values", ("mean_squared_error", "mse_loss")),
    Loss("l1", nn.L1Loss, nn.functional.l1_loss, "values", ("mae", "mean_absolute_error", "l1_loss")),
    Loss("huber", nn.HuberLoss, nn.functional.huber_loss, "values", ("huber_loss",)),
    Loss("nll", nn.NLLLoss, nn.functional.nll_loss, "log_probabilities", ("nll_loss",)),
    Loss("bce", nn.BCELoss, nn.functional.binary_cross_entropy, "probabilities", ("binary_cross_entropy",)),
    Loss("bce_with_logits", nn.BCEWithLogitsLoss, nn.functional.binary_cross_entropy_with_logits, "logits",
         ("binary_cross_entropy_with_logits",)),
])


def loss_entry(loss_fn: Any) -> Loss | None:
    """The entry of a loss given as a module (any subclass of a registered one) or as the function from
    ``nn.functional``; None for anything else (a loss function of your own)."""
    for entry in LOSSES.entries:
        if isinstance(loss_fn, entry.module) or loss_fn is entry.functional:
            return entry
    return None


def takes_class_indices(loss_fn: Any) -> bool:
    """Whether ``loss_fn`` takes integer class labels as targets (cross-entropy, NLL): the attribute
    ``takes_class_indices`` of a loss module (your own loss module may set it too), or of the module
    behind a function of ``nn.functional``."""
    flag = getattr(loss_fn, "takes_class_indices", None)
    if isinstance(flag, bool):
        return flag
    entry = loss_entry(loss_fn)
    return entry is not None and entry.takes_class_indices
