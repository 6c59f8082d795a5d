"""``cr.summary(model)``: a Keras-style table of a network's layers, output shapes and parameter counts.

The notes count parameters by hand: a 2-1024-512-3 network has
``1024*2 + 1024 + 512*1024 + 512 + 3*512 + 3 = 529411`` weights and biases to learn. The summary
does the same sum, layer by layer, and prints it.

>>> import chainrule as cr
>>> from chainrule import nn
>>> model = nn.Sequential(nn.Linear(2, 1024), nn.Sigmoid(), nn.Linear(1024, 512), nn.Sigmoid(),
...                       nn.Linear(512, 3))
>>> cr.summary(model, input_shape=(2,)).total_params
529411
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.train.evaluation import evaluation_mode

__all__ = ["ModelSummary", "SummaryRow", "summary"]

_MAX_FORMULA_TERMS = 16     # past this many weight/bias tensors the "= 1024*2 + 1024 + ..." line is noise


@dataclass
class SummaryRow:
    """One line of the table: a layer, the shape it outputs (batch shown as None) and its parameters."""

    name: str
    type_name: str
    output_shape: tuple[int | None, ...] | str | None
    params: int
    trainable: int
    parameter_shapes: list[tuple[int, ...]] = field(default_factory=list)


@dataclass
class ModelSummary:
    """What :func:`summary` returns; ``print(s)`` shows the table."""

    model_name: str
    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    input_shape: tuple[int, ...] | None = None

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def formula(self) -> str:
        """The total written as the notes write it: ``1024*2 + 1024 + ...`` (weight out*in, then bias)."""
        shapes = [shape for row in self.rows for shape in row.parameter_shapes]
        return " + ".join("*".join(str(n) for n in shape) if shape else "1" for shape in shapes)

    def __str__(self) -> str:
        with_shapes = self.input_shape is not None
        header = ["Layer (type)", "Output Shape", "Param #"] if with_shapes else ["Layer (type)", "Param #"]
        body = []
        for row in self.rows:
            cells = [f"{row.name} ({row.type_name})" if row.name else row.type_name]
            if with_shapes:
                cells.append(_shape_text(row.output_shape))
            cells.append(f"{row.params:,}")
            body.append(cells)
        widths = [max(len(cells[i]) for cells in [header, *body]) + 4 for i in range(len(header))]
        width = sum(widths)

        def line(cells: list[str]) -> str:
            return (" " + "".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

        total = f"Total params: {self.total_params:,}"
        n_terms = sum(len(row.parameter_shapes) for row in self.rows)
        if 1 < n_terms <= _MAX_FORMULA_TERMS:
            total += f" (= {self.formula})"
        out = [f'Model: "{self.model_name}"', "_" * width, line(header), "=" * width]
        out += [line(cells) for cells in body]
        out += ["=" * width, total, f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}", "_" * width]
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)


def _shape_text(shape: tuple[int | None, ...] | str | None) -> str:
    if shape is None:
        return "-"                       # the layer was not called by forward
    if isinstance(shape, str):
        return shape
    inner = ", ".join("None" if n is None else str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _check_input_shape(input_shape: Any) -> tuple[int, ...]:
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    try:
        result = tuple(int(n) for n in shape)
    except TypeError:
        result = ()
    if not result or any(n <= 0 for n in result) or isinstance(input_shape, bool):
        raise ValueError(f"summary: input_shape is the shape of ONE sample without the batch dimension, a "
                         f"positive int or tuple of them, e.g. input_shape=(2,) for 2 features; got "
                         f"{input_shape!r}")
    return result


def _output_shapes(model: Module, rows: list[tuple[str, Module]], input_shape: tuple[int, ...]
                   ) -> dict[int, tuple[int | None, ...] | str]:
    """Run a zeros batch of one sample through the model and catch each row's output shape."""
    shapes: dict[int, tuple[int | None, ...] | str] = {}

    def hook(module: Module, args: Any, output: Any) -> None:
        if id(module) in shapes:
            return                       # a layer used twice: its first output is shown
        if isinstance(output, Tensor):
            shapes[id(module)] = (None, *output.shape[1:]) if output.ndim else ()
        else:
            shapes[id(module)] = type(output).__name__

    params = list(model.parameters())
    dtype = params[0].data.dtype if params else np.dtype(np.float32)
    handles = [module.register_forward_hook(hook) for _, module in rows]
    try:
        # NOTE: eval mode so that Dropout draws no random numbers (the RNG stream is unchanged)
        with evaluation_mode(model):
            model(Tensor._wrap(np.zeros((1, *input_shape), dtype=dtype)))
    except Exception as error:
        shown = ", ".join(map(str, input_shape))
        raise RuntimeError(f"summary: a forward pass with input shape (batch, {shown})"
                           f" failed: {error}. Is input_shape the shape of one sample, without the batch "
                           f"dimension?") from error
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def summary(model: Module, input_shape: int | tuple[int, ...] | None = None) -> ModelSummary:
    """A Keras-style summary: each layer's name (type), output shape and parameter count, and the totals.

    Args:
        model: any ``nn.Module``; the rows are its innermost layers (and any module holding
            parameters of its own), in registration order.
        input_shape: the shape of one sample *without* the batch dimension (``(2,)`` or ``2`` for two
            features, ``(1, 28, 28)`` for an image). When given, a forward pass on a zeros batch of one
            sample (under ``no_grad`` and in eval mode) fills the "Output Shape" column; the batch is
            shown as ``None``.

    Returns:
        :class:`ModelSummary` with ``total_params``, ``trainable_params`` (``requires_grad``),
        ``non_trainable_params``, ``rows`` and ``formula``; ``print`` it for the table.
        A parameter shared by two layers is counted once, in the first.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: expected a chainrule nn.Module, got {type(model).__name__}")
    listed: list[tuple[str, Module]] = []
    for name, module in model.named_modules():
        is_leaf = not any(True for _ in module.children())
        if is_leaf or any(True for _ in module.parameters(recurse=False)):
            listed.append((name, module))
    shapes = _output_shapes(model, listed, _check_input_shape(input_shape)) if input_shape is not None else {}
    seen: set[int] = set()
    rows: list[SummaryRow] = []
    for name, module in listed:
        own: list[Parameter] = [p for p in module.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in own)
        rows.append(SummaryRow(
            name=name, type_name=type(module).__name__,
            output_shape=shapes.get(id(module)) if input_shape is not None else None,
            params=sum(p.data.size for p in own), trainable=sum(p.data.size for p in own if p.requires_grad),
            parameter_shapes=[tuple(p.data.shape) for p in own],
        ))
    return ModelSummary(
        model_name=type(model).__name__, rows=rows,
        total_params=sum(row.params for row in rows), trainable_params=sum(row.trainable for row in rows),
        input_shape=None if input_shape is None else _check_input_shape(input_shape),
    )
