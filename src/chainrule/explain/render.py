"""How a :class:`~chainrule.explain.record.StepRecord` is shown: plain text, Markdown, HTML and LaTeX.

All four are built from the same sections (forward pass, backward pass, update, after the update),
so they always show the same numbers. Numbers are rounded to ``decimals`` places, as the notes print
them (``-0.04207``); a batch of one sample is shown as vectors, as the notes write ``x = (0.1, 0.7)``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from chainrule.explain.record import LayerRecord, StepRecord

Section = tuple[str, list[str], list[list[str]], list[str]]   # title, header, rows, lines after the table

_LATEX_ACTIVATIONS = {"Sigmoid": r"\sigma", "Tanh": r"\tanh", "ReLU": r"\operatorname{ReLU}",
                      "Identity": "", "Step": r"\operatorname{step}"}


def number(value: Any, decimals: int) -> str:
    """``value`` with ``decimals`` places; ``-0.00000`` is shown as ``0.00000``."""
    text = f"{float(value):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def array(values: Any, decimals: int, squeeze: bool = True) -> str:
    """A one-line array: ``0.32000``, ``[0.10000, 0.70000]`` or ``[[0.8, 0.2], [0.1, 0.3]]``."""
    a = np.asarray(values, dtype=np.float64)
    if squeeze and a.size == 1:
        return number(a.reshape(()), decimals)
    if a.ndim == 0:
        return number(a, decimals)
    if a.ndim == 1:
        return "[" + ", ".join(number(v, decimals) for v in a) + "]"
    return "[" + ", ".join(array(row, decimals, squeeze=False) for row in a) + "]"


def extra_term(gradient: np.ndarray, through_z: np.ndarray) -> np.ndarray | None:
    """The part of the engine's gradient that did not come through ``z`` (a penalty's ``lambda w``),
    or None when the gradient is exactly the chain-rule term (up to round-off)."""
    extra = gradient - through_z
    # NOTE: the engine sums the batch in its own order, so allow round-off of the gradient's dtype
    # (float32: ~1e-4 of the gradient's size; float64: ~2e-13).
    eps = float(np.finfo(gradient.dtype).eps) if gradient.dtype.kind == "f" else 1e-12
    scale = 1.0 + float(np.abs(gradient).max(initial=0.0)) + float(np.abs(through_z).max(initial=0.0))
    return None if np.allclose(extra, 0, rtol=0, atol=1e3 * eps * scale) else extra


def _rows_shown(values: np.ndarray) -> np.ndarray:
    """A batch of one sample is shown as its vector."""
    return values[0] if values.ndim == 2 and values.shape[0] == 1 else values


def _layer_title(layer: LayerRecord) -> str:
    shape = layer.weight.shape
    name = f"{layer.name}: " if layer.name else ""
    return f"layer {layer.index} ({name}Linear {shape[1]} -> {shape[0]}, {layer.activation_name})"


def sections(record: StepRecord, d: int) -> list[Section]:
    """The four parts of a step, as tables of already formatted cells."""
    batch = record.x.shape[0]
    outer = "delta x^T" if batch == 1 else "delta^T x (sum over the batch)"
    forward = [[_layer_title(layer), array(_rows_shown(layer.input), d), array(_rows_shown(layer.z), d),
                array(_rows_shown(layer.activation), d)] for layer in record.layers]
    backward = [[f"layer {layer.index}", array(_rows_shown(layer.grad_activation), d),
                 array(_rows_shown(layer.delta), d), array(layer.delta_outer_input, d),
                 "-" if layer.grad_bias is None else array(layer.delta.sum(axis=0), d)]
                for layer in reversed(record.layers)]
    # When the loss also uses a weight directly (a penalty lambda R), the engine's gradient has a second
    # term: the notes' w_bar = z_bar x + R_bar w. Say so instead of calling delta x^T the whole gradient.
    extra_notes = []
    for layer in record.layers:
        terms = []
        extra = extra_term(layer.grad_weight, layer.delta_outer_input)
        if extra is not None:
            terms.append(f"dL/dW = delta x^T + {array(extra, d)}")
        extra = None if layer.grad_bias is None else extra_term(layer.grad_bias, layer.delta.sum(axis=0))
        if extra is not None:
            terms.append(f"dL/db = delta + {array(extra, d)}")
        if terms:
            extra_notes.append(
                f"layer {layer.index}: the loss also depends on the parameters directly (e.g. a penalty "
                f"lambda R), so {' and '.join(terms)} (the notes' w_bar = z_bar x + R_bar w); the update "
                f"uses the full gradient")
    gradient_names = ([f"dL/dW = {outer}", "dL/db = delta"] if not extra_notes
                      else [outer.split(" (")[0], "sum of delta" if batch > 1 else "delta"])
    update = [[key, array(record.params_before[key], d), array(record.grads[key], d),
               array(record.params_after[key], d)] for key in record.params_before]
    after = [[f"layer {layer.index}", array(_rows_shown(layer.z_after), d),
              array(_rows_shown(layer.activation_after), d)] for layer in record.layers]
    change = record.loss_after - record.loss_before
    samples = "1 sample" if batch == 1 else f"{batch} samples"
    return [
        (f"Forward pass ({samples}): z = W x + b, a = f(z)", ["layer", "input x", "z", "a = f(z)"], forward,
         [f"loss L = {record.loss_name}(a, y) = {number(record.loss_before, d)}   (y = "
          f"{array(_rows_shown(record.y) if record.y.ndim == 2 else record.y, d)})"]),
        ("Backward pass: error signals from the loss back",
         ["layer", "dL/da", "delta = dL/dz", *gradient_names], backward, extra_notes),
        (f"Update: theta := theta - lr * dL/dtheta, lr = {record.lr:g}",
         ["parameter", "before", "gradient", "after"], update, []),
        ("After the update (same input, new parameters)", ["layer", "z", "a = f(z)"], after,
         [f"loss L = {number(record.loss_after, d)}   (before {number(record.loss_before, d)}, "
          f"change {number(change, d)})"]),
    ]


def to_text(record: StepRecord, decimals: int) -> str:
    lines = [f"explain.step: one step of gradient descent on {record.loss_name}, lr = {record.lr:g}"]
    for title, header, rows, after in sections(record, decimals):
        widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
        lines += ["", title]
        for cells in [header, *rows]:
            padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            lines.append(("  " + "   ".join(padded)).rstrip())
        lines += [f"  {line}" for line in after]
    return "\n".join(lines)


def to_markdown(record: StepRecord, decimals: int) -> str:
    parts = [f"**One step of gradient descent** on {record.loss_name}, lr = {record.lr:g}"]
    for title, header, rows, after in sections(record, decimals):
        parts.append(f"**{title}**")
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in rows:    # numbers in code spans, so that Markdown keeps their minus signs and spacing
            table.append("| " + " | ".join(f"`{c}`" if c[:1] in "[-0123456789" else c for c in row) + " |")
        parts.append("\n".join(table))
        parts += [f"{line}" for line in after]
    return "\n\n".join(parts) + "\n"


def to_html(record: StepRecord, decimals: int) -> str:
    out = [f"<div><p><b>One step of gradient descent</b> on {html.escape(record.loss_name)}, "
           f"lr = {record.lr:g}</p>"]
    for title, header, rows, after in sections(record, decimals):
        out.append(f"<p><b>{html.escape(title)}</b></p><table>")
        out.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            out.append("<tr>" + "".join(f"<td><code>{html.escape(c)}</code></td>" for c in row) + "</tr>")
        out.append("</table>")
        out += [f"<p>{html.escape(line)}</p>" for line in after]
    out.append("</div>")
    return "\n".join(out)


# -- LaTeX ------------------------------------------------------------------------------------------
def bmatrix(values: Any, decimals: int, column: bool = True) -> str:
    r"""A number, or a ``bmatrix`` (a 1-D vector as a column when ``column``, as the notes write ``x``)."""
    a = np.asarray(values, dtype=np.float64)
    if a.size == 1:
        return number(a.reshape(()), decimals)
    if a.ndim == 1:
        a = a[:, None] if column else a[None, :]
    body = r" \\ ".join(" & ".join(number(v, decimals) for v in row) for row in a)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _signed(tex: str) -> str:
    """``(-0.42068)`` after a product sign, as the notes write ``0.1 - 0.5(-0.4207)``."""
    return f"({tex})" if tex.startswith("-") else tex


def _activation_tex(layer: LayerRecord) -> str:
    names = layer.activation_name.split(" + ")
    parts = [_LATEX_ACTIVATIONS.get(n, r"\operatorname{" + n + "}") for n in names]
    return "".join(p for p in parts if p)


def to_latex(record: StepRecord, decimals: int) -> str:
    """One sample: the notes' column form ``z = W x + b``; a batch: the row form ``Z = X W^T + b`` (one
    row per sample; capital letters for the batch matrices)."""
    d = decimals
    one = record.x.shape[0] == 1
    z, a, delta = ("z", "a", r"\delta") if one else ("Z", "A", r"\Delta")

    def vec(values: np.ndarray) -> str:
        return bmatrix(values[0] if one else values, d)

    def row(values: np.ndarray | None) -> str:
        return "" if values is None else bmatrix(values, d, column=False)

    def grad(name: str, sup: str) -> str:
        return f"\\frac{{\\partial L}}{{\\partial {name}{sup}}}"

    lines: list[str] = []
    for layer in record.layers:
        sup = f"^{{({layer.index})}}"
        x_name = ("x" if one else "X") if layer.index == 1 else f"{a}^{{({layer.index - 1})}}"
        b_name = "" if layer.bias is None else f" + b{sup}"
        if one:
            bias = "" if layer.bias is None else f" + {_signed(bmatrix(layer.bias, d))}"
            lines.append(f"{z}{sup} &= W{sup} {x_name}{b_name} = "
                         f"{row(layer.weight)} {vec(layer.input)}{bias} = {vec(layer.z)}")
        else:
            bias = "" if layer.bias is None else f" + {_signed(row(layer.bias))}"
            lines.append(f"{z}{sup} &= {x_name} W^{{({layer.index})\\top}}{b_name} = "
                         f"{vec(layer.input)} {bmatrix(layer.weight.T, d)}{bias} = {vec(layer.z)}")
        act = _activation_tex(layer)
        if act:
            lines.append(f"{a}{sup} &= {act}({z}{sup}) = {vec(layer.activation)}")
    lines.append(f"L &= \\operatorname{{{record.loss_name}}}({a}, y) = {number(record.loss_before, d)}")
    for layer in reversed(record.layers):
        sup = f"^{{({layer.index})}}"
        x_name = ("x" if one else "X") if layer.index == 1 else f"{a}^{{({layer.index - 1})}}"
        act = _activation_tex(layer)
        if act:
            lines.append(f"{delta}{sup} &= {grad(a, sup)} \\odot {act}'({z}{sup}) = "
                         f"{vec(layer.grad_activation)} \\odot {act}'({vec(layer.z)}) = {vec(layer.delta)}")
        else:
            lines.append(f"{delta}{sup} &= {grad(z, sup)} = {vec(layer.delta)}")
        if one:
            product = f"\\delta{sup} {x_name}^\\top = {vec(layer.delta)} {row(layer.input[0])}"
            bias_rule = f"\\delta{sup}"
        else:
            product = (f"\\Delta^{{({layer.index})\\top}} {x_name} = {bmatrix(layer.delta.T, d)} "
                       f"{bmatrix(layer.input, d)}")
            bias_rule = f"\\textstyle\\sum_n \\delta{sup}_n"
        # With a penalty in the loss the engine's gradient has a second term (w_bar = z_bar x + R_bar w).
        weight_value = row(layer.grad_weight)
        extra = extra_term(layer.grad_weight, layer.delta_outer_input)
        if extra is not None:
            weight_value = f"{row(layer.delta_outer_input)} + {row(extra)} = {weight_value}"
        lines.append(f"{grad('W', sup)} &= {product} = {weight_value}")
        if layer.grad_bias is not None:
            bias_value = bmatrix(layer.grad_bias, d)
            extra = extra_term(layer.grad_bias, layer.delta.sum(axis=0))
            if extra is not None:
                bias_value = f"{bmatrix(layer.delta.sum(axis=0), d)} + {bmatrix(extra, d)} = {bias_value}"
            lines.append(f"{grad('b', sup)} &= {bias_rule} = {bias_value}")
    alpha = f"{record.lr:g}"
    for layer in record.layers:
        sup = f"^{{({layer.index})}}"
        lines.append(f"W{sup} &:= W{sup} - \\alpha {grad('W', sup)} = {row(layer.weight)} - {alpha} "
                     f"{row(layer.grad_weight)} = {row(layer.weight_after)}")
        if layer.bias is not None and layer.grad_bias is not None and layer.bias_after is not None:
            lines.append(f"b{sup} &:= b{sup} - \\alpha {grad('b', sup)} = {bmatrix(layer.bias, d)} - {alpha} "
                         f"\\cdot {_signed(bmatrix(layer.grad_bias, d))} = {bmatrix(layer.bias_after, d)}")
    for layer in record.layers:
        sup = f"^{{({layer.index})}}"
        lines.append(f"{z}{sup}_{{\\text{{new}}}} &= {vec(layer.z_after)}, \\quad "
                     f"{a}{sup}_{{\\text{{new}}}} = {vec(layer.activation_after)}")
    lines.append(f"L_{{\\text{{new}}}} &= {number(record.loss_after, d)}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
