"""Cross-entropy and negative log-likelihood as fused ops of the engine.

Cross-entropy of logits z against a class t is  l = -ln softmax(z)_t = logsumexp(z) - z_t. Fusing the
log-softmax into the loss gives the gradient the notes derive in one step, dl/dz = softmax(z) - onehot(t)
(``p - y``), and computing the log-softmax as ``z - max - ln sum e^(z - max)`` keeps logits of
+-1e4 finite. The class dim is dim 1 (inputs (N, C) or (N, C, d1, ...)) or dim 0 for one unbatched
sample (C,), as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autograd.function import Function


def to_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C) with classes last; (C,) -> (1, C)."""
    if x.ndim == 1:
        return x[None, :]
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def from_rows(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of ``to_rows`` for an array of ``shape``."""
    if len(shape) == 1:
        return rows[0]
    if len(shape) == 2:
        return rows
    return np.moveaxis(rows.reshape((shape[0], *shape[2:], shape[1])), -1, 1)


def softmax_and_log(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(softmax, log_softmax) of each row from one exp: shifting by the row max makes every exponent
    <= 0, so nothing overflows, and the log is taken of a sum >= 1."""
    shifted = rows - rows.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    return exps / sums, shifted - np.log(sums)


def _mean_over(total: np.ndarray, denominator: Any) -> np.ndarray:
    if denominator == 0:  # every target ignored: 0 / 0 = nan, as in PyTorch, without a warning
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / denominator
    return total / denominator


def _row_grad(grad: np.ndarray, reduction: str, rows: int, denominator: Any) -> np.ndarray:
    """dL/d(per-row loss) as a column (rows, 1)."""
    if reduction == "none":
        return grad.reshape(-1, 1)
    g = _mean_over(grad, denominator) if reduction == "mean" else grad
    return np.broadcast_to(g, (rows, 1))


def _reduce(loss: np.ndarray, reduction: str, out_shape: tuple[int, ...], denominator: Any) -> np.ndarray:
    if reduction == "none":
        return loss.reshape(out_shape)
    total = loss.sum()
    return np.asarray(_mean_over(total, denominator) if reduction == "mean" else total, dtype=loss.dtype)


def _target_weights(target: np.ndarray, weight: np.ndarray | None, ignore_index: int,
                    dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(safe class index, weight of each row's class (0 where ignored), kept-row mask) per row."""
    flat = target.reshape(-1)
    kept = flat != ignore_index
    safe = np.where(kept, flat, 0)
    row_weight = kept.astype(dtype) if weight is None else np.where(kept, weight[safe], 0).astype(dtype)
    return safe, row_weight, kept


class CrossEntropyLoss(Function):
    """Cross-entropy of logits z (N, C, ...) against integer classes t, with optional class weights w,
    ``ignore_index`` and label smoothing eps:

        l_i = -(1 - eps) w_t ln p_t - (eps / C) sum_c w_c ln p_c,   p = softmax(z_i)
        dl_i/dz_j = (1 - eps) w_t (p_j - [j = t]) + (eps / C) (W p_j - w_j),   W = sum_c w_c

    ``'mean'`` divides by the summed weights of the targets that are not ignored (PyTorch's rule).
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean",
                label_smoothing: float = 0.0) -> np.ndarray:
        rows = to_rows(logits)
        n_rows, n_classes = rows.shape
        flat = target.reshape(-1)
        if weight is None and label_smoothing == 0 and not (flat == ignore_index).any():
            # The common case (no class weights, no smoothing, no ignored target) in the fewest passes:
            # l_i = ln sum_c e^(z_ic - m_i) - (z_it - m_i), m_i the row max; p = softmax kept for backward.
            # (np.maximum.reduce / np.add.reduce are .max / .sum without their Python wrappers: this runs on
            # every training step, where a microsecond per call shows.)
            index = np.arange(n_rows)
            shifted = rows - np.maximum.reduce(rows, axis=1, keepdims=True)
            picked = shifted[index, flat]
            probs = np.exp(shifted, out=shifted)
            sums = np.add.reduce(probs, axis=1, keepdims=True)
            loss = np.log(sums).reshape(-1)
            loss -= picked
            probs /= sums
            # row_weight None marks this case for backward
            self.save_for_backward(probs, (index, flat), None, None, None, logits.shape, n_rows, reduction, 0.0)
            if reduction == "none":
                return loss.reshape(target.shape)
            total = np.add.reduce(loss)
            return np.asarray(_mean_over(total, n_rows) if reduction == "mean" else total, dtype=loss.dtype)
        safe, row_weight, kept = _target_weights(target, weight, ignore_index, rows.dtype)
        probs, log_probs = softmax_and_log(rows)
        index = np.arange(n_rows)
        loss = -(1 - label_smoothing) * row_weight * log_probs[index, safe]
        if label_smoothing > 0:
            smooth = -(log_probs.sum(axis=1) if weight is None else log_probs @ weight)
            loss = loss + (label_smoothing / n_classes) * np.where(kept, smooth, 0)
        denominator = row_weight.sum()
        self.save_for_backward(probs, safe, row_weight, kept, weight, logits.shape, denominator, reduction,
                               label_smoothing)
        return _reduce(loss.astype(rows.dtype, copy=False), reduction, target.shape, denominator)

    def backward(self, grad: np.ndarray) -> tuple[Any, None]:
        probs, safe, row_weight, kept, weight, shape, denominator, reduction, eps = self.saved
        n_rows, n_classes = probs.shape
        if row_weight is None:
            # The common case: dl_i/dz = g_i (p - onehot(t)), g_i the gradient of row i's loss.
            target_positions = safe  # (row index, class index) of each row's target
            if reduction == "none":
                g = grad.reshape(-1, 1)
                d = probs * g
                d[target_positions] -= g[:, 0]
            else:
                g = _mean_over(grad, denominator) if reduction == "mean" else grad
                d = probs * g
                d[target_positions] -= g
            return from_rows(d, shape), None
        g = _row_grad(grad, reduction, n_rows, denominator)
        picked = (1 - eps) * row_weight[:, None]
        if eps > 0:
            total_weight = n_classes if weight is None else weight.sum()
            coefficient = picked + (eps / n_classes) * total_weight * kept[:, None]
            d = probs * coefficient
            d -= (eps / n_classes) * (1 if weight is None else weight) * kept[:, None]
        else:
            d = probs * picked
        d[np.arange(n_rows), safe] -= picked[:, 0]
        with np.errstate(invalid="ignore"):  # g is 0/0 = nan when every target is ignored
            d = d * g
        # An ignored row has no loss and so no gradient, even when g is nan (PyTorch gives 0 there too).
        d = np.where(kept[:, None], d, 0)
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
        probs, log_probs = softmax_and_log(rows)
        loss = -(log_probs * weighted).sum(axis=1)
        out_shape = logits.shape[:1] + logits.shape[2:] if logits.ndim > 1 else ()
        self.save_for_backward(probs, log_probs, weighted, weight, logits.shape, reduction, label_smoothing)
        return _reduce(loss, reduction, out_shape, rows.shape[0])

    def backward(self, grad: np.ndarray) -> tuple[Any, Any]:
        probs, log_probs, weighted, weight, shape, reduction, eps = self.saved
        g = _row_grad(grad, reduction, probs.shape[0], probs.shape[0])
        d = g * (probs * weighted.sum(axis=1, keepdims=True) - weighted)
        grad_target = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            scaled = -(1 - eps) * g * (log_probs if weight is None else log_probs * weight)
            grad_target = from_rows(scaled, shape)
        return from_rows(d, shape), grad_target


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities q (N, C, ...) at integer classes t:
    l_i = -w_t q_{i,t};  dl_i/dq_{i,j} = -w_t [j = t]. ``'mean'`` divides by the summed target weights."""

    def forward(self, log_probs: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean") -> np.ndarray:
        rows = to_rows(log_probs)
        safe, row_weight, kept = _target_weights(target, weight, ignore_index, rows.dtype)
        loss = -row_weight * rows[np.arange(rows.shape[0]), safe]
        denominator = row_weight.sum()
        self.save_for_backward(rows.shape, safe, row_weight, kept, log_probs.shape, denominator, reduction)
        return _reduce(loss, reduction, target.shape, denominator)

    def backward(self, grad: np.ndarray) -> tuple[Any, None]:
        rows_shape, safe, row_weight, kept, shape, denominator, reduction = self.saved
        g = _row_grad(grad, reduction, rows_shape[0], denominator)
        d = np.zeros(rows_shape, dtype=row_weight.dtype)
        with np.errstate(invalid="ignore"):  # g is 0/0 = nan when every target is ignored
            # An ignored row gets no gradient even then (as PyTorch); a kept row of weight 0 gets 0 * g.
            d[np.arange(rows_shape[0]), safe] = np.where(kept, -row_weight * g[:, 0], 0)
        return from_rows(d, shape), None
