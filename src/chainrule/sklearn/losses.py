"""scikit-learn's MLP losses, written with chainrule's loss functions so that ``backward`` gives the
gradients (there is no hand-written backward pass here).

With ``N`` samples, weights ``s_i`` (all 1 without ``sample_weight``), ``S = sum_i s_i`` and per-sample
losses ``l_i`` computed from the logits ``z_i`` (the output layer before its activation), the solvers
minimise::

    loss = sum_i s_i l_i / S  +  alpha / 2 * sum_layers ||W||^2 / S

    softmax  (multi-class)            l_i = -ln softmax(z_i)[y_i]                      (cross-entropy)
    logistic (binary, multi-label)    l_i = sum_k BCE(sigmoid(z_ik), y_ik)             (one per label)
    identity (squared_error)          l_i = 1/2 * sum_k (z_ik - y_ik)^2
    exp      (poisson)                l_i = sum_k exp(z_ik) - y_ik z_ik + y_ik ln y_ik - y_ik

so that the gradient with respect to ``z`` is the notes' ``p - y`` (weighted, over ``S``): exactly the
gradient scikit-learn's solvers use. The values are scikit-learn's ``log_loss``/``binary_log_loss``/
``poisson_loss`` plus its L2 term, computed from the logits, so that probabilities of exactly 0 or 1
cannot make a log infinite (scikit-learn clips them at machine epsilon instead, which changes the value
only when the network is certain and wrong). For squared_error scikit-learn *reports* the squared error
averaged over the K outputs as well (``squared_loss``), while its gradient is that of the sum above;
``reported`` gives the reported value (the two are the same with one output).

The L2 term is part of the graph for 'lbfgs' (``l2_penalty``); the stochastic solvers hand its gradient
to the optimiser as ``weight_decay``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import xlogy

from chainrule import nn
from chainrule.autograd.tensor import Tensor
from chainrule.nn import functional as F
from chainrule.train.evaluation import on_device

__all__ = ["data_loss", "l2_penalty", "poisson_constant", "reported"]


def _column(weights: np.ndarray, device: Any) -> Tensor:
    return on_device(weights.reshape(-1, 1), device)


def data_loss(out_activation: str, z: Tensor, target: np.ndarray, sample_weight: np.ndarray | None) -> Tensor:
    """The (weighted) mean over samples of the per-sample loss ``l_i`` of ``out_activation`` (the data term
    the solvers minimise; the Poisson constant ``y ln y - y`` is left out, see ``poisson_constant``).

    ``target``: class indices (int64, shape (N,)) for softmax; 0/1 indicators (N, n_labels) for
    logistic; values (N, n_outputs) otherwise, in ``z``'s dtype. The targets and weights (host arrays)
    go to ``z``'s device.
    """
    device = z.device
    y = on_device(target, device)
    n = z.shape[0]
    if sample_weight is not None:
        # s_i / S once, so that the weighted mean is one weighted sum.
        share = (sample_weight / sample_weight.sum()).astype(z.dtype, copy=False)
    if out_activation == "softmax":
        if sample_weight is None:
            return F.cross_entropy(z, y)
        return (F.cross_entropy(z, y, reduction="none") * on_device(share, device)).sum()
    if out_activation == "logistic":
        if sample_weight is None:
            return F.binary_cross_entropy_with_logits(z, y, reduction="sum") / n
        return F.binary_cross_entropy_with_logits(z, y, weight=_column(share, device), reduction="sum")
    if out_activation == "identity":
        if sample_weight is None:
            return F.mse_loss(z, y, reduction="sum") * (0.5 / n)
        return (F.mse_loss(z, y, reduction="none") * _column(share, device)).sum() * 0.5
    if out_activation == "exp":
        per_element = z.exp() - y * z
        if sample_weight is None:
            return per_element.sum() / n
        return (per_element * _column(share, device)).sum()
    raise ValueError(f"data_loss: unknown output activation {out_activation!r}; expected one of 'softmax', "
                     "'logistic', 'identity', 'exp'")


def poisson_constant(target: np.ndarray, sample_weight: np.ndarray | None) -> float:
    """The part of the half Poisson deviance that does not depend on the network: the weighted mean over
    samples of ``sum_k y ln y - y`` (it makes a perfect fit score 0, as in scikit-learn)."""
    per_sample = (xlogy(target, target) - target).sum(axis=1)
    return float(np.average(per_sample, weights=sample_weight))


def reported(out_activation: str, data_term: float, penalty: float, target: np.ndarray,
             sample_weight: np.ndarray | None) -> float:
    """The loss as scikit-learn reports it (``loss_``, ``loss_curve_``), from the data term of
    ``data_loss`` and the L2 term's value."""
    if out_activation == "identity":
        return data_term / target.shape[1] + penalty  # squared_loss averages over the outputs too
    if out_activation == "exp":
        return data_term + poisson_constant(target, sample_weight) + penalty
    return data_term + penalty


def l2_penalty(weights: Sequence[Tensor], alpha: float, weight_sum: float) -> Tensor | None:
    """``alpha / 2 * sum ||W||^2 / S`` over the layers' weights (not the biases), or None when alpha is 0:
    scikit-learn's regularisation, scaled by the batch's total sample weight ``S`` like the data term."""
    if alpha == 0:
        return None
    return nn.l2_penalty(weights) * (alpha / weight_sum)
