"""The losses as fused ops of the engine: one forward pass, one backward pass, with the derivatives the
notes derive written next to each loss. Arguments arrive checked (``nn.functional`` validates them).

Every op takes ``reduction``, applied by the one pair of helpers below: ``'none'`` keeps one loss per
element (or sample), ``'sum'`` adds them, ``'mean'`` divides that sum by a count (the number of losses,
or the summed class weights of the weighted classification losses), so its gradient carries 1/count.
Each op returns a gradient for the target too when the target requires one (the engine asks through
``needs_input_grad``). ``weight`` and ``pos_weight`` are constants (arrays), not differentiated.

The classification losses see their input as rows: the class dim is dim 1 (inputs (N, C) or
(N, C, d1, ...)) or dim 0 for one unbatched sample (C,), as in PyTorch. Cross-entropy takes its
softmax and log-softmax from ``softmax.py``, the same numerics as ``F.log_softmax``; fused with the
loss, the gradient is the one the notes derive, dl/dz = softmax(z) - onehot(t) (``p - y``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.activation import sigmoid_array
from chainrule.autograd.function import Function
from chainrule.autograd.softmax import softmax_and_log_softmax, softmax_parts
from chainrule.backend import namespace_of

REDUCTIONS = ("mean", "sum", "none")
_BCE_EPSILON = np.float32(1e-12)


# -- the reduction and its gradient, shared by every loss ---------------------------------------------
def _divide(total: Any, count: Any) -> Any:
    if count == 0:  # an empty batch, or every target ignored: 0 / 0 = nan, as in PyTorch, without a warning
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count
    return total / count


def reduce_loss(loss: np.ndarray, reduction: str, count: Any = None) -> np.ndarray:
    """Apply ``reduction`` to the losses, keeping their dtype; ``'mean'`` divides by ``count``
    (default: the number of losses)."""
    xp = namespace_of(loss)
    if reduction == "none":
        return loss
    # xp.add.reduce is .sum without its Python wrapper: this runs on every training step.
    total = xp.add.reduce(loss, axis=None)
    if reduction == "mean":
        total = _divide(total, loss.size if count is None else count)
    return xp.asarray(total, dtype=loss.dtype)


def reduction_grad(grad: np.ndarray, reduction: str, count: Any) -> np.ndarray:
    """dL/d(each loss) from dL/d(reduced loss): the gradient itself for ``'none'`` (one per loss) and
    ``'sum'``, divided by ``count`` for ``'mean'``."""
    return _divide(grad, count) if reduction == "mean" else grad


def _pair(needs: tuple[bool, ...], grad_input: np.ndarray, grad_target: Any) -> tuple[Any, Any]:
    return (grad_input if needs[0] else None), (grad_target() if len(needs) > 1 and needs[1] else None)


# -- regression losses (element-wise) -------------------------------------------------------------------
class SquaredError(Function):
    """l = (x - y)^2 (``F.mse_loss``);  dl/dx = 2 (x - y), dl/dy = -2 (x - y)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        diff = x - y
        self.save_for_backward(diff, reduction)
        return reduce_loss(diff * diff, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        diff, reduction = self.saved
        d = (2 * reduction_grad(grad, reduction, diff.size)) * diff
        return _pair(self.needs_input_grad, d, lambda: -d)


class AbsoluteError(Function):
    """l = |x - y| (``F.l1_loss``);  dl/dx = sign(x - y) (0 where x = y), dl/dy = -sign(x - y)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
        xp = namespace_of(x)
        diff = x - y
        self.save_for_backward(diff, reduction)
        return reduce_loss(xp.abs(diff), reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        xp = namespace_of(grad)
        diff, reduction = self.saved
        d = reduction_grad(grad, reduction, diff.size) * xp.sign(diff)
        return _pair(self.needs_input_grad, d, lambda: -d)


class Huber(Function):
    """l = (x - y)^2 / 2 where |x - y| < delta, else delta (|x - y| - delta / 2) (``F.huber_loss``):
    quadratic near 0, linear far away (so outliers pull with a bounded force);
    dl/dx = clip(x - y, -delta, delta)."""

    def forward(self, x: np.ndarray, y: np.ndarray, reduction: str = "mean",
                delta: float = 1.0) -> np.ndarray:
        xp = namespace_of(x)
        diff = x - y
        size = xp.abs(diff)
        quadratic = size < delta
        loss = xp.where(quadratic, 0.5 * diff * diff, delta * (size - 0.5 * delta))
        self.save_for_backward(diff, reduction, delta)
        return reduce_loss(loss.astype(x.dtype, copy=False), reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        xp = namespace_of(grad)
        diff, reduction, delta = self.saved
        d = reduction_grad(grad, reduction, diff.size) * xp.clip(diff, -delta, delta)
        return _pair(self.needs_input_grad, d, lambda: -d)


# -- binary classification losses (element-wise) ------------------------------------------------------
class BinaryCrossEntropy(Function):
    """l = -w [y ln p + (1 - y) ln(1 - p)] for probabilities p in [0, 1], each log clamped at -100 as
    in PyTorch (so p = 0 or 1 gives a large finite loss, not inf);
    dl/dp = w (p - y) / max(p (1 - p), 1e-12), dl/dy = w (ln(1 - p) - ln p)."""

    def forward(self, p: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                reduction: str = "mean") -> np.ndarray:
        xp = namespace_of(p)
        with np.errstate(divide="ignore"):  # ln 0 = -inf, clamped to -100 just below
            log_p = xp.maximum(xp.log(p), -100)
            log_1mp = xp.maximum(xp.log1p(-p), -100)
        loss = -(y * log_p + (1 - y) * log_1mp)
        if weight is not None:
            loss = loss * weight
        self.save_for_backward(p, y, weight, log_p, log_1mp, reduction)
        return reduce_loss(loss, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        xp = namespace_of(grad)
        p, y, weight, log_p, log_1mp, reduction = self.saved
        g = reduction_grad(grad, reduction, p.size)
        if weight is not None:
            g = g * weight
        # PyTorch's floor is the float32 constant 1e-12 (9.99999996e-13); the same one gives its numbers.
        d = g * (p - y) / xp.maximum(p * (1 - p), xp.asarray(_BCE_EPSILON, dtype=p.dtype))
        return _pair(self.needs_input_grad, d, lambda: g * (log_1mp - log_p))


def softplus_of_negative(x: np.ndarray) -> np.ndarray:
    """-ln logsig(x) = ln(1 + e^-x) = max(-x, 0) + ln(1 + e^-|x|): never overflows, exact for large |x|."""
    xp = namespace_of(x)
    return xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class BinaryCrossEntropyWithLogits(Function):
    """Binary cross-entropy of logits z, with the sigmoid fused in:
    l = w [(1 - y) z + (1 + (pw - 1) y) ln(1 + e^-z)]  (= -w [pw y ln s(z) + (1 - y) ln(1 - s(z))]);
    dl/dz = w [(1 - y) - (1 + (pw - 1) y) s(-z)], which is w (s(z) - y) when pw = 1;
    dl/dy = w [-z + (pw - 1) ln(1 + e^-z)]. Finite at z = +-1e4 (no exp of a large number)."""

    def forward(self, z: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
                pos_weight: np.ndarray | None = None, reduction: str = "mean") -> np.ndarray:
        softplus_neg = softplus_of_negative(z)
        log_weight = None if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * z + (softplus_neg if log_weight is None else log_weight * softplus_neg)
        if weight is not None:
            loss = loss * weight
        self.save_for_backward(z, y, weight, pos_weight, log_weight, softplus_neg, reduction)
        return reduce_loss(loss, reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, ...]:
        z, y, weight, pos_weight, log_weight, softplus_neg, reduction = self.saved
        g = reduction_grad(grad, reduction, z.size)
        if weight is not None:
            g = g * weight
        if log_weight is None:
            d = g * (sigmoid_array(z) - y)
        else:
            d = g * ((1 - y) - log_weight * sigmoid_array(-z))

        def grad_target() -> np.ndarray:
            if pos_weight is None:
                return g * -z
            return g * (-z + (pos_weight - 1) * softplus_neg)

        return _pair(self.needs_input_grad, d, grad_target)


# -- multi-class losses (one row of class scores per sample) ------------------------------------------
def to_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C) with classes last; (C,) -> (1, C)."""
    xp = namespace_of(x)
    if x.ndim == 1:
        return x[None, :]
    if x.ndim == 2:
        return x
    return xp.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def from_rows(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of ``to_rows`` for an array of ``shape``."""
    xp = namespace_of(rows)
    if len(shape) == 1:
        return rows[0]
    if len(shape) == 2:
        return rows
    return xp.moveaxis(rows.reshape((shape[0], *shape[2:], shape[1])), -1, 1)


def _row_grad(grad: np.ndarray, reduction: str, count: Any) -> np.ndarray:
    """dL/d(each row's loss), as a column that broadcasts against the rows (rows, C)."""
    xp = namespace_of(grad)
    g = reduction_grad(grad, reduction, count)
    return g.reshape(-1, 1) if reduction == "none" else xp.reshape(g, (1, 1))


def _target_weights(target: np.ndarray, weight: np.ndarray | None, ignore_index: int,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safe class index, weight of each row's class (0 where ignored), kept-row mask) per row."""
    xp = namespace_of(target)
    flat = target.reshape(-1)
    kept = flat != ignore_index
    safe = xp.where(kept, flat, 0)
    row_weight = kept.astype(dtype) if weight is None else xp.where(kept, weight[safe], 0).astype(dtype)
    return safe, row_weight, kept


class CrossEntropy(Function):
    """Cross-entropy of logits z (N, C, ...) against integer classes t, with optional class weights w,
    ``ignore_index`` and label smoothing eps (``F.cross_entropy``):

        l_i = -(1 - eps) w_t ln p_t - (eps / C) sum_c w_c ln p_c,   p = softmax(z_i)
        dl_i/dz_j = (1 - eps) w_t (p_j - [j = t]) + (eps / C) (W p_j - w_j),   W = sum_c w_c

    ``'mean'`` divides by the summed weights of the targets that are not ignored (PyTorch's rule).
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean",
                label_smoothing: float = 0.0) -> np.ndarray:
        xp = namespace_of(logits)
        rows = to_rows(logits)
        n_rows, n_classes = rows.shape
        flat = target.reshape(-1)
        if weight is None and label_smoothing == 0 and not (flat == ignore_index).any():
            # The common case (no class weights, no smoothing, no ignored target): l_i = -ln p_it =
            # ln Z_i - s_it, the log-softmax taken at the targets only; backward needs only p. row_weight
            # None marks this case for backward.
            shifted, log_norm, probs = softmax_parts(rows, 1)
            positions = (xp.arange(n_rows), flat)
            loss = log_norm.reshape(-1) - shifted[positions]
            self.save_for_backward(probs, positions, None, None, None, logits.shape, n_rows, reduction, 0.0)
            return reduce_loss(loss.reshape(target.shape), reduction)
        probs, log_probs = softmax_and_log_softmax(rows, 1)
        safe, row_weight, kept = _target_weights(target, weight, ignore_index, rows.dtype)
        loss = -(1 - label_smoothing) * row_weight * log_probs[xp.arange(n_rows), safe]
        if label_smoothing > 0:
            smooth = -(log_probs.sum(axis=1) if weight is None else log_probs @ weight)
            loss = loss + (label_smoothing / n_classes) * xp.where(kept, smooth, 0)
        denominator = row_weight.sum()
        self.save_for_backward(probs, safe, row_weight, kept, weight, logits.shape, denominator, reduction,
                               label_smoothing)
        return reduce_loss(loss.astype(rows.dtype, copy=False).reshape(target.shape), reduction, denominator)

    def backward(self, grad: np.ndarray) -> tuple[Any, None]:
        xp = namespace_of(grad)
        probs, safe, row_weight, kept, weight, shape, denominator, reduction, eps = self.saved
        n_rows, n_classes = probs.shape
        if row_weight is None:
            # The common case: dl_i/dz = g_i (p - onehot(t)), g_i the gradient of row i's loss.
            target_positions = safe  # (row index, class index) of each row's target
            g = reduction_grad(grad, reduction, denominator)
            if reduction == "none":
                g = g.reshape(-1, 1)
                d = probs * g
                d[target_positions] -= g[:, 0]
            else:
                d = probs * g
                d[target_positions] -= g
            return from_rows(d, shape), None
        g = _row_grad(grad, reduction, denominator)
        picked = (1 - eps) * row_weight[:, None]
        if eps > 0:
            total_weight = n_classes if weight is None else weight.sum()
            coefficient = picked + (eps / n_classes) * total_weight * kept[:, None]
            d = probs * coefficient
            d -= (eps / n_classes) * (1 if weight is None else weight) * kept[:, None]
        else:
            d = probs * picked
        d[xp.arange(n_rows), safe] -= picked[:, 0]
        with np.errstate(invalid="ignore"):  # g is 0/0 = nan when every target is ignored
            d = d * g
        # An ignored row has no loss and so no gradient, even when g is nan (PyTorch gives 0 there too).
        d = xp.where(kept[:, None], d, 0)
        return from_rows(d.astype(probs.dtype, copy=False), shape), None


class CrossEntropyWithProbabilities(Function):
    """Cross-entropy of logits z against class probabilities y (same shape), class weights w:

        l_i = -sum_c w_c y_c ln p_c,  dl_i/dz_j = p_j sum_c w_c y_c - w_j y_j,  dl_i/dy_c = -w_c ln p_c

    (``p - y`` when the y sum to 1 and there are no weights). Label smoothing mixes y with the uniform
    distribution first: y <- (1 - eps) y + eps / C. ``'mean'`` divides by the number of samples.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                reduction: str = "mean", label_smoothing: float = 0.0) -> np.ndarray:
        rows = to_rows(logits)
        n_classes = rows.shape[1]
        y = to_rows(target)
        if label_smoothing > 0:
            y = y * (1 - label_smoothing) + label_smoothing / n_classes
        weighted = y if weight is None else y * weight
        probs, log_probs = softmax_and_log_softmax(rows, 1)
        loss = -(log_probs * weighted).sum(axis=1)
        out_shape = logits.shape[:1] + logits.shape[2:] if logits.ndim > 1 else ()
        self.save_for_backward(probs, log_probs, weighted, weight, logits.shape, reduction, label_smoothing)
        return reduce_loss(loss.reshape(out_shape), reduction)

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        probs, log_probs, weighted, weight, shape, reduction, eps = self.saved
        g = _row_grad(grad, reduction, probs.shape[0])
        d = g * (probs * weighted.sum(axis=1, keepdims=True) - weighted)
        grad_target = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            scaled = -(1 - eps) * g * (log_probs if weight is None else log_probs * weight)
            grad_target = from_rows(scaled, shape)
        return from_rows(d, shape), grad_target


class NegativeLogLikelihood(Function):
    """Negative log-likelihood of log-probabilities q (N, C, ...) at integer classes t (``F.nll_loss``):
    l_i = -w_t q_{i,t};  dl_i/dq_{i,j} = -w_t [j = t]. ``'mean'`` divides by the summed target weights."""

    def forward(self, log_probs: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean") -> np.ndarray:
        xp = namespace_of(log_probs)
        rows = to_rows(log_probs)
        safe, row_weight, kept = _target_weights(target, weight, ignore_index, rows.dtype)
        loss = -row_weight * rows[xp.arange(rows.shape[0]), safe]
        denominator = row_weight.sum()
        self.save_for_backward(rows.shape, safe, row_weight, kept, log_probs.shape, denominator, reduction)
        return reduce_loss(loss.reshape(target.shape), reduction, denominator)

    def backward(self, grad: np.ndarray) -> tuple[Any, None]:
        xp = namespace_of(grad)
        rows_shape, safe, row_weight, kept, shape, denominator, reduction = self.saved
        g = _row_grad(grad, reduction, denominator)
        d = xp.zeros(rows_shape, dtype=row_weight.dtype)
        with np.errstate(invalid="ignore"):  # g is 0/0 = nan when every target is ignored
            # An ignored row gets no gradient even then (as PyTorch); a kept row of weight 0 gets 0 * g.
            d[xp.arange(rows_shape[0]), safe] = xp.where(kept, -row_weight * g[:, 0], 0)
        return from_rows(d, shape), None
